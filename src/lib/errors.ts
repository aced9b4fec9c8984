import type { ErrorCode } from './error-codes.js';

/**
 * Domain errors are values with a stable code. The code is one of the catalogue's
 * (src/lib/error-codes.ts), so the HTTP layer answers each with its own status and the CLI maps them
 * to exit codes. Library code never logs.
 */
export class TollgateError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, as the API names it (e.g. `ipAddress`). */
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TollgateError';
  }
}

/** A configuration error: exit code 2, the message names the key, the file and the line. */
export class ConfigError extends TollgateError {
  constructor(
    message: string,
    readonly key?: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super('config_invalid', message, key);
    this.name = 'ConfigError';
  }
}
