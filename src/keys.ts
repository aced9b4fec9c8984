import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config/schema.js';
import { ConfigError } from './lib/errors.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './lib/private-files.js';
import { parseSecretKey, SecretBox } from './lib/secretbox.js';

/** Where data files live by default: beside the database (./data, or StateDirectory under systemd). */
export function dataDir(config: Config): string {
  return dirname(resolve(config.database.path));
}

export function keyFilePath(config: Config): string {
  return config.security.secret_key_file || resolve(dataDir(config), 'secret.key');
}

/** Where the first start writes the first admin's generated username and password. */
export function initialPasswordFile(config: Config): string {
  return resolve(dataDir(config), 'initial-admin-password');
}

/**
 * Removes the initial-password file once the admin it names has chosen a password of their own: the
 * password in it no longer works, and a secret on disk should not outlive its use. True when removed.
 */
export function forgetInitialPassword(file: string, username: string): boolean {
  let named: string | undefined;
  try {
    named = readFileSync(file, 'utf8').split('\n')[0];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  if (named?.toLowerCase() !== username.toLowerCase()) return false;
  rmSync(file, { force: true });
  return true;
}

/**
 * The at-rest key: from `security.secret_key` (usually the environment), else the key file, which is
 * created (mode 0600) on first start. Losing it makes stored subscriber passwords and NAS secrets
 * unreadable, so it is never regenerated over an existing database.
 */
export function loadSecretBox(config: Config, opts: { create: boolean; hasSealedData: boolean }): { box: SecretBox; created?: string } {
  if (config.security.secret_key) {
    try {
      return { box: new SecretBox(parseSecretKey(config.security.secret_key)) };
    } catch (e) {
      throw new ConfigError(`security.secret_key: ${(e as Error).message}`, 'security.secret_key');
    }
  }
  const file = keyFilePath(config);
  if (existsSync(file)) {
    try {
      return { box: new SecretBox(parseSecretKey(readFileSync(file, 'utf8'))) };
    } catch (e) {
      throw new ConfigError(`${file}: ${(e as Error).message}`, 'security.secret_key_file', file);
    }
  }
  if (!opts.create || opts.hasSealedData) {
    throw new ConfigError(
      `the secret key file ${file} is missing${opts.hasSealedData ? ' but the database holds sealed secrets: restore the key from your backup (without it stored passwords and NAS secrets cannot be read)' : ''}`,
      'security.secret_key_file',
      file,
    );
  }
  ensurePrivateDir(dirname(file));
  writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  return { box: new SecretBox(parseSecretKey(readFileSync(file, 'utf8'))), created: file };
}
