/**
 * The monthly PRTF run on a compressed schedule: a movable clock stands for the hours and days, and the job's
 * handler (the one pg-boss runs every hour) is called at each. A clinic is due on its reporting day (clinic setting,
 * default 10) in its own time zone, gets last month's files for every plan once, and its admins get one mail each
 * with the validation summary and no PHI, sent by the mail job the run enqueues (the workers run here). The mail job
 * against a real SMTP server that is down, then up: test/ecm/monthly-prtf-mail.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONTHLY_PRTF_QUEUE, monthlyPrtfJob } from '../../src/ecm/prtf/jobs.ts';
import { previousMonth } from '../../src/ecm/prtf/service.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { waitUntil } from '../support/wait.ts';

let now = new Date('2026-11-09T12:00:00Z');
let t: TestContext;
let admin: TestUser;
let other: TestUser;

async function sql(text: string, params: unknown[] = []) {
  return (await t.database.pool.query(text, params)).rows;
}

async function member(org: number, memberId: string, mcp: string | null, last: string) {
  const [{ id }] = await sql('INSERT INTO patients (organization_id, first_name, last_name) VALUES ($1, $2, $3) RETURNING id', [org, 'Pat', last]);
  await sql(
    `INSERT INTO ecm_eligibility_informations (organization_id, patient_id, member_id, cin, ecm_npi, member_record_status, ecm_benefit_auth_eff_date, mcp_id, mcp_name)
     VALUES ($1, $2, $3, $3, '1234567890', 'continuing_member', '2026-01-01', $4, $4)`,
    [org, id, memberId, mcp],
  );
}

const run = () => monthlyPrtfJob(t.services.prtf).handler({} as never, {} as never);
const monthly = (org: number) => sql(
  `SELECT mcp_id, start_date::text, end_date::text, batch_id, created_by_user_id FROM prtf_reports WHERE organization_id = $1 AND created_by_user_id IS NULL ORDER BY mcp_id`, [org]);
const mails = (org: number) => sql(`SELECT to_address, subject, body FROM sandbox_messages WHERE organization_id = $1 AND channel = 'email' ORDER BY id`, [org]);

beforeAll(async () => {
  t = await createTestContext({}, { clock: () => now, workers: true });
  // The test calls the run itself: the hourly schedule the workers set up must not run it as well.
  await t.jobs.unschedule(MONTHLY_PRTF_QUEUE);
  admin = await createUser(t.services, 'Monthly Clinic', 'admin', 'Mo Admin');
  await createUser(t.services, 'Monthly Clinic', 'care_coordinator', 'Co Ord');
  other = await createUser(t.services, 'Later Clinic', 'admin', 'La Admin');
  await call(t.app, admin, 'PUT', '/v1/admin/organization', { organization: { npi: '1234567890', time_zone: 'America/Los_Angeles' } });
  const later = await call(t.app, other, 'PUT', '/v1/admin/organization', { organization: { npi: '1234567891', time_zone: 'Pacific/Honolulu', reporting_day: 12 } });
  expect(later.json().organization.reporting_day).toBe(12);
  await member(admin.organizationId, 'MO-1', 'MCP-ONE', 'Secretname');
  await member(admin.organizationId, 'MO-2', 'MCP-TWO', 'Hiddenname');
  await member(other.organizationId, 'LA-1', 'MCP-ONE', 'Otherlast');
});
afterAll(() => t.close());

describe('monthly PRTF run', () => {
  it('takes the month before', () => {
    expect(previousMonth('2026-11-10')).toEqual({ start: '2026-10-01', end: '2026-10-31' });
    expect(previousMonth('2026-01-10')).toEqual({ start: '2025-12-01', end: '2025-12-31' });
    expect(previousMonth('2024-03-10')).toEqual({ start: '2024-02-01', end: '2024-02-29' });
  });

  it('refuses a reporting day outside 1-28', async () => {
    const res = await call(t.app, admin, 'PUT', '/v1/admin/organization', { organization: { reporting_day: 31 } });
    expect(res.json()).toEqual({ errors: ['Reporting day must be a day of the month from 1 to 28'] });
    expect((await call(t.app, admin, 'GET', '/v1/admin/organization')).json().organization.reporting_day).toBe(10);
  });

  it('generates last month\'s files per plan on each clinic\'s reporting day in its time zone, once, and mails its admins without PHI', async () => {
    await run(); // Nov 9: nobody is due
    expect(await monthly(admin.organizationId)).toEqual([]);

    now = new Date('2026-11-10T07:30:00Z'); // Nov 9, 23:30 in Los Angeles: not yet
    await run();
    expect(await monthly(admin.organizationId)).toEqual([]);

    now = new Date('2026-11-10T08:30:00Z'); // Nov 10, 00:30 in Los Angeles: due
    await run();
    const made = await monthly(admin.organizationId);
    expect(made.map((r) => [r.mcp_id, r.start_date, r.end_date])).toEqual([['MCP-ONE', '2026-10-01', '2026-10-31'], ['MCP-TWO', '2026-10-01', '2026-10-31']]);
    expect(made[0].batch_id).toBe(made[1].batch_id);
    expect(await monthly(other.organizationId)).toEqual([]); // reporting day 12

    const sent = await waitUntil(() => mails(admin.organizationId), (m) => m.length > 0);
    expect(sent).toHaveLength(1); // the admin only, not the care coordinator
    expect(sent[0].to_address).toBe(admin.email);
    expect(sent[0].subject).toBe('PRTF files for 2026-10 are ready');
    expect(sent[0].body).toContain('MCP-ONE: 1 members, 1 with fields to fix');
    for (const phi of ['Secretname', 'Hiddenname', 'MO-1', 'MO-2']) expect(sent[0].body).not.toContain(phi);

    now = new Date('2026-11-10T09:30:00Z'); // the next hour: already done
    await run();
    expect(await monthly(admin.organizationId)).toHaveLength(2);
    expect(await mails(admin.organizationId)).toHaveLength(1);

    now = new Date('2026-11-13T12:00:00Z'); // Nov 13 in Honolulu: past day 12, a missed run catches up
    await run();
    expect((await monthly(other.organizationId)).map((r) => r.mcp_id)).toEqual(['MCP-ONE']);
    expect(await monthly(admin.organizationId)).toHaveLength(2);
  });
});
