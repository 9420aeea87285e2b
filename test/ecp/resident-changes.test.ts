import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ecpContactResidents, ecpContacts, ecpResidents } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let creds: { token: string; apiKey: string };
let otherCreds: { token: string; apiKey: string };
let now = new Date('2026-03-01T12:00:00Z');
const LOC = 'Evergreen Assisted Living';

const rowOf = async (guid: string) => (await t.database.db.select().from(ecpResidents).where(eq(ecpResidents.guid, guid)))[0];

beforeAll(async () => {
  t = await createTestContext({}, { clock: () => now });
  p = await createPartner(t, 'Evergreen Senior Living', [LOC, 'Evergreen Memory Care']);
  other = await createPartner(t, 'Sunset Homes', ['Sunset Villa']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
});
afterAll(() => t.close());

describe('PUT and DELETE /clinical/v1/resident', () => {
  it('updates given fields, clears with null, and leaves others alone', async () => {
    const id = await createResident(t.app, creds, { firstName: 'Rita', lastName: 'Moreno', dateOfBirth: '1931-12-11', locationId: LOC, nickname: 'Ri', room: '12' });
    const res = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: id, room: '14B', nickname: null, careType: 'Assisted Living', externalIds: { billingid: '77' } });
    expect(res.json(), res.body).toEqual({ result: 'Success', residentId: id });
    expect(await rowOf(id)).toMatchObject({ room: '14B', nickname: null, careType: 'Assisted Living', firstName: 'Rita', externalIds: { billingid: '77' } });
    const bad = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: id, careType: 'Hotel', middleName: 'AB' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/careType must be one of/);
    expect(bad.json().error).toMatch(/middleName must be at most 1 characters/);
    const moved = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: id, locationId: 'Evergreen Memory Care' });
    expect(moved.statusCode).toBe(200);
    const foreignMove = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: id, locationId: 'Sunset Villa' });
    expect(foreignMove.json()).toEqual({ result: 'Error', error: 'location is invalid' });
  });

  it('puts a resident on leave, discharges, refuses changes while discharged, and reactivates with the same residentId', async () => {
    const id = await createResident(t.app, creds, { firstName: 'Leo', lastName: 'Tolstoy', dateOfBirth: '1928-09-09', locationId: LOC });
    await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: id, status: 'Inactive', statusDescription: 'Hospital' });
    expect(await rowOf(id)).toMatchObject({ status: 'Inactive', statusDescription: 'Hospital' });
    const del = await clinical(t.app, creds, 'DELETE', `/clinical/v1/resident?residentId=${id}`);
    expect(del.json(), del.body).toEqual({ result: 'Success', residentId: id });
    expect(await rowOf(id)).toMatchObject({ status: 'Inactive', statusDescription: 'Discharged', dischargedAt: now });
    const again = await clinical(t.app, creds, 'DELETE', '/clinical/v1/resident', { residentId: id });
    expect(again.json()).toEqual({ result: 'Error', error: 'This resident is already discharged' });
    const change = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: id, room: '1' });
    expect(change.json().error).toMatch(/discharged; send status "Active" to reactivate/);
    // Discharged residents are not matched by name for clinical records.
    const vital = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/allergy', { allergy: 'Dust', location: LOC, firstName: 'Leo', lastName: 'Tolstoy', dateOfBirth: '1928-09-09' });
    expect(vital.json().error).toMatch(/No resident at this location matches/);
    const back = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: id, status: 'Active' });
    expect(back.json()).toEqual({ result: 'Success', residentId: id });
    expect(await rowOf(id)).toMatchObject({ status: 'Active', statusDescription: 'Active Resident', dischargedAt: null });
  });

  it('answers "No resident" for an unknown id and for another company\'s resident, and needs resident.write', async () => {
    const id = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'King', dateOfBirth: '1935-12-10', locationId: LOC });
    for (const [c, rid] of [[creds, '00000000-0000-0000-0000-000000000000'], [otherCreds, id]] as const) {
      const res = await clinical(t.app, c, 'PUT', '/clinical/v1/resident', { residentId: rid, room: '9' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe(`No resident with residentId ${rid}`);
    }
    const missing = await clinical(t.app, creds, 'DELETE', '/clinical/v1/resident');
    expect(missing.json()).toEqual({ result: 'Error', error: 'residentId is required' });
    const token = await tokenFor(t.app, p, 'resident.read');
    expect((await clinical(t.app, { token, apiKey: p.api_key }, 'DELETE', `/clinical/v1/resident?residentId=${id}`)).statusCode).toBe(403);
  });
});

