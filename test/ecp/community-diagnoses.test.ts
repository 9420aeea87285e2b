/**
 * The Resident File's Diagnoses tab (`/v1/community/residents/{residentId}/diagnoses`) and its ICD-10-CM picker
 * (`/v1/community/codes/icd10cm`) against the bundled FY2026 code set: list, add (a billable code only: a category
 * header or an unknown code answers the codes service's sentence), remove; recorded as the signed-in user; another
 * company's resident or diagnosis and one outside `locationsAllowed` are 404; audited.
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
  await insertEcpUser(t, p, 'pnurse');
  await insertEcpUser(t, other, 'onurse');
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), COMPANY, 'nurse', 'nurse-password-1', { mustChange: false });
  token = (await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: COMPANY, loginName: 'nurse', password: 'nurse-password-1' } })).json().token;
  const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  ids.ada = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1935-12-10', locationId: assisted.locationId });
  ids.bob = await createResident(t.app, creds, { firstName: 'Bob', lastName: 'Babbage', dateOfBirth: '1931-12-26', locationId: assisted.locationId });
  ids.gone = await createResident(t.app, creds, { firstName: 'Gus', lastName: 'Gone', dateOfBirth: '1930-01-01', locationId: assisted.locationId });
  ids.memory = await createResident(t.app, creds, { firstName: 'Mem', lastName: 'Elsewhere', dateOfBirth: '1932-02-02', locationId: memory.locationId });
  ids.foreign = await createResident(t.app, otherCreds, { firstName: 'Fay', lastName: 'Foreign', dateOfBirth: '1933-03-03', locationId: other.locations[0].locationId });
  const at = new Date(Date.now() - 86_400_000).toISOString();
  // A partner's diagnosis as text only, one at Memory Care, one of another company, and one of a discharged resident.
  for (const [c, residentId, location, loginName, body] of [
    [creds, ids.ada, assisted.locationId, 'pnurse', { diagnosis: 'Seasonal allergies' }],
    [creds, ids.memory, memory.locationId, 'pnurse', { code: 'F03.90' }],
    [otherCreds, ids.foreign, other.locations[0].locationId, 'onurse', { code: 'I10' }],
    [creds, ids.gone, assisted.locationId, 'pnurse', { code: 'I10' }],
  ] as const) {
    const res = await clinical(t.app, c, 'POST', '/clinical/v1/resident/diagnosis', { ...body, loginName, locationId: location, residentId, timestamp: at });
    expect(res.statusCode, res.body).toBe(200);
  }
  expect((await clinical(t.app, creds, 'DELETE', '/clinical/v1/resident', { residentId: ids.gone })).statusCode).toBe(200);
});
afterAll(() => t.close());

function call(method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

const lastAudit = async (action: string) => (await t.database.db.select().from(auditEvents)
  .where(and(eq(auditEvents.action, action), eq(auditEvents.actorType, 'ecp_user'), eq(auditEvents.entityType, 'diagnosis')))).at(-1);

describe('GET /v1/community/codes/icd10cm (the picker)', () => {
  it('searches the loaded code set by code prefix and by words, billable codes first', async () => {
    const byCode = await call('GET', '/v1/community/codes/icd10cm?search=e11.6&limit=5');
    expect(byCode.statusCode, byCode.body).toBe(200);
    expect(byCode.json().fiscalYear).toBe(2026);
    expect(byCode.json().codes).toHaveLength(5);
    expect(byCode.json().codes.every((c: { code: string }) => c.code.startsWith('E11.6'))).toBe(true);
    const words = (await call('GET', '/v1/community/codes/icd10cm?search=diabetes%20without%20complications')).json().codes;
    expect(words).toContainEqual({ code: 'E11.9', description: 'Type 2 diabetes mellitus without complications', billable: true });
    const dementia = (await call('GET', '/v1/community/codes/icd10cm?search=F03&limit=50')).json().codes as Array<{ code: string; billable: boolean }>;
    expect(dementia.some((c) => !c.billable)).toBe(true);
    expect(dementia.findIndex((c) => !c.billable)).toBeGreaterThan(dementia.findLastIndex((c) => c.billable));
  });

  it('answers 422 for a search shorter than 2 characters and 401 without a token', async () => {
    expect((await call('GET', '/v1/community/codes/icd10cm?search=e')).statusCode).toBe(422);
    expect((await t.app.inject({ method: 'GET', url: '/v1/community/codes/icd10cm?search=e11' })).statusCode).toBe(401);
  });
});

describe('Diagnoses tab', () => {
  it('adds a diagnosis by a billable code (any case, dotted or not), recorded as the signed-in user (201, audited)', async () => {
    const res = await call('POST', `/v1/community/residents/${ids.ada}/diagnoses`, { code: ' e119 ', comment: 'Diet controlled' });
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json().diagnosis;
    expect(d).toEqual({
      diagnosisId: expect.stringMatching(/^[0-9A-F-]{36}$/), code: 'E11.9', description: 'Type 2 diabetes mellitus without complications', comment: 'Diet controlled',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/), recordedBy: { loginName: 'nurse', firstName: 'nurse', lastName: 'Staff' },
    });
    ids.diabetes = d.diagnosisId;
    expect(await lastAudit('create')).toMatchObject({ entityIds: [ids.ada, ids.diabetes] });
    // The partner API sees it too, with the user's login name.
    const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
    const partner = await clinical(t.app, creds, 'GET', `/clinical/v1/resident/diagnosis?locationId=${p.locations[0].locationId}`);
    expect(partner.json().data).toContainEqual(expect.objectContaining({ code: 'E11.9', loginName: 'nurse', residentId: ids.ada }));
  });

  it('lists the resident\'s diagnoses newest first, a partner\'s text-only one too (audited)', async () => {
    const res = await call('GET', `/v1/community/residents/${ids.ada.toLowerCase()}/diagnoses`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().diagnoses.map((d: { code: string | null; description: string }) => [d.code, d.description])).toEqual([
      ['E11.9', 'Type 2 diabetes mellitus without complications'],
      [null, 'Seasonal allergies'],
    ]);
    expect(res.json().diagnoses[1].recordedBy.loginName).toBe('pnurse');
    expect(res.json().timeZone).toBe('America/Los_Angeles');
    expect(await lastAudit('read')).toMatchObject({ entityIds: [ids.ada] });
  });

  it('rejects a category header, an unknown code, bad syntax and a future timestamp with the service\'s sentence (422)', async () => {
    const header = await call('POST', `/v1/community/residents/${ids.ada}/diagnoses`, { code: 'E11' });
    expect(header.statusCode).toBe(422);
    expect(header.json().errors[0]).toMatch(/^code E11 \(Type 2 diabetes mellitus\) is a category header, not a billable ICD-10-CM code \(FY2026\): use a more specific code such as E11\./);
    const unknown = await call('POST', `/v1/community/residents/${ids.ada}/diagnoses`, { code: 'E11.99' });
    expect(unknown.json()).toEqual({ errors: ['code E11.99 is not an ICD-10-CM code (FY2026)'] });
    const syntax = await call('POST', `/v1/community/residents/${ids.ada}/diagnoses`, { code: 'diabetes' });
    expect(syntax.statusCode).toBe(422);
    expect(syntax.json().errors[0]).toMatch(/^code diabetes is not ICD-10-CM syntax/);
    const future = await call('POST', `/v1/community/residents/${ids.ada}/diagnoses`, { code: 'E11.9', timestamp: new Date(Date.now() + 3 * 3600_000).toISOString() });
    expect(future.json()).toEqual({ errors: ['timestamp cannot be in the future'] });
    const missing = await call('POST', `/v1/community/residents/${ids.ada}/diagnoses`, {});
    expect(missing.json()).toEqual({ errors: ['code is required'] });
    expect((await call('GET', `/v1/community/residents/${ids.ada}/diagnoses`)).json().diagnoses).toHaveLength(2);
  });

  it('removes a diagnosis (204, audited); another resident\'s or an unknown one is 404', async () => {
    const bobs = await call('POST', `/v1/community/residents/${ids.bob}/diagnoses`, { code: 'I10' });
    expect(bobs.statusCode, bobs.body).toBe(201);
    const wrongResident = await call('DELETE', `/v1/community/residents/${ids.ada}/diagnoses/${bobs.json().diagnosis.diagnosisId}`);
    expect(wrongResident.statusCode).toBe(404);
    expect(wrongResident.json()).toEqual({ errors: ['Diagnosis not found'] });
    const res = await call('DELETE', `/v1/community/residents/${ids.ada}/diagnoses/${ids.diabetes.toLowerCase()}`);
    expect(res.statusCode, res.body).toBe(204);
    expect(await lastAudit('delete')).toMatchObject({ entityIds: [ids.ada, ids.diabetes] });
    expect((await call('DELETE', `/v1/community/residents/${ids.ada}/diagnoses/${ids.diabetes}`)).json()).toEqual({ errors: ['Diagnosis not found'] });
    expect((await call('DELETE', `/v1/community/residents/${ids.ada}/diagnoses/${'x'.repeat(40)}`)).statusCode).toBe(404);
    expect((await call('GET', `/v1/community/residents/${ids.ada}/diagnoses`)).json().diagnoses.map((d: { code: string | null }) => d.code)).toEqual([null]);
  });

  it('answers 404 Resident not found for another company\'s resident, one outside locationsAllowed, an unknown and a malformed id', async () => {
    for (const id of [ids.foreign, ids.memory, '00000000-0000-0000-0000-000000000000', 'x'.repeat(40)]) {
      for (const [method, url, body] of [
        ['GET', `/v1/community/residents/${id}/diagnoses`, undefined],
        ['POST', `/v1/community/residents/${id}/diagnoses`, { code: 'I10' }],
        ['DELETE', `/v1/community/residents/${id}/diagnoses/00000000-0000-0000-0000-000000000000`, undefined],
      ] as const) {
        const res = await call(method, url, body);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json()).toEqual({ errors: [method === 'DELETE' && id.startsWith('x') ? 'Diagnosis not found' : 'Resident not found'] });
      }
    }
  });

  it('keeps a discharged resident\'s diagnoses read-only (422)', async () => {
    const list = (await call('GET', `/v1/community/residents/${ids.gone}/diagnoses`)).json().diagnoses;
    expect(list.map((d: { code: string }) => d.code)).toEqual(['I10']);
    for (const [method, url, body] of [
      ['POST', `/v1/community/residents/${ids.gone}/diagnoses`, { code: 'I10' }],
      ['DELETE', `/v1/community/residents/${ids.gone}/diagnoses/${list[0].diagnosisId}`, undefined],
    ] as const) {
      const res = await call(method, url, body);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ errors: ['This resident is discharged; reactivate the resident first'] });
    }
  });
});
