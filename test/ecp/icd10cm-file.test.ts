/**
 * ICD-10-CM zips within the archive limits: a zip bomb in CMS's file names is refused from its central directory,
 * or while inflating when its headers lie, with a sentence naming the file, the entry and the settings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { identifyIcd10cmFile, readIcd10cm } from '../../src/ecp/codes/icd10cm-file.ts';
import { ValidationError } from '../../src/platform/errors.ts';
import { repeatedDeflate, zip } from '../support/zip.ts';

const MIB = 1024 * 1024;
const limits = loadConfig({}).archiveLimits;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'care-icd10cm-bomb-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An order-file line repeated to 2 GB. */
const orderBomb = () => repeatedDeflate('', '00001 A000    0 Cholera'.padEnd(MIB - 1, ' ') + '\n', 2048, '');

function write(name: string, content: Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('ICD-10-CM zip bombs', () => {
  it('refuses a zip whose order file declares 2 GB, from the central directory', async () => {
    const file = write('bomb_2027.zip', zip([{ name: 'icd10cm_order_2027.txt', deflated: orderBomb() }]));
    const began = performance.now();
    const error = await identifyIcd10cmFile(file, limits).catch((e: unknown) => e);
    expect(performance.now() - began).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).messages).toEqual([
      'bomb_2027.zip: The file is too large once uncompressed (icd10cm_order_2027.txt declares 2048.0 MiB, over the 512.0 MiB an entry may hold; ' +
        'limits: ARCHIVE_MAX_UNCOMPRESSED_BYTES, ARCHIVE_MAX_ENTRY_BYTES, ARCHIVE_MAX_RATIO)',
    ]);
  });

  it('refuses it while inflating when its headers claim 4 KB, with flat memory', async () => {
    const file = write('liar_2027.zip', zip([{ name: 'icd10cm_order_2027.txt', deflated: orderBomb(), declaredSize: 4096 }]));
    const source = await identifyIcd10cmFile(file, limits);
    expect(source).toMatchObject({ layout: 'order', fiscalYear: 2027, zipEntry: 'icd10cm_order_2027.txt' });
    const rss = process.memoryUsage().rss;
    const began = performance.now();
    const error = await readIcd10cm(source, limits).catch((e: unknown) => e);
    expect(performance.now() - began).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * MIB);
    expect((error as ValidationError).messages).toEqual([
      'liar_2027.zip: The file is too large once uncompressed (icd10cm_order_2027.txt inflates past the 4096 bytes its directory record declares; ' +
        'limits: ARCHIVE_MAX_UNCOMPRESSED_BYTES, ARCHIVE_MAX_ENTRY_BYTES, ARCHIVE_MAX_RATIO)',
    ]);
  });
});
