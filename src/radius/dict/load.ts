/**
 * Reads dictionary files: Tollgate's own (shipped in `dictionaries/` at the package root) and any
 * extra vendor files an operator names. The only part of the dictionary code that touches the disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDictionary, type Dictionary } from './dictionary.js';
import { DictionaryError, parseDictionaryText, type DictEntry } from './parse.js';

/**
 * The folder of Tollgate's own dictionaries. This module sits two levels below the package root
 * both as source (src/radius/dict) and compiled (dist/radius/dict), so one relative path serves both.
 */
export function defaultDictionaryDir(): string {
  return fileURLToPath(new URL('../../../dictionaries', import.meta.url));
}

/** Includes deeper than this are a loop in all but contrived set-ups. */
const MAX_INCLUDE_DEPTH = 16;

function readEntries(file: string, out: DictEntry[], stack: string[], from?: { file: string; line: number }): void {
  const path = resolve(file);
  if (stack.includes(path)) throw new DictionaryError(`$INCLUDE loop through ${path}`, from?.file ?? path, from?.line ?? 0);
  if (stack.length >= MAX_INCLUDE_DEPTH) throw new DictionaryError('$INCLUDE nested too deeply', from?.file ?? path, from?.line ?? 0);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DictionaryError(`cannot read dictionary ${path}: ${reason}`, from?.file ?? path, from?.line ?? 0);
  }
  stack.push(path);
  for (const entry of parseDictionaryText(text, path)) {
    if (entry.kind !== 'include') {
      out.push(entry);
      continue;
    }
    const target = isAbsolute(entry.path) ? entry.path : join(dirname(path), entry.path);
    if (entry.optional && !existsSync(target)) continue;
    readEntries(target, out, stack, entry);
  }
  stack.pop();
}

/** Parses files (following `$INCLUDE`) into one list of entries, in order. */
export function readDictionaryFiles(files: readonly string[]): DictEntry[] {
  const out: DictEntry[] = [];
  for (const f of files) readEntries(f, out, []);
  return out;
}

/**
 * Tollgate's dictionaries plus `extraFiles` (FreeRADIUS-format vendor dictionaries an operator
 * adds). Throws DictionaryError naming the file and line of the first problem.
 */
export function loadDictionary(extraFiles: readonly string[] = [], dir: string = defaultDictionaryDir()): Dictionary {
  return buildDictionary(readDictionaryFiles([join(dir, 'dictionary'), ...extraFiles]));
}
