import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/**
 * Files that hold customer data or secrets (the database and its -wal and -shm, backups, the key and
 * the initial password) are created readable by their owner only, whatever the process umask: 0600
 * files in 0700 folders. SQLite creates a database's -wal and -shm with the mode of the database file,
 * so a database created here keeps them private too.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates the folder (and missing parents) 0700; a folder that exists keeps its mode. */
export function ensurePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // The mode given to mkdir is masked by the umask; say it exactly for the folder asked for.
  if (created !== undefined) chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates an empty file 0600 for something to write into (SQLite, a backup); false, touching nothing,
 * when the file exists already.
 */
export function createPrivateFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
  return true;
}
