/**
 * Domain errors are values with a stable code. The HTTP layer maps codes to statuses in one catalog
 * (src/http/errors.ts); the CLI maps them to exit codes. Library code never logs.
 */
export class TollgateError extends Error {
  constructor(
    readonly code: string,
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
