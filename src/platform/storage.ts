/**
 * File storage behind one interface, implemented on Postgres (ARCHITECTURE.md,
 * "No state on one host"): a file is a `stored_files` row and its content in
 * `stored_file_chunks` of 1 MiB (the last one shorter), so a large report is written and read
 * with flat memory and any API process can serve it. An S3 implementation can
 * replace `createPostgresStorage` behind the same interface.
 *
 * Downloads go through expiring signed URLs: `/v1/downloads/{public_id}?expires=<unix s>&signature=<hex>`,
 * where the signature is HMAC-SHA256 over `public_id.expires` with a key kept in `signing_keys`. The public id
 * is random; without a valid signature the URL answers 403 and says nothing about the file.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db, Executor } from '../db/pool.ts';
import { signingKeys, storedFileChunks, storedFiles } from '../db/schema.ts';

export const CHUNK_BYTES = 1024 * 1024;

export type StoredFileRow = typeof storedFiles.$inferSelect;

export interface FileStorage {
  /**
   * Writes a file from `content` (Buffers or strings, any sizes) in `tx`.
   * @returns the stored file row (with `byteSize` and `sha256`).
   */
  put(tx: Executor, meta: { organizationId: number; filename: string; contentType: string }, content: AsyncIterable<Buffer | string>): Promise<StoredFileRow>;
  /** The file with this public id, or undefined. */
  find(db: Executor, publicId: string): Promise<StoredFileRow | undefined>;
  /** The file's content in order, chunk by chunk. */
  read(db: Executor, fileId: number): AsyncIterable<Buffer>;
  /** Deletes the files `fileIds` of organization `organizationId` and their content. @returns how many were deleted. */
  remove(tx: Executor, organizationId: number, fileIds: number[]): Promise<number>;
}

export function createPostgresStorage(): FileStorage {
  return {
    async put(tx, meta, content) {
      const [file] = await tx
        .insert(storedFiles)
        .values({ ...meta, publicId: randomBytes(18).toString('base64url') })
        .returning();
      const hash = createHash('sha256');
      // One chunk's buffer, filled and sent over and over: memory stays at one chunk however large the file is
      // (a Buffer per part, kept until a major GC, had added ~50 MB to a 35 MB report). Reusing it is safe
      // because each insert is awaited, and the driver has copied the bytes into its message by then.
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      let used = 0;
      let seq = 0;
      let total = 0;
      const flush = async () => {
        if (used === 0) return;
        await tx.insert(storedFileChunks).values({ fileId: file.id, seq: seq++, data: chunk.subarray(0, used) });
        used = 0;
      };
      for await (const part of content) {
        const buf = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
        hash.update(buf);
        total += buf.length;
        for (let at = 0; at < buf.length; ) {
          const n = buf.copy(chunk, used, at);
          used += n;
          at += n;
          if (used === CHUNK_BYTES) await flush();
        }
      }
      await flush();
      const [done] = await tx.update(storedFiles).set({ byteSize: total, sha256: hash.digest('hex') }).where(eq(storedFiles.id, file.id)).returning();
      return done;
    },
    async find(db, publicId) {
      const [row] = await db.select().from(storedFiles).where(eq(storedFiles.publicId, publicId));
      return row;
    },
    async *read(db, fileId) {
      let seq = -1;
      for (;;) {
        const [chunk] = await db
          .select({ seq: storedFileChunks.seq, data: storedFileChunks.data })
          .from(storedFileChunks)
          .where(and(eq(storedFileChunks.fileId, fileId), gt(storedFileChunks.seq, seq)))
          .orderBy(asc(storedFileChunks.seq))
          .limit(1);
        if (!chunk) return;
        seq = chunk.seq;
        yield chunk.data;
      }
    },
    async remove(tx, organizationId, fileIds) {
      if (!fileIds.length) return 0;
      // The chunks go with their file (ON DELETE CASCADE).
      const gone = await tx.delete(storedFiles).where(and(eq(storedFiles.organizationId, organizationId), inArray(storedFiles.id, fileIds))).returning({ id: storedFiles.id });
      return gone.length;
    },
  };
}

/** The HMAC key named `name`, created on first use (concurrent creators agree on one). */
export async function signingKey(db: Db, name: string): Promise<Buffer> {
  await db.insert(signingKeys).values({ name, secret: randomBytes(32).toString('base64') }).onConflictDoNothing();
  const [row] = await db.select().from(signingKeys).where(eq(signingKeys.name, name));
  return Buffer.from(row.secret, 'base64');
}

export interface DownloadSigner {
  /** A URL for `publicId` valid until `expiresAt` (UTC). */
  url(publicId: string, expiresAt: Date): Promise<string>;
  /** True when `signature` is right for `publicId` and `expires` is in the future. */
  verify(publicId: string, expires: number, signature: string, now: Date): Promise<boolean>;
}

/** Signs download URLs under `publicUrl` with the `downloads` key. */
export function createDownloadSigner({ db, publicUrl }: { db: Db; publicUrl: string }): DownloadSigner {
  let key: Promise<Buffer> | undefined;
  const mac = async (publicId: string, expires: number) => {
    key ??= signingKey(db, 'downloads');
    return createHmac('sha256', await key).update(`${publicId}.${expires}`).digest('hex');
  };
  return {
    async url(publicId, expiresAt) {
      const expires = Math.floor(expiresAt.getTime() / 1000);
      return `${publicUrl}/v1/downloads/${publicId}?expires=${expires}&signature=${await mac(publicId, expires)}`;
    },
    async verify(publicId, expires, signature, now) {
      if (!Number.isInteger(expires) || expires * 1000 <= now.getTime()) return false;
      const expected = Buffer.from(await mac(publicId, expires), 'hex');
      const given = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : '', 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

