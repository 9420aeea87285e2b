/**
 * A contact shared by several residents (seed 000: the contact object's `residents` array, one entry per resident
 * with its relationship and flags): linking with POST and an existing `contactId`, unlinking with DELETE and a
 * `residentId`, each subscriber's `residents` limited to the locations its client reaches, delivered to a real
 * receiver that verifies the Standard Webhooks signature; links never cross companies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ecpContactResidents, ecpContacts } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let t: TestContext;
let rx: WebhookReceiver;
let both: Partner;
let memory: Partner;
let outsider: Partner;
const creds: Record<string, { token: string; apiKey: string }> = {};
const AL = 'Evergreen Assisted Living';
const MC = 'Evergreen Memory Care';
let r1: string;
let r2: string;

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  both = await createPartner(t, 'Evergreen Senior Living', [AL, MC]);
  memory = await createPartner(t, 'Evergreen Senior Living', [MC]);
  outsider = await createPartner(t, 'Other Living', ['Other Place']);
  for (const [name, p] of [['both', both], ['memory', memory], ['outsider', outsider]] as const) {
    creds[name] = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  }
  for (const [name, path] of [['both', '/both'], ['memory', '/memory']] as const) {
    const res = await clinical(t.app, creds[name], 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url(path), eventNames: ['contact.create', 'contact.update', 'contact.delete'] });
    expect(res.statusCode, res.body).toBe(200);
    rx.secrets.push(res.json().secret);
  }
  r1 = await createResident(t.app, creds.both, { firstName: 'Ann', lastName: 'Alpha', dateOfBirth: '1940-01-01', locationId: AL });
  r2 = await createResident(t.app, creds.both, { firstName: 'Bea', lastName: 'Alpha', dateOfBirth: '1942-02-02', locationId: MC });
});
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

/** The next `n` deliveries to `path`, signature checked, parsed. */
async function next(path: string, n = 1): Promise<Array<Record<string, any>>> {
  return (await rx.take(n, { path })).map((r) => JSON.parse(r.body));
}

async function call(who: string, method: string, url: string, body?: unknown) {
  return clinical(t.app, creds[who], method, url, body);
}

