import { sql } from 'drizzle-orm';
import { describe, expect, it, inject } from 'vitest';
import { openDatabase, preparedStatement } from '../../src/db/pool.ts';

describe('preparedStatement', () => {
  const statement = preparedStatement<{ n: number; list: number[]; note: string }>('test_pool_statement', () => sql`
    SELECT ${sql.placeholder('a')}::int + 1 AS n, ${sql.param([1, 2])}::int[] AS list, ${sql.placeholder('note')}::text AS note`);

  it('runs as a named prepared statement, on the pool and in a transaction, with the values bound', async () => {
    const database = openDatabase(inject('adminDatabaseUrl'), 1, () => {});
    try {
      expect(await statement(database.db, { a: 41, note: "it's $1" })).toEqual([{ n: 42, list: [1, 2], note: "it's $1" }]);
      const named = await database.db.transaction(async (tx) => {
        expect(await statement(tx, { a: 1, note: 'x' })).toEqual([{ n: 2, list: [1, 2], note: 'x' }]);
        // One connection (max 1): the statement prepared above lives in this session.
        const { rows } = await tx.execute(sql`SELECT name FROM pg_prepared_statements WHERE name = 'test_pool_statement'`);
        return rows;
      });
      expect(named).toEqual([{ name: 'test_pool_statement' }]);
      await expect(statement(database.db, { a: 1 })).rejects.toThrow(/note/);
    } finally {
      await database.close();
    }
  });

  it('runs a text holding a literal $9 with its one value, and keeps the built text for the next run', async () => {
    const database = openDatabase(inject('adminDatabaseUrl'), 1, () => {});
    try {
      const literal = preparedStatement<{ s: string; a: number }>('test_pool_literal', () => sql`SELECT '$9' AS s, ${sql.placeholder('a')}::int AS a`);
      expect(await literal(database.db, { a: 1 })).toEqual([{ s: '$9', a: 1 }]);
      expect(await literal(database.db, { a: 2 })).toEqual([{ s: '$9', a: 2 }]);
    } finally {
      await database.close();
    }
  });
});
