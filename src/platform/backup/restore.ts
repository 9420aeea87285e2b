/**
 * `restoreBackup`: loads a backup into an empty database, in one transaction (a refused or failed restore leaves
 * the target as empty as it was).
 *
 * Schema: the code's own migrations, up to the backup's count, make the schemas they own (so a newer code
 * version's pending migrations apply on top at the next start); every other schema (drizzle's bookkeeping, the
 * job queue's, whatever its name) is made from the DDL the backup read from the catalog. Rows: `COPY ... FROM
 * STDIN` per table, each checked against its row count and SHA-256 before the commit; sequences are set last.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import { listTables, qualified, quoteIdent, type SequenceInfo } from './catalog.ts';
import { BACKUP_FORMAT, type BackupHeader } from './backup.ts';
import { BackupFileError, ByteReader, openBody, RecordType } from './format.ts';

/** A restore refused before anything was written: the message is a sentence for the operator. */
export class RestoreRefusedError extends Error {}

export interface RestoreProgress {
  /** Bytes of the backup file read, and its size. */
  bytes: number;
  totalBytes: number;
  rows: number;
}

export interface RestoreResult {
  file: string;
  tables: number;
  rows: number;
  migrations: number;
  seconds: number;
  createdAt: string;
  platformVersion: string;
}

/** Tells a compressed stream's failure as a damaged or truncated file. */
function gzipError(err: unknown): Error {
  if (err instanceof BackupFileError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'Z_BUF_ERROR') return new BackupFileError('the backup file is truncated: its compressed data ends early (an interrupted copy?)');
  if (typeof code === 'string' && code.startsWith('Z_')) return new BackupFileError('the backup file is damaged: its compressed data is corrupt (changed bytes)');
  return err as Error;
}

/** A record's JSON; a changed byte in an unencrypted file can land in one before any checksum is compared. */
function parseRecord<T>(payload: Buffer, what: string): T {
  try {
    return JSON.parse(payload.toString('utf8')) as T;
  } catch {
    throw new BackupFileError(`the backup file is damaged: ${what} is not readable`);
  }
}

class RecordReader {
  private readonly bytes: ByteReader;
  private readonly hash: ReturnType<typeof createHash>;

  constructor(bytes: ByteReader, hash: ReturnType<typeof createHash>) {
    this.bytes = bytes;
    this.hash = hash;
  }

  /** The next record; every record but the trailer (which holds their hash) goes into the running hash. */
  async next(): Promise<{ type: number; payload: Buffer }> {
    const head = await this.bytes.read(5);
    const payload = await this.bytes.read(head.readUInt32BE(1));
    if (head[0] !== RecordType.trailer) this.hash.update(head).update(payload);
    return { type: head[0], payload };
  }

  async json<T>(expected: number, what: string): Promise<T> {
    const r = await this.next();
    if (r.type !== expected) throw new BackupFileError(`the backup file is damaged: expected ${what}`);
    return parseRecord<T>(r.payload, what);
  }

  async atEnd(): Promise<boolean> {
    return this.bytes.peekEnd();
  }
}

/**
 * Restores `file` into the empty database at `connectionString`.
 * @param migrations the code's migrations (`readMigrationFiles`), oldest first.
 * @param key the 32-byte key, when the backup is encrypted.
 * @throws RestoreRefusedError non-empty target, backup from a newer schema or another migration history;
 *   BackupFileError wrong key, damaged or truncated file (nothing committed).
 */
