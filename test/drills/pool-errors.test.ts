/**
 * Issue 8, database drill finding: a pooled client whose connection is cut while it is checked out (between two
 * statements of a transaction, as when PostgreSQL stops) emitted an 'error' event nobody listened to, which ended the
 * whole process. The pool now reports it to `onError`, the next statement fails, and the pool drops the client.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/pool.ts';
import { cloneTemplateDatabase } from '../support/app.ts';
import { waitUntil } from '../support/wait.ts';

let database: Database | undefined;
afterAll(async () => {
  await database?.close();
});

describe('a connection cut while its client is checked out', () => {
  it('is reported, not thrown, and the pool goes on with a new connection', async () => {
    const url = await cloneTemplateDatabase();
    const errors: Error[] = [];
    database = openDatabase(url, 2, (err) => errors.push(err));
    const client = await database.pool.connect();
    await client.query('BEGIN');
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await admin.end();
    await waitUntil(async () => errors.length, (n) => n > 0, 5_000);
    expect(errors.length).toBeGreaterThan(0);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release();
    const again = await database.pool.query<{ one: number }>('SELECT 1 AS one');
    expect(again.rows[0].one).toBe(1);
  });
});
