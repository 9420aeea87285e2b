/**
 * Opening archives within limits: the central directory checks (entry size, ratio, total, entry count), the
 * count while inflating (headers that lie), and the real CMS ICD-10-CM zip under the default limits.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ARCHIVE_TOO_LARGE, ArchiveTooLargeError, MAX_ENTRIES, openArchive, type Archive, type ArchiveLimits } from '../../src/platform/archive.ts';
import { ValidationError } from '../../src/platform/errors.ts';
import { repeatedDeflate, zip } from '../support/zip.ts';

const MIB = 1024 * 1024;
const limits: ArchiveLimits = { maxUncompressedBytes: 64 * MIB, maxEntryBytes: 32 * MIB, maxRatio: 100 };
const ICD10CM_ZIP = path.resolve(import.meta.dirname, '../../../shared/data/icd10cm/cms_2026_dx.zip');

/** Reads every entry; returns the bytes read per entry and the first error. */
async function drain(archive: Archive): Promise<{ bytes: number[]; error?: unknown }> {
  const bytes: number[] = [];
  try {
    for (const entry of archive.entries) {
      bytes.push(0);
      for await (const chunk of await archive.open(entry)) bytes[bytes.length - 1] += (chunk as Buffer).length;
    }
    return { bytes };
  } catch (error) {
    return { bytes, error };
  }
}

/** `size` bytes of `x` (ratio about 1000:1). */
const xs = (size: number) => repeatedDeflate('', 'x'.repeat(MIB), size / MIB, '');

describe('openArchive', () => {
  it('lists the entries of the central directory and inflates them', async () => {
    const archive = await openArchive(zip([{ name: 'a.txt', data: 'alpha' }, { name: 'dir/', data: '' }, { name: 'dir/b.xml', data: '<b/>'.repeat(1000) }]), limits);
    expect(archive.entries.map((e) => [e.name, e.uncompressedSize, e.isDirectory])).toEqual([['a.txt', 5, false], ['dir/', 0, true], ['dir/b.xml', 4000, false]]);
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.open(archive.entries[2])) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('<b/>'.repeat(1000));
  });

  it.each([
    ['an entry over the entry limit', limits, [{ name: 'big.xml', deflated: xs(33 * MIB) }], /big\.xml declares 33\.0 MiB, over the 32\.0 MiB an entry may hold/],
    ['an entry over the ratio', limits, [{ name: 'dense.xml', deflated: xs(2 * MIB) }], /dense\.xml inflates \d+ times, over the ratio of 100/],
    [
      'entries over the total',
      { ...limits, maxRatio: 1_000_000 },
      [1, 2, 3].map((i) => ({ name: `part${i}.xml`, deflated: repeatedDeflate('', 'ab'.repeat(MIB), 11, '') })),
      /its entries declare more than 64\.0 MiB in all/,
    ],
  ])('refuses %s from the central directory, before inflating', async (_name, given, entries, detail) => {
    const error = await openArchive(zip(entries), given).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveTooLargeError);
    expect((error as ArchiveTooLargeError).messages).toEqual([ARCHIVE_TOO_LARGE]);
    expect((error as ArchiveTooLargeError).detail).toMatch(detail);
  });

  it('holds small entries to the sizes only, not to the ratio', async () => {
    const archive = await openArchive(zip([{ name: 'styles.xml', deflated: repeatedDeflate('', 'y'.repeat(1000), 1000, '') }]), limits);
    expect((await drain(archive)).bytes).toEqual([1_000_000]);
  });

  it('stops an entry at the size its headers declare when they lie (1 GB claimed as 4 KB)', async () => {
    const archive = await openArchive(zip([{ name: 'ok.txt', data: 'fine' }, { name: 'liar.xml', deflated: xs(1024 * MIB), declaredSize: 4096 }]), limits);
    const { bytes, error } = await drain(archive);
    expect(error).toBeInstanceOf(ArchiveTooLargeError);
    expect((error as ArchiveTooLargeError).detail).toBe('liar.xml inflates past the 4096 bytes its directory record declares');
    expect(bytes).toEqual([4, 0]); // nothing of the lying entry was handed on
  });

  it('fails an entry that ends short of its declared size', async () => {
    const archive = await openArchive(zip([{ name: 'short.txt', data: 'only this', declaredSize: 100 }]), limits);
    const { error } = await drain(archive);
    expect(error).not.toBeInstanceOf(ArchiveTooLargeError);
    expect((error as Error).message).toBe('short.txt ends after 9 of the 100 bytes its directory record declares');
  });

  it('never lists a local entry the central directory leaves out', async () => {
    const archive = await openArchive(zip([{ name: 'hidden.xml', deflated: xs(1024 * MIB), hidden: true }, { name: 'shown.txt', data: 'shown' }]), limits);
    expect(archive.entries.map((e) => e.name)).toEqual(['shown.txt']);
    expect((await drain(archive)).bytes).toEqual([5]);
  });

  it(`refuses an archive of more than ${MAX_ENTRIES} entries`, async () => {
    const many = zip(Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({ name: `f${i}`, data: '' })));
    const error = await openArchive(many, limits).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).messages).toEqual([`The file holds more than ${MAX_ENTRIES} files`]);
  });

  it('opens the real CMS ICD-10-CM FY2026 zip under the default limits (ratio about 11, 21.5 MB in all)', async () => {
    const defaults = loadConfig({}).archiveLimits;
    expect(defaults).toEqual({ maxUncompressedBytes: 1024 * MIB, maxEntryBytes: 512 * MIB, maxRatio: 100 });
    const archive = await openArchive(ICD10CM_ZIP, defaults);
    try {
      expect(archive.entries.map((e) => e.name)).toContain('icd10cm_order_2026.txt');
      expect((await drain(archive)).error).toBeUndefined();
    } finally {
      archive.close();
    }
  });
});

describe('settings', () => {
  it('reads ARCHIVE_MAX_UNCOMPRESSED_BYTES, ARCHIVE_MAX_ENTRY_BYTES and ARCHIVE_MAX_RATIO', () => {
    expect(loadConfig({ ARCHIVE_MAX_UNCOMPRESSED_BYTES: '2048', ARCHIVE_MAX_ENTRY_BYTES: '1024', ARCHIVE_MAX_RATIO: '20' }).archiveLimits).toEqual({
      maxUncompressedBytes: 2048,
      maxEntryBytes: 1024,
      maxRatio: 20,
    });
    expect(() => loadConfig({ ARCHIVE_MAX_ENTRY_BYTES: String(2 ** 32) })).toThrow('ARCHIVE_MAX_ENTRY_BYTES must be between 1024 and 4294967295');
    expect(() => loadConfig({ ARCHIVE_MAX_RATIO: 'lots' })).toThrow('ARCHIVE_MAX_RATIO must be a whole number');
  });
});
