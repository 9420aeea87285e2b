/**
 * The webhook dispatcher (issue 8; src/ecp/webhooks/dispatcher.ts) against real PostgreSQL and a real receiver:
 * batch claims, retry timing, a dead worker's lease, two dispatchers on one backlog, graceful stop. Each test makes
 * its own dispatchers (no worker runs in this file otherwise) and its own company, so backlogs do not mix.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { openDatabase } from '../../src/db/pool.ts';
import { ecpLocations, ecpWebhookAttempts, ecpWebhookDeliveries } from '../../src/db/schema.ts';
import { newGuid } from '../../src/ecp/shared/ids.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/ecp/webhooks/dispatcher.ts';
import { residentObject } from '../../src/ecp/webhooks/payloads.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, residentRow, tokenFor } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { waitUntil } from '../support/wait.ts';

let t: TestContext;
const receivers: WebhookReceiver[] = [];
const running: WebhookDispatcher[] = [];
const quiet = { info: () => {}, error: () => {} };

beforeAll(async () => {
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true' });
});
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
});
afterAll(async () => {
  await t.close();
  for (const r of receivers) await r.close();
});

async function receiver(opts: { delayMs?: number } = {}) {
  const r = await startWebhookReceiver(opts);
  receivers.push(r);
  return r;
}

function dispatcher(opts: { concurrency?: number; schedule?: number[]; pollSeconds?: number; timeoutMs?: number; db?: TestContext['database']['db'] } = {}) {
  const d = createWebhookDispatcher({
    db: opts.db ?? t.database.db, connectionString: t.url, schedule: opts.schedule ?? [0, 1, 1], timeoutMs: opts.timeoutMs ?? 3000,
    allowPrivate: true, pollSeconds: opts.pollSeconds ?? 0.5, log: quiet, concurrency: opts.concurrency,
  });
  running.push(d);
  return d;
}

let companies = 0;
/** A company with one location and one subscription to `rx`; `events(n)` records n resident updates for it. */
async function company(rx: WebhookReceiver) {
  const name = `Dispatch Co ${++companies}`;
  const p = await createPartner(t, name, [`${name} Home`]);
  const [loc] = await t.database.db.select().from(ecpLocations).where(eq(ecpLocations.guid, p.locations[0].locationId));
  const sub = await clinical(t.app, { token: await tokenFor(t.app, p), apiKey: p.api_key }, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url(`/${name}`) });
  expect(sub.statusCode, sub.body).toBe(200);
  const path = `/${encodeURIComponent(name)}`;
  return {
    path,
    received: () => rx.received.filter((r) => r.path === path),
    async events(n: number): Promise<Array<{ messageId: string; deliveryId: number }>> {
      const out = [];
      for (let i = 0; i < n; i++) {
        const row = residentRow(p.company_id, loc.id, newGuid());
        const rec = await t.database.db.transaction((tx) => t.services.webhooks.recordWebhookEvent(tx, {
          eventName: 'resident.update', organizationId: p.company_id, locationId: loc.id, data: { resident: residentObject(row) },
        }));
        out.push({ messageId: rec.messageId, deliveryId: rec.deliveryIds[0] });
      }
      return out;
    },
  };
}

const deliveries = (ids: number[]) => t.database.db.select().from(ecpWebhookDeliveries).where(inArray(ecpWebhookDeliveries.id, ids));

