import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, desc, eq } from 'drizzle-orm';
import { auditEvents, ecpVitals } from '../../src/db/schema.ts';
import { VITALS } from '../../src/ecp/vitals/definitions.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { statementCounter } from '../support/statements.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let creds: { token: string; apiKey: string };
let otherCreds: { token: string; apiKey: string };
let nurse: { guid: string; loginName: string };
let james: string;
const LOC = 'Evergreen Assisted Living';

const resident = (over: Record<string, unknown> = {}) => ({
  firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', locationId: LOC, gender: 'Male', ...over,
});

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, 'Evergreen Senior Living', [LOC, 'Evergreen Memory Care']);
  other = await createPartner(t, 'Sunset Homes', ['Sunset Villa']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  nurse = await insertEcpUser(t, p, 'nurse.jane');
  await insertEcpUser(t, p, 'former.nurse', { active: false });
  await insertEcpUser(t, p, 'memory.only', { locationGuids: [p.locations[1].locationId] });
  james = await createResident(t.app, creds, resident({ externalIds: { billingid: '123456' } }));
  // Two residents with the same name and date of birth at the other location.
  await createResident(t.app, creds, resident({ locationId: 'Evergreen Memory Care', firstName: 'Ann', lastName: 'Twin', dateOfBirth: '1940-01-01', externalIds: { mrn: 'A1' } }));
  await createResident(t.app, creds, resident({ locationId: 'Evergreen Memory Care', firstName: 'Ann', lastName: 'Twin', dateOfBirth: '1940-01-01', externalIds: { mrn: 'A1' } }));
});
afterAll(() => t.close());

describe('POST /clinical/v1/resident/vital/*', () => {
  it('replays the seed example (weight "180" as a string, resident by name and date of birth, user by userId)', async () => {
    const seed = { weight: '180', locationId: p.locations[0].locationId, userId: nurse.guid, firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', timestamp: '2025-10-09T19:20:30+00:00' };
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/weight', seed);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 'Success' });
    const rows = await t.database.db.select().from(ecpVitals).where(eq(ecpVitals.vitalType, 'weight'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ value: 180, recordedAt: new Date('2025-10-09T19:20:30Z') });
    const audit = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'vital.weight'), eq(auditEvents.action, 'create')));
    expect(audit[0].entityIds).toEqual([james]);
  });

  it('accepts every path with its own fields, location by name, user by loginName, resident by residentId or external id', async () => {
    const values: Record<string, Record<string, unknown>> = {
      'blood-ox': { bloodOx: 97 }, 'blood-pressure': { systolic: '128', diastolic: 82 }, 'blood-sugar': { bloodSugar: 110 },
      pulse: { pulse: 72 }, respirations: { respirations: 16 }, temperature: { temperature: '98.6' }, weight: { weight: 181.5 },
    };
    for (const def of VITALS) {
      const byId = { ...values[def.path], location: LOC, loginName: 'NURSE.JANE', residentId: james.toLowerCase(), timestamp: '2025-10-10T08:00:00Z' };
      const res = await clinical(t.app, creds, 'POST', `/clinical/v1/resident/vital/${def.path}`, byId);
      expect(res.statusCode, `${def.path} ${res.body}`).toBe(200);
      const byExt = { ...values[def.path], location: LOC, loginName: 'nurse.jane', externalIdName: 'billingid', externalIdValue: '123456', timestamp: '2025-10-10T09:00:00-05:00' };
      const res2 = await clinical(t.app, creds, 'POST', `/clinical/v1/resident/vital/${def.path}/`, byExt);
      expect(res2.statusCode, `${def.path} ${res2.body}`).toBe(200);
    }
  });

  it('rejects implausible values with the field, the range and the unit', async () => {
    const base = { location: LOC, loginName: 'nurse.jane', residentId: james, timestamp: '2025-10-10T08:00:00Z' };
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['blood-ox', { bloodOx: 101 }, /bloodOx must be between 50 and 100 \(percent\)/],
      ['blood-pressure', { systolic: 80, diastolic: 90 }, /systolic must be greater than diastolic/],
      ['blood-pressure', { systolic: 400, diastolic: 90 }, /systolic must be between 50 and 300 \(mmHg\)/],
      ['temperature', { temperature: 200 }, /temperature must be between 85 and 110 \(degrees Fahrenheit\)/],
      ['temperature', { temperature: 37 }, /temperature must be between 85 and 110/],
      ['weight', { weight: 'heavy' }, /weight must be a number/],
      ['pulse', {}, /pulse is required/],
      ['respirations', { respirations: 16, timestamp: 'yesterday' }, /timestamp must be an ISO 8601 date and time/],
      ['respirations', { respirations: 16, timestamp: '2999-01-01T00:00:00Z' }, /timestamp cannot be in the future/],
    ];
    for (const [path, change, message] of cases) {
      const res = await clinical(t.app, creds, 'POST', `/clinical/v1/resident/vital/${path}`, { ...base, ...change });
      expect(res.statusCode, `${path} ${JSON.stringify(change)}`).toBe(400);
      expect(res.json().result).toBe('Error');
      expect(res.json().error).toMatch(message);
    }
  });

  it('says which identification failed: none given, incomplete, no match, several matches', async () => {
    const base = { pulse: 70, location: LOC, loginName: 'nurse.jane', timestamp: '2025-10-10T08:00:00Z' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /Identify the resident by residentId, by externalIdName and externalIdValue, or by firstName, lastName and dateOfBirth/],
      [{ firstName: 'James', lastName: 'Baum' }, /dateOfBirth is required to identify the resident/],
      [{ externalIdName: 'billingid' }, /externalIdValue is required with externalIdName/],
      [{ firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-03' }, /No resident at this location matches firstName, lastName and dateOfBirth/],
      [{ externalIdName: 'billingid', externalIdValue: '999' }, /No resident at this location has the external id billingid = 999/],
      [{ residentId: '00000000-0000-0000-0000-000000000000' }, /No resident at this location has residentId/],
      [{ location: 'Evergreen Memory Care', firstName: 'Ann', lastName: 'Twin', dateOfBirth: '1940-01-01', loginName: 'memory.only' }, /Several residents at this location match firstName, lastName and dateOfBirth/],
      [{ location: 'Evergreen Memory Care', externalIdName: 'mrn', externalIdValue: 'A1', loginName: 'memory.only' }, /Several residents at this location have the external id mrn = A1/],
      // James lives at the other location: matching is per location.
      [{ location: 'Evergreen Memory Care', residentId: james, loginName: 'memory.only' }, /No resident at this location has residentId/],
    ];
    for (const [change, message] of cases) {
      const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/pulse', { ...base, ...change });
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.json().error).toMatch(message);
    }
  });

  it('checks the recording user and the location', async () => {
    const base = { pulse: 70, location: LOC, residentId: james, timestamp: '2025-10-10T08:00:00Z' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /loginName or userId is required/],
      [{ loginName: 'nobody' }, /loginName nobody is not a user of this company/],
      [{ loginName: 'former.nurse' }, /inactive user/],
      [{ loginName: 'memory.only' }, /has no access to this location/],
      [{ loginName: 'nurse.jane', location: 'Sunset Villa' }, /^location is invalid$/],
      [{ loginName: 'nurse.jane', location: undefined }, /location or locationId is required/],
    ];
    for (const [change, message] of cases) {
      const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/pulse', JSON.parse(JSON.stringify({ ...base, ...change })));
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.json().error).toMatch(message);
    }
  });
});

