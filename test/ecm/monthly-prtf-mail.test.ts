/**
 * The monthly run's mail to the admins against the real SMTP peer: while the server is down the mail job fails and
 * the job queue retries it with the mail backoff (MAIL_RETRY_DELAY_SECONDS, doubling); once the server is up again
 * at the same address the mail arrives, once. Before, the run sent the mail inline and a failure lost it.
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONTHLY_PRTF_MAIL_QUEUE, MONTHLY_PRTF_QUEUE, monthlyPrtfJob } from '../../src/ecm/prtf/jobs.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';
import { waitUntil } from '../support/wait.ts';

const now = new Date('2026-11-10T18:00:00Z'); // Nov 10 in Los Angeles: the default reporting day
let t: TestContext;
let admin: TestUser;
let port: number;
let smtp: TestSmtp | undefined;

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function mailJobs() {
  const { rows } = await t.database.pool.query<{ state: string; retry_count: number }>(
    'SELECT state, retry_count FROM job_queue.job WHERE name = $1', [MONTHLY_PRTF_MAIL_QUEUE]);
  return rows;
}

beforeAll(async () => {
  port = await freePort();
  t = await createTestContext(
    { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Care <care@clinic.example.com>', MAIL_RETRY_LIMIT: '6', MAIL_RETRY_DELAY_SECONDS: '1', SMTP_TIMEOUT_MS: '2000' },
    { clock: () => now, workers: true },
  );
  // The test calls the run itself: the hourly schedule the workers set up must not run it as well.
  await t.jobs.unschedule(MONTHLY_PRTF_QUEUE);
  admin = await createUser(t.services, 'Mail Retry Clinic', 'admin', 'Ma Admin');
  await call(t.app, admin, 'PUT', '/v1/admin/organization', { organization: { npi: '1234567890' } });
  const { rows: [{ id }] } = await t.database.pool.query(
    "INSERT INTO patients (organization_id, first_name, last_name) VALUES ($1, 'Pat', 'Private') RETURNING id", [admin.organizationId]);
  await t.database.pool.query(
    `INSERT INTO ecm_eligibility_informations (organization_id, patient_id, member_id, cin, ecm_npi, member_record_status, ecm_benefit_auth_eff_date, mcp_id)
     VALUES ($1, $2, 'MR-1', 'MR-1', '1234567890', 'continuing_member', '2026-01-01', 'MCP-R')`, [admin.organizationId, id]);
});
afterAll(async () => {
  await t.close();
  await smtp?.close();
});

describe('monthly PRTF mail', () => {
  it('is retried while SMTP is down and delivered once it is up again', async () => {
    await monthlyPrtfJob(t.services.prtf).handler({} as never, {} as never);
    // Down: the first attempt fails (connection refused) and the job waits for its retry.
    const failed = await waitUntil(mailJobs, (jobs) => jobs.length === 1 && jobs[0].retry_count >= 1);
    expect(failed).toHaveLength(1);
    expect(failed[0].retry_count).toBeGreaterThanOrEqual(1);
    expect(failed[0].state).not.toBe('completed');

    // Up, at the same address: the next retry delivers it.
    smtp = await startSmtp(port);
    const [mail] = await smtp.waitFor(1, 40_000);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain(admin.email);
    expect(mail.subject).toBe('PRTF files for 2026-10 are ready');
    expect(mail.text).toContain('MCP-R: 1 members');
    expect(mail.text).not.toContain('Private');
    const done = await waitUntil(mailJobs, (jobs) => jobs[0]?.state === 'completed');
    expect(done.map((j) => j.state)).toEqual(['completed']);
    expect(smtp.received).toHaveLength(1);
  });
});
