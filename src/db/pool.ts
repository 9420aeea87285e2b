/**
 * The connection pool and the typed Drizzle handle over it.
 *
 * `Db` is what services and stores take; `Tx` is a transaction of it. A store
 * function takes `Executor` (either) so it runs inside the caller's transaction.
 */
import pg from 'pg';
import { fillPlaceholders, SQL, type QueryWithTypings } from 'drizzle-orm';
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
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000, Client: NamingClient });
  pool.on('error', onError);
  // A client checked out of the pool has no 'error' listener of the pool's: a connection cut between two statements of
  // a transaction (the server stopping) would throw from the 'error' event and end the process (the database fault
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

/** The SQL text of every `preparedStatement`, with its name: a query with that text is run as that named statement. */
const statementNames = new Map<string, string>();

/**
 * The pool's client class: pg's Client, except that a query whose text is a `preparedStatement`'s is sent as that
 * named prepared statement (pg's `name` query option). Drizzle's public `execute` sends no name, and its way to name
 * raw SQL is private (`db._.session.prepareQuery`), so the name is added here, where pg's public API takes it; a
 * transaction's client is one of these too.
 */
class NamingClient extends pg.Client {}
const clientQuery = pg.Client.prototype.query;
NamingClient.prototype.query = function namedQuery(this: pg.Client, config: unknown, ...rest: unknown[]) {
  if (config !== null && typeof config === 'object' && typeof (config as pg.QueryConfig).text === 'string' && (config as pg.QueryConfig).name === undefined) {
    const name = statementNames.get((config as pg.QueryConfig).text);
    if (name !== undefined) config = { ...config, name };
  }
  return (clientQuery as (...args: unknown[]) => unknown).call(this, config, ...rest);
} as typeof clientQuery;

const dialect = new PgDialect();

/**
 * A statement whose text and values are already built: Drizzle's `execute` asks an `SQL` for its query through the
 * public `toQuery`, and this one answers with them instead of walking chunks again, so a run costs no query building
 * (rebuilding the text from its pieces took about 26 µs a run for a 700-character statement).
 */
class BuiltStatement extends SQL {
  readonly built: QueryWithTypings;
  constructor(text: string, params: unknown[]) {
    super([]);
    this.built = { sql: text, params };
  }
  override toQuery(): QueryWithTypings {
    return this.built;
  }
}

/**
 * A statement built once, with `sql.placeholder('key')` where each request's values go, run as the named prepared
 * statement `name`: per request only the values are bound. PostgreSQL parses it once per connection and, after a few
 * runs, reuses its plan, and Node builds no SQL per run (README, "Benchmarks", has the figures that led here, with
 * their date). For the few hottest statements (token lookup, member details, activity create, SMS status callbacks),
 * whose plan does not depend on the values (lookups by key; not searches, whose best plan depends on the term).
 * Every placeholder must be given a value; a name must always stand for the same SQL. Only public APIs: the built text
 * goes through Drizzle's `execute` (an `SQL` answering `toQuery` with it) and is named by the pool's client class
 * (`NamingClient`), so it works in a transaction as on the pool.
 * @returns a function running it in `db` (a transaction or the pool) with `values`; rows as `db.execute` gives them.
 * @throws Error at the first run when a placeholder has no value.
 */
export function preparedStatement<T extends Record<string, unknown>>(name: string, build: () => SQL) {
  let prepared: QueryWithTypings | undefined;
  const prepare = () => {
    const query = dialect.sqlToQuery(build());
    statementNames.set(query.sql, name);
    return query;
  };
  return async (db: Executor, values: Record<string, unknown>): Promise<T[]> => {
    prepared ??= prepare();
    const result = await db.execute(new BuiltStatement(prepared.sql, fillPlaceholders(prepared.params, values)));
    return (result as unknown as { rows: T[] }).rows;
  };
}

/**
 * Runs `fn` in a transaction on one client of `db`'s pool (Drizzle's public `$client`), handing it a Drizzle handle
 * on that client (for the stores) and the client itself, for what Drizzle does not speak: `COPY ... TO STDOUT`
 * (pg-copy-streams). Commits when `fn` resolves, rolls back when it throws; a client whose rollback failed is
 * dropped from the pool.
 * @param isolation the transaction's isolation level.
 */
export async function clientTransaction<T>(db: Db, isolation: 'read committed' | 'repeatable read', fn: (tx: Db, client: pg.PoolClient) => Promise<T>): Promise<T> {
  const pool = (db as Db & { $client: pg.Pool }).$client;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation === 'repeatable read' ? 'REPEATABLE READ' : 'READ COMMITTED'}`);
    const result = await fn(drizzle(client, { schema }), client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** `query` as SQL text with its parameters written in as literals (Drizzle's `inlineParams`): for `COPY (...)`, which takes no parameters. */
export function inlinedSql(query: SQL): string {
  return dialect.sqlToQuery(query.inlineParams()).sql;
}
