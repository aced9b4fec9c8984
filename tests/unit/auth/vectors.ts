// Loads the JSON vector files of tests/vectors/auth/ (hex strings, decoded by the tests).
import { readFileSync } from 'node:fs';

export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../vectors/auth/${file}`, import.meta.url), 'utf8')) as T;
}

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
