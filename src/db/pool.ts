/**
 * The connection pool and the typed Drizzle handle over it.
 *
 * `Db` is what services and stores take; `Tx` is a transaction of it. A store
 * function takes `Executor` (either) so it runs inside the caller's transaction.
 */
import pg from 'pg';
import type { SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PgDialect } from 'drizzle-orm/pg-core';
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

const dialect = new PgDialect();
/**
 * A statement built once, with `sql.placeholder('key')` where each request's values go, run as the named prepared
 * statement `name`: per request only the values are bound. PostgreSQL parses it once per connection and, after a few
 * runs, reuses its plan (parsing and planning were most of the database time of the hot ECM statements, 0.3 to 2 ms
 * each), and Node builds no SQL (Drizzle's SQL building was a third of the API's CPU in activity create). For the few
 * hottest statements (token lookup, member details, activity create, SMS status callbacks), whose plan does not
 * depend on the values (lookups by key; not searches, whose best plan depends on the term). Every placeholder must
 * be given a value; a name must always stand for the same SQL.
 * @returns a function running it in `db` (a transaction or the pool) with `values`; rows as `db.execute` gives them.
 */
export function preparedStatement<T extends Record<string, unknown>>(name: string, build: () => SQL) {
  let query: { sql: string; params: unknown[] } | undefined;
  return async (db: Executor, values: Record<string, unknown>): Promise<T[]> => {
    query ??= dialect.sqlToQuery(build());
    const result = await db._.session.prepareQuery<{ execute: unknown; all: unknown; values: unknown }>(query, undefined, name, false).execute(values);
    return (result as { rows: T[] }).rows;
  };
}
