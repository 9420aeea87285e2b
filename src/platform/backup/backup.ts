/**
 * `writeBackup`: a consistent logical backup of the whole database while it serves writes.
 *
 * One `REPEATABLE READ` read-only transaction is the snapshot: every table's rows are copied in it with
 * `COPY ... TO STDOUT` (pg-copy-streams), so the file holds exactly the state of one instant, never half a
 * transaction. Each schema's DDL, the applied migrations and the sequence values go in the header. Bytes stream
 * from PostgreSQL through gzip (and AES-256-GCM when a key is given) to the file: memory stays flat at any size.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { listMigrations, listSchemas, listSequences, listTables, qualified, quoteIdent, schemaDdl, type AppliedMigration, type SchemaDdl, type SequenceInfo, type TableInfo } from './catalog.ts';
import { encrypt, outerHeader, record, RecordType } from './format.ts';

export const BACKUP_FORMAT = 1;

/** The first record of a backup. */
export interface BackupHeader {
  format: number;
  createdAt: string;
  platformVersion: string;
  postgresVersion: string;
  /** Migrations applied when the backup was taken (their count is the schema version). */
  migrations: AppliedMigration[];
  schemas: SchemaDdl[];
  tables: TableInfo[];
}

/** The last record: sequence values (read after the rows), per-table checksums, SHA-256 of every record before it. */
export interface BackupTrailer {
  sequences: SequenceInfo[];
  tables: Array<{ table: string; rows: number; sha256: string }>;
  sha256: string;
}

export interface BackupProgress {
  /** Bytes of table data read so far, and the estimate of the total (pg_relation_size of the tables). */
  bytes: number;
  totalBytes: number;
  rows: number;
  table: string;
}

export interface BackupResult {
  file: string;
  /** Size of the file, bytes. */
  bytes: number;
  tables: number;
  rows: number;
  migrations: number;
  seconds: number;
  /** SHA-256 of the whole file, hex. */
  sha256: string;
  /** Per table: rows and SHA-256 of its COPY text. */
  checksums: Array<{ table: string; rows: number; sha256: string }>;
}

/**
 * Writes a backup of the database at `connectionString` to `out` (through `out.partial`, renamed when whole).
 * @param key 32-byte AES-256-GCM key; undefined: compressed only.
 * @throws the database's or the file system's error; no file is left at `out` then.
 */
export async function writeBackup(opts: {
  /** The database: a connection string, or a pool to borrow one connection from. */
  connectionString?: string;
  pool?: pg.Pool;
  out: string;
  key: Buffer | undefined;
  platformVersion: string;
  onProgress?: (p: BackupProgress) => void;
}): Promise<BackupResult> {
  const started = Date.now();
  let client: pg.ClientBase;
  let release: () => Promise<void>;
  if (opts.pool) {
    const c = await opts.pool.connect();
    client = c;
    release = async () => c.release();
  } else {
    const c = new pg.Client({ connectionString: opts.connectionString, application_name: 'care db backup' });
    await c.connect();
    client = c;
    release = () => c.end();
  }
  const partial = `${opts.out}.partial`;
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  const fileHash = createHash('sha256');
  let fileBytes = 0;
  const checksums: BackupResult['checksums'] = [];
  let totalRows = 0;
  let header: BackupHeader | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query('SET LOCAL search_path = pg_catalog');
    const tables = await listTables(client);
    // Share locks for the snapshot's lifetime: no table can be dropped or altered under the copy (pg_dump does the same).
    for (const t of tables) await client.query(`LOCK TABLE ${qualified(t.schema, t.name)} IN ACCESS SHARE MODE`);
    const schemas = await listSchemas(client);
    const ddl: SchemaDdl[] = [];
    for (const s of schemas) ddl.push(await schemaDdl(client, s));
    const migrations = await listMigrations(client);
    const { rows: [v] } = await client.query<{ v: string }>('SHOW server_version');
    const { rows: [size] } = await client.query<{ n: string }>(
      `SELECT coalesce(sum(pg_relation_size(c.oid)), 0)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = ANY($1)`, [schemas]);
    const totalBytes = Number(size.n);
    header = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      platformVersion: opts.platformVersion,
      postgresVersion: v.v,
      migrations,
      schemas: ddl,
      tables,
    };
    const h = header;
    async function* records(): AsyncGenerator<Buffer> {
      const all = createHash('sha256');
      const emit = (b: Buffer) => (all.update(b), b);
      yield emit(record(RecordType.header, h));
      let done = 0;
      for (const [index, t] of h.tables.entries()) {
        yield emit(record(RecordType.table, { index }));
        const cols = t.columns.map(quoteIdent).join(', ');
        const source = t.partitioned
          ? `(SELECT ${cols} FROM ${qualified(t.schema, t.name)})`
          : `${qualified(t.schema, t.name)} (${cols})`;
        const stream = client.query(copyTo(`COPY ${source} TO STDOUT`));
        const hash = createHash('sha256');
        let rows = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          hash.update(chunk);
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
          done += chunk.length;
          yield emit(record(RecordType.data, chunk));
          opts.onProgress?.({ bytes: done, totalBytes, rows: totalRows + rows, table: `${t.schema}.${t.name}` });
        }
        const sha256 = hash.digest('hex');
        totalRows += rows;
        checksums.push({ table: `${t.schema}.${t.name}`, rows, sha256 });
        yield emit(record(RecordType.end, { rows, sha256 }));
      }
      // Sequences are not transactional: read after the rows, their values are at least the highest id copied.
      const trailer: BackupTrailer = { sequences: await listSequences(client), tables: checksums, sha256: all.digest('hex') };
      yield record(RecordType.trailer, trailer);
    }
    const file = fs.createWriteStream(partial, { mode: 0o600 });
    const count = async function* (source: AsyncIterable<unknown>) {
      for await (const b of source as AsyncIterable<Buffer>) {
        fileHash.update(b);
        fileBytes += b.length;
        yield b;
      }
    };
    if (opts.key) await pipeline(records, createGzip({ level: 6 }), encrypt(opts.key, outerHeader(opts.key)), count, file);
    else await pipeline(records, createGzip({ level: 6 }), async function* (s: AsyncIterable<unknown>) {
      yield outerHeader(undefined).bytes;
      yield* s as AsyncIterable<Buffer>;
    }, count, file);
    await client.query('COMMIT');
    fs.renameSync(partial, opts.out);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await release().catch(() => {});
  }
  return {
    file: path.resolve(opts.out),
    bytes: fileBytes,
    tables: checksums.length,
    rows: totalRows,
    migrations: header.migrations.length,
    seconds: (Date.now() - started) / 1000,
    sha256: fileHash.digest('hex'),
    checksums,
  };
}
