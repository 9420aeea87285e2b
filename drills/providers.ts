/**
 * Drill 4: the providers fail. A local Twilio peer (the one the tests use, spoken to by the real `twilio` SDK)
 * answers some sends with 500 and lets others time out; the SMTP relay is down, then comes back, then goes away for
 * good. As issue 4 documents: a Twilio 500 is a 502 and the message is `failed` (nothing sent); a timeout is a 502,
 * the message `unknown` until the reconcile job finds it in Twilio's records, and a retry with the same
 * Idempotency-Key never sends again. Email jobs retry with backoff and end `sent` or, after the last retry, `failed`.
 * Nothing lost, nothing sent twice. The platform runs in this process (API and workers) on the drill database.
 */
import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { activities, textMessages } from '../src/db/schema.ts';
import { freePort } from '../src/db/embedded.ts';
import { ACCOUNT_SID, AUTH_TOKEN, startTwilioPeer } from '../test/support/twilio-peer.ts';
import type { DrillPostgres } from './postgres.ts';
import { newReport, openDrillPlatform, seedClinic, sleep, until, type DrillReport } from './support.ts';

export interface ProvidersOptions {
  /** SMS sends, a third each answered normally, with a 500, and too late (default 30). */
  sms: number;
  /** Email activities while the relay is down and comes back, and again while it stays down (default 20 each). */
  emails: number;
}

const CLINIC_NUMBER = '+18055550100';
const MEMBER_PHONE = '+18055550177';