describe('diet and level of care', () => {
  it('replaces diet fields with the seed enums and refuses others', async () => {
    const id = await createResident(t.app, creds, { firstName: 'Ed', lastName: 'Diet', dateOfBirth: '1940-02-02', locationId: LOC });
    // The seed's diet.update sample, as a request.
    const res = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/diet', {
      residentId: id, dietPlans: ['Fat-Restricted', 'Gluten-Free'], fluidConsistency: 'Thin', foodTexture: 'Regular/Easy to Chew', specialDietOrders: ['1500 Calorie', 'Minced Meats'],
    });
    expect(res.json(), res.body).toEqual({ result: 'Success', residentId: id });
    expect(await rowOf(id)).toMatchObject({ dietPlans: ['Fat-Restricted', 'Gluten-Free'], fluidConsistency: 'Thin', foodTexture: 'Regular/Easy to Chew', specialDietOrders: ['1500 Calorie', 'Minced Meats'] });
    await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/diet', { residentId: id, foodTexture: null });
    expect(await rowOf(id)).toMatchObject({ dietPlans: ['Fat-Restricted', 'Gluten-Free'], foodTexture: null });
    const bad = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/diet', { residentId: id, dietPlans: ['Keto'], fluidConsistency: 'Thick' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/dietPlans.0 must be one of: 2-gram Sodium/);
    expect(bad.json().error).toMatch(/fluidConsistency must be one of: Thin, Slightly Thick/);
  });

  it('sets the level of care from the seed sample', async () => {
    const id = await createResident(t.app, creds, { firstName: 'Lo', lastName: 'Care', dateOfBirth: '1940-02-02', locationId: LOC });
    const res = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/level-of-care', {
      residentId: id, amount: 1500.0, amountFrequency: 'Monthly', effectiveTimestamp: '2024-02-02T17:47:21.823+00:00', name: 'Pro Max',
    });
    expect(res.json(), res.body).toEqual({ result: 'Success', residentId: id });
    expect(await rowOf(id)).toMatchObject({ levelOfCareName: 'Pro Max', levelOfCareAmount: '1500.00', levelOfCareAmountFrequency: 'Monthly', levelOfCareEffectiveAt: new Date('2024-02-02T17:47:21.823Z') });
    const bad = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/level-of-care', { residentId: id, amountFrequency: 'Weekly' });
    expect(bad.json().error).toMatch(/name is required/);
    expect(bad.json().error).toMatch(/amountFrequency must be one of: Monthly, Daily/);
  });
});

