/**
 * Transfer of a resident between ECP accounts (seed 000 "Event Types": "Resident is transferred to/from ECP account"
 * fires `resident.delete` for the sending company and `resident.create` for the receiving one, same `residentId`):
 * the resident, its contacts, vitals, allergies and diagnoses move; each company's real receiver gets its events;
 * the sender keeps no access, and its retries and replays never send that resident's earlier messages again.
 */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { ecpLocations, ecpWebhookDeliveries, ecpWebhookMessages } from '../../src/db/schema.ts';
import { PROJECT_ROOT as ROOT } from '../../src/root.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { systemContext } from '../../src/platform/context.ts';

let t: TestContext;
let rx: WebhookReceiver;
let sender: Partner;
let receiver: Partner;
const creds: Record<'a' | 'b', { token: string; apiKey: string }> = {} as never;
const AL = 'Evergreen Assisted Living';
const MAPLE = 'Maple House';
const subs: Record<'a' | 'b', string> = {} as never;

beforeAll(async () => {
  rx = await startWebhookReceiver();
  // One retry a minute away: a delivery that failed once stays pending through the test.
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,60s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  sender = await createPartner(t, 'Evergreen Senior Living', [AL, 'Evergreen Memory Care']);
  receiver = await createPartner(t, 'Maple Senior Living', [MAPLE]);
  creds.a = { token: await tokenFor(t.app, sender), apiKey: sender.api_key };
  creds.b = { token: await tokenFor(t.app, receiver), apiKey: receiver.api_key };
  for (const k of ['a', 'b'] as const) {
    const res = await clinical(t.app, creds[k], 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url(`/${k}`) });
    expect(res.statusCode, res.body).toBe(200);
    subs[k] = res.json().subscriptionId;
    rx.secrets.push(res.json().secret);
  }
  await insertEcpUser(t, sender, 'nurse');
});
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

