/**
 * Issue 8, fault drill `two-apis-two-workers`, short form (`npm run drills` runs the long one): two API and two worker processes on one database.
 * It never stops the database, so it runs in databases of its own on the test run's PostgreSQL.
 */
import { describe, expect, inject, it } from 'vitest';
import { DRILLS } from '../../drills/run.ts';
import { sharedDrillPostgres } from '../../drills/postgres.ts';
import { formatReport, passed } from '../../drills/support.ts';

describe('fault drill (short form)', () => {
  it('two-apis-two-workers: nothing lost, nothing duplicated, every failure clear', async () => {
    const report = await DRILLS['two-apis-two-workers'](sharedDrillPostgres(inject('adminDatabaseUrl'), inject('templateDatabase')), 'short');
    console.log(formatReport(report));
    expect(passed(report), formatReport(report)).toBe(true);
  }, 300_000);
});
