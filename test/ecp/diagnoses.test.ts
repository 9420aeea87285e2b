/**
 * `POST` and `GET /clinical/v1/resident/diagnosis` (seed 000) on a real database with CMS's FY2026 code set (the
 * set the project ships, imported once into the template database):
 * each identification mode, code checks, request problems naming the field, paging, ranges, JSON-body GET,
 * scopes, company isolation, audit rows, and syntax-only mode without a code set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { auditEvents, ecpDiagnoses, ecpLocations, ecpResidents, ecpUsers, icd10cmCodeSets } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';

const URL = '/clinical/v1/resident/diagnosis';

interface Company {
  p: Partner;
  creds: { token: string; apiKey: string };
  /** ecp_locations.id by location name. */
  locationIds: Record<string, number>;
}

/** A partner of `company` (every scope) with an ECP user `loginName` allowed at every location. */
async function company(t: TestContext, name: string, locations: string[], loginName: string): Promise<Company> {
  const p = await createPartner(t, name, locations);
  const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const rows = await t.database.db.select().from(ecpLocations).where(inArray(ecpLocations.guid, p.locations.map((l) => l.locationId)));
  const locationIds = Object.fromEntries(rows.map((r) => [r.name, r.id]));
  await t.database.db.insert(ecpUsers).values({
    organizationId: p.company_id, guid: crypto.randomUUID().toUpperCase(), loginName, firstName: 'Nina', lastName: 'Nurse',
    userGroup: 'Nurses', role: 'Nurse', chartingInitials: 'NN', locationIds: Object.values(locationIds),
  });
  return { p, creds, locationIds };
}

async function resident(t: TestContext, c: Company, location: string, body: Record<string, unknown>): Promise<string> {
  const res = await clinical(t.app, c.creds, 'POST', '/clinical/v1/resident', { locationId: location, ...body });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json().residentId;
}

let t: TestContext;
let ev: Company;
let other: Company;
let jamesId: string;
let marthaId: string;

/** The seed's fields: user, code and/or diagnosis, comment, location, timestamp; resident by name and date of birth. */
const byName = (extra: Record<string, unknown> = {}) => ({
  loginName: 'nnurse', code: 'E11.9', comment: 'Diet controlled', location: 'Evergreen Assisted Living',
  timestamp: '2025-11-03T13:37:27+00:00', firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', ...extra,
});

async function diagnosesOf(residentGuid: string) {
  const [r] = await t.database.db.select().from(ecpResidents).where(eq(ecpResidents.guid, residentGuid));
  return t.database.db.select().from(ecpDiagnoses).where(eq(ecpDiagnoses.residentId, r.id)).orderBy(ecpDiagnoses.id);
}

