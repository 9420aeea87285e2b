/**
 * ECP webhook delivery end to end (issue 6): `recordWebhookEvent` in a transaction, the pg-boss workers and the
 * dispatcher of this process, a real local receiver verifying every request with `standardwebhooks`. Private URLs
 * are allowed and the retry schedule is compressed to 0 s, 1 s, 1 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { ecpLocations, ecpWebhookDeliveries, ecpWebhookMessages, ecpWebhookSubscriptions } from '../../src/db/schema.ts';
import { allergyObject, residentObject, userObject } from '../../src/ecp/webhooks/payloads.ts';
import { newGuid } from '../../src/ecp/shared/ids.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, residentRow, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, verifyingSecrets, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { waitUntil } from '../support/wait.ts';

let t: TestContext;
let rx: WebhookReceiver;

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
});
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

interface Company { p: Partner; creds: { token: string; apiKey: string }; orgId: number; locIds: number[] }

let companies = 0;
async function company(locations = ['North', 'South']): Promise<Company> {
  const name = `Delivery Co ${++companies}`;
  const p = await createPartner(t, name, locations.map((l) => `${name} ${l}`));
  const rows = await t.database.db.select().from(ecpLocations).where(eq(ecpLocations.organizationId, p.company_id));
  const locIds = p.locations.map((l) => rows.find((r) => r.guid === l.locationId)!.id);
  return { p, creds: { token: await tokenFor(t.app, p), apiKey: p.api_key }, orgId: p.company_id, locIds };
}

async function subscribe(c: Company, path: string, extra: Record<string, unknown> = {}) {
  const res = await clinical(t.app, c.creds, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url(path), ...extra });
  expect(res.statusCode, res.body).toBe(200);
  rx.secrets = [...rx.secrets, res.json().secret];
  return res.json() as { subscriptionId: string; secret: string };
}

const fakeResident = (c: Company, locIdx = 0, guid = newGuid()) => residentRow(c.orgId, c.locIds[locIdx], guid);

/** Records `resident.update` (or `eventName`) for a resident of `c` in a committed transaction. */
async function residentEvent(c: Company, opts: { locIdx?: number; guid?: string; eventName?: 'resident.create' | 'resident.update' | 'resident.delete' } = {}) {
  const row = fakeResident(c, opts.locIdx ?? 0, opts.guid);
  return t.database.db.transaction((tx) => t.services.webhooks.recordWebhookEvent(tx, {
    eventName: opts.eventName ?? 'resident.update', organizationId: c.orgId, locationId: row.locationId, data: { resident: residentObject(row) },
  }));
}

const forPath = (path: string) => (r: { path: string }) => r.path === path;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;

