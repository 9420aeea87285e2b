/**
 * Counts the statements (round trips) the app's pool sends, the test-side twin of the bench's pg_stat_statements
 * figure (issue 8): every client the pool hands out (`acquire`, also inside `pool.query`) gets its `query` wrapped
 * once, and records the SQL text while a measurement runs. The statements still run against the real database.
 */
import type pg from 'pg';

export interface StatementLog<T> {
  result: T;
  /** The SQL text of each statement in order (BEGIN and COMMIT included). */
  statements: string[];
}

/** A function measuring what `fn` sends through `pool` (measurements must not overlap). */
export function statementCounter(pool: pg.Pool) {
  let log: string[] | undefined;
  const wrapped = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const q = args[0];
      log?.push(typeof q === 'string' ? q : String((q as { text?: string }).text ?? (q as { name?: string }).name ?? '?'));
      return query(...args);
    }) as typeof client.query;
  });
  return async function measure<T>(fn: () => Promise<T>): Promise<StatementLog<T>> {
    if (log) throw new Error('statementCounter: measurements overlap');
    log = [];
    try {
      const result = await fn();
      return { result, statements: log };
    } finally {
      log = undefined;
    }
  };
}
