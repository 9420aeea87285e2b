import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, createPostgresStorage } from '../../src/platform/storage.ts';
import { createTestContext, createUser, type TestContext } from '../support/app.ts';

let t: TestContext;
let organizationId: number;
beforeAll(async () => {
  t = await createTestContext();
  organizationId = (await createUser(t.services, 'Storage Clinic', 'admin')).organizationId;
});
afterAll(() => t.close());

async function readAll(fileId: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of createPostgresStorage().read(t.database.db, fileId)) parts.push(b);
  return Buffer.concat(parts);
}

describe('Postgres file storage', () => {
  it('stores content of many parts in 1 MiB chunks and reads back the same bytes', async () => {
    // Odd-sized string and Buffer parts, with multi-byte characters, over two chunk boundaries.
    const parts: Array<string | Buffer> = [];
    for (let i = 0; parts.length < 400; i++) parts.push(i % 3 === 0 ? Buffer.alloc(20_011, i % 251) : `Peña, "José" ${i}\n`.repeat(i % 97));
    const expected = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    expect(expected.length).toBeGreaterThan(2 * CHUNK_BYTES);
    const file = await t.database.db.transaction((tx) =>
      createPostgresStorage().put(tx, { organizationId, filename: 'x.csv', contentType: 'text/csv' }, (async function* () { yield* parts; })()));
    expect(file.byteSize).toBe(expected.length);
    expect(file.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    const { rows } = await t.database.pool.query('SELECT seq, length(data) AS n FROM stored_file_chunks WHERE file_id = $1 ORDER BY seq', [file.id]);
    expect(rows.map((r) => r.n)).toEqual([CHUNK_BYTES, CHUNK_BYTES, expected.length - 2 * CHUNK_BYTES]);
    expect((await readAll(file.id)).equals(expected)).toBe(true);
  });

  it('stores an empty file with no chunk', async () => {
    const file = await t.database.db.transaction((tx) =>
      createPostgresStorage().put(tx, { organizationId, filename: 'empty.csv', contentType: 'text/csv' }, (async function* () {})()));
    expect(file.byteSize).toBe(0);
    expect((await readAll(file.id)).length).toBe(0);
  });
});