export async function restoreBackup(opts: {
  connectionString: string;
  file: string;
  key: Buffer | undefined;
  migrations: MigrationMeta[];
  onProgress?: (p: RestoreProgress) => void;
}): Promise<RestoreResult> {
  const started = Date.now();
  const totalBytes = fs.statSync(opts.file).size;
  let readBytes = 0;
  const fileStream = fs.createReadStream(opts.file, { highWaterMark: 256 * 1024 });
  const counted = (async function* () {
    for await (const b of fileStream as AsyncIterable<Buffer>) {
      readBytes += b.length;
      yield b;
    }
  })();
  const { body } = await openBody(new ByteReader(counted), opts.key);
  const gunzip = createGunzip();
  const unzipping = pipeline(Readable.from(body), gunzip).catch((err: unknown) => {
    gunzip.destroy(gzipError(err));
  });
  const inner = (async function* () {
    try {
      for await (const b of gunzip as AsyncIterable<Buffer>) yield b;
    } catch (err) {
      throw gzipError(err);
    }
  })();
  const allHash = createHash('sha256');
  const records = new RecordReader(new ByteReader(inner), allHash);
  const client = new pg.Client({ connectionString: opts.connectionString, application_name: 'care db restore' });
  let connected = false;
  try {
    const header = await records.json<BackupHeader>(RecordType.header, 'the header record');
    if (header.format !== BACKUP_FORMAT) throw new RestoreRefusedError(`this backup has format ${header.format}; this version reads format ${BACKUP_FORMAT}: restore it with the platform version that made it (${header.platformVersion})`);
    const applied = header.migrations;
    if (applied.length > opts.migrations.length) {
      throw new RestoreRefusedError(
        `this backup comes from a newer schema (${applied.length} migrations applied, this code has ${opts.migrations.length}): restore it with platform version ${header.platformVersion} or later`,
      );
    }
    for (const [i, m] of applied.entries()) {
      const code = opts.migrations[i];
      if (String(code.folderMillis) !== m.createdAt || code.hash !== m.hash) {
        throw new RestoreRefusedError(`this backup's migration ${i} differs from this code's (another migration history): restore it with platform version ${header.platformVersion}`);
      }
    }
    await client.connect();
    connected = true;
    const existing = await listTables(client);
    if (existing.length > 0) {
      throw new RestoreRefusedError(
        `the target database is not empty (it has ${existing.length} tables, such as ${existing[0].schema}.${existing[0].name}): restore only into a new DATA_DIR or an empty database`,
      );
    }
    await client.query('BEGIN');
    await client.query('SET LOCAL check_function_bodies = off');
    for (const m of opts.migrations.slice(0, applied.length)) {
      for (const stmt of m.sql) if (stmt.trim()) await client.query(stmt);
    }
    const made = new Set((await listTables(client)).map((t) => `${t.schema}.${t.name}`));
    await client.query('SET LOCAL search_path = pg_catalog');
    for (const s of header.schemas) {
      const own = header.tables.filter((t) => t.schema === s.name);
      if (own.some((t) => made.has(`${t.schema}.${t.name}`))) continue;
      if (own.length === 0 && s.statements.length <= 1) continue;
      for (const stmt of s.statements) await client.query(stmt);
    }
    await client.query('RESET search_path');
    if (header.tables.length > 0) await client.query(`TRUNCATE ${header.tables.map((t) => qualified(t.schema, t.name)).join(', ')}`);
    // Triggers and foreign-key checks off while loading, where this role may (superuser): the rows were consistent
    // in the snapshot. Elsewhere the tables load parents first, which the foreign keys accept.
    await client.query('SAVEPOINT replica');
    await client.query('SET LOCAL session_replication_role = replica').then(
      () => client.query('RELEASE SAVEPOINT replica'),
      () => client.query('ROLLBACK TO SAVEPOINT replica'),
    );
    let rows = 0;
    for (const [index, t] of header.tables.entries()) {
      const begin = await records.json<{ index: number }>(RecordType.table, `the start of table ${t.schema}.${t.name}`);
      if (begin.index !== index) throw new BackupFileError('the backup file is damaged: its tables are out of order');
      const copy = client.query(copyFrom(`COPY ${qualified(t.schema, t.name)} (${t.columns.map(quoteIdent).join(', ')}) FROM STDIN`));
      // After the server's own error the COPY is over (pg-copy-streams drops its connection): nothing to abort.
      let serverFailed = false;
      const failed = new Promise<never>((_, reject) => copy.once('error', (err) => { serverFailed = true; reject(err); }));
      failed.catch(() => {});
      const hash = createHash('sha256');
      let tableRows = 0;
      try {
        for (;;) {
          const r = await records.next();
          if (r.type === RecordType.end) {
            const end = parseRecord<{ rows: number; sha256: string }>(r.payload, `the end of table ${t.schema}.${t.name}`);
            if (serverFailed) await failed;
            copy.end();
            await Promise.race([once(copy, 'finish'), failed]);
            if (end.rows !== tableRows || end.sha256 !== hash.digest('hex')) {
              throw new BackupFileError(`the backup file is damaged: table ${t.schema}.${t.name} does not match its checksum`);
            }
            break;
          }
          if (r.type !== RecordType.data) throw new BackupFileError(`the backup file is damaged inside table ${t.schema}.${t.name}`);
          hash.update(r.payload);
          for (let i = r.payload.indexOf(10); i !== -1; i = r.payload.indexOf(10, i + 1)) tableRows++;
          // The server's error may have come while the file was read: writing on would reach a dropped connection.
          if (serverFailed) await failed;
          if (!copy.write(r.payload)) await Promise.race([once(copy, 'drain'), failed]);
          opts.onProgress?.({ bytes: readBytes, totalBytes, rows: rows + tableRows });
        }
      } catch (err) {
        // A COPY left open holds the connection: abort it (CopyFail) so the transaction can roll back.
        if (!copy.writableFinished && !serverFailed) {
          copy.destroy();
          await once(copy, 'close').catch(() => {});
        }
        // Changed bytes inside a compressed block reach COPY before gzip's own check at the end of the stream.
        if (!(err instanceof BackupFileError) && (err as { code?: string }).code) {
          throw new BackupFileError(`the backup file is damaged (or not of this schema): the rows of ${t.schema}.${t.name} do not load: ${(err as Error).message}`);
        }
        throw err;
      }
      rows += tableRows;
    }
    const expected = allHash.digest('hex');
    const trailer = await records.json<{ sequences: SequenceInfo[]; sha256: string }>(RecordType.trailer, 'the trailer record (the file is truncated or damaged)');
    if (trailer.sha256 !== expected) throw new BackupFileError('the backup file is damaged: its records do not match the checksum in its trailer');
    if (!(await records.atEnd())) throw new BackupFileError('the backup file is damaged: data follows its trailer');
    await unzipping;
    for (const s of trailer.sequences) {
      await client.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [qualified(s.schema, s.name), s.lastValue, s.isCalled]);
    }
    await client.query('COMMIT');
    opts.onProgress?.({ bytes: totalBytes, totalBytes, rows });
    return {
      file: opts.file,
      tables: header.tables.length,
      rows,
      migrations: applied.length,
      seconds: (Date.now() - started) / 1000,
      createdAt: header.createdAt,
      platformVersion: header.platformVersion,
    };
  } catch (err) {
    if (connected) await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    fileStream.destroy();
    if (connected) await client.end().catch(() => {});
  }
}
