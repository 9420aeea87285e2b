/**
 * Drill 5: two API processes and two worker processes on one database. Clients spread resident creates (webhook
 * fan-out) and email activities (a pg-boss job each, sandbox mailbox) over both APIs; both workers compete for the
 * work. Every webhook message must be delivered exactly once (no crash here, so no redelivery is expected) and every
 * email sent exactly once.
 */
import { eq, sql } from 'drizzle-orm';
import { activities, ecpWebhookMessages, sandboxMessages } from '../src/db/schema.ts';
import type { DrillPostgres } from './postgres.ts';
import { newReport, openDrillPlatform, partnerToken, request, seedClinic, seedPartner, startCare, startReceiver, until, type CareProcess, type DrillReport } from './support.ts';

export interface ManyProcessesOptions {
  residents: number;
  emails: number;
}

export async function manyProcessesDrill(pg: DrillPostgres, opts: ManyProcessesOptions = { residents: 300, emails: 200 }): Promise<DrillReport> {
  const report = newReport('two-apis-two-workers', `${opts.residents} resident creates (webhooks) and ${opts.emails} email activities (jobs) spread over two \`--role api\` processes, worked by two \`--role worker\` processes`);
  const url = await pg.createDatabase('drill_many_processes');
  const platform = await openDrillPlatform(url);
  const partner = await seedPartner(platform, 'Twin Living');
  const clinic = await seedClinic(platform, 'Twin Clinic');
  const receiver = await startReceiver(20);
  const procs: CareProcess[] = [];
  try {
    const started = await Promise.allSettled([startCare('api', url), startCare('api', url), startCare('worker', url), startCare('worker', url)]);
    for (const r of started) if (r.status === 'fulfilled') procs.push(r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const apis = procs.slice(0, 2);
    const bearer = await partnerToken(apis[0].base, partner);
    const headers = { 'content-type': 'application/json', 'auth-bearer': `Bearer ${bearer}`, authorization: `Api-Key ${partner.apiKey}` };
    const sub = await request(`${apis[1].base}/clinical/v1/webhook`, { method: 'POST', headers, body: JSON.stringify({ callbackUrl: receiver.url }) });
    if (sub.status !== 200) throw new Error(`subscribe: ${sub.status} ${JSON.stringify(sub.body)}`);
    const emailIds: number[] = [];
    let r = 0;
    let e = 0;
    const client = async (c: number) => {
      for (;;) {
        const base = apis[c % 2].base;
        if (r < opts.residents) {
          const i = r++;
          const res = await request(`${base}/clinical/v1/resident`, { method: 'POST', headers, body: JSON.stringify({ firstName: 'Twin', lastName: `Resident${i}`, dateOfBirth: '1941-01-01', locationId: partner.location }) });
          report.sent++;
          if (res.status === 200) report.succeeded++;
          else report.failedBadly++;
        } else if (e < opts.emails) {
          const i = e++;
          const res = await request(`${base}/v1/clinic/ecm/patients/${clinic.patientId}/activities`, {
            method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': clinic.adminToken },
            body: JSON.stringify({ activity: { activity_type: 'email', email_to: `member${i}@example.com`, subject: `Drill ${i}`, body: 'Hello', assigned_to_id: clinic.coordinatorId } }),
          });
          report.sent++;
          if (res.status === 201) {
            report.succeeded++;
            emailIds.push((res.body as { activity: { id: number } }).activity.id);
          } else report.failedBadly++;
        } else return;
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
    const db = platform.database.db;
    const messages = (await db.select({ id: ecpWebhookMessages.id }).from(ecpWebhookMessages).where(eq(ecpWebhookMessages.organizationId, partner.companyId))).map((m) => m.id);
    const t0 = Date.now();
    const sentMail = async () => (await db.select({ id: activities.id }).from(activities).where(sql`${activities.activityType} = 'email' AND ${activities.emailStatus} = 'sent'`)).length;
    const settled = await until(async () => new Set(receiver.ids).size >= messages.length && (await sentMail()) >= emailIds.length, 120_000);
    const elapsed = Date.now() - t0;
    await new Promise((res) => setTimeout(res, 3000)); // late duplicates would show here
    const got = new Set(receiver.ids);
    const mails = await db.select({ activityId: sql<number>`(${sandboxMessages.metadata}->>'activity_id')::int` }).from(sandboxMessages).where(eq(sandboxMessages.channel, 'email'));
    const mailCount = new Map<number, number>();
    for (const m of mails) mailCount.set(m.activityId, (mailCount.get(m.activityId) ?? 0) + 1);
    report.lost = messages.filter((m) => !got.has(m)).length + emailIds.filter((id) => !mailCount.has(id)).length;
    report.duplicates = (receiver.ids.length - got.size) + [...mailCount.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
    report.notes.push(`${messages.length} webhook messages, ${receiver.ids.length} deliveries; ${emailIds.length} email activities, ${mails.length} mails sent; settled ${settled ? `${elapsed} ms after the last request` : 'NOT within 120 s'}`);
    return report;
  } finally {
    for (const p of procs) await p.kill('SIGKILL');
    await receiver.close();
    await platform.close();
  }
}