describe('PUT and DELETE /clinical/v1/resident/contact/', () => {
  it('updates, refuses a rename onto another contact, and deletes by body or query string', async () => {
    const rid = await createResident(t.app, creds, { firstName: 'Co', lastName: 'Resident', dateOfBirth: '1940-02-02', locationId: LOC });
    const mk = async (firstName: string) => (await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact/', { firstName, lastName: 'Tester', locationId: LOC, residentId: rid })).json().contactId as string;
    const jamie = await mk('Jamie');
    const sam = await mk('Sam');
    const upd = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/contact/', { contactId: jamie, phone: '555-555-0000', zip: 53121, primaryContact: 1, notes: null });
    expect(upd.json(), upd.body).toEqual({ result: 'Success', contactId: jamie });
    const [row] = await t.database.db.select().from(ecpContacts).innerJoin(ecpContactResidents, eq(ecpContactResidents.contactId, ecpContacts.id)).where(eq(ecpContacts.guid, jamie));
    expect(row.ecp_contacts).toMatchObject({ phone: '555-555-0000', zip: '53121', firstName: 'Jamie' });
    expect(row.ecp_contact_residents).toMatchObject({ primaryContact: true, notes: null });
    const clash = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/contact', { contactId: jamie, firstName: 'SAM' });
    expect(clash.json()).toEqual({ result: 'Error', error: 'A contact with this first and last name already exists for this resident', contactId: sam });
    expect((await clinical(t.app, creds, 'DELETE', '/clinical/v1/resident/contact/', { contactId: sam })).json()).toEqual({ result: 'Success', contactId: sam });
    expect((await clinical(t.app, creds, 'DELETE', `/clinical/v1/resident/contact?contactId=${sam}`)).json()).toEqual({ result: 'Error', error: `No contact with contactId ${sam}` });
    // The name is free again once the contact is deleted.
    expect((await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/contact', { contactId: jamie, firstName: 'Sam' })).statusCode).toBe(200);
    const foreign = await clinical(t.app, otherCreds, 'DELETE', '/clinical/v1/resident/contact', { contactId: jamie });
    expect(foreign.json()).toEqual({ result: 'Error', error: `No contact with contactId ${jamie}` });
  });
});

describe('the move-in job', () => {
  it('activates residents on their move-in date in the company time zone, and only then', async () => {
    now = new Date('2026-03-01T12:00:00Z');
    const id = await createResident(t.app, creds, { firstName: 'Mo', lastName: 'Vin', dateOfBirth: '1940-02-02', locationId: LOC, moveInDate: '2026-03-03' });
    expect(await rowOf(id)).toMatchObject({ status: 'Inactive', statusDescription: 'Awaiting Move-In' });
    now = new Date('2026-03-03T07:00:00Z'); // 23:00 on March 2 in Los Angeles
    expect(await t.services.residents.activateMoveIns()).toBe(0);
    now = new Date('2026-03-03T08:30:00Z'); // 00:30 on March 3 in Los Angeles
    expect(await t.services.residents.activateMoveIns()).toBe(1);
    expect(await rowOf(id)).toMatchObject({ status: 'Active', statusDescription: 'Active Resident' });
    expect(await t.services.residents.activateMoveIns()).toBe(0);
  });
});

describe('GET /clinical/v1/resident', () => {
  it('lists the seed resident object with location, diet, level of care and allergies; filters; pages; hides discharged', async () => {
    now = new Date('2026-03-01T12:30:00Z'); // within the token's hour
    const loc = 'Evergreen Memory Care';
    const id = await createResident(t.app, creds, {
      firstName: 'Gus', lastName: 'Aaberg', dateOfBirth: '1930-01-01', locationId: loc, codeStatus: 'DNR', externalIds: { billingid: 'B1' }, moveInDate: '2020-01-01',
    });
    await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/diet', { residentId: id, dietPlans: ['Renal'] });
    await clinical(t.app, creds, 'POST', '/clinical/v1/resident/allergy', { allergy: 'Latex', location: loc, residentId: id });
    const res = await clinical(t.app, creds, 'GET', `/clinical/v1/resident?location=${encodeURIComponent(loc)}`);
    expect(res.statusCode, res.body).toBe(200);
    const gus = res.json().data.find((d: { residentId: string }) => d.residentId === id);
    expect(gus).toEqual({
      building: null, careType: null, codeStatus: 'DNR (Do Not Resuscitate)', dateOfBirth: '1930-01-01', email: null, externalIds: { billingid: 'B1' },
      firstName: 'Gus', gender: null, lastName: 'Aaberg', livingWill: false, middleName: null, nickname: null, otherAdvancedDirectives: null, phone: null,
      residentId: id, room: null, status: 'Active', statusDescription: 'Active Resident', suffix: null,
      locationId: p.locations[1].locationId, location: loc, moveInDate: '2020-01-01', allergies: ['Latex'],
      diet: { dietPlans: ['Renal'], fluidConsistency: null, foodTexture: null, specialDietOrders: [] },
      levelOfCare: { amount: null, amountFrequency: null, effectiveTimestamp: null, name: null },
    });
    const one = await clinical(t.app, creds, 'GET', '/clinical/v1/resident', { residentId: id.toLowerCase() });
    expect(one.json().numberOfResults).toBe(1);
    await clinical(t.app, creds, 'DELETE', '/clinical/v1/resident', { residentId: id });
    expect((await clinical(t.app, creds, 'GET', '/clinical/v1/resident', { residentId: id })).json().numberOfResults).toBe(0);
    const withDischarged = await clinical(t.app, creds, 'GET', `/clinical/v1/resident?residentId=${id}&includeDischarged=true`);
    expect(withDischarged.json().data[0]).toMatchObject({ status: 'Inactive', statusDescription: 'Discharged' });
    const all = await clinical(t.app, creds, 'GET', '/clinical/v1/resident');
    const names = all.json().data.map((d: { lastName: string }) => d.lastName);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' }) || 0));
    expect((await clinical(t.app, otherCreds, 'GET', '/clinical/v1/resident')).json()).toEqual({ result: 'Success', numberOfResults: 0, data: [] });
  });
});

describe('review findings', () => {
  it('ignores ids and tenant columns in a contact PUT body', async () => {
    now = new Date('2026-03-01T12:30:00Z');
    const rid = await createResident(t.app, creds, { firstName: 'Ten', lastName: 'Ant', dateOfBirth: '1940-02-02', locationId: LOC });
    const { contactId } = (await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact/', { firstName: 'Keep', lastName: 'Home', locationId: LOC, residentId: rid })).json();
    const [before] = await t.database.db.select().from(ecpContacts).where(eq(ecpContacts.guid, contactId));
    const res = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/contact', { contactId, city: 'Elkhorn', organizationId: 999, locationId: 999, guid: 'X', id: 1, deletedAt: 'now' });
    expect(res.statusCode, res.body).toBe(200);
    const [after] = await t.database.db.select().from(ecpContacts).where(eq(ecpContacts.guid, contactId));
    expect(after).toMatchObject({ organizationId: before.organizationId, locationId: before.locationId, id: before.id, deletedAt: null, city: 'Elkhorn' });
  });

  it('answers 400, not 500, for a leap-second timestamp the calendar cannot hold', async () => {
    const rid = await createResident(t.app, creds, { firstName: 'Leap', lastName: 'Second', dateOfBirth: '1940-02-02', locationId: LOC });
    const res = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/level-of-care', { residentId: rid, name: 'L1', effectiveTimestamp: '2016-12-31T23:59:60Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/effectiveTimestamp must be an ISO 8601 date and time/);
    const get = await clinical(t.app, creds, 'GET', `/clinical/v1/resident/vital/pulse?location=${encodeURIComponent(LOC)}&startingDateTime=2016-12-31T23:59:60Z`);
    expect(get.statusCode).toBe(400);
  });

  it('keeps one contact per name and a complete allergy list under concurrent requests', async () => {
    const rid = await createResident(t.app, creds, { firstName: 'Con', lastName: 'Current', dateOfBirth: '1940-02-02', locationId: LOC });
    const dup = await Promise.all([1, 2, 3].map(() => clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact/', { firstName: 'Same', lastName: 'Name', locationId: LOC, residentId: rid })));
    expect(dup.map((r) => r.statusCode).sort()).toEqual([200, 400, 400]);
    await Promise.all(['Peanuts', 'Latex', 'Bees'].map((allergy) => clinical(t.app, creds, 'POST', '/clinical/v1/resident/allergy', { allergy, location: LOC, residentId: rid })));
    const list = await clinical(t.app, creds, 'GET', '/clinical/v1/resident', { residentId: rid });
    expect(list.json().data[0].allergies).toEqual(['Bees', 'Latex', 'Peanuts']);
  });

  it('refuses an impossible date of birth when matching by name', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/allergy', { allergy: 'Dust', location: LOC, firstName: 'A', lastName: 'B', dateOfBirth: '1950-02-30' });
    expect(res.json()).toEqual({ result: 'Error', error: 'dateOfBirth must be a date in YYYY-MM-DD format' });
  });
});
