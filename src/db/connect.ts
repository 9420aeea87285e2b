/**
 * Opens the platform's database: the server named by `DATABASE_URL`, or the
 * embedded PostgreSQL under `DATA_DIR` (its `care` database, created on first
 * use); then applies pending migrations under the advisory lock.
 */
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.ts';
import { runMigrations } from './migrate.ts';
import { openDatabase, withDatabase, type Database } from './pool.ts';

export const EMBEDDED_DATABASE_NAME = 'care';

export interface PlatformDatabase extends Database {
  /** Connection string of the platform database. */
  url: string;
  /** Set when the database is the embedded one. */
  embedded?: EmbeddedDatabase;
  /** Closes the pool, then stops the embedded server if this process owns it. */
  shutdown(): Promise<void>;
}

/** Creates database `name` on the server unless it exists (concurrent callers are fine). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created by a concurrent process
      });
    }
  } finally {
    await client.end();
  }
}

/** Where the database is and how to open it (from `DATABASE_URL`, `DATA_DIR`, `DB_POOL_MAX`), and the migrations to apply. */
export interface DatabaseSettings {
  /** Unset: the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolMax: number;
  /** The folder of SQL migrations (`MIGRATIONS_FOLDER` of `src/root.ts`). */
  migrationsFolder: string;
}

/**
 * Connects and migrates.
 * @param log receives progress lines (never PHI).
 * @param opts.migrate false: leave the schema as it is (backup and restore read or fill it themselves).
 * @throws when the server cannot be reached or started, or a migration fails.
 */
export async function connectDatabase(
  config: DatabaseSettings,
  log: { info(msg: string): void; debug(msg: string): void; error(obj: unknown, msg?: string): void },
  opts: { migrate?: boolean } = {},
): Promise<PlatformDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, onLog: (line) => log.debug(line) });
    await ensureDatabase(embedded.connectionString, EMBEDDED_DATABASE_NAME);
    url = withDatabase(embedded.connectionString, EMBEDDED_DATABASE_NAME);
  }
  const database = openDatabase(url, config.dbPoolMax, (err) => log.error({ err }, 'idle database client failed'));
  try {
    if (opts.migrate !== false) await runMigrations(database.pool, config.migrationsFolder);
  } catch (err) {
    await database.close();
    await embedded?.stop();
    throw err;
  }
  return {
    ...database,
    url,
    embedded,
    async shutdown() {
      await database.close();
      await embedded?.stop();
    },
  };
}
