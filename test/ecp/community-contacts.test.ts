/**
 * The Resident File's Contacts tab (`/v1/community/residents/{residentId}/contacts`, `/v1/community/contacts`): list,
 * add, edit, remove, and link an existing contact who is already another resident's contact, with this resident's
 * own relationship and flags. Another company's resident or contact and one outside `locationsAllowed` are 404;
 * a discharged resident's contacts are read-only; reads and changes write audit rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../../src/db/schema.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let token: string;
const COMPANY = 'Evergreen Senior Living';
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, COMPANY, ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  other = await createPartner(t, 'Other Senior Living', ['Other Meadows']);
  const [assisted, memory] = p.locations;
  await insertEcpUser(t, p, 'nurse', { locationGuids: [assisted.locationId] });
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), COMPANY, 'nurse', 'nurse-password-1', { mustChange: false });
  const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: COMPANY, loginName: 'nurse', password: 'nurse-password-1' } });
  token = res.json().token;
  const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  ids.ada = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1935-12-10', locationId: assisted.locationId });
  ids.bob = await createResident(t.app, creds, { firstName: 'Bob', lastName: 'Babbage', dateOfBirth: '1931-12-26', locationId: assisted.locationId });
  ids.gone = await createResident(t.app, creds, { firstName: 'Gus', lastName: 'Gone', dateOfBirth: '1930-01-01', locationId: assisted.locationId });
  ids.memory = await createResident(t.app, creds, { firstName: 'Mem', lastName: 'Elsewhere', dateOfBirth: '1932-02-02', locationId: memory.locationId });
  ids.foreign = await createResident(t.app, otherCreds, { firstName: 'Fay', lastName: 'Foreign', dateOfBirth: '1933-03-03', locationId: other.locations[0].locationId });
  const contact = async (c: typeof creds, body: Record<string, unknown>) => (await clinical(t.app, c, 'POST', '/clinical/v1/resident/contact', body)).json().contactId as string;
  ids.memoryContact = await contact(creds, { firstName: 'Carla', lastName: 'Hidden', locationId: memory.locationId, residentId: ids.memory });
  ids.foreignContact = await contact(otherCreds, { firstName: 'Carla', lastName: 'Faraway', locationId: other.locations[0].locationId, residentId: ids.foreign });
  ids.gusContact = await contact(creds, { firstName: 'Gwen', lastName: 'Gone', locationId: assisted.locationId, residentId: ids.gone, relationship: 'Wife' });
  expect((await clinical(t.app, creds, 'DELETE', '/clinical/v1/resident', { residentId: ids.gone })).statusCode).toBe(200);
});
afterAll(() => t.close());

function call(method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

const lastAudit = async (action: string) => (await t.database.db.select().from(auditEvents)
  .where(and(eq(auditEvents.action, action), eq(auditEvents.actorType, 'ecp_user'), eq(auditEvents.entityType, 'contact')))).at(-1);

describe('Contacts tab: add, list, edit', () => {
  it('adds a contact (201, audited) and lists it with this resident\'s relationship and flags', async () => {
    const res = await call('POST', `/v1/community/residents/${ids.ada}/contacts`, {
      firstName: 'Carol', lastName: 'Kin', relationship: 'Daughter', phone: '555-555-0101', preferredContactMethod: 'Text', healthCarePoa: true, notes: 'Visits Mondays',
    });
    expect(res.statusCode, res.body).toBe(201);
    const contact = res.json().contact;
    expect(contact).toEqual({
      contactId: expect.stringMatching(/^[0-9A-F-]{36}$/), firstName: 'Carol', lastName: 'Kin', address: null, city: null, state: null, zip: null, email: null,
      phone: '555-555-0101', phoneCell: null, phoneWork: null, preferredContactMethod: 'Text', preferredContactTime: null, relationship: 'Daughter', notes: 'Visits Mondays',
      billingContact: false, healthCarePoa: true, healthCarePoaActivated: false, primaryContact: false, providesProducts: false, stateAppointedGuardian: false, otherResidents: [],
    });
    ids.carol = contact.contactId;
    expect(await lastAudit('create')).toMatchObject({ entityIds: [ids.carol] });
    const list = await call('GET', `/v1/community/residents/${ids.ada.toLowerCase()}/contacts`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().contacts).toEqual([contact]);
    expect(await lastAudit('read')).toMatchObject({ entityIds: [ids.ada, ids.carol] });
  });

  it('answers 422 for a missing name, a bad value and a second contact with the same name', async () => {
    const invalid = await call('POST', `/v1/community/residents/${ids.ada}/contacts`, { firstName: 'No', preferredContactMethod: 'Pigeon' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().errors).toEqual(expect.arrayContaining(['lastName is required', 'preferredContactMethod must be one of: Phone, Text, Email']));
    const duplicate = await call('POST', `/v1/community/residents/${ids.ada}/contacts`, { firstName: 'carol', lastName: 'KIN' });
    expect(duplicate.statusCode).toBe(422);
    expect(duplicate.json()).toEqual({ errors: ['A contact with this first and last name already exists for this resident'] });
  });

  it('edits the person and this resident\'s link; null clears', async () => {
    const res = await call('PUT', `/v1/community/residents/${ids.ada}/contacts/${ids.carol.toLowerCase()}`, { phone: null, email: 'carol@example.com', primaryContact: true, notes: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().contact).toMatchObject({ contactId: ids.carol, phone: null, email: 'carol@example.com', primaryContact: true, notes: null, relationship: 'Daughter', healthCarePoa: true });
    expect(await lastAudit('update')).toMatchObject({ entityIds: [ids.carol] });
    const invalid = await call('PUT', `/v1/community/residents/${ids.ada}/contacts/${ids.carol}`, { state: 'Wisconsin' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toEqual({ errors: ['state must be at most 2 characters'] });
  });
});

describe('Contacts tab: link an existing contact', () => {
  it('finds the company\'s contacts at the user\'s locations by name (audited), not another company\'s or another location\'s', async () => {
    const res = await call('GET', '/v1/community/contacts?search=car');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().contacts).toEqual([{ contactId: ids.carol, firstName: 'Carol', lastName: 'Kin', phone: null, email: 'carol@example.com', residents: [{ residentId: ids.ada, firstName: 'Ada', lastName: 'Lovelace', relationship: 'Daughter' }] }]);
    expect(await lastAudit('list')).toMatchObject({ entityIds: [ids.carol] });
    expect((await call('GET', '/v1/community/contacts?search=carol%20k')).json().contacts).toHaveLength(1);
    expect((await call('GET', '/v1/community/contacts?search=%25%25')).json().contacts).toEqual([]);
    const short = await call('GET', '/v1/community/contacts?search=c');
    expect(short.statusCode).toBe(422);
  });

  it('links the contact to a second resident with that resident\'s own relationship and flags', async () => {
    const res = await call('POST', `/v1/community/residents/${ids.bob}/contacts/link`, { contactId: ids.carol.toLowerCase(), relationship: 'Neighbor', billingContact: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().contact).toMatchObject({
      contactId: ids.carol, firstName: 'Carol', relationship: 'Neighbor', billingContact: true, healthCarePoa: false, primaryContact: false,
      otherResidents: [{ residentId: ids.ada, firstName: 'Ada', lastName: 'Lovelace', relationship: 'Daughter' }],
    });
    const ada = (await call('GET', `/v1/community/residents/${ids.ada}/contacts`)).json().contacts;
    expect(ada).toEqual([expect.objectContaining({ relationship: 'Daughter', billingContact: false, healthCarePoa: true, otherResidents: [{ residentId: ids.bob, firstName: 'Bob', lastName: 'Babbage', relationship: 'Neighbor' }] })]);
    // The person's fields are shared; the link's are not.
    await call('PUT', `/v1/community/residents/${ids.bob}/contacts/${ids.carol}`, { city: 'Elkhorn', relationship: 'Friend' });
    const again = (await call('GET', `/v1/community/residents/${ids.ada}/contacts`)).json().contacts[0];
    expect(again).toMatchObject({ city: 'Elkhorn', relationship: 'Daughter' });
  });

  it('answers 404 Contact not found for another company\'s contact, one outside locationsAllowed and an unknown one', async () => {
    for (const contactId of [ids.foreignContact, ids.memoryContact, '00000000-0000-0000-0000-000000000000']) {
      const res = await call('POST', `/v1/community/residents/${ids.bob}/contacts/link`, { contactId, relationship: 'Friend' });
      expect(res.statusCode, contactId).toBe(404);
      expect(res.json()).toEqual({ errors: ['Contact not found'] });
      const put = await call('PUT', `/v1/community/residents/${ids.bob}/contacts/${contactId}`, { city: 'X' });
      expect(put.statusCode).toBe(404);
      expect(put.json()).toEqual({ errors: ['Contact not found'] });
      expect((await call('DELETE', `/v1/community/residents/${ids.bob}/contacts/${contactId}`)).statusCode).toBe(404);
    }
    expect((await call('POST', `/v1/community/residents/${ids.bob}/contacts/link`, {})).statusCode).toBe(422);
  });
});

describe('Contacts tab: the resident\'s reach', () => {
  it('answers 404 Resident not found for another company\'s resident, one outside locationsAllowed, an unknown and a malformed id', async () => {
    for (const id of [ids.foreign, ids.memory, '00000000-0000-0000-0000-000000000000', 'x'.repeat(40)]) {
      for (const [method, url, body] of [
        ['GET', `/v1/community/residents/${id}/contacts`, undefined],
        ['POST', `/v1/community/residents/${id}/contacts`, { firstName: 'A', lastName: 'B' }],
        ['POST', `/v1/community/residents/${id}/contacts/link`, { contactId: ids.carol }],
      ] as const) {
        const res = await call(method, url, body);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json()).toEqual({ errors: ['Resident not found'] });
      }
    }
    // Another resident's contact (at the user's location) is not this resident's.
    const notLinked = await call('PUT', `/v1/community/residents/${ids.bob}/contacts/${ids.gusContact}`, { city: 'X' });
    expect(notLinked.statusCode).toBe(404);
    expect(notLinked.json()).toEqual({ errors: ['Contact not found'] });
  });

  it('keeps a discharged resident\'s contacts read-only', async () => {
    expect((await call('GET', `/v1/community/residents/${ids.gone}/contacts`)).json().contacts).toEqual([expect.objectContaining({ contactId: ids.gusContact, relationship: 'Wife' })]);
    for (const [method, url, body] of [
      ['POST', `/v1/community/residents/${ids.gone}/contacts`, { firstName: 'A', lastName: 'B' }],
      ['POST', `/v1/community/residents/${ids.gone}/contacts/link`, { contactId: ids.carol }],
      ['PUT', `/v1/community/residents/${ids.gone}/contacts/${ids.gusContact}`, { city: 'X' }],
      ['DELETE', `/v1/community/residents/${ids.gone}/contacts/${ids.gusContact}`, undefined],
    ] as const) {
      const res = await call(method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(422);
      expect(res.json()).toEqual({ errors: ['This resident is discharged; reactivate the resident first'] });
    }
  });

  it('answers 401 without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/community/residents/${ids.ada}/contacts` });
    expect(res.statusCode).toBe(401);
  });
});

describe('Contacts tab: remove', () => {
  it('unlinks the contact from one resident (the other keeps it), then deletes it with its last resident (audited)', async () => {
    const first = await call('DELETE', `/v1/community/residents/${ids.bob}/contacts/${ids.carol}`);
    expect(first.statusCode, first.body).toBe(204);
    expect((await call('GET', `/v1/community/residents/${ids.bob}/contacts`)).json().contacts).toEqual([]);
    expect((await call('GET', `/v1/community/residents/${ids.ada}/contacts`)).json().contacts).toEqual([expect.objectContaining({ contactId: ids.carol, otherResidents: [] })]);
    expect(await lastAudit('update')).toMatchObject({ entityIds: [ids.carol, ids.bob] });
    expect((await call('DELETE', `/v1/community/residents/${ids.bob}/contacts/${ids.carol}`)).json()).toEqual({ errors: ['Contact not found'] });
    expect((await call('DELETE', `/v1/community/residents/${ids.ada}/contacts/${ids.carol}`)).statusCode).toBe(204);
    expect(await lastAudit('delete')).toMatchObject({ entityIds: [ids.carol, ids.ada] });
    expect((await call('GET', '/v1/community/contacts?search=carol')).json().contacts).toEqual([]);
  });
});
