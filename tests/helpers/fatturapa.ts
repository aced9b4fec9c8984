import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './daemon.js';

const dir = fileURLToPath(new URL('../fixtures/fatturapa/', import.meta.url));

/** Validates a FatturaPA file against the official schema offline; returns xmllint's complaints ('' when valid). */
export function xsdErrors(xml: string, name = 'doc.xml'): string {
  const file = join(tempDir('fatturapa-'), name);
  writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--nonet', '--noout', '--schema', join(dir, 'Schema_del_file_xml_FatturaPA_v1.2.2.xsd'), file], {
      env: { ...process.env, XML_CATALOG_FILES: join(dir, 'catalog.xml') }, stdio: 'pipe',
    });
    return '';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}