beforeAll(async () => {
  t = await createTestContext();
  expect(await t.services.codes.loadedYears()).toEqual([2026]);
  ev = await company(t, 'Evergreen Senior Living', ['Evergreen Assisted Living', 'Evergreen Memory Care'], 'nnurse');
  other = await company(t, 'Other Senior Living', ['Other House'], 'ootheruser');
  jamesId = await resident(t, ev, 'Evergreen Assisted Living', { firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', externalIds: { MRN: 'A-1001', PCC: '77' } });
  marthaId = await resident(t, ev, 'Evergreen Assisted Living', { firstName: 'Martha', lastName: 'Jones', dateOfBirth: '1944-01-09' });
  // Two residents with the same name and date of birth at one location.
  await resident(t, ev, 'Evergreen Assisted Living', { firstName: 'Ann', lastName: 'Lee', dateOfBirth: '1940-03-03' });
  await resident(t, ev, 'Evergreen Assisted Living', { firstName: 'Ann', lastName: 'Lee', dateOfBirth: '1940-03-03' });
}, 180_000);
afterAll(() => t.close());

describe('POST /clinical/v1/resident/diagnosis', () => {
  it('adds a diagnosis by name and date of birth: code stored undotted with its year, the code set\'s description', async () => {
    const res = await clinical(t.app, ev.creds, 'POST', URL, byName({ diagnosis: 'ignored when a code is given' }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 'Success' });
    const [row] = await diagnosesOf(jamesId);
    expect(row).toMatchObject({
      code: 'E119', codeSetYear: 2026, diagnosis: 'Type 2 diabetes mellitus without complications', comment: 'Diet controlled',
      recordedAt: new Date('2025-11-03T13:37:27Z'), locationId: ev.locationIds['Evergreen Assisted Living'],
    });
    const [audit] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityType, 'diagnosis')).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ action: 'create', actorType: 'partner', actorId: ev.p.client_id, entityIds: [jamesId], organizationId: ev.p.company_id });
  });

  it('identifies the resident by residentId and by external id; locationId (GUID) works too; E119 any case', async () => {
    const byId = await clinical(t.app, ev.creds, 'POST', URL, {
      loginName: 'NNURSE', code: 'i10', locationId: ev.p.locations[0].locationId, timestamp: '2025-11-04T08:00:00.250-05:00', residentId: marthaId.toLowerCase(),
    });
    expect(byId.statusCode, byId.body).toBe(200);
    expect(await diagnosesOf(marthaId)).toMatchObject([{ code: 'I10', diagnosis: 'Essential (primary) hypertension', comment: null, recordedAt: new Date('2025-11-04T13:00:00.250Z') }]);
    const byExternal = await clinical(t.app, ev.creds, 'POST', URL, {
      loginName: 'nnurse', code: 'F03.90', location: 'Evergreen Assisted Living', timestamp: '2025-11-05T09:00:00Z',
      externalIdName: 'MRN', externalIdValue: 'A-1001', firstName: 'Ignored', lastName: 'Ignored', dateOfBirth: '2000-01-01',
    });
    expect(byExternal.statusCode, byExternal.body).toBe(200);
    expect((await diagnosesOf(jamesId)).map((d) => d.code)).toEqual(['E119', 'F0390']);
  });

  it('takes a description alone (no code)', async () => {
    const res = await clinical(t.app, ev.creds, 'POST', URL, byName({ code: undefined, diagnosis: 'Mild cognitive decline, family reports', comment: undefined }));
    expect(res.statusCode, res.body).toBe(200);
    expect((await diagnosesOf(jamesId)).at(-1)).toMatchObject({ code: null, codeSetYear: null, diagnosis: 'Mild cognitive decline, family reports', comment: null });
  });

  it('refuses codes that are not billable ICD-10-CM codes', async () => {
    const header = await clinical(t.app, ev.creds, 'POST', URL, byName({ code: 'E11' }));
    expect(header.statusCode).toBe(400);
    expect(header.json().error).toMatch(/^code E11 \(Type 2 diabetes mellitus\) is a category header, not a billable ICD-10-CM code \(FY2026\): use a more specific code/);
    expect((await clinical(t.app, ev.creds, 'POST', URL, byName({ code: 'E11.99' }))).json()).toEqual({ result: 'Error', error: 'code E11.99 is not an ICD-10-CM code (FY2026)' });
    expect((await clinical(t.app, ev.creds, 'POST', URL, byName({ code: '250.00' }))).json().error).toMatch(/^code 250\.00 is not ICD-10-CM syntax/);
  });

  it('answers 400 naming the field for each request problem, and writes nothing', async () => {
    const before = (await diagnosesOf(jamesId)).length;
    const cases: Array<[Record<string, unknown>, string | RegExp]> = [
      [byName({ loginName: undefined }), 'loginName is required'],
      [byName({ loginName: 'nobody' }), 'loginName nobody is not a user of this company'],
      [byName({ loginName: 'ootheruser' }), 'loginName ootheruser is not a user of this company'],
      [byName({ code: undefined, diagnosis: undefined }), 'code or diagnosis is required'],
      [byName({ code: ' ', diagnosis: '' }), 'code or diagnosis is required'],
      [byName({ comment: 'x'.repeat(2001) }), 'comment must be at most 2000 characters'],
      [byName({ timestamp: undefined }), 'timestamp is required'],
      [byName({ timestamp: '2025-05-05 13:37:27' }), 'timestamp must be an ISO 8601 date and time (2025-05-05T13:37:27+00:00; without an offset, the location\'s time) or a date (YYYY-MM-DD)'],
      [byName({ timestamp: '2025-02-30T13:37:27Z' }), 'timestamp must be an ISO 8601 date and time (2025-05-05T13:37:27+00:00; without an offset, the location\'s time) or a date (YYYY-MM-DD)'],
      [byName({ timestamp: 'yesterday' }), 'timestamp must be an ISO 8601 date and time (2025-05-05T13:37:27+00:00; without an offset, the location\'s time) or a date (YYYY-MM-DD)'],
      [byName({ timestamp: '2999-01-01T00:00:00Z' }), 'timestamp cannot be in the future'],
      [byName({ location: undefined }), 'location or locationId is required'],
      [byName({ location: 'Other House' }), 'location is invalid'],
      [byName({ location: other.p.locations[0].locationId }), 'location is invalid'],
      [byName({ firstName: 'Jim' }), 'No resident at this location matches firstName, lastName and dateOfBirth'],
      [byName({ location: 'Evergreen Memory Care' }), 'No resident at this location matches firstName, lastName and dateOfBirth'],
      [byName({ firstName: 'Ann', lastName: 'Lee', dateOfBirth: '1940-03-03' }), /^Several residents at this location match firstName, lastName and dateOfBirth/],
      [byName({ firstName: undefined, lastName: undefined, dateOfBirth: undefined }), /^Identify the resident by residentId/],
      [byName({ dateOfBirth: undefined }), 'dateOfBirth is required to identify the resident by name and date of birth'],
      [byName({ externalIdName: 'MRN', externalIdValue: 'nope' }), 'No resident at this location has the external id MRN = nope'],
      [byName({ residentId: '00000000-0000-0000-0000-000000000000' }), 'No resident at this location has residentId 00000000-0000-0000-0000-000000000000'],
    ];
    for (const [body, error] of cases) {
      const res = await clinical(t.app, ev.creds, 'POST', URL, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(res.json().result).toBe('Error');
      if (typeof error === 'string') expect(res.json().error).toBe(error);
      else expect(res.json().error).toMatch(error);
    }
    expect((await diagnosesOf(jamesId)).length).toBe(before);
  });
});

