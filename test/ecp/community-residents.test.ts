/**
 * The community workspace's Residents screen and General tab (`/v1/community/residents`): list by location, status
 * and search among the user's allowed locations; read; Add New Resident; change; discharge and reactivate. Another
 * company's resident and a location outside `locationsAllowed` are 404; reads and changes write audit rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../../src/db/schema.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let token: string;
let creds: { token: string; apiKey: string };
const COMPANY = 'Evergreen Senior Living';
const ids: Record<string, string> = {};

async function signIn(company: string, loginName: string, password: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company, loginName, password } });
  if (res.statusCode !== 200) throw new Error(`sign in: ${res.statusCode} ${res.body}`);
  return res.json().token;
}

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, COMPANY, ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  other = await createPartner(t, 'Other Senior Living', ['Other Meadows']);
  const [assisted, memory] = p.locations;
  await insertEcpUser(t, p, 'nurse', { locationGuids: [assisted.locationId] });
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), COMPANY, 'nurse', 'nurse-password-1', { mustChange: false });
  token = await signIn(COMPANY, 'nurse', 'nurse-password-1');
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  const future = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  ids.ada = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1935-12-10', locationId: assisted.locationId, room: '101', externalIds: { billingId: 'BILL-77' } });
  ids.bob = await createResident(t.app, creds, { firstName: 'Bob', lastName: 'Babbage', dateOfBirth: '1931-12-26', locationId: assisted.locationId, room: '102' });
  ids.cy = await createResident(t.app, creds, { firstName: 'Cy', lastName: 'Coming', dateOfBirth: '1940-01-01', locationId: assisted.locationId, moveInDate: future });
  ids.memory = await createResident(t.app, creds, { firstName: 'Mem', lastName: 'Elsewhere', dateOfBirth: '1932-02-02', locationId: memory.locationId });
  ids.foreign = await createResident(t.app, otherCreds, { firstName: 'Fay', lastName: 'Foreign', dateOfBirth: '1933-03-03', locationId: other.locations[0].locationId });
});
afterAll(() => t.close());

function call(method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

const names = (res: { json(): { residents: Array<{ firstName: string }> } }) => res.json().residents.map((r) => r.firstName);

describe('GET /v1/community/residents', () => {
  it('lists the active residents of the user\'s allowed locations only, by last name, with pagination', async () => {
    const res = await call('GET', '/v1/community/residents');
    expect(res.statusCode, res.body).toBe(200);
    expect(names(res)).toEqual(['Bob', 'Ada']);
    expect(res.json().pagination).toEqual({ current_page: 1, total_pages: 1, total_count: 2, per_page: 25 });
    expect(res.json().residents[1]).toMatchObject({ residentId: ids.ada, location: 'Evergreen Assisted Living', locationId: p.locations[0].locationId, room: '101', status: 'Active', dischargedAt: null });
    const page2 = await call('GET', '/v1/community/residents?per_page=1&page=2');
    expect(names(page2)).toEqual(['Ada']);
    expect(page2.json().pagination).toEqual({ current_page: 2, total_pages: 2, total_count: 2, per_page: 1 });
  });

  it('filters by status and location, and searches name, room and external id', async () => {
    expect(names(await call('GET', '/v1/community/residents?status=awaiting_move_in'))).toEqual(['Cy']);
    expect(names(await call('GET', '/v1/community/residents?status=discharged'))).toEqual([]);
    expect(names(await call('GET', `/v1/community/residents?locationId=${p.locations[0].locationId.toLowerCase()}`))).toEqual(['Bob', 'Ada']);
    expect(names(await call('GET', '/v1/community/residents?locationId=Evergreen%20Assisted%20Living&search=love'))).toEqual(['Ada']);
    expect(names(await call('GET', '/v1/community/residents?search=ada%20lovelace'))).toEqual(['Ada']);
    expect(names(await call('GET', '/v1/community/residents?search=102'))).toEqual(['Bob']);
    expect(names(await call('GET', '/v1/community/residents?search=bill-77'))).toEqual(['Ada']);
    expect(names(await call('GET', '/v1/community/residents?search=%25'))).toEqual([]);
  });

  it('answers 404 for a location outside locationsAllowed or of another company, 422 for a bad status', async () => {
    for (const loc of [p.locations[1].locationId, other.locations[0].locationId, 'Nowhere']) {
      const res = await call('GET', `/v1/community/residents?locationId=${encodeURIComponent(loc)}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: ['Location not found'] });
    }
    const bad = await call('GET', '/v1/community/residents?status=gone');
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: ['status must be one of: active, awaiting_move_in, discharged'] });
  });

  it('writes one list audit row naming the residents returned', async () => {
    await call('GET', '/v1/community/residents?search=lovelace');
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'list'), eq(auditEvents.actorType, 'ecp_user')));
    expect(rows.at(-1)).toMatchObject({ entityType: 'resident', entityIds: [ids.ada], actorName: 'nurse Staff' });
  });
});

describe('GET /v1/community/residents/{residentId}', () => {
  it('reads a resident and audits the read', async () => {
    const res = await call('GET', `/v1/community/residents/${ids.ada.toLowerCase()}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().resident).toMatchObject({ residentId: ids.ada, firstName: 'Ada', dateOfBirth: '1935-12-10', externalIds: { billingId: 'BILL-77' }, livingWill: false });
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'read'), eq(auditEvents.actorType, 'ecp_user')));
    expect(rows.at(-1)?.entityIds).toEqual([ids.ada]);
  });

  it('answers 404 for another company\'s resident, one outside locationsAllowed, an unknown and a malformed id, and audits none', async () => {
    const before = (await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'read'))).length;
    for (const id of [ids.foreign, ids.memory, '00000000-0000-0000-0000-000000000000', 'x'.repeat(40)]) {
      const res = await call('GET', `/v1/community/residents/${id}`);
      expect(res.statusCode, id).toBe(404);
      expect(res.json()).toEqual({ errors: ['Resident not found'] });
    }
    expect((await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'read'))).length).toBe(before);
  });
});

describe('POST /v1/community/residents (Add New Resident)', () => {
  it('creates the resident at an allowed location through the residents service (audited)', async () => {
    const res = await call('POST', '/v1/community/residents', {
      firstName: 'Dee', lastName: 'New', dateOfBirth: '1944-04-04', locationId: 'Evergreen Assisted Living', codeStatus: 'DNR', room: '110', externalIds: { ehr: 'E-1' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const resident = res.json().resident;
    expect(resident).toMatchObject({ firstName: 'Dee', codeStatus: 'DNR', room: '110', status: 'Active', statusDescription: 'Active Resident', location: 'Evergreen Assisted Living', livingWill: false });
    expect(resident.residentId).toMatch(/^[0-9A-F-]{36}$/);
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'create'), eq(auditEvents.actorType, 'ecp_user')));
    expect(rows.at(-1)).toMatchObject({ entityType: 'resident', entityIds: [resident.residentId] });
    const awaiting = await call('POST', '/v1/community/residents', {
      firstName: 'Eve', lastName: 'Later', dateOfBirth: '1944-04-04', locationId: p.locations[0].locationId, moveInDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(awaiting.json().resident).toMatchObject({ status: 'Inactive', statusDescription: 'Awaiting Move-In' });
  });

  it('answers 404 for a location outside locationsAllowed and 422 with every problem', async () => {
    const outside = await call('POST', '/v1/community/residents', { firstName: 'No', lastName: 'Where', dateOfBirth: '1944-04-04', locationId: p.locations[1].locationId });
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toEqual({ errors: ['Location not found'] });
    const invalid = await call('POST', '/v1/community/residents', { lastName: 'x'.repeat(31), dateOfBirth: '04/04/1944', locationId: p.locations[0].locationId });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().errors).toEqual(expect.arrayContaining(['firstName is required', 'lastName must be at most 30 characters', 'dateOfBirth must be a date in YYYY-MM-DD format']));
    const future = await call('POST', '/v1/community/residents', { firstName: 'Not', lastName: 'Born', dateOfBirth: '2999-01-01', locationId: p.locations[0].locationId });
    expect(future.statusCode).toBe(422);
    expect(future.json()).toEqual({ errors: ['dateOfBirth cannot be in the future'] });
  });
});

describe('PUT /v1/community/residents/{residentId} (General tab), discharge and reactivate', () => {
  it('changes the given fields, clears with null, and answers the stored resident', async () => {
    const res = await call('PUT', `/v1/community/residents/${ids.bob}`, { room: '202', building: 'East Wing', codeStatus: 'DNR', livingWill: true, otherAdvancedDirectives: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().resident).toMatchObject({ residentId: ids.bob, room: '202', building: 'East Wing', codeStatus: 'DNR', livingWill: true });
    const cleared = await call('PUT', `/v1/community/residents/${ids.bob}`, { building: null });
    expect(cleared.json().resident.building).toBeNull();
  });

  it('answers 404 for another company\'s resident and for a move outside locationsAllowed, 422 for bad values', async () => {
    const foreign = await call('PUT', `/v1/community/residents/${ids.foreign}`, { room: '1' });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ errors: ['Resident not found'] });
    const move = await call('PUT', `/v1/community/residents/${ids.bob}`, { locationId: p.locations[1].locationId });
    expect(move.statusCode).toBe(404);
    expect(move.json()).toEqual({ errors: ['Location not found'] });
    const bad = await call('PUT', `/v1/community/residents/${ids.bob}`, { gender: 'Unknown' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: ['gender must be one of: Male, Female, Other'] });
  });

  it('discharges and reactivates with the same residentId; the discharged list shows them meanwhile', async () => {
    const out = await call('POST', `/v1/community/residents/${ids.ada}/discharge`);
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json().resident).toMatchObject({ residentId: ids.ada, status: 'Inactive', statusDescription: 'Discharged', dischargedAt: expect.stringMatching(/\+00:00$/) });
    expect(names(await call('GET', '/v1/community/residents?status=discharged'))).toEqual(['Ada']);
    expect((await call('POST', `/v1/community/residents/${ids.ada}/discharge`)).json()).toEqual({ errors: ['This resident is already discharged'] });
    const change = await call('PUT', `/v1/community/residents/${ids.ada}`, { room: '999' });
    expect(change.statusCode).toBe(422);
    expect(change.json()).toEqual({ errors: ['This resident is discharged; reactivate the resident first'] });

    const back = await call('POST', `/v1/community/residents/${ids.ada}/reactivate`);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().resident).toMatchObject({ residentId: ids.ada, status: 'Active', statusDescription: 'Active Resident', dischargedAt: null });
    const again = await call('POST', `/v1/community/residents/${ids.ada}/reactivate`);
    expect(again.statusCode).toBe(422);
    expect(again.json()).toEqual({ errors: ['This resident is not discharged'] });
    for (const action of ['discharge', 'reactivate']) {
      expect((await call('POST', `/v1/community/residents/${ids.foreign}/${action}`)).statusCode).toBe(404);
      expect((await call('POST', `/v1/community/residents/${ids.memory}/${action}`)).statusCode).toBe(404);
    }
  });
});

describe('PUT /v1/community/residents/{residentId}/diet (Diet tab)', () => {
  it('replaces the given diet fields, clears with null, answers the resident with its diet (audited)', async () => {
    const res = await call('PUT', `/v1/community/residents/${ids.bob}/diet`, { dietPlans: ['Gluten-Free', 'No Added Salt (NAS)'], foodTexture: 'Pureed', specialDietOrders: ['1500 Calorie', '1500 Calorie'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().resident.diet).toEqual({ dietPlans: ['Gluten-Free', 'No Added Salt (NAS)'], foodTexture: 'Pureed', fluidConsistency: null, specialDietOrders: ['1500 Calorie'] });
    const cleared = await call('PUT', `/v1/community/residents/${ids.bob}/diet`, { foodTexture: null, fluidConsistency: 'Thin' });
    expect(cleared.json().resident.diet).toMatchObject({ dietPlans: ['Gluten-Free', 'No Added Salt (NAS)'], foodTexture: null, fluidConsistency: 'Thin' });
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'resident.diet'), eq(auditEvents.actorType, 'ecp_user')));
    expect(rows.at(-1)?.entityIds).toEqual([ids.bob]);
  });

  it('answers 404 for another company\'s resident and one outside locationsAllowed, 422 for values off the seed\'s lists', async () => {
    for (const id of [ids.foreign, ids.memory]) {
      const res = await call('PUT', `/v1/community/residents/${id}/diet`, { foodTexture: 'Pureed' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: ['Resident not found'] });
    }
    const bad = await call('PUT', `/v1/community/residents/${ids.bob}/diet`, { foodTexture: 'Crunchy' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatch(/^foodTexture must be one of: /);
  });
});

describe('PUT /v1/community/residents/{residentId}/level_of_care (Care Plan tab)', () => {
  it('sets the level of care by hand and answers it on the resident (audited)', async () => {
    const res = await call('PUT', `/v1/community/residents/${ids.bob}/level_of_care`, { name: 'Level 2', amount: 1250.5, amountFrequency: 'Monthly', effectiveTimestamp: '2026-11-01T08:00:00Z' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().resident.levelOfCare).toEqual({ name: 'Level 2', amount: 1250.5, amountFrequency: 'Monthly', effectiveTimestamp: '2026-11-01T08:00:00.000+00:00' });
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'resident.levelOfCare'), eq(auditEvents.actorType, 'ecp_user')));
    expect(rows.at(-1)?.entityIds).toEqual([ids.bob]);
  });

  it('answers 404 for another company\'s resident and one outside locationsAllowed, 422 without a name', async () => {
    for (const id of [ids.foreign, ids.memory]) {
      const res = await call('PUT', `/v1/community/residents/${id}/level_of_care`, { name: 'Level 1' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: ['Resident not found'] });
    }
    const bad = await call('PUT', `/v1/community/residents/${ids.bob}/level_of_care`, { amount: 5 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: ['name is required'] });
  });
});

describe('GET and PUT /v1/community/residents/{residentId}/allergies (Allergies tab)', () => {
  it('replaces the whole list (one of each, case-insensitively), reads it back, audits both', async () => {
    const put = await call('PUT', `/v1/community/residents/${ids.bob}/allergies`, { allergies: [' Peanuts ', 'penicillin', 'PEANUTS'] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ allergies: ['Peanuts', 'penicillin'] });
    const fewer = await call('PUT', `/v1/community/residents/${ids.bob}/allergies`, { allergies: ['Penicillin', 'Latex'] });
    expect(fewer.json()).toEqual({ allergies: ['Latex', 'penicillin'] });
    const get = await call('GET', `/v1/community/residents/${ids.bob}/allergies`);
    expect(get.json()).toEqual({ allergies: ['Latex', 'penicillin'] });
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'allergy'), eq(auditEvents.actorType, 'ecp_user')));
    expect(rows.map((r) => r.action)).toEqual(['update', 'update', 'read']);
  });

  it('answers 404 for another company\'s resident and one outside locationsAllowed, 422 for a blank allergy', async () => {
    for (const id of [ids.foreign, ids.memory]) {
      for (const [method, body] of [['GET', undefined], ['PUT', { allergies: ['Peanuts'] }]] as const) {
        const res = await call(method, `/v1/community/residents/${id}/allergies`, body);
        expect(res.statusCode, `${method} ${id}`).toBe(404);
        expect(res.json()).toEqual({ errors: ['Resident not found'] });
      }
    }
    const bad = await call('PUT', `/v1/community/residents/${ids.bob}/allergies`, { allergies: [''] });
    expect(bad.statusCode).toBe(422);
  });
});