/** An SMTP relay on `port` that records the `X-Care-Activity-Id` of each message it accepts. */
async function startRelay(port: number): Promise<{ ids: number[]; close(): Promise<void> }> {
  const ids: number[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        const m = /^x-care-activity-id:\s*(\d+)/im.exec(raw);
        if (m) ids.push(Number(m[1]));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { ids, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function providersDrill(pg: DrillPostgres, opts: ProvidersOptions = { sms: 30, emails: 20 }): Promise<DrillReport> {
  const report = newReport('providers-down', `${opts.sms} SMS sends to a Twilio peer answering a third normally, a third 500 and a third past the timeout (each retried with its Idempotency-Key); ${opts.emails} emails while SMTP is down for 3 s, ${opts.emails} more while it stays down`);
  const url = await pg.createDatabase('drill_providers');
  const peer = await startTwilioPeer();
  const smtpPort = await freePort();
  const platform = await openDrillPlatform(url, {
    TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM_NUMBER: CLINIC_NUMBER, TWILIO_API_URL: peer.apiUrl,
    TWILIO_TIMEOUT_MS: '500', TWILIO_RECONCILE_DELAY_SECONDS: '1',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMTP_TIMEOUT_MS: '1000', MAIL_RETRY_LIMIT: '3', MAIL_RETRY_DELAY_SECONDS: '1',
  }, { workers: true });
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  try {
    const app = await platform.app();
    const seed = await seedClinic(platform, 'Provider Clinic', { phone: MEMBER_PHONE });
    const admin = { 'x-user-token': seed.adminToken, 'content-type': 'application/json' };
    const org = await app.inject({ method: 'PUT', url: '/v1/admin/organization', headers: admin, payload: { organization: { phone_numbers: [CLINIC_NUMBER] } } });
    if (org.statusCode !== 200) throw new Error(`organization: ${org.statusCode} ${org.body}`);
    const samples: string[] = [];

    // SMS: sequential, so the peer's scripted answers line up with the sends.
    const bodies: string[] = [];
    for (let i = 0; i < opts.sms; i++) {
      const mode = i % 3;
      if (mode === 1) peer.answerNext({ status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } });
      if (mode === 2) peer.answerNext({ status: 201, delayMs: 1500 });
      const body = `Drill message ${i}`;
      bodies.push(body);
      const key = randomUUID();
      const send = () => app.inject({ method: 'POST', url: `/v1/clinic/ecm/communications/patients/${seed.patientId}/sms`, headers: { ...admin, 'idempotency-key': key }, payload: { sms: { phone_number: MEMBER_PHONE, body } } });
      const res = await send();
      report.sent++;
      if (res.statusCode === 201) report.succeeded++;
      else if (res.statusCode === 502 && (mode === 1 ? /unavailable.*not sent/ : /did not answer in time/).test(res.body)) report.failedClearly++;
      else {
        report.failedBadly++;
        if (samples.length < 5) samples.push(`sms ${i}: ${res.statusCode} ${res.body.slice(0, 160)}`);
      }
      if (mode !== 0) {
        // The client retries with the same key: it gets the first answer again, nothing is sent again.
        const again = await send();
        report.sent++;
        if (again.statusCode === res.statusCode) report.failedClearly++;
        else {
          report.failedBadly++;
          if (samples.length < 5) samples.push(`sms ${i} retry: ${again.statusCode} (first ${res.statusCode}) ${again.body.slice(0, 160)}`);
        }
      }
    }
    const db = platform.database.db;
    const reconciled = await until(async () => (await db.select({ id: textMessages.id }).from(textMessages).where(eq(textMessages.status, 'unknown'))).length === 0, 60_000);
    await sleep(1000); // the peer creates the late ones when their delay ends
    const records = await db.select({ body: textMessages.body, status: textMessages.status, sid: textMessages.twilioSid }).from(textMessages).where(inArray(textMessages.body, bodies));
    const postsPerBody = new Map<string, number>();
    for (const r of peer.requests) if (r.method === 'POST' && r.form.Body) postsPerBody.set(r.form.Body, (postsPerBody.get(r.form.Body) ?? 0) + 1);
    const createdPerBody = new Map<string, number>();
    for (const c of peer.created) if (c.body) createdPerBody.set(c.body, (createdPerBody.get(c.body) ?? 0) + 1);
    let smsLost = 0;
    let smsDuplicates = 0;
    for (const [i, body] of bodies.entries()) {
      const rec = records.filter((r) => r.body === body);
      if (rec.length !== 1) { smsLost += rec.length === 0 ? 1 : 0; smsDuplicates += Math.max(0, rec.length - 1); continue; }
      const mode = i % 3;
      const created = createdPerBody.get(body) ?? 0;
      smsDuplicates += Math.max(0, (postsPerBody.get(body) ?? 0) - 1) + Math.max(0, created - 1);
      // A 500 must leave it failed with nothing sent; a timeout must end with Twilio's record (its SID); a success has its SID.
      if (mode === 1 && (rec[0].status !== 'failed' || created !== 0)) smsLost++;
      if (mode !== 1 && (!rec[0].sid || created !== 1)) smsLost++;
    }
    report.lost += smsLost;
    report.duplicates += smsDuplicates;
    report.notes.push(`SMS: ${records.length} records for ${bodies.length} sends; statuses ${JSON.stringify(countBy(records.map((r) => r.status)))}; timeouts reconciled ${reconciled ? 'yes' : 'NO'}; ${peer.requests.filter((r) => r.method === 'POST').length} POSTs reached Twilio`);

    // Email, first batch: the relay is down for 3 s, then up.
    const createEmails = async (tag: string) => {
      const ids: number[] = [];
      for (let i = 0; i < opts.emails; i++) {
        const res = await app.inject({
          method: 'POST', url: `/v1/clinic/ecm/patients/${seed.patientId}/activities`, headers: admin,
          payload: { activity: { activity_type: 'email', email_to: `member${i}@example.com`, subject: `${tag} ${i}`, body: 'Hello', assigned_to_id: seed.coordinatorId } },
        });
        report.sent++;
        if (res.statusCode === 201) ids.push(res.json().activity.id);
        else {
          report.failedBadly++;
          if (samples.length < 5) samples.push(`email: ${res.statusCode} ${res.body.slice(0, 160)}`);
        }
      }
      return ids;
    };
    const first = await createEmails('Outage');
    await sleep(3000);
    relay = await startRelay(smtpPort);
    const emailState = async (ids: number[]) => ids.length ? db.select({ id: activities.id, status: activities.emailStatus, attempts: activities.emailAttempts }).from(activities).where(inArray(activities.id, ids)) : [];
    await until(async () => (await emailState(first)).every((a) => a.status === 'sent' || a.status === 'failed'), 60_000);
    // Second batch: the relay goes away for good; every email ends failed after its last retry.
    await relay.close();
    const relayIds = [...relay.ids];
    relay = undefined;
    const second = await createEmails('Gone');
    await until(async () => (await emailState(second)).every((a) => a.status === 'failed' || a.status === 'sent'), 90_000);
    const firstState = await emailState(first);
    const secondState = await emailState(second);
    const mailCount = countBy(relayIds.map(String));
    for (const a of firstState) {
      if (a.status === 'sent' && mailCount[String(a.id)] === 1) report.succeeded++;
      else if (a.status === 'failed' && !mailCount[String(a.id)]) report.failedClearly++;
      else report.lost++;
    }
    for (const a of secondState) {
      if (a.status === 'failed') report.failedClearly++;
      else report.lost++;
    }
    report.duplicates += Object.values(mailCount).filter((n) => n > 1).reduce((s, n) => s + n - 1, 0);
    report.notes.push(`email, relay down 3 s then up: ${JSON.stringify(countBy(firstState.map((a) => String(a.status))))}, attempts ${JSON.stringify(countBy(firstState.map((a) => String(a.attempts))))}; relay gone: ${JSON.stringify(countBy(secondState.map((a) => String(a.status))))}; ${relayIds.length} mails received`);
    if (samples.length) report.notes.push(`unexpected answers: ${samples.join(' | ')}`);
    return report;
  } finally {
    await relay?.close();
    await peer.close();
    await platform.close();
  }
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