describe('webhook delivery', () => {
  it('delivers the frozen bytes, signed, with the seed envelope; id equals webhook-id', async () => {
    const c = await company();
    const sub = await subscribe(c, '/basic');
    const rec = await residentEvent(c);
    const [got] = await rx.waitFor(1, { filter: forPath('/basic') });
    expect(got.body).toBe(rec.payload);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-id']).toBe(rec.messageId);
    expect(got.verifiedWith).toEqual([rx.secrets.indexOf(sub.secret)]);
    expect(verifyingSecrets(['whsec_' + Buffer.alloc(32, 7).toString('base64')], got.body, got.headers)).toEqual([]);
    const body = JSON.parse(got.body);
    expect(Object.keys(body)).toEqual(['companyId', 'data', 'dataFormat', 'eventName', 'eventTimestamp', 'id', 'locationId', 'version']);
    expect(body).toMatchObject({ dataFormat: 'JSON', eventName: 'resident.update', id: rec.messageId, locationId: c.p.locations[0].locationId, version: '1.0' });
    expect(body.companyId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(body.id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(body.eventTimestamp).toMatch(ISO_MS);
    const [msg] = await t.database.db.select().from(ecpWebhookMessages).where(eq(ecpWebhookMessages.id, rec.messageId));
    expect(msg.payload).toBe(got.body);
    // The same companyId in the subscription's details.
    expect((await clinical(t.app, c.creds, 'GET', `/clinical/v1/webhook/${sub.subscriptionId}`)).json().companyId).toBe(body.companyId);
  });

  it('gives one resource strictly increasing eventTimestamps', async () => {
    const c = await company();
    const guid = newGuid();
    const stamps: string[] = [];
    for (let i = 0; i < 5; i++) stamps.push((await residentEvent(c, { guid })).eventTimestamp);
    for (let i = 1; i < stamps.length; i++) expect(Date.parse(stamps[i])).toBeGreaterThan(Date.parse(stamps[i - 1]));
  });

  it('retries after a 500 with the same webhook-id and bytes, re-signed, and logs both attempts', async () => {
    const c = await company();
    const sub = await subscribe(c, '/retry');
    rx.replyNext({ status: 500, body: 'boom' });
    const rec = await residentEvent(c);
    const got = await rx.waitFor(2, { filter: forPath('/retry') });
    expect(got.map((r) => r.answered)).toEqual([500, 200]);
    expect(got.map((r) => r.headers['webhook-id'])).toEqual([rec.messageId, rec.messageId]);
    expect(got[1].body).toBe(got[0].body);
    expect(got.every((r) => r.verifiedWith.length === 1)).toBe(true);
    const list = await waitUntil(
      async () => (await clinical(t.app, c.creds, 'GET', `/clinical/v1/webhook/${sub.subscriptionId}/deliveries`)).json(),
      (b) => b.data?.[0]?.status === 'succeeded',
    );
    expect(list.numberOfResults).toBe(1);
    expect(list.data[0]).toMatchObject({ messageId: rec.messageId, eventName: 'resident.update', status: 'succeeded' });
    expect(list.data[0].attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 200]);
    expect(list.data[0].attempts[0]).toMatchObject({ response: 'boom', error: null });
    expect(list.data[0].attempts[0].attemptedAt).toMatch(ISO_MS);
  });

  it('sends nothing for a rolled-back change', async () => {
    const c = await company();
    await subscribe(c, '/rollback');
    let messageId = '';
    await expect(t.database.db.transaction(async (tx) => {
      const row = fakeResident(c);
      messageId = (await t.services.webhooks.recordWebhookEvent(tx, { eventName: 'resident.create', organizationId: c.orgId, locationId: row.locationId, data: { resident: residentObject(row) } })).messageId;
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    await new Promise((r) => setTimeout(r, 1500));
    expect(rx.received.filter(forPath('/rollback'))).toEqual([]);
    expect(await t.database.db.select().from(ecpWebhookMessages).where(eq(ecpWebhookMessages.id, messageId))).toEqual([]);
  });

  it('disables the subscription on 410 and creates no more deliveries for it', async () => {
    const c = await company();
    const sub = await subscribe(c, '/gone');
    rx.replyNext({ status: 410 });
    await residentEvent(c);
    await rx.waitFor(1, { filter: forPath('/gone') });
    const details = await waitUntil(async () => (await clinical(t.app, c.creds, 'GET', `/clinical/v1/webhook/${sub.subscriptionId}`)).json(), (b) => b.enabled === false);
    expect(details).toMatchObject({ enabled: false, disabledReason: 'The callback URL answered 410 Gone' });
    const next = await residentEvent(c);
    expect(next.deliveryIds).toEqual([]);
    // Re-enabled: events flow again.
    await clinical(t.app, c.creds, 'PUT', `/clinical/v1/webhook/${sub.subscriptionId}`, { enabled: true });
    const third = await residentEvent(c);
    const got = await rx.waitFor(2, { filter: forPath('/gone') });
    expect(got[1].headers['webhook-id']).toBe(third.messageId);
  });

  it('waits Retry-After on 429', async () => {
    const c = await company();
    await subscribe(c, '/slow-down');
    rx.replyNext({ status: 429, headers: { 'retry-after': '2' } });
    const rec = await residentEvent(c);
    const got = await rx.waitFor(2, { filter: forPath('/slow-down'), timeoutMs: 15_000 });
    expect(got.map((r) => r.answered)).toEqual([429, 200]);
    expect(got[1].headers['webhook-id']).toBe(rec.messageId);
    expect(got[1].receivedAt - got[0].receivedAt).toBeGreaterThanOrEqual(1900);
  });

  it('marks a delivery failed when the schedule is spent, and replays it', async () => {
    const c = await company();
    const sub = await subscribe(c, '/down');
    rx.replyNext({ status: 500 }, { status: 502 }, { status: 503 });
    const since = new Date(Date.now() - 1000).toISOString();
    const rec = await residentEvent(c);
    await rx.waitFor(3, { filter: forPath('/down') });
    const [d] = await waitUntil(() => t.database.db.select().from(ecpWebhookDeliveries).where(eq(ecpWebhookDeliveries.id, rec.deliveryIds[0])), ([x]) => x?.status === 'failed');
    expect(d).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 503 });
    const [s] = await t.database.db.select().from(ecpWebhookSubscriptions).where(eq(ecpWebhookSubscriptions.guid, sub.subscriptionId));
    expect(s.failingSince).not.toBeNull();
    const failed = await clinical(t.app, c.creds, 'GET', `/clinical/v1/webhook/${sub.subscriptionId}/deliveries?status=failed`);
    expect(failed.json().data.map((x: { messageId: string }) => x.messageId)).toEqual([rec.messageId]);

    const replay = await clinical(t.app, c.creds, 'POST', `/clinical/v1/webhook/${sub.subscriptionId}/replay`, { since });
    expect(replay.json()).toEqual({ result: 'Success', numberOfResults: 1 });
    const got = await rx.waitFor(4, { filter: forPath('/down') });
    expect(got[3]).toMatchObject({ answered: 200 });
    expect(got[3].headers['webhook-id']).toBe(rec.messageId);
    const [after] = await waitUntil(() => t.database.db.select().from(ecpWebhookSubscriptions).where(eq(ecpWebhookSubscriptions.guid, sub.subscriptionId)), ([x]) => x.failingSince === null);
    expect(after.failingSince).toBeNull();

    const retry = await clinical(t.app, c.creds, 'POST', `/clinical/v1/webhook/${sub.subscriptionId}/deliveries/${rec.messageId}/retry`);
    expect(retry.json()).toEqual({ result: 'Success', numberOfResults: 1 });
    await rx.waitFor(5, { filter: forPath('/down') });
  });

  it('disables a subscription failing continuously for 5 days', async () => {
    const c = await company();
    const sub = await subscribe(c, '/five-days');
    await t.database.db.update(ecpWebhookSubscriptions).set({ failingSince: sql`now() - interval '5 days 1 minute'` }).where(eq(ecpWebhookSubscriptions.guid, sub.subscriptionId));
    rx.replyNext({ status: 500 });
    await residentEvent(c);
    await rx.waitFor(1, { filter: forPath('/five-days') });
    const s = await waitUntil(async () => (await clinical(t.app, c.creds, 'GET', `/clinical/v1/webhook/${sub.subscriptionId}`)).json(), (b) => b.enabled === false);
    expect(s.disabledReason).toBe('Deliveries failed continuously for 5 days');
  });

  it('sends only the subscribed events of the subscribed locations, and nothing across companies', async () => {
    const a = await company();
    const b = await company();
    await subscribe(a, '/a-south', { locationIds: [a.p.locations[1].locationId], eventNames: ['resident.update', 'allergy.update', 'user.update'] });
    await subscribe(a, '/a-all');
    await subscribe(b, '/b-all');
    const north = await residentEvent(a, { locIdx: 0 });
    const south = await residentEvent(a, { locIdx: 1 });
    const southCreate = await residentEvent(a, { locIdx: 1, eventName: 'resident.create' });
    const allergy = await t.database.db.transaction((tx) => t.services.webhooks.recordWebhookEvent(tx, {
      eventName: 'allergy.update', organizationId: a.orgId, locationId: a.locIds[1], data: { allergy: allergyObject(newGuid(), ['Peanuts']) },
    }));
    const user = { id: 0, organizationId: a.orgId, guid: newGuid(), loginName: 'x', firstName: 'Pat', lastName: 'Staff', active: true, viewAllResidents: false,
      userGroup: 'RN', role: 'Nursing', systemAdmin: false, chartingInitials: 'PaSt', title: null, address: null, cityStateZip: null, phone: null, cellphone: null,
      cellCarrier: null, pager: null, email: null, locationIds: a.locIds, deactivatedAt: null, createdAt: new Date(), updatedAt: new Date() };
    const userEvent = await t.database.db.transaction((tx) => t.services.webhooks.recordWebhookEvent(tx, {
      eventName: 'user.update', organizationId: a.orgId, locationId: null, userLocationIds: a.locIds,
      data: { user: userObject(user, a.p.locations.map((l) => l.locationId)) },
    }));
    const bEvent = await residentEvent(b);

    await rx.waitFor(5, { filter: forPath('/a-all') });
    await rx.waitFor(3, { filter: forPath('/a-south') });
    await rx.waitFor(1, { filter: forPath('/b-all') });
    await new Promise((r) => setTimeout(r, 700));
    const ids = (path: string) => rx.received.filter(forPath(path)).map((r) => r.headers['webhook-id']).sort();
    expect(ids('/a-south')).toEqual([south.messageId, allergy.messageId, userEvent.messageId].sort());
    expect(ids('/a-all')).toEqual([north.messageId, south.messageId, southCreate.messageId, allergy.messageId, userEvent.messageId].sort());
    expect(ids('/b-all')).toEqual([bEvent.messageId]);
    const userBody = JSON.parse(rx.received.find((r) => r.headers['webhook-id'] === userEvent.messageId)!.body);
    expect(userBody.locationId).toBeNull();
    expect(userBody.data.user.locationsAllowed).toEqual(a.p.locations.map((l) => l.locationId));
  });

  it('signs with both secrets during the 24 hours after a rotation', async () => {
    const c = await company();
    const sub = await subscribe(c, '/rotate');
    const rotated = (await clinical(t.app, c.creds, 'POST', `/clinical/v1/webhook/${sub.subscriptionId}/rotate-secret`)).json();
    const rec = await residentEvent(c);
    const [got] = await rx.waitFor(1, { filter: forPath('/rotate') });
    expect(got.headers['webhook-id']).toBe(rec.messageId);
    expect(got.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyingSecrets([sub.secret], got.body, got.headers)).toEqual([0]);
    expect(verifyingSecrets([rotated.secret], got.body, got.headers)).toEqual([0]);
    // After the window, only the new one signs.
    await t.database.db.update(ecpWebhookSubscriptions).set({ previousSecretExpiresAt: sql`now() - interval '1 second'` }).where(eq(ecpWebhookSubscriptions.guid, sub.subscriptionId));
    await residentEvent(c);
    const later = (await rx.waitFor(2, { filter: forPath('/rotate') }))[1];
    expect(later.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(verifyingSecrets([sub.secret], later.body, later.headers)).toEqual([]);
    expect(verifyingSecrets([rotated.secret], later.body, later.headers)).toEqual([0]);
  });

  it('refuses at delivery time a URL that now resolves to a private address (rebinding guard)', async () => {
    const { sendWebhook } = await import('../../src/ecp/webhooks/send.ts');
    const res = await sendWebhook({ url: rx.url('/private'), messageId: newGuid(), payload: '{}', secrets: [rx.secrets[0]], timeoutMs: 1000, allowPrivate: false });
    expect(res).toMatchObject({ statusCode: null, error: 'the URL must resolve to public addresses only' });
    expect(rx.received.filter(forPath('/private'))).toEqual([]);
  });

  it('does not follow redirects', async () => {
    const c = await company();
    await subscribe(c, '/moved');
    rx.replyNext({ status: 302, headers: { location: rx.url('/elsewhere') } });
    await residentEvent(c);
    const got = await rx.waitFor(2, { filter: forPath('/moved') });
    expect(got.map((r) => r.answered)).toEqual([302, 200]);
    expect(rx.received.filter(forPath('/elsewhere'))).toEqual([]);
  });

  it('measures commit-to-delivery latency (printed, not asserted)', async () => {
    const c = await company();
    await subscribe(c, '/latency');
    const n = 100;
    const committed = new Map<string, number>();
    // Moderate load: 4 concurrent writers, 25 changes each.
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < n / 4; i++) {
        const rec = await residentEvent(c);
        committed.set(rec.messageId, Date.now());
      }
    }));
    const got = await rx.waitFor(n, { filter: forPath('/latency'), timeoutMs: 30_000 });
    const latencies = got.map((r) => r.receivedAt - committed.get(r.headers['webhook-id'])!).sort((x, y) => x - y);
    const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
    console.log(`webhook commit-to-delivery over ${n} messages: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${latencies.at(-1)} ms`);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(n);
  });

  it('stops retrying for a partner client disabled after the message was recorded', async () => {
    const c = await company();
    await subscribe(c, '/disabled-client');
    rx.replyNext({ status: 500 });
    const rec = await residentEvent(c);
    await rx.waitFor(1, { filter: forPath('/disabled-client') });
    await t.services.partnerClients.setDisabled(c.p.client_id, true);
    const [delivery] = await waitUntil(
      () => t.database.db.select().from(ecpWebhookDeliveries).where(eq(ecpWebhookDeliveries.messageId, rec.messageId)),
      (rows) => rows[0]?.status === 'failed',
      15_000,
    );
    expect(delivery.lastError).toBe('Not sent: the partner client is disabled');
    expect(rx.received.filter(forPath('/disabled-client'))).toHaveLength(1);
  });
});