describe('GET /clinical/v1/resident/diagnosis', () => {
  const memoryCare = 'Evergreen Memory Care';
  let roseId: string;

  beforeAll(async () => {
    roseId = await resident(t, ev, memoryCare, { firstName: 'Rose', lastName: 'Park', dateOfBirth: '1938-12-24', externalIds: { MRN: 'M-1' } });
    const [rose] = await t.database.db.select().from(ecpResidents).where(eq(ecpResidents.guid, roseId));
    const [user] = await t.database.db.select().from(ecpUsers).where(eq(ecpUsers.loginName, 'nnurse'));
    const start = Date.parse('2025-01-01T00:00:00Z');
    await t.database.db.insert(ecpDiagnoses).values(Array.from({ length: 150 }, (_, i) => ({
      organizationId: ev.p.company_id, locationId: ev.locationIds[memoryCare], residentId: rose.id, userId: user.id,
      code: i % 2 ? 'I10' : null, diagnosis: `Diagnosis ${i}`, comment: null, codeSetYear: i % 2 ? 2026 : null,
      // Insertion order is not timestamp order, and every instant has two rows (ties go by id).
      recordedAt: new Date(start + ((i * 7) % 75) * 3_600_000),
    })));
  });

  it('lists a location\'s diagnoses with the seed\'s fields', async () => {
    const res = await clinical(t.app, ev.creds, 'GET', `${URL}?location=${encodeURIComponent('Evergreen Assisted Living')}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.result).toBe('Success');
    expect(body.numberOfResults).toBe(body.data.length);
    expect(body.data[0]).toEqual({
      code: 'E11.9', location: 'Evergreen Assisted Living', diagnosis: 'Type 2 diabetes mellitus without complications', comment: 'Diet controlled',
      timestamp: '2025-11-03T13:37:27.000+00:00', firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', loginName: 'nnurse',
      residentId: jamesId, externalIds: [{ MRN: 'A-1001' }, { PCC: '77' }],
    });
    expect(body.data.map((d: { timestamp: string }) => d.timestamp)).toEqual([...body.data.map((d: { timestamp: string }) => d.timestamp)].sort());
    expect(body.data.find((d: { code: string | null }) => d.code === null)).toMatchObject({ diagnosis: 'Mild cognitive decline, family reports' });
    const martha = body.data.find((d: { firstName: string }) => d.firstName === 'Martha');
    expect(martha).toMatchObject({ code: 'I10', timestamp: '2025-11-04T13:00:00.250+00:00', externalIds: [] });
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'diagnosis'), eq(auditEvents.action, 'list'))).orderBy(desc(auditEvents.id)).limit(1);
    expect(new Set(audit.entityIds)).toEqual(new Set([jamesId, marthaId]));
  });

  it('pages by 100, sorted by timestamp then order of recording', async () => {
    const page1 = (await clinical(t.app, ev.creds, 'GET', `${URL}?locationId=${ev.p.locations[1].locationId}`)).json();
    const page2 = (await clinical(t.app, ev.creds, 'GET', `${URL}?location=${encodeURIComponent(memoryCare)}&page=2`)).json();
    const page3 = (await clinical(t.app, ev.creds, 'GET', `${URL}?location=${encodeURIComponent(memoryCare)}&page=3`)).json();
    expect([page1.numberOfResults, page1.data.length, page2.numberOfResults, page2.data.length]).toEqual([150, 100, 150, 50]);
    expect(page3).toEqual({ result: 'Success', numberOfResults: 150, data: [] });
    const all = [...page1.data, ...page2.data];
    const rows = await t.database.db.select().from(ecpDiagnoses).where(eq(ecpDiagnoses.locationId, ev.locationIds[memoryCare]));
    const expected = [...rows].sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime() || a.id - b.id).map((r) => r.diagnosis);
    expect(all.map((d) => d.diagnosis)).toEqual(expected);
    expect(new Set(all.map((d) => d.diagnosis)).size).toBe(150);
    expect(all.find((d) => d.diagnosis === 'Diagnosis 1')).toMatchObject({ code: 'I10', firstName: 'Rose', externalIds: [{ MRN: 'M-1' }] });
  });

  it('filters by startingDateTime and endingDateTime (inclusive), from the query string or a JSON body', async () => {
    const range = { location: memoryCare, startingDateTime: '2025-01-02T00:00:00+00:00', endingDateTime: '2025-01-03T01:00:00+01:00' };
    const q = await clinical(t.app, ev.creds, 'GET', `${URL}?${new URLSearchParams(range)}`);
    const b = await clinical(t.app, ev.creds, 'GET', URL, { ...range, page: 1 });
    expect(q.statusCode, q.body).toBe(200);
    expect(b.json()).toEqual(q.json());
    const rows = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(ecpDiagnoses).where(and(
      eq(ecpDiagnoses.locationId, ev.locationIds[memoryCare]),
      sql`${ecpDiagnoses.recordedAt} BETWEEN '2025-01-02T00:00:00Z' AND '2025-01-03T00:00:00Z'`,
    ));
    expect(q.json().numberOfResults).toBe(rows[0].n);
    expect(q.json().numberOfResults).toBeGreaterThan(20);
    for (const d of q.json().data) expect(d.timestamp >= '2025-01-02T00:00:00.000+00:00' && d.timestamp <= '2025-01-03T00:00:00.000+00:00').toBe(true);
    const onlyStart = (await clinical(t.app, ev.creds, 'GET', URL, { locationId: memoryCare, startingDateTime: '2025-01-07T00:00:00Z' })).json();
    expect(onlyStart.numberOfResults).toBe((await t.database.db.select({ n: sql<number>`count(*)::int` }).from(ecpDiagnoses).where(and(
      eq(ecpDiagnoses.locationId, ev.locationIds[memoryCare]), sql`${ecpDiagnoses.recordedAt} >= '2025-01-07T00:00:00Z'`,
    )))[0].n);
  });

  it('answers 400 naming the parameter', async () => {
    const err = async (url: string, body?: unknown) => (await clinical(t.app, ev.creds, 'GET', url, body)).json();
    expect(await err(URL)).toEqual({ result: 'Error', error: 'location or locationId is required' });
    expect(await err(`${URL}?location=Other%20House`)).toEqual({ result: 'Error', error: 'location is invalid' });
    expect(await err(URL, { location: memoryCare, startingDateTime: 'last week' })).toEqual({ result: 'Error', error: 'startingDateTime must be an ISO 8601 date and time (2025-05-05T13:37:27+00:00; without an offset, the location\'s time) or a date (YYYY-MM-DD)' });
    expect(await err(URL, { location: memoryCare, page: 0 })).toEqual({ result: 'Error', error: 'page must be at least 1' });
    expect(await err(URL, { location: memoryCare, startingDateTime: '2025-02-01T00:00:00Z', endingDateTime: '2025-01-01T00:00:00Z' }))
      .toEqual({ result: 'Error', error: 'endingDateTime must not be before startingDateTime' });
  });
});

describe('scopes and companies', () => {
  it('needs diagnosis.write to add and diagnosis.read to list', async () => {
    const readOnly = { token: await tokenFor(t.app, ev.p, 'diagnosis.read'), apiKey: ev.p.api_key };
    const writeOnly = { token: await tokenFor(t.app, ev.p, 'diagnosis.write'), apiKey: ev.p.api_key };
    const post = await clinical(t.app, readOnly, 'POST', URL, byName());
    expect(post.statusCode).toBe(403);
    expect(post.json()).toEqual({ result: 'Error', error: 'This token lacks the scope diagnosis.write' });
    expect((await clinical(t.app, writeOnly, 'GET', `${URL}?location=Evergreen%20Memory%20Care`)).statusCode).toBe(403);
    expect((await clinical(t.app, readOnly, 'GET', `${URL}?location=Evergreen%20Memory%20Care`)).statusCode).toBe(200);
    expect((await clinical(t.app, writeOnly, 'POST', URL, byName({ timestamp: '2025-12-01T00:00:00Z' }))).statusCode).toBe(200);
    expect((await clinical(t.app, { apiKey: ev.p.api_key }, 'GET', `${URL}?location=Evergreen%20Memory%20Care`)).statusCode).toBe(401);
  });

  it('keeps each company to its own locations and residents', async () => {
    const mine = await resident(t, other, 'Other House', { firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02' });
    const post = await clinical(t.app, other.creds, 'POST', URL, byName({ loginName: 'ootheruser', location: 'Other House', code: 'I10' }));
    expect(post.statusCode, post.body).toBe(200);
    expect((await diagnosesOf(mine)).map((d) => d.code)).toEqual(['I10']);
    // Other's token cannot reach Evergreen's locations, by name or GUID, nor name Evergreen's residents.
    expect((await clinical(t.app, other.creds, 'GET', `${URL}?location=Evergreen%20Assisted%20Living`)).json()).toEqual({ result: 'Error', error: 'location is invalid' });
    expect((await clinical(t.app, other.creds, 'GET', URL, { locationId: ev.p.locations[0].locationId })).json()).toEqual({ result: 'Error', error: 'location is invalid' });
    expect((await clinical(t.app, other.creds, 'POST', URL, byName({ loginName: 'ootheruser', location: 'Other House', firstName: undefined, residentId: jamesId }))).json().error)
      .toBe(`No resident at this location has residentId ${jamesId}`);
    const list = (await clinical(t.app, other.creds, 'GET', `${URL}?location=Other%20House`)).json();
    expect(list.numberOfResults).toBe(1);
    expect(list.data[0]).toMatchObject({ location: 'Other House', residentId: mine, loginName: 'ootheruser' });
    const evergreen = (await clinical(t.app, ev.creds, 'GET', `${URL}?location=Evergreen%20Assisted%20Living`)).json();
    expect(evergreen.data.some((d: { residentId: string }) => d.residentId === mine)).toBe(false);
  });
});

describe('without a code set', () => {
  let bare: TestContext;
  let c: Company;
  beforeAll(async () => {
    bare = await createTestContext();
    await bare.database.db.delete(icd10cmCodeSets);
    c = await company(bare, 'Syntax Only Living', ['Syntax House'], 'suser');
    await resident(bare, c, 'Syntax House', { firstName: 'Ida', lastName: 'Moss', dateOfBirth: '1941-07-07' });
  });
  afterAll(() => bare.close());

  it('checks codes for syntax only, keeping the given description', async () => {
    const body = { loginName: 'suser', location: 'Syntax House', timestamp: '2025-11-03T13:37:27Z', firstName: 'Ida', lastName: 'Moss', dateOfBirth: '1941-07-07' };
    expect((await clinical(bare.app, c.creds, 'POST', URL, { ...body, code: 'e11.99', diagnosis: 'Type 2 diabetes, per hospital discharge' })).statusCode).toBe(200);
    expect((await clinical(bare.app, c.creds, 'POST', URL, { ...body, code: 'E11' })).statusCode).toBe(200);
    expect((await clinical(bare.app, c.creds, 'POST', URL, { ...body, code: 'E1' })).json().error).toMatch(/^code E1 is not ICD-10-CM syntax/);
    const rows = await bare.database.db.select().from(ecpDiagnoses).orderBy(ecpDiagnoses.id);
    expect(rows).toMatchObject([
      { code: 'E1199', codeSetYear: null, diagnosis: 'Type 2 diabetes, per hospital discharge' },
      { code: 'E11', codeSetYear: null, diagnosis: null },
    ]);
    const list = (await clinical(bare.app, c.creds, 'GET', URL, { location: 'Syntax House' })).json();
    expect(list.data.map((d: { code: string }) => d.code)).toEqual(['E11.99', 'E11']);
  });
});
