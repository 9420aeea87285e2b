/**
 * XLSX zip bombs sent to the MIF import: a 2.6 MB workbook whose shared strings inflate to 2.6 GB, honestly
 * declared or behind a central directory that claims 4 KB, and one that hides the bomb in a local entry the central
 * directory does not list. Each is answered within seconds while the process's memory stays flat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../../support/app.ts';
import { repeatedDeflate, zip, type ZipEntrySpec } from '../../support/zip.ts';
import { dataUri, MIME, workbook } from './files.ts';

let t: TestContext;
let admin: TestUser;

const MIB = 1024 * 1024;
/** Shared strings of 2,500 strings of about 1 MiB each: 2.6 GB inflated, 2.6 MB deflated. */
const sharedStringsBomb = () =>
  repeatedDeflate(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
    `<si><t>${'x'.repeat(MIB - 16)}</t></si>`,
    2_500,
    '</sst>',
  );

/** The parts of a real workbook written by exceljs, as name and bytes (read with yauzl). */
async function parts(xlsx: Buffer): Promise<Array<{ name: string; data: Buffer }>> {
  const archive = await yauzl.fromBufferPromise(xlsx, { lazyEntries: true });
  const out: Array<{ name: string; data: Buffer }> = [];
  for await (const entry of archive.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
  }
  return out;
}

/** The real workbook with `xl/sharedStrings.xml` replaced by (or, when it has none, joined by) `bomb`. */
async function bombWorkbook(bomb: Omit<ZipEntrySpec, 'name'>): Promise<Buffer> {
  const real = await parts(await workbook(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME'], [{ MEMBER_ID: 'ZB-1', FIRST_NAME: 'Zip', LAST_NAME: 'Bomb' }]));
  const entries: ZipEntrySpec[] = real.filter((p) => p.name !== 'xl/sharedStrings.xml');
  return zip([...entries, { name: 'xl/sharedStrings.xml', ...bomb }]);
}

/** Runs `fn`, sampling this process's RSS every 10 ms: how long it took and the highest RSS above the start. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; growthMb: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const began = performance.now();
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, ms: performance.now() - began, growthMb: (peak - start) / MIB };
  } finally {
    clearInterval(sampler);
  }
}

const post = (file: Buffer) => call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/mifs', { mif: { file: dataUri(MIME.xlsx, file) } });

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'Bomb Clinic', 'admin');
});
afterAll(() => t.close());

describe('XLSX zip bombs', () => {
  it('refuses a workbook whose shared strings declare 2.6 GB, from the central directory', async () => {
    const file = await bombWorkbook({ deflated: sharedStringsBomb() });
    expect(file.length).toBeLessThan(3 * MIB);
    const { result: res, ms, growthMb } = await measure(() => post(file));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toEqual({ errors: ['The file is too large once uncompressed'] });
    expect(ms).toBeLessThan(5_000);
    expect(growthMb).toBeLessThan(100);
  });

  it('refuses it while inflating when the headers claim 4 KB', async () => {
    const file = await bombWorkbook({ deflated: sharedStringsBomb(), declaredSize: 4096 });
    const { result: res, ms, growthMb } = await measure(() => post(file));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toEqual({ errors: ['The file is too large once uncompressed'] });
    expect(ms).toBeLessThan(5_000);
    expect(growthMb).toBeLessThan(100);
  });

  it('never inflates a local entry that the central directory does not list', async () => {
    const real = await parts(await workbook(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME'], [{ MEMBER_ID: 'ZB-2', FIRST_NAME: 'Hidden', LAST_NAME: 'Bomb' }]));
    const file = zip([{ name: 'xl/sharedStrings.xml', deflated: sharedStringsBomb(), hidden: true }, ...real]);
    const { result: res, ms, growthMb } = await measure(() => post(file));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().mif_import).toMatchObject({ file_type: 'xlsx', created_count: 1, rejected_count: 0 });
    expect(ms).toBeLessThan(5_000);
    expect(growthMb).toBeLessThan(100);
  });
});
