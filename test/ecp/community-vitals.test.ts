/**
 * The community workspace's Vitals tab (`/v1/community/vital_kinds`, `/v1/community/residents/{residentId}/vitals`):
 * the seven vitals with units and ranges; recording several at once by the signed-in user with the vitals service's
 * plausibility sentences (422, one per problem); a resident's readings over a period, partners' readings included, in
 * the location's time zone. Another company's resident and one outside `locationsAllowed` are 404; reads and records
 * write audit rows; recording sends no webhook (seed 000 names no vitals event).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents, ecpVitals, ecpWebhookMessages } from '../../src/db/schema.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let token: string;
let creds: { token: string; apiKey: string };
const COMPANY = 'Evergreen Senior Living';
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true' });
  p = await createPartner(t, COMPANY, ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  other = await createPartner(t, 'Other Senior Living', ['Other Meadows']);
  const [assisted, memory] = p.locations;
  await t.services.partnerClients.setLocationTimeZone(assisted.locationId, 'America/Chicago');
  await insertEcpUser(t, p, 'nurse', { locationGuids: [assisted.locationId] });
  await insertEcpUser(t, p, 'partnernurse');
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), COMPANY, 'nurse', 'nurse-password-1', { mustChange: false });
  const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: COMPANY, loginName: 'nurse', password: 'nurse-password-1' } });
  token = res.json().token;
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  // A subscriber, so that an event, were one fired, would be written to the outbox.
  expect((await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: 'http://127.0.0.1:9/vitals' })).statusCode).toBe(200);
  const otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  ids.ada = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1935-12-10', locationId: assisted.locationId });
  ids.gone = await createResident(t.app, creds, { firstName: 'Gus', lastName: 'Gone', dateOfBirth: '1930-01-01', locationId: assisted.locationId });
  ids.memory = await createResident(t.app, creds, { firstName: 'Mem', lastName: 'Elsewhere', dateOfBirth: '1932-02-02', locationId: memory.locationId });
  ids.foreign = await createResident(t.app, otherCreds, { firstName: 'Fay', lastName: 'Foreign', dateOfBirth: '1933-03-03', locationId: other.locations[0].locationId });
  expect((await call('POST', `/v1/community/residents/${ids.gone}/discharge`)).statusCode).toBe(200);
});
afterAll(() => t.close());

function call(method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describe('GET /v1/community/vital_kinds', () => {
  it('lists the seven vitals with the partner API\'s field names, units and ranges', async () => {
    const res = await call('GET', '/v1/community/vital_kinds');
    expect(res.statusCode, res.body).toBe(200);
    const kinds = res.json().kinds as Array<{ kind: string; unit: string; fields: Array<{ name: string }> }>;
    expect(kinds.map((k) => [k.kind, k.unit, k.fields.map((f) => f.name).join('/')])).toEqual([
      ['blood-ox', '%', 'bloodOx'], ['blood-pressure', 'mmHg', 'systolic/diastolic'], ['blood-sugar', 'mg/dL', 'bloodSugar'], ['pulse', '/min', 'pulse'],
      ['respirations', '/min', 'respirations'], ['temperature', '°F', 'temperature'], ['weight', 'lb', 'weight'],
    ]);
    expect(kinds[1]).toMatchObject({ label: 'Blood pressure', unitName: 'mmHg', fields: [{ name: 'systolic', min: 50, max: 300 }, { name: 'diastolic', min: 20, max: 200 }] });
  });

  it('answers 401 without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/community/vital_kinds' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: ['Invalid or missing token'] });
  });
});

describe('POST /v1/community/residents/{residentId}/vitals', () => {
  it('records the seven vitals at once, by the signed-in user, audited, with no webhook message', async () => {
    const at = hoursAgo(2);
    const messages = (await t.database.db.select().from(ecpWebhookMessages)).length;
    expect(messages, 'the discharge of beforeAll reached the outbox').toBeGreaterThan(0);
    const res = await call('POST', `/v1/community/residents/${ids.ada}/vitals`, {
      systolic: 128, diastolic: 82, pulse: 72, respirations: 16, temperature: 98.6, weight: 142.5, bloodOx: 97, bloodSugar: 110, timestamp: at.toISOString(),
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.timeZone).toBe('America/Chicago');
    expect(body.vitals.map((v: { kind: string; values: unknown }) => [v.kind, v.values])).toEqual([
      ['blood-ox', { bloodOx: 97 }], ['blood-pressure', { systolic: 128, diastolic: 82 }], ['blood-sugar', { bloodSugar: 110 }], ['pulse', { pulse: 72 }],
      ['respirations', { respirations: 16 }], ['temperature', { temperature: 98.6 }], ['weight', { weight: 142.5 }],
    ]);
    expect(body.vitals[0]).toMatchObject({ recordedAt: at.toISOString().replace('Z', '+00:00'), recordedBy: { loginName: 'nurse', name: 'nurse Staff' } });
    const rows = await t.database.db.select().from(ecpVitals);
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.guid))).toEqual(new Set(body.vitals.map((v: { vitalId: string }) => v.vitalId)));
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'create'), eq(auditEvents.entityType, 'vital')));
    expect(audit).toMatchObject({ actorType: 'ecp_user', actorName: 'nurse Staff' });
    expect(audit.entityIds[0]).toBe(ids.ada);
    expect(audit.entityIds).toHaveLength(8);
    expect((await t.database.db.select().from(ecpWebhookMessages)).length).toBe(messages);
  });

  it('reads an offset-less timestamp as the wall time at the resident\'s location', async () => {
    const res = await call('POST', `/v1/community/residents/${ids.ada}/vitals`, { pulse: 70, timestamp: '2026-01-15T08:30' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().vitals[0].recordedAt).toBe('2026-01-15T14:30:00.000+00:00'); // 08:30 in Chicago (CST, UTC-6)
  });

  it('answers 422 with the vitals service\'s sentences, one per problem, and records nothing', async () => {
    const before = (await t.database.db.select().from(ecpVitals)).length;
    const res = await call('POST', `/v1/community/residents/${ids.ada}/vitals`, {
      systolic: 80, diastolic: 90, temperature: 37, weight: 20, bloodOx: 101, timestamp: new Date(Date.now() + 3 * 3_600_000).toISOString(),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      errors: [
        'bloodOx must be between 50 and 100 (percent)',
        'systolic must be greater than diastolic',
        'temperature must be between 85 and 110 (degrees Fahrenheit)',
        'weight must be between 40 and 1000 (pounds)',
        'timestamp cannot be in the future',
      ],
    });
    expect((await t.database.db.select().from(ecpVitals)).length).toBe(before);
  });

  it('answers 422 for no vital, half a blood pressure, a non-number, a malformed time and a discharged resident', async () => {
    const cases: Array<[string, unknown, string[]]> = [
      [ids.ada, {}, ['Enter at least one vital sign']],
      [ids.ada, { systolic: 120 }, ['diastolic is required with systolic']],
      [ids.ada, { pulse: 'fast' }, ['pulse must be a number']],
      [ids.ada, { pulse: 70, timestamp: 'yesterday' }, ["timestamp must be an ISO 8601 date and time (2025-05-05T13:37:27+00:00; without an offset, the location's time) or a date (YYYY-MM-DD)"]],
      [ids.gone, { pulse: 70 }, ['This resident is discharged; reactivate the resident first']],
    ];
    for (const [id, body, errors] of cases) {
      const res = await call('POST', `/v1/community/residents/${id}/vitals`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json(), JSON.stringify(body)).toEqual({ errors });
    }
  });

  it('answers 404 for another company\'s resident, one outside locationsAllowed and an unknown id', async () => {
    for (const id of [ids.foreign, ids.memory, '00000000-0000-0000-0000-000000000000', 'x'.repeat(40)]) {
      const res = await call('POST', `/v1/community/residents/${id}/vitals`, { pulse: 70 });
      expect(res.statusCode, id).toBe(404);
      expect(res.json()).toEqual({ errors: ['Resident not found'] });
    }
  });
});

describe('GET /v1/community/residents/{residentId}/vitals', () => {
  it('lists the resident\'s readings oldest first, partners\' too, with the location\'s time zone, audited', async () => {
    const posted = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/weight', {
      weight: '150', locationId: p.locations[0].locationId, loginName: 'partnernurse', residentId: ids.ada, timestamp: hoursAgo(1).toISOString(),
    });
    expect(posted.statusCode, posted.body).toBe(200);
    const res = await call('GET', `/v1/community/residents/${ids.ada}/vitals`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ timeZone: 'America/Chicago', truncated: false, from: null, to: null });
    // Seven of the form, the January pulse, the partner's weight.
    expect(body.vitals).toHaveLength(9);
    expect(body.vitals[0]).toMatchObject({ kind: 'pulse', recordedAt: '2026-01-15T14:30:00.000+00:00' });
    const last = body.vitals.at(-1);
    expect(last).toMatchObject({ kind: 'weight', values: { weight: 150 }, recordedBy: { loginName: 'partnernurse', name: 'partnernurse Staff' } });
    const times = body.vitals.map((v: { recordedAt: string }) => v.recordedAt);
    expect([...times].sort()).toEqual(times);
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'read'), eq(auditEvents.entityType, 'vital')));
    expect(audit).toMatchObject({ actorType: 'ecp_user', entityIds: [ids.ada] });
  });

  it('filters by kind and period (offset-less bounds in the location\'s zone)', async () => {
    const res = await call('GET', `/v1/community/residents/${ids.ada}/vitals?kind=pulse&from=2026-01-15&to=2026-01-15T08:30`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ from: '2026-01-15T06:00:00.000+00:00', to: '2026-01-15T14:30:00.000+00:00' });
    expect(res.json().vitals.map((v: { values: unknown }) => v.values)).toEqual([{ pulse: 70 }]);
    const before = await call('GET', `/v1/community/residents/${ids.ada}/vitals?kind=pulse&from=2026-01-15&to=2026-01-15T08:29`);
    expect(before.json().vitals).toEqual([]);
  });

  it('answers 422 for a bad kind or a period that ends before it starts, 404 for residents out of reach, none audited', async () => {
    const bad = await call('GET', `/v1/community/residents/${ids.ada}/vitals?kind=mood`);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatch(/^kind must be one of: blood-ox, blood-pressure/);
    const backwards = await call('GET', `/v1/community/residents/${ids.ada}/vitals?from=2026-02-01&to=2026-01-01`);
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json()).toEqual({ errors: ['from must not be after to'] });
    const reads = (await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityType, 'vital'))).length;
    for (const id of [ids.foreign, ids.memory, '00000000-0000-0000-0000-000000000000']) {
      const res = await call('GET', `/v1/community/residents/${id}/vitals`);
      expect(res.statusCode, id).toBe(404);
      expect(res.json()).toEqual({ errors: ['Resident not found'] });
    }
    expect((await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityType, 'vital'))).length).toBe(reads);
  });
});