describe('GET /clinical/v1/resident/vital/*', () => {
  it('pages 100 at a time, sorted by timestamp, with numberOfResults and the documented entry form', async () => {
    const start = Date.parse('2025-01-01T00:00:00Z');
    // 150 readings in reverse time order, so sorting is observable.
    for (let i = 149; i >= 0; i--) {
      const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/blood-sugar', {
        bloodSugar: 100 + i, location: LOC, loginName: 'nurse.jane', residentId: james, timestamp: new Date(start + i * 3_600_000).toISOString(),
      });
      expect(res.statusCode).toBe(200);
    }
    const page1 = await clinical(t.app, creds, 'GET', `/clinical/v1/resident/vital/blood-sugar?location=${encodeURIComponent(LOC)}&endingDateTime=2025-02-01T00:00:00%2B00:00`);
    expect(page1.statusCode, page1.body).toBe(200);
    expect(page1.json().numberOfResults).toBe(150);
    expect(page1.json().data).toHaveLength(100);
    expect(page1.json().data[0]).toEqual({
      bloodSugar: 100, location: LOC, timestamp: '2025-01-01T00:00:00.000+00:00', firstName: 'James', lastName: 'Baum',
      dateOfBirth: '1950-06-02', loginName: 'nurse.jane', residentId: james, externalIds: [{ billingid: '123456' }],
    });
    const times = page1.json().data.map((d: { timestamp: string }) => d.timestamp);
    expect([...times].sort()).toEqual(times);
    // The seed's JSON-body form of a GET.
    const page2 = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/blood-sugar', {
      locationId: p.locations[0].locationId, startingDateTime: '2025-01-01T00:00:00+00:00', endingDateTime: '2025-01-10T19:20:30+00:00', page: 2,
    });
    expect(page2.statusCode, page2.body).toBe(200);
    expect(page2.json().numberOfResults).toBe(150);
    expect(page2.json().data).toHaveLength(50);
    expect(page2.json().data[0].bloodSugar).toBe(200);
    const range = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/blood-sugar', {
      location: LOC, startingDateTime: '2025-01-01T10:00:00+00:00', endingDateTime: '2025-01-01T11:00:00+00:00',
    });
    expect(range.json().data.map((d: { bloodSugar: number }) => d.bloodSugar)).toEqual([110, 111]);
  });

  it('returns blood pressure with both fields, and refuses an inverted range and an unreachable location', async () => {
    const bp = await clinical(t.app, creds, 'GET', `/clinical/v1/resident/vital/blood-pressure?location=${encodeURIComponent(LOC)}`);
    expect(bp.json().data[0]).toMatchObject({ systolic: 128, diastolic: 82 });
    const inverted = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/pulse', { location: LOC, startingDateTime: '2025-02-01T00:00:00Z', endingDateTime: '2025-01-01T00:00:00Z' });
    expect(inverted.json()).toEqual({ result: 'Error', error: 'endingDateTime must not be before startingDateTime' });
    const missing = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/pulse');
    expect(missing.json()).toEqual({ result: 'Error', error: 'location or locationId is required' });
    const foreign = await clinical(t.app, otherCreds, 'GET', `/clinical/v1/resident/vital/pulse?locationId=${p.locations[0].locationId}`);
    expect(foreign.json()).toEqual({ result: 'Error', error: 'location is invalid' });
    const badBody = await t.app.inject({
      method: 'GET', url: '/clinical/v1/resident/vital/pulse', payload: '{"location": ',
      headers: { 'content-type': 'application/json', 'auth-bearer': `Bearer ${creds.token}`, authorization: `Api-Key ${creds.apiKey}` },
    });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json()).toEqual({ result: 'Error', error: 'The request body is not valid JSON' });
  });

  it('needs vital.read and vital.write', async () => {
    const token = await tokenFor(t.app, p, 'location.read');
    const get = await clinical(t.app, { token, apiKey: p.api_key }, 'GET', `/clinical/v1/resident/vital/pulse?location=${encodeURIComponent(LOC)}`);
    expect(get.statusCode).toBe(403);
    expect(get.json().error).toMatch(/vital.read/);
    const post = await clinical(t.app, { token, apiKey: p.api_key }, 'POST', '/clinical/v1/resident/vital/pulse', {});
    expect(post.statusCode).toBe(403);
  });
});

