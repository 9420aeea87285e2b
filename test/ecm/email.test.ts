/**
 * Email activities through a real SMTP server (smtp-server) parsed with
 * mailparser; attachments fetched from a local HTTP server on an allowed host.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ecmEvents } from '../../src/db/schema.ts';
import { waitUntil } from '../support/wait.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';

let t: TestContext;
let smtp: TestSmtp;
let files: http.Server;
let filesHost: string;
let coord: TestUser;
let patientId: number;
const PDF = Buffer.from('%PDF-1.4\n% care plan\n');


beforeAll(async () => {
  smtp = await startSmtp();
  files = http.createServer((req, res) => {
    if (req.url === '/documents/care-plan.pdf') {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': PDF.length });
      res.end(PDF);
    } else if (req.url?.startsWith('/odd/')) {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(PDF);
    } else if (req.url === '/documents/huge.bin') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(4096));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesHost = `127.0.0.1:${(files.address() as AddressInfo).port}`;
  t = await createTestContext(
    {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Care Team <care@clinic.example.com>',
      MAIL_ATTACHMENT_HOSTS: filesHost,
      MAIL_ATTACHMENT_MAX_BYTES: '2048',
      MAIL_RETRY_LIMIT: '2',
      MAIL_RETRY_DELAY_SECONDS: '1',
      SMTP_TIMEOUT_MS: '2000',
    },
    { workers: true },
  );
  const admin = await createUser(t.services, 'Mail Clinic', 'admin');
  coord = await createUser(t.services, 'Mail Clinic', 'care_coordinator');
  patientId = (await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: 'Pat', last_name: 'Parent', ecm_eligibility_information: { member_id: 'MAIL-1' } },
  })).json().patient.id;
});

afterAll(async () => {
  await t.close();
  await smtp.close();
  files.close();
});

const activityUrl = (id?: number) => `/v1/clinic/ecm/patients/${patientId}/activities${id ? `/${id}` : ''}`;

describe('email activities', () => {
  it('replays "Create Email Activity": the mail arrives with its attachment and the activity becomes sent', async () => {
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: {
        activity_type: 'email', assigned_to_id: coord.id, email_to: 'parent@family.example.com', subject: 'Care Plan Update',
        body: "Dear Parent,\n\nWe wanted to update you on your child's care plan...",
        email_attachments: [`http://${filesHost}/documents/care-plan.pdf`],
      },
    });
    expect(res.statusCode).toBe(201);
    const created = res.json().activity;
    expect(created).toMatchObject({ email_status: 'queued', event: { event_type: 'email', prtf_category: null } });

    const [mail] = await smtp.waitFor(1);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('parent@family.example.com');
    expect(mail.from?.value[0]).toMatchObject({ name: 'Care Team', address: 'care@clinic.example.com' });
    expect(mail.subject).toBe('Care Plan Update');
    expect(mail.text?.trim()).toBe("Dear Parent,\n\nWe wanted to update you on your child's care plan...");
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: 'care-plan.pdf', contentType: 'application/pdf' });
    expect(mail.attachments[0].content.equals(PDF)).toBe(true);
    expect(mail.headers.get('x-care-activity-id')).toBe(String(created.id));

    const sent = await waitUntil(
      async () => (await call(t.app, coord, 'GET', activityUrl(created.id))).json().activity,
      (a) => a.email_status === 'sent',
    );
    expect(sent).toMatchObject({ email_status: 'sent', status: 'complete', email_error: null, event: { status: 'complete', prtf_category: 'telehealth_outreach' } });
    expect(sent.email_sent_at).toMatch(/Z$/);
  });

  it('reduces attachment names taken from the URL to a safe base name', async () => {
    const before = smtp.received.length;
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: {
        activity_type: 'email', assigned_to_id: coord.id, email_to: 'names@example.com', subject: 'Odd names', body: 'x',
        // ../../etc/passwd, a<NUL>b.pdf, C:\x\y.pdf once the URL's last segment is decoded; "/.." and a malformed escape.
        email_attachments: ['..%2F..%2Fetc%2Fpasswd', 'a%00b.pdf', 'C:%5Cx%5Cy.pdf', '%2F..', 'bad%E0%A4%A.pdf'].map((n) => `http://${filesHost}/odd/${n}`),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const mail = (await smtp.waitFor(before + 1)).find((m) => m.subject === 'Odd names')!;
    expect(mail.attachments.map((a) => a.filename)).toEqual(['passwd', 'ab.pdf', 'y.pdf', 'attachment', 'bad%E0%A4%A.pdf']);
  });

  it('creates and sends an email activity once for a repeated Idempotency-Key', async () => {
    const before = smtp.received.length;
    const send = () => t.app.inject({
      method: 'POST', url: activityUrl(),
      headers: { 'x-user-token': coord.token, 'content-type': 'application/json', 'idempotency-key': 'care-plan-7' },
      payload: JSON.stringify({ activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'once@example.com', subject: 'Once', body: 'x' } }),
    });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json().activity.id).toBe(first.json().activity.id);
    await smtp.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.received.filter((m) => m.subject === 'Once')).toHaveLength(1);
  });

  it('refuses attachments from hosts not listed in MAIL_ATTACHMENT_HOSTS, naming the URL', async () => {
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'a@example.com', body: 'x',
        email_attachments: ['https://storage.example.com/documents/care-plan.pdf', `http://${filesHost}/documents/care-plan.pdf`] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ['Email attachment https://storage.example.com/documents/care-plan.pdf is not on an allowed host'] });
  });

  it('retries a failing SMTP server with backoff and records the failure after the last retry, keeping the activity', async () => {
    smtp.failNext(3); // first attempt + 2 retries (MAIL_RETRY_LIMIT=2)
    const before = smtp.received.length;
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'someone@example.com', subject: 'Never arrives', body: 'x' },
    });
    const id = res.json().activity.id;
    const failed = await waitUntil(
      async () => (await call(t.app, coord, 'GET', activityUrl(id))).json().activity,
      (a) => a.email_status === 'failed',
      30_000,
    );
    expect(failed.email_status).toBe('failed');
    expect(failed.email_error).toMatch(/451|temporarily unavailable/i);
    expect(failed.status).toBe('created');
    const [ev] = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, id));
    expect(ev.prtfCategory).toBeNull();
    expect(smtp.received.length).toBe(before);
  });

  it('succeeds on a retry after a passing failure', async () => {
    smtp.failNext(1);
    const before = smtp.received.length;
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'retry@example.com', subject: 'Second time lucky', body: 'x' },
    });
    const id = res.json().activity.id;
    await smtp.waitFor(before + 1, 30_000);
    const sent = await waitUntil(async () => (await call(t.app, coord, 'GET', activityUrl(id))).json().activity, (a) => a.email_status === 'sent');
    expect(sent.email_status).toBe('sent');
    expect(smtp.received.at(-1)?.subject).toBe('Second time lucky');
  });

  it('fails an email whose attachment is over the size limit, without sending it', async () => {
    const before = smtp.received.length;
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'big@example.com', body: 'x', email_attachments: [`http://${filesHost}/documents/huge.bin`] },
    });
    const id = res.json().activity.id;
    const failed = await waitUntil(async () => (await call(t.app, coord, 'GET', activityUrl(id))).json().activity, (a) => a.email_status === 'failed', 30_000);
    expect(failed.email_error).toMatch(/larger than 2048 bytes/);
    expect(smtp.received.length).toBe(before);
  });
});