async function ok(k: 'a' | 'b', method: string, url: string, body?: unknown) {
  const res = await clinical(t.app, creds[k], method, url, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

const bodies = (k: 'a' | 'b') => rx.received.filter((r) => r.path === `/${k}`).map((r) => JSON.parse(r.body));

/** Waits until the dispatcher has no pending first attempt (every message was tried at least once). */
async function settle() {
  for (let i = 0; i < 100; i++) {
    const [{ n }] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(ecpWebhookDeliveries)
      .where(and(eq(ecpWebhookDeliveries.status, 'pending'), eq(ecpWebhookDeliveries.attempts, 0)));
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('deliveries did not settle');
}

describe('transfer between ECP accounts', () => {
  let residentId: string;
  let stays: string;
  let own: string;
  let shared: string;

  it('moves the resident, vitals, allergies, diagnoses and contacts; resident.delete to the sender, resident.create to the receiver', async () => {
    residentId = await createResident(t.app, creds.a, { firstName: 'Tom', lastName: 'Moving', dateOfBirth: '1938-04-04', locationId: AL, room: '7' });
    stays = await createResident(t.app, creds.a, { firstName: 'Sue', lastName: 'Moving', dateOfBirth: '1939-05-05', locationId: AL });
    own = (await ok('a', 'POST', '/clinical/v1/resident/contact/', { firstName: 'Olga', lastName: 'Own', locationId: AL, residentId, relationship: 'Daughter', healthCarePoa: 1 })).contactId;
    shared = (await ok('a', 'POST', '/clinical/v1/resident/contact/', { firstName: 'Sam', lastName: 'Shared', locationId: AL, residentId, relationship: 'Son', phone: '555-555-0199' })).contactId;
    await ok('a', 'POST', '/clinical/v1/resident/contact/', { contactId: shared, locationId: AL, residentId: stays, relationship: 'Nephew' });
    await ok('a', 'POST', '/clinical/v1/resident/vital/pulse', { pulse: 72, location: AL, loginName: 'nurse', residentId, timestamp: '2026-12-01T08:00:00.000+00:00' });
    await ok('a', 'POST', '/clinical/v1/resident/allergy', { allergy: 'Peanuts', location: AL, residentId });
    await ok('a', 'POST', '/clinical/v1/resident/diagnosis', { diagnosis: 'Hypertension', location: AL, loginName: 'nurse', residentId, timestamp: '2026-12-01T09:00:00.000+00:00' });
    await rx.waitFor(6, { filter: (r) => r.path === '/a' });
    await settle();
    // One message of the sender fails and waits a minute for its retry: pending at the transfer.
    rx.replyNext({ status: 500 });
    await ok('a', 'PUT', '/clinical/v1/resident/level-of-care', { residentId, name: 'Level 2', amount: 1500, amountFrequency: 'Monthly' });
    await rx.waitFor(7, { filter: (r) => r.path === '/a' });
    await settle();
    const before = rx.received.length;

    const to = receiver.locations[0].locationId;
    const r = await t.services.transfers.transferResident(systemContext(0, 'test'), residentId, to);
    expect(r).toMatchObject({ residentId, fromLocationId: sender.locations[0].locationId, toLocationId: to, vitals: 1, allergies: 1, diagnoses: 1 });
    expect(r.contacts.moved).toEqual([own]);
    expect(r.contacts.copied.map((c) => c.from)).toEqual([shared]);
    // resident.create, contact.create twice, contact.update (the shared contact linked to the resident who stays), allergy, level of care.
    expect(r.withdrawnDeliveries).toBe(6);

    await rx.waitFor(before + 6, { filter: () => true });
    const a = bodies('a').slice(-3);
    expect(a.map((m) => m.eventName)).toEqual(['resident.delete', 'contact.delete', 'contact.update']);
    expect(a[0]).toMatchObject({ locationId: sender.locations[0].locationId, data: { resident: { residentId, room: '7' } } });
    expect(a[1].data.contact).toMatchObject({ contactId: own, residents: [{ residentId, relationship: 'Daughter' }] });
    // The contact shared with a resident who stays remains the sender's, without the resident who left.
    expect(a[2].data.contact).toMatchObject({ contactId: shared, residents: [{ residentId: stays, relationship: 'Nephew' }] });
    expect(a[2].data.contact.residents).toHaveLength(1);
    const b = bodies('b');
    expect(b.map((m) => m.eventName)).toEqual(['resident.create', 'contact.create', 'contact.create']);
    expect(b[0]).toMatchObject({ locationId: to, data: { resident: { residentId, firstName: 'Tom', room: '7' } } });
    expect(b[0].companyId).not.toBe(a[0].companyId);
    expect(b[1].data.contact).toMatchObject({ contactId: own, residents: [{ residentId, relationship: 'Daughter', healthCarePoa: true }] });
    expect(b[2].data.contact).toMatchObject({ firstName: 'Sam', phone: '555-555-0199', residents: [{ residentId, relationship: 'Son' }] });
    expect(b[2].data.contact.contactId).toBe(r.contacts.copied[0].to);
    expect(b[2].data.contact.contactId).not.toBe(shared);
    for (const m of rx.received.slice(before)) expect(m.verifiedWith.length).toBe(1);
  });

  it('gives the receiver the resident with its records, and the sender no access', async () => {
    const list = await ok('b', 'GET', `/clinical/v1/resident?residentId=${residentId}`);
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ residentId, location: MAPLE, allergies: ['Peanuts'], levelOfCare: { name: 'Level 2' } });
    const pulse = await ok('b', 'GET', '/clinical/v1/resident/vital/pulse', { location: MAPLE });
    expect(pulse.data.map((v: { residentId: string }) => v.residentId)).toEqual([residentId]);
    const dx = await ok('b', 'GET', '/clinical/v1/resident/diagnosis', { location: MAPLE });
    expect(dx.data).toMatchObject([{ diagnosis: 'Hypertension', residentId }]);
    await ok('b', 'PUT', '/clinical/v1/resident/contact', { contactId: own, city: 'Madison' });

    expect((await ok('a', 'GET', `/clinical/v1/resident?residentId=${residentId}&includeDischarged=true`)).data).toEqual([]);
    expect((await ok('a', 'GET', '/clinical/v1/resident/vital/pulse', { location: AL })).data).toEqual([]);
    expect((await ok('a', 'GET', '/clinical/v1/resident/diagnosis', { location: AL })).data).toEqual([]);
    const put = await clinical(t.app, creds.a, 'PUT', '/clinical/v1/resident', { residentId, room: '8' });
    expect(put.json()).toEqual({ result: 'Error', error: `No resident with residentId ${residentId}` });
    const contact = await clinical(t.app, creds.a, 'PUT', '/clinical/v1/resident/contact', { contactId: own, city: 'X' });
    expect(contact.json()).toEqual({ result: 'Error', error: `No contact with contactId ${own}` });
    // The shared contact stays the sender's, for the resident who stays.
    await ok('a', 'PUT', '/clinical/v1/resident/contact', { contactId: shared, city: 'Elkhorn' });
  });

  it("never sends the sender's earlier messages about the resident again: not pending, not by retry, not by replay", async () => {
    await settle();
    const [{ org }] = await t.database.db.select({ org: ecpLocations.organizationId }).from(ecpLocations).where(eq(ecpLocations.guid, sender.locations[0].locationId));
    const rows = await t.database.db.select({ status: ecpWebhookDeliveries.status, eventName: ecpWebhookMessages.eventName, payload: ecpWebhookMessages.payload, id: ecpWebhookMessages.id })
      .from(ecpWebhookDeliveries).innerJoin(ecpWebhookMessages, eq(ecpWebhookMessages.id, ecpWebhookDeliveries.messageId))
      .where(eq(ecpWebhookMessages.organizationId, org)).orderBy(ecpWebhookDeliveries.id);
    const aboutResident = rows.filter((x) => x.payload.includes(residentId));
    const withdrawn = aboutResident.filter((x) => x.status === 'withdrawn');
    expect(withdrawn.length).toBe(6);
    // The level-of-care message that was waiting for its retry is withdrawn, not pending.
    expect(withdrawn.map((x) => x.eventName)).toContain('levelOfCare.update');
    expect(rows.filter((x) => x.status === 'pending')).toEqual([]);

    const seenBefore = rx.received.filter((r) => r.path === '/a').length;
    const retry = await clinical(t.app, creds.a, 'POST', `/clinical/v1/webhook/${subs.a}/deliveries/${withdrawn[0].id}/retry`);
    expect(retry.json()).toEqual({ result: 'Error', error: `No message ${withdrawn[0].id} for this subscription` });
    const replay = await ok('a', 'POST', `/clinical/v1/webhook/${subs.a}/replay`, { since: '2000-01-01T00:00:00.000+00:00', includeSucceeded: true });
    const kept = rows.filter((x) => x.status !== 'withdrawn').length;
    expect(replay.numberOfResults).toBe(kept);
    const again = await rx.waitFor(seenBefore + kept, { filter: (r) => r.path === '/a' });
    await new Promise((r) => setTimeout(r, 500));
    const resent = rx.received.filter((r) => r.path === '/a').slice(seenBefore).map((r) => r.headers['webhook-id']);
    expect(resent).toHaveLength(kept);
    expect(again.length).toBe(seenBefore + kept);
    for (const w of withdrawn) expect(resent).not.toContain(w.id);
    // What the sender may still be sent about the resident is the transfer's own news: its last state.
    const resentEvents = rx.received.filter((r) => r.path === '/a').slice(seenBefore).map((r) => JSON.parse(r.body))
      .filter((m) => JSON.stringify(m).includes(residentId)).map((m) => m.eventName);
    expect(resentEvents.sort()).toEqual(['contact.delete', 'resident.delete']);
    const listed = await ok('a', 'GET', `/clinical/v1/webhook/${subs.a}/deliveries`, { status: 'withdrawn' });
    expect(listed.numberOfResults).toBe(6);
  });

  it('refuses an unknown resident or location, a location of the same company, and a discharged resident', async () => {
    const ctx = systemContext(0, 'test');
    await expect(t.services.transfers.transferResident(ctx, '00000000-0000-0000-0000-000000000000', receiver.locations[0].locationId)).rejects.toThrow('No resident with residentId');
    await expect(t.services.transfers.transferResident(ctx, stays, '00000000-0000-0000-0000-000000000000')).rejects.toThrow('No location with locationId');
    await expect(t.services.transfers.transferResident(ctx, stays, sender.locations[1].locationId)).rejects.toThrow("own company");
    await ok('a', 'DELETE', '/clinical/v1/resident', { residentId: stays });
    await expect(t.services.transfers.transferResident(ctx, stays, receiver.locations[0].locationId)).rejects.toThrow('discharged');
  });

  it('`care ecp residents transfer <residentId> --to-location <locationId>` transfers and prints what moved', async () => {
    const id = await createResident(t.app, creds.a, { firstName: 'Cli', lastName: 'Moved', dateOfBirth: '1940-06-06', locationId: AL });
    const run = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/care.js'), 'ecp', 'residents', 'transfer', ...args], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test' },
    });
    const out = run([id, '--to-location', receiver.locations[0].locationId, '--json']);
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ residentId: id, toLocationId: receiver.locations[0].locationId, contacts: { moved: [], copied: [] } });
    expect((await ok('b', 'GET', `/clinical/v1/resident?residentId=${id}`)).data).toHaveLength(1);
    const bad = run([id, '--to-location', receiver.locations[0].locationId]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('own company');
  }, 60_000);
});