describe('vitals in one statement each (issue 8)', () => {
  let measure: ReturnType<typeof statementCounter>;
  beforeAll(() => {
    measure = statementCounter(t.database.pool);
  });
  const counts = async (entityType: string, action: string) => ({
    vitals: (await t.database.db.select({ n: count() }).from(ecpVitals))[0].n,
    audit: (await t.database.db.select({ n: count() }).from(auditEvents).where(and(eq(auditEvents.entityType, entityType), eq(auditEvents.action, action))))[0].n,
  });
  const reading = (over: Record<string, unknown> = {}) => ({ respirations: 18, location: LOC, loginName: 'nurse.jane', residentId: james, timestamp: '2024-02-01T08:00:00Z', ...over });

  it('records a reading in two statements, authentication then the insert with its audit row, written once', async () => {
    const before = await counts('vital.respirations', 'create');
    const { result: res, statements } = await measure(() => clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/respirations', reading()));
    expect(res.statusCode, res.body).toBe(200);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/FROM partner_clients/);
    expect(statements[1]).toMatch(/INSERT INTO ecp_vitals[\s\S]*INSERT INTO audit_events/);
    expect(await counts('vital.respirations', 'create')).toEqual({ vitals: before.vitals + 1, audit: before.audit + 1 });
    const [audit] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityType, 'vital.respirations')).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ action: 'create', actorType: 'partner', actorId: p.client_id, organizationId: p.company_id, entityIds: [james] });
  });

  it('writes neither a reading nor an audit row for a refused reading, with the documented errors', async () => {
    const cases: Array<[Record<string, unknown>, string, number]> = [
      // [change, error, statements]: a location the client does not reach is refused from the locations read at authentication.
      [{ location: 'Sunset Villa' }, 'location is invalid', 1],
      [{ locationId: other.locations[0].locationId, location: undefined }, 'location is invalid', 1],
      [{ loginName: 'nobody' }, 'loginName nobody is not a user of this company', 2],
      [{ loginName: 'former.nurse' }, 'loginName former.nurse is an inactive user', 2],
      [{ loginName: 'memory.only' }, 'loginName memory.only has no access to this location', 2],
      [{ userId: '00000000-0000-0000-0000-000000000000', loginName: undefined }, 'userId 00000000-0000-0000-0000-000000000000 is not a user of this company', 2],
      [{ residentId: '00000000-0000-0000-0000-000000000000' }, 'No resident at this location has residentId 00000000-0000-0000-0000-000000000000', 2],
      [{ location: 'Evergreen Memory Care', loginName: 'memory.only', residentId: undefined, externalIdName: 'mrn', externalIdValue: 'A1' },
        'Several residents at this location have the external id mrn = A1; use residentId', 2],
      // A bad user is told before a bad resident, as when the two were looked up one after the other.
      [{ loginName: 'nobody', residentId: '00000000-0000-0000-0000-000000000000' }, 'loginName nobody is not a user of this company', 2],
    ];
    const before = await counts('vital.respirations', 'create');
    for (const [change, error, n] of cases) {
      const { result: res, statements } = await measure(() => clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/respirations', JSON.parse(JSON.stringify(reading(change)))));
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.json()).toEqual({ result: 'Error', error });
      expect(statements, JSON.stringify(change)).toHaveLength(n);
    }
    expect(await counts('vital.respirations', 'create')).toEqual(before);
  });

  it('tells a bad user before an incomplete resident identification, as before', async () => {
    const noResident = { residentId: undefined };
    const unknownUser = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/respirations', JSON.parse(JSON.stringify(reading({ ...noResident, loginName: 'nobody' }))));
    expect(unknownUser.json()).toEqual({ result: 'Error', error: 'loginName nobody is not a user of this company' });
    const incomplete = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/respirations', JSON.parse(JSON.stringify(reading({ ...noResident, firstName: 'James' }))));
    expect(incomplete.json()).toEqual({ result: 'Error', error: 'lastName and dateOfBirth are required to identify the resident by name and date of birth' });
  });

  it('lists a page in two statements, its audit row naming each resident once in page order; an empty page is audited too', async () => {
    const zoe = await createResident(t.app, creds, resident({ firstName: 'Zoe', lastName: 'Able', dateOfBirth: '1944-04-04' }));
    for (const [who, at] of [[zoe, '2024-03-01T08:00:00Z'], [james, '2024-03-01T09:00:00Z'], [zoe, '2024-03-01T10:00:00Z']]) {
      expect((await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/blood-ox', { bloodOx: 95, location: LOC, loginName: 'nurse.jane', residentId: who, timestamp: at })).statusCode).toBe(200);
    }
    const lastListAudit = async () => (await t.database.db.select().from(auditEvents)
      .where(and(eq(auditEvents.entityType, 'vital.blood-ox'), eq(auditEvents.action, 'list'))).orderBy(desc(auditEvents.id)).limit(1))[0];
    const before = await counts('vital.blood-ox', 'list');
    const q = (from: string, to: string) => `/clinical/v1/resident/vital/blood-ox?location=${encodeURIComponent(LOC)}&startingDateTime=${from}&endingDateTime=${to}`;
    const { result: res, statements } = await measure(() => clinical(t.app, creds, 'GET', q('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().numberOfResults).toBe(3);
    expect(res.json().data.map((d: { residentId: string; timestamp: string }) => [d.residentId, d.timestamp])).toEqual([
      [zoe, '2024-03-01T08:00:00.000+00:00'], [james, '2024-03-01T09:00:00.000+00:00'], [zoe, '2024-03-01T10:00:00.000+00:00'],
    ]);
    expect(res.json().data[0]).toMatchObject({ bloodOx: 95, location: LOC, firstName: 'Zoe', lastName: 'Able', dateOfBirth: '1944-04-04', loginName: 'nurse.jane', externalIds: [] });
    expect(statements).toHaveLength(2);
    expect(statements[1]).toMatch(/INSERT INTO audit_events/);
    expect(await lastListAudit()).toMatchObject({ action: 'list', actorId: p.client_id, entityIds: [zoe, james] });
    const empty = await clinical(t.app, creds, 'GET', q('2024-04-01T00:00:00Z', '2024-04-02T00:00:00Z'));
    expect(empty.json()).toEqual({ result: 'Success', numberOfResults: 0, data: [] });
    expect(await lastListAudit()).toMatchObject({ entityIds: [] });
    expect((await counts('vital.blood-ox', 'list')).audit).toBe(before.audit + 2);
    // A page past the end still counts the whole range.
    expect((await clinical(t.app, creds, 'GET', `${q('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')}&page=2`)).json()).toEqual({ result: 'Success', numberOfResults: 3, data: [] });
    // Refused before any audit row: an unreachable location.
    const foreign = await clinical(t.app, otherCreds, 'GET', `/clinical/v1/resident/vital/blood-ox?locationId=${p.locations[0].locationId}`);
    expect(foreign.json()).toEqual({ result: 'Error', error: 'location is invalid' });
    expect((await counts('vital.blood-ox', 'list')).audit).toBe(before.audit + 3);
  });
});

describe('/clinical/v1/resident/allergy', () => {
  it('replays the seed GET example and adds allergies once, case-insensitively', async () => {
    const add = (allergy: string, ident: Record<string, unknown> = { firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02' }) =>
      clinical(t.app, creds, 'POST', '/clinical/v1/resident/allergy', { allergy, location: LOC, ...ident });
    expect((await add('Peanuts')).json()).toEqual({ result: 'Success' });
    expect((await add('peanuts ')).json()).toEqual({ result: 'Success' });
    expect((await add('Latex', { externalIdName: 'billingid', externalIdValue: '123456' })).json()).toEqual({ result: 'Success' });
    const seed = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/allergy', { location: 'Evergreen Assisted Living', page: 10 });
    expect(seed.json()).toEqual({ result: 'Success', numberOfResults: 2, data: [] });
    const page1 = await clinical(t.app, creds, 'GET', `/clinical/v1/resident/allergy?location=${encodeURIComponent(LOC)}`);
    expect(page1.json().data).toEqual([
      { allergy: 'Latex', location: LOC, firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', residentId: james, externalIds: [{ billingid: '123456' }] },
      { allergy: 'Peanuts', location: LOC, firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', residentId: james, externalIds: [{ billingid: '123456' }] },
    ]);
  });

  it('removes one allergy (body or query string) and says when it is not on the list', async () => {
    const del = await clinical(t.app, creds, 'DELETE', '/clinical/v1/resident/allergy', { allergy: 'LATEX', location: LOC, residentId: james });
    expect(del.json()).toEqual({ result: 'Success' });
    const q = new URLSearchParams({ allergy: 'Peanuts', location: LOC, residentId: james });
    const byQuery = await clinical(t.app, creds, 'DELETE', `/clinical/v1/resident/allergy?${q}`);
    expect(byQuery.json(), byQuery.body).toEqual({ result: 'Success' });
    expect((await clinical(t.app, creds, 'GET', '/clinical/v1/resident/allergy', { location: LOC })).json().numberOfResults).toBe(0);
    const again = await clinical(t.app, creds, 'DELETE', `/clinical/v1/resident/allergy?${q}`);
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('allergy "Peanuts" is not on this resident\'s list');
  });

  it('sorts by last name across residents and pages by 100', async () => {
    for (const [first, last] of [['Zed', 'Adams'], ['Amy', 'Young']]) {
      const id = await createResident(t.app, creds, resident({ firstName: first, lastName: last, dateOfBirth: '1945-05-05' }));
      for (let i = 0; i < 60; i++) {
        const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/allergy', { allergy: `Allergen ${String(i).padStart(2, '0')}`, location: LOC, residentId: id });
        expect(res.statusCode).toBe(200);
      }
    }
    const page1 = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/allergy', { location: LOC });
    expect(page1.json().numberOfResults).toBe(120);
    expect(page1.json().data).toHaveLength(100);
    expect(page1.json().data[0]).toMatchObject({ lastName: 'Adams', allergy: 'Allergen 00' });
    expect(page1.json().data[99]).toMatchObject({ lastName: 'Young', allergy: 'Allergen 39' });
    const page2 = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/allergy', { location: LOC, page: 2 });
    expect(page2.json().data).toHaveLength(20);
  });

  it('needs allergy.read and allergy.write, and another company sees nothing of this one', async () => {
    const token = await tokenFor(t.app, p, 'vital.read');
    expect((await clinical(t.app, { token, apiKey: p.api_key }, 'GET', `/clinical/v1/resident/allergy?location=${encodeURIComponent(LOC)}`)).statusCode).toBe(403);
    expect((await clinical(t.app, { token, apiKey: p.api_key }, 'POST', '/clinical/v1/resident/allergy', {})).statusCode).toBe(403);
    const foreign = await clinical(t.app, otherCreds, 'POST', '/clinical/v1/resident/allergy', { allergy: 'Bees', location: p.locations[0].locationId, residentId: james });
    expect(foreign.json()).toEqual({ result: 'Error', error: 'location is invalid' });
  });
});