describe('a contact shared by several residents', () => {
  it('links an existing contact to a second resident with its own relationship and flags, listing each in contact.update', async () => {
    const created = await call('both', 'POST', '/clinical/v1/resident/contact/', { firstName: 'Carl', lastName: 'Shared', locationId: AL, residentId: r1, relationship: 'Son', healthCarePoa: 1, phone: '555-555-0101' });
    expect(created.statusCode, created.body).toBe(200);
    const { contactId } = created.json();
    const [create] = await next('/both');
    expect(create).toMatchObject({ eventName: 'contact.create', data: { contact: { contactId, residents: [{ residentId: r1, relationship: 'Son', healthCarePoa: true }] } } });

    const linked = await call('both', 'POST', '/clinical/v1/resident/contact/', { contactId, locationId: MC, residentId: r2, relationship: 'Nephew', primaryContact: 1 });
    expect(linked.json(), linked.body).toEqual({ result: 'Success', contactId });
    const [update] = await next('/both');
    expect(update).toMatchObject({ eventName: 'contact.update', locationId: both.locations[0].locationId, data: { contact: { contactId, phone: '555-555-0101' } } });
    expect(update.data.contact.residents).toEqual([
      { residentId: r1, relationship: 'Son', healthCarePoa: true, primaryContact: false, billingContact: false, healthCarePoaActivated: false, notes: null, providesProducts: false, stateAppointedGuardian: false },
      { residentId: r2, relationship: 'Nephew', healthCarePoa: false, primaryContact: true, billingContact: false, healthCarePoaActivated: false, notes: null, providesProducts: false, stateAppointedGuardian: false },
    ]);
    // The memory-care client reaches only the second resident: it hears of the contact now, with that resident only.
    const [memoryUpdate] = await next('/memory');
    expect(memoryUpdate).toMatchObject({ eventName: 'contact.update', locationId: memory.locations[0].locationId });
    expect(memoryUpdate.data.contact.residents.map((x: { residentId: string }) => x.residentId)).toEqual([r2]);
    expect(rx.received.filter((r) => r.path === '/memory')).toHaveLength(1);

    // A repeated POST sets the link's values (and the contact's fields given) instead of failing: safe to retry.
    const again = await call('both', 'POST', '/clinical/v1/resident/contact', { contactId, locationId: MC, residentId: r2, relationship: 'Grandson', firstName: 'Carl', city: 'Elkhorn' });
    expect(again.json(), again.body).toEqual({ result: 'Success', contactId });
    const [repeat] = await next('/both');
    expect(repeat.data.contact).toMatchObject({ city: 'Elkhorn', residents: [{ residentId: r1, relationship: 'Son' }, { residentId: r2, relationship: 'Grandson', primaryContact: true }] });
    await next('/memory');
    // Linking onto a resident who has another contact of the same name is the seed's duplicate Error.
    const twin = await call('both', 'POST', '/clinical/v1/resident/contact/', { firstName: 'carl', lastName: 'SHARED', locationId: AL, residentId: r1 });
    expect(twin.json()).toEqual({ result: 'Error', error: 'A contact with this first and last name already exists for this resident', contactId });
    const noName = await call('both', 'POST', '/clinical/v1/resident/contact', { locationId: MC, residentId: r2 });
    expect(noName.json()).toEqual({ result: 'Error', error: 'firstName is required; lastName is required' });
  });

  it('changes one link by residentId, and asks for it when the contact is shared', async () => {
    const { contactId } = (await call('both', 'POST', '/clinical/v1/resident/contact/', { firstName: 'Dora', lastName: 'Both', locationId: AL, residentId: r1, relationship: 'Daughter' })).json();
    await call('both', 'POST', '/clinical/v1/resident/contact/', { contactId, locationId: MC, residentId: r2, relationship: 'Niece' });
    await next('/both', 2);
    await next('/memory');
    const vague = await call('both', 'PUT', '/clinical/v1/resident/contact', { contactId, relationship: 'Friend' });
    expect(vague.json()).toEqual({ result: 'Error', error: 'residentId is required to change the relationship, notes or flags of a contact shared by several residents' });
    const put = await call('both', 'PUT', '/clinical/v1/resident/contact', { contactId, residentId: r2, relationship: 'Friend', billingContact: true, city: 'Elkhorn' });
    expect(put.statusCode, put.body).toBe(200);
    const [u] = await next('/both');
    expect(u.data.contact.city).toBe('Elkhorn');
    expect(u.data.contact.residents.map((x: any) => [x.residentId, x.relationship, x.billingContact])).toEqual([[r1, 'Daughter', false], [r2, 'Friend', true]]);
    // The memory-care client reaches one resident of the contact: its change needs no residentId.
    const mine = await call('memory', 'PUT', '/clinical/v1/resident/contact', { contactId, notes: 'Calls on Sundays' });
    expect(mine.statusCode, mine.body).toBe(200);
    expect((await next('/memory', 2))[1].data.contact.residents).toMatchObject([{ residentId: r2, notes: 'Calls on Sundays' }]);
    const links = await t.database.db.select().from(ecpContactResidents).innerJoin(ecpContacts, eq(ecpContacts.id, ecpContactResidents.contactId)).where(eq(ecpContacts.guid, contactId));
    expect(links.map((l) => l.ecp_contact_residents.notes).sort()).toEqual(['Calls on Sundays', null]);
    await next('/both');
  });

  it('unlinks one resident (contact.update; contact.delete to whoever saw only that one), then deletes the contact with its last resident', async () => {
    const { contactId } = (await call('both', 'POST', '/clinical/v1/resident/contact/', { firstName: 'Eve', lastName: 'Gone', locationId: AL, residentId: r1, relationship: 'Sister' })).json();
    await call('both', 'POST', '/clinical/v1/resident/contact/', { contactId, locationId: MC, residentId: r2, relationship: 'Sister' });
    await next('/both', 2);
    await next('/memory');

    const off = await call('both', 'DELETE', '/clinical/v1/resident/contact/', { contactId, residentId: r2 });
    expect(off.json(), off.body).toEqual({ result: 'Success', contactId });
    const [u] = await next('/both');
    expect(u).toMatchObject({ eventName: 'contact.update', data: { contact: { contactId, residents: [{ residentId: r1 }] } } });
    expect(u.data.contact.residents).toHaveLength(1);
    const [d] = await next('/memory');
    expect(d).toMatchObject({ eventName: 'contact.delete', data: { contact: { contactId, residents: [{ residentId: r2, relationship: 'Sister' }] } } });
    // The memory-care client no longer reaches the contact.
    expect((await call('memory', 'PUT', '/clinical/v1/resident/contact', { contactId, city: 'X' })).json()).toEqual({ result: 'Error', error: `No contact with contactId ${contactId}` });

    const last = await call('both', 'DELETE', `/clinical/v1/resident/contact?contactId=${contactId}&residentId=${r1}`);
    expect(last.statusCode, last.body).toBe(200);
    const [del] = await next('/both');
    expect(del).toMatchObject({ eventName: 'contact.delete', data: { contact: { contactId, residents: [{ residentId: r1, relationship: 'Sister' }] } } });
    const [row] = await t.database.db.select().from(ecpContacts).where(eq(ecpContacts.guid, contactId));
    expect(row.deletedAt).not.toBeNull();
    expect((await call('both', 'DELETE', '/clinical/v1/resident/contact', { contactId })).json()).toEqual({ result: 'Error', error: `No contact with contactId ${contactId}` });
  });

  it('a DELETE without residentId unlinks only the residents the client reaches', async () => {
    const { contactId } = (await call('both', 'POST', '/clinical/v1/resident/contact/', { firstName: 'Fay', lastName: 'Half', locationId: AL, residentId: r1 })).json();
    await call('both', 'POST', '/clinical/v1/resident/contact/', { contactId, locationId: MC, residentId: r2 });
    await next('/both', 2);
    await next('/memory');
    expect((await call('memory', 'DELETE', '/clinical/v1/resident/contact', { contactId })).statusCode).toBe(200);
    const [u] = await next('/both');
    expect(u).toMatchObject({ eventName: 'contact.update', data: { contact: { residents: [{ residentId: r1 }] } } });
    expect((await next('/memory'))[0].eventName).toBe('contact.delete');
    const [row] = await t.database.db.select().from(ecpContacts).where(eq(ecpContacts.guid, contactId));
    expect(row.deletedAt).toBeNull();
  });

  it('keeps links within one company: another company can neither link, change nor unlink the contact', async () => {
    const { contactId } = (await call('both', 'POST', '/clinical/v1/resident/contact/', { firstName: 'Gus', lastName: 'Mine', locationId: AL, residentId: r1 })).json();
    await next('/both');
    const theirs = await createResident(t.app, creds.outsider, { firstName: 'Hal', lastName: 'Other', dateOfBirth: '1941-01-01', locationId: 'Other Place' });
    const link = await call('outsider', 'POST', '/clinical/v1/resident/contact', { contactId, locationId: 'Other Place', residentId: theirs });
    expect(link.json()).toEqual({ result: 'Error', error: `No contact with contactId ${contactId}` });
    expect((await call('outsider', 'PUT', '/clinical/v1/resident/contact', { contactId, city: 'X' })).json().error).toBe(`No contact with contactId ${contactId}`);
    expect((await call('outsider', 'DELETE', '/clinical/v1/resident/contact', { contactId, residentId: r1 })).json().error).toBe(`No contact with contactId ${contactId}`);
    // Nor can the contact's company link it to the other company's resident.
    const cross = await call('both', 'POST', '/clinical/v1/resident/contact', { contactId, locationId: 'Other Place', residentId: theirs });
    expect(cross.statusCode).toBe(400);
    expect(cross.json().error).toMatch(/^location is invalid/);
    const links = await t.database.db.select().from(ecpContactResidents).innerJoin(ecpContacts, eq(ecpContacts.id, ecpContactResidents.contactId)).where(eq(ecpContacts.guid, contactId));
    expect(links).toHaveLength(1);
  });
});
