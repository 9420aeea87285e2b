/**
 * Issue 8, fault drill `database-stop`, short form (`npm run drills` runs the long one): PostgreSQL stopped under load: 503, /readyz, recovery.
 * It stops PostgreSQL, so it runs on a server of its own (drills/postgres.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRILLS } from '../../drills/run.ts';
import { startDrillPostgres, type DrillPostgres } from '../../drills/postgres.ts';
import { formatReport, passed } from '../../drills/support.ts';

let pg: DrillPostgres;
beforeAll(async () => {
  pg = await startDrillPostgres();
});
afterAll(() => {
  pg?.destroy();
});

describe('fault drill (short form)', () => {
  it('database-stop: nothing lost, nothing duplicated, every failure clear', async () => {
    const report = await DRILLS['database-stop'](pg, 'short');
    console.log(formatReport(report));
    expect(passed(report), formatReport(report)).toBe(true);
  }, 300_000);
});