describe('webhook dispatcher', () => {
  it('claims a backlog in batches of its concurrency and delivers each message once', async () => {
    const rx = await receiver({ delayMs: 150 });
    const c = await company(rx);
    const recs = await c.events(24);
    const d = dispatcher({ concurrency: 8 });
    await d.start();
    await rx.waitFor(24, { filter: (r) => r.path === c.path, timeoutMs: 15_000 });
    // Eight at once (a batch fills every slot), never more: the retry reserve stays unused with no retries due.
    expect(rx.maxInFlight).toBe(8);
    expect(new Set(c.received().map((r) => r.headers['webhook-id']))).toEqual(new Set(recs.map((r) => r.messageId)));
    const rows = await waitUntil(() => deliveries(recs.map((r) => r.deliveryId)), (ds) => ds.every((d) => d.status === 'succeeded'));
    expect(rows.map((d) => [d.status, d.attempts, d.leaseUntil])).toEqual(recs.map(() => ['succeeded', 1, null]));
    const attempts = await t.database.db.select().from(ecpWebhookAttempts).where(inArray(ecpWebhookAttempts.deliveryId, recs.map((r) => r.deliveryId)));
    expect(attempts).toHaveLength(24);
    expect(attempts.every((a) => a.statusCode === 200)).toBe(true);
    // Claimed in batches (8, then refills of at least a quarter of the slots), recorded in batches too.
    const stats = d.stats();
    expect(stats).toMatchObject({ claimed: 24, recorded: 24 });
    expect(stats.claims).toBeLessThanOrEqual(24 / 2 + 1);
    expect(stats.records).toBeLessThan(24);
  });

  it('makes a retry at its scheduled time (1 s ± 10 %), woken by its timer, not the poll', async () => {
    const rx = await receiver();
    const c = await company(rx);
    // A 60 s poll: only the retry timer can make the second attempt on time.
    await dispatcher({ schedule: [0, 1, 1], pollSeconds: 60 }).start();
    rx.replyNext({ status: 500 });
    const [rec] = await c.events(1);
    const got = await rx.waitFor(2, { filter: (r) => r.path === c.path, timeoutMs: 10_000 });
    expect(got.map((r) => r.answered)).toEqual([500, 200]);
    const gap = got[1].receivedAt - got[0].receivedAt;
    expect(gap).toBeGreaterThanOrEqual(850);
    expect(gap).toBeLessThan(2000);
    const [d] = await waitUntil(() => deliveries([rec.deliveryId]), ([x]) => x.status === 'succeeded');
    expect(d).toMatchObject({ attempts: 2, scheduleIndex: 1, lastStatusCode: 200, lastError: null });
  });

  it('sends again what a worker claimed before it died, once its lease ran out', async () => {
    const rx = await receiver();
    const c = await company(rx);
    const recs = await c.events(3);
    // A worker claimed all three (lease of 2 s) and was killed before sending or recording anything.
    await t.database.db.update(ecpWebhookDeliveries).set({ leaseUntil: sql`now() + interval '2 seconds'` })
      .where(inArray(ecpWebhookDeliveries.id, recs.map((r) => r.deliveryId)));
    const started = Date.now();
    await dispatcher({ pollSeconds: 0.5 }).start();
    await new Promise((r) => setTimeout(r, 1200));
    expect(c.received()).toEqual([]);
    const got = await rx.waitFor(3, { filter: (r) => r.path === c.path, timeoutMs: 10_000 });
    expect(Math.min(...got.map((r) => r.receivedAt)) - started).toBeGreaterThanOrEqual(1800);
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set(recs.map((r) => r.messageId)));
    const rows = await waitUntil(() => deliveries(recs.map((r) => r.deliveryId)), (ds) => ds.every((d) => d.status === 'succeeded'));
    expect(rows.every((d) => d.attempts === 1)).toBe(true);
  });

  it('never lets two dispatchers deliver one attempt', async () => {
    const rx = await receiver({ delayMs: 5 });
    const c = await company(rx);
    const recs = await c.events(150);
    // Two workers, each with its own pool, as two processes would be.
    const other = openDatabase(t.url, 3, () => {});
    try {
      await Promise.all([dispatcher({ concurrency: 6 }).start(), dispatcher({ concurrency: 6, db: other.db }).start()]);
      await rx.waitFor(150, { filter: (r) => r.path === c.path, timeoutMs: 30_000 });
      await waitUntil(() => deliveries(recs.map((r) => r.deliveryId)), (ds) => ds.every((d) => d.status === 'succeeded'));
      await new Promise((r) => setTimeout(r, 300));
      const ids = c.received().map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(150);
      expect(new Set(ids).size).toBe(150);
      const [{ n }] = (await t.database.db.execute<{ n: number }>(sql`select count(*)::int as n from ecp_webhook_attempts where delivery_id in ${recs.map((r) => r.deliveryId)}`)).rows;
      expect(n).toBe(150);
    } finally {
      for (const d of running.splice(0)) await d.stop();
      await other.close();
    }
  });

  it('stops gracefully: attempts in flight are finished and recorded, nothing new is claimed', async () => {
    const rx = await receiver({ delayMs: 700 });
    const c = await company(rx);
    const recs = await c.events(4);
    const d = dispatcher();
    await d.start();
    await waitUntil(async () => rx.inFlight, (n) => n === 4, 5000);
    await d.stop();
    // Every attempt answered and recorded by the time stop() resolved; no lease left behind.
    expect(c.received()).toHaveLength(4);
    const rows = await deliveries(recs.map((r) => r.deliveryId));
    expect(rows.map((r) => [r.status, r.leaseUntil])).toEqual(recs.map(() => ['succeeded', null]));
    const [late] = await c.events(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(c.received()).toHaveLength(4);
    expect((await deliveries([late.deliveryId]))[0]).toMatchObject({ status: 'pending', attempts: 0, leaseUntil: null });
  });
});
