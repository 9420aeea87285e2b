/**
 * The connection pool and the typed Drizzle handle over it.
 *
 * `Db` is what services and stores take; `Tx` is a transaction of it. A store
 * function takes `Executor` (either) so it runs inside the caller's transaction.
 */
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.ts';

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

// DATE columns stay 'YYYY-MM-DD' strings; timestamptz become Date (pg's default).
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface Database {
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

/**
 * Opens a pool on `connectionString`.
 * @param max the pool size of this process.
 * @param onError receives errors of idle and checked-out clients (a restarted server, say) so they never crash the process.
 */
export function openDatabase(connectionString: string, max: number, onError: (err: Error) => void): Database {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  pool.on('error', onError);
  // A client checked out of the pool has no 'error' listener of the pool's: a connection cut between two statements of
  // a transaction (the server stopping) would throw from the 'error' event and end the process (issue 8, database
  // drill). Report it instead; the transaction's next statement fails (answered 503), and the pool drops the client.
  pool.on('connect', (client) => client.on('error', onError));
  const db = drizzle(pool, { schema });
  return { pool, db, close: () => pool.end() };
}

/** Returns `connectionString` pointing at database `name` instead. */
export function withDatabase(connectionString: string, name: string): string {
  const u = new URL(connectionString);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}
