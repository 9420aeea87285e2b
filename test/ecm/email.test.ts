/**
 * Email activities through a real SMTP server (smtp-server) parsed with mailparser; attachments fetched through the
 * outbound guard from a local HTTP server (`OUTBOUND_ALLOW_PRIVATE_URLS=true` lets the guard reach loopback), with
 * `MAIL_ATTACHMENT_HOSTS` unset as on a fresh server. A second server with every default (the sandbox mailbox)
 * replays seed 003's example verbatim.
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
const fileHits: string[] = [];
let coord: TestUser;
let patientId: number;
const PDF = Buffer.from('%PDF-1.4\n% care plan\n');


beforeAll(async () => {
  smtp = await startSmtp();
  files = http.createServer((req, res) => {
    fileHits.push(req.url ?? '');
    if (req.url === '/documents/care-plan.pdf') {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': PDF.length });
      res.end(PDF);
    } else if (req.url?.startsWith('/odd/')) {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(PDF);
    } else if (req.url === '/documents/moved.pdf') {
      res.writeHead(302, { location: '/documents/redirect-target.pdf' }).end();
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
      OUTBOUND_ALLOW_PRIVATE_URLS: 'true',
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

  it('accepts the seed\'s attachment URL (storage.example.com) with MAIL_ATTACHMENT_HOSTS unset: hosts are checked when the mail is sent', async () => {
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'a@example.com', subject: 'Seed host', body: 'x',
        email_attachments: ['https://storage.example.com/documents/care-plan.pdf'] },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().activity).toMatchObject({ email_status: 'queued', email_attachments: ['https://storage.example.com/documents/care-plan.pdf'] });
  });

  it('refuses at create what needs no network: another scheme, credentials in the URL', async () => {
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'a@example.com', body: 'x',
        email_attachments: ['ftp://storage.example.com/a.pdf', 'https://me:pw@storage.example.com/a.pdf', `http://${filesHost}/documents/care-plan.pdf`] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: [
      'Email attachment ftp://storage.example.com/a.pdf must be an http(s) URL',
      'Email attachment https://me:pw@storage.example.com/a.pdf must not contain credentials',
    ] });
  });

  it('fails an email whose attachment cannot be fetched after its retries, naming the attachment and why, and sends nothing', async () => {
    const before = smtp.received.length;
    const missing = `http://${filesHost}/documents/missing.pdf`;
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'missing@example.com', subject: 'No file', body: 'x',
        email_attachments: [`http://${filesHost}/documents/care-plan.pdf`, missing] },
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().activity.id;
    const failed = await waitUntil(async () => (await call(t.app, coord, 'GET', activityUrl(id))).json().activity, (a) => a.email_status === 'failed', 30_000);
    expect(failed).toMatchObject({ email_status: 'failed', status: 'created', email_error: `Attachment ${missing} answered HTTP 404` });
    // The first attempt and MAIL_RETRY_LIMIT=2 retries, with the email's backoff.
    expect(fileHits.filter((u) => u === '/documents/missing.pdf')).toHaveLength(3);
    expect(smtp.received.length).toBe(before);
  });

  it('refuses an attachment that redirects, without following it', async () => {
    const before = smtp.received.length;
    const moved = `http://${filesHost}/documents/moved.pdf`;
    const res = await call(t.app, coord, 'POST', activityUrl(), {
      activity: { activity_type: 'email', assigned_to_id: coord.id, email_to: 'moved@example.com', subject: 'Moved', body: 'x', email_attachments: [moved] },
    });
    const id = res.json().activity.id;
    const failed = await waitUntil(async () => (await call(t.app, coord, 'GET', activityUrl(id))).json().activity, (a) => a.email_status === 'failed', 30_000);
    expect(failed.email_error).toBe(`Attachment ${moved} redirects are not followed (HTTP 302)`);
    expect(fileHits).not.toContain('/documents/redirect-target.pdf');
    expect(smtp.received.length).toBe(before);
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
    expect(failed.email_error).toBe(`Attachment http://${filesHost}/documents/huge.bin is larger than 2048 bytes`);
    expect(smtp.received.length).toBe(before);
  });
});

describe('on a server with every default (sandbox mailbox, MAIL_ATTACHMENT_HOSTS unset)', () => {
  let fresh: TestContext;
  let user: TestUser;
  let member: number;
  beforeAll(async () => {
    fresh = await createTestContext({}, { workers: true });
    const admin = await createUser(fresh.services, 'Fresh Clinic', 'admin');
    user = await createUser(fresh.services, 'Fresh Clinic', 'care_coordinator');
    member = (await call(fresh.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: { first_name: 'Fay', last_name: 'Fresh', ecm_eligibility_information: { member_id: 'FRESH-1' } },
    })).json().patient.id;
  });
  afterAll(() => fresh.close());

  it('replays seed 003 "Create Email Activity" verbatim: 201, and the sandbox records the attachment URL without fetching it', async () => {
    const res = await call(fresh.app, user, 'POST', `/v1/clinic/ecm/patients/${member}/activities`, {
      activity: {
        activity_type: 'email',
        assigned_to_id: user.id,
        email_to: 'parent@family.example.com',
        subject: 'Care Plan Update',
        body: "Dear Parent,\n\nWe wanted to update you on your child's care plan...",
        email_attachments: ['https://storage.example.com/documents/care-plan.pdf'],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().activity.id;
    const sent = await waitUntil(
      async () => (await call(fresh.app, user, 'GET', `/v1/clinic/ecm/patients/${member}/activities/${id}`)).json().activity,
      (a) => a.email_status === 'sent',
    );
    expect(sent).toMatchObject({ email_status: 'sent', email_error: null, status: 'complete' });
    const box = (await call(fresh.app, user, 'GET', '/v1/clinic/ecm/communications/sandbox?channel=email')).json();
    expect(box.messages[0]).toMatchObject({
      to: 'parent@family.example.com', subject: 'Care Plan Update',
      metadata: { activity_id: id, attachments: [{ url: 'https://storage.example.com/documents/care-plan.pdf' }] },
    });
  });
});
