/**
 * Drill 1: a burst of ECP resident creates through `care serve --role api` fans out to a webhook subscription while
 * the only worker (`care serve --role worker`) is killed with SIGKILL mid-burst and restarted. Every message must
 * reach the receiver. Webhooks are at-least-once: a message whose attempt was in flight at the kill may arrive twice
 * (a "redelivery"); a message arriving three times or more counts as a duplicate.
 */
import { eq } from 'drizzle-orm';
import { ecpWebhookDeliveries, ecpWebhookMessages } from '../src/db/schema.ts';
import type { DrillPostgres } from './postgres.ts';
import { newReport, openDrillPlatform, partnerToken, request, seedPartner, sleep, startCare, startReceiver, until, type CareProcess, type DrillReport } from './support.ts';

export interface WebhookKillOptions {
  /** Residents created in the burst (default 300). */
  residents: number;
  /** Receiver latency per request, ms (default 100). */
  receiverDelayMs: number;
}

const WORKER_ENV = { WEBHOOK_TIMEOUT_MS: '3000', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s,2s,2s,5s,5s' };

export async function webhookWorkerKillDrill(pg: DrillPostgres, opts: WebhookKillOptions = { residents: 300, receiverDelayMs: 100 }): Promise<DrillReport> {
  const report = newReport('webhook-worker-sigkill', `${opts.residents} resident creates fan out to one webhook subscription (receiver answers after ${opts.receiverDelayMs} ms); the worker is killed with SIGKILL a quarter of the way through and restarted`);
  const url = await pg.createDatabase('drill_webhook_kill');
  const platform = await openDrillPlatform(url);
  const partner = await seedPartner(platform, 'Burst Living');
  const receiver = await startReceiver(opts.receiverDelayMs);
  const procs: CareProcess[] = [];
  try {
    const api = await startCare('api', url);
    procs.push(api);
    const bearer = await partnerToken(api.base, partner);
    const headers = { 'content-type': 'application/json', 'auth-bearer': `Bearer ${bearer}`, authorization: `Api-Key ${partner.apiKey}` };
    const sub = await request(`${api.base}/clinical/v1/webhook`, { method: 'POST', headers, body: JSON.stringify({ callbackUrl: receiver.url }) });
    if (sub.status !== 200) throw new Error(`subscribe: ${sub.status} ${JSON.stringify(sub.body)}`);
    let worker = await startCare('worker', url, WORKER_ENV);
    procs.push(worker);
    let next = 0;
    const creator = async () => {
      while (next < opts.residents) {
        const i = next++;
        const res = await request(`${api.base}/clinical/v1/resident`, {
          method: 'POST', headers,
          body: JSON.stringify({ firstName: 'Burst', lastName: `Resident${i}`, dateOfBirth: '1940-01-01', locationId: partner.location }),
        });
        report.sent++;
        if (res.status === 200) report.succeeded++;
        else report.failedBadly++;
      }
    };
    const burst = Promise.all(Array.from({ length: 6 }, creator));
    const killAt = Math.max(1, Math.floor(opts.residents / 4));
    await until(async () => receiver.ids.length >= killAt, 60_000, 20);
    await worker.kill('SIGKILL');
    const atKill = receiver.ids.length;
    worker = await startCare('worker', url, WORKER_ENV);
    procs.push(worker);
    await burst;
    const db = platform.database.db;
    const messages = (await db.select({ id: ecpWebhookMessages.id }).from(ecpWebhookMessages).where(eq(ecpWebhookMessages.organizationId, partner.companyId))).map((m) => m.id);
    const t0 = Date.now();
    const settled = await until(async () => {
      const got = new Set(receiver.ids);
      if (!messages.every((m) => got.has(m))) return false;
      const open = await db.select({ id: ecpWebhookDeliveries.id }).from(ecpWebhookDeliveries).where(eq(ecpWebhookDeliveries.status, 'pending'));
      return open.length === 0;
    }, 180_000);
    await sleep(500);
    const got = new Set(receiver.ids);
    report.lost = messages.filter((m) => !got.has(m)).length;
    const counts = new Map<string, number>();
    for (const id of receiver.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const redelivered = [...counts.values()].filter((n) => n === 2).length;
    report.duplicates = [...counts.values()].filter((n) => n > 2).length;
    report.notes.push(`${messages.length} messages recorded for ${report.succeeded} acknowledged creates; ${atKill} delivered before the kill; all delivered ${settled ? `${Date.now() - t0} ms after the burst` : 'NOT within 180 s'}`);
    report.notes.push(`${redelivered} redelivered once (at-least-once: in flight when the worker died), ${receiver.ids.length} requests in all`);
    if (messages.length !== report.succeeded) report.lost += Math.max(0, report.succeeded - messages.length);
    return report;
  } finally {
    for (const p of procs) await p.kill('SIGKILL');
    await receiver.close();
    await platform.close();
  }
}
