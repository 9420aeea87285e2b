/**
 * Fault drill `backup-restore`, short form (`npm run drills -- backup-restore` runs the long one): writes under load,
 * `care db backup` beside them, more writes, SIGKILL of `care serve`, its postmaster stopped, DATA_DIR deleted,
 * `care db restore` into a fresh DATA_DIR, `care serve` again. It runs the embedded PostgreSQL of its own DATA_DIR.
 */
import { describe, expect, it } from 'vitest';
import { DRILLS } from '../../drills/run.ts';
import { formatReport, passed } from '../../drills/support.ts';
import type { DrillPostgres } from '../../drills/postgres.ts';

describe('fault drill (short form)', () => {
  it('backup-restore: every write acknowledged before the backup is back after DATA_DIR is deleted, nothing half-written', async () => {
    const report = await DRILLS['backup-restore'](undefined as unknown as DrillPostgres, 'short');
    console.log(formatReport(report));
    expect(passed(report), formatReport(report)).toBe(true);
    expect(report.notes.join('\n')).toMatch(/postmaster \d+ stopped \(SIGQUIT\) after the SIGKILL, DATA_DIR deleted/);
  }, 300_000);
});
