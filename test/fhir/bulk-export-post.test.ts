/**
 * The Bulk Data POST kick-off over real HTTP with the job workers running in this process: a FHIR `Parameters` body
 * (`_type` repeated, `_since`, `_outputFormat`, `patient`) through to the manifest and the NDJSON files; the `patient`
 * parameter narrowing every file to those patients (and refused at system level, or for a patient the client cannot
 * export, with one sentence whatever the reason); unsupported and unknown parameters (400, or ignored when lenient);
 * malformed bodies answered with an OperationOutcome, never 500; the GET kick-off under the same rules; audit rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Resource } from '@medplum/fhirtypes';
import { auditEvents, fhirExports } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { waitUntil } from '../support/wait.ts';

let t: TestContext;
let base: string;
let p: Partner;
let other: Partner;
let creds: { token: string; apiKey: string };
let ada: string;
let bert: string;
let cleo: string;
let stranger: string;
const LOC = 'Elm Court';
const ANNEX = 'Elm Annex';
const AT = '2026-11-20T15:30:00.000Z';

const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

async function request(method: string, path: string, opts: { token?: string | null; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const token = opts.token === undefined ? creds.token : opts.token;
  const res = await fetch(`${base}${local(path)}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers }, body: opts.body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

type Parameter = { name: string } & Record<string, unknown>;
const str = (name: string, valueString: string): Parameter => ({ name, valueString });
const patientRef = (id: string): Parameter => ({ name: 'patient', valueReference: { reference: `Patient/${id}` } });

/** A POST kick-off with a Parameters body (`application/fhir+json` unless told). */
function postKickOff(path: string, parameter: Parameter[], o: { prefer?: string; contentType?: string; token?: string } = {}) {
  return request('POST', path, {
    token: o.token,
    headers: { prefer: o.prefer ?? 'respond-async', 'content-type': o.contentType ?? 'application/fhir+json', accept: 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Parameters', parameter }),
  });
}

/** A POST kick-off that must be accepted; answers the status path. */
async function accepted(path: string, parameter: Parameter[], o: { prefer?: string; contentType?: string } = {}): Promise<string> {
  const res = await postKickOff(path, parameter, o);
  expect(res.status, res.text).toBe(202);
  expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'information' }] });
  const location = res.headers.get('content-location');
  expect(location).toMatch(/\/fhir\/R4\/bulkstatus\/[0-9a-f]{32}$/);
  return local(location!);
}

interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: Array<{ type: string; url: string; count: number }>;
  error: unknown[];
}

async function finished(status: string): Promise<Manifest> {
  const last = await waitUntil(() => request('GET', status), (r) => r.status !== 202, 30_000);
  expect(last.status, last.text).toBe(200);
  return JSON.parse(last.text) as Manifest;
}

async function files(m: Manifest): Promise<Record<string, Resource[]>> {
  const out: Record<string, Resource[]> = {};
  for (const o of m.output) {
    const res = await request('GET', o.url, { headers: { accept: 'application/fhir+ndjson' } });
    expect(res.status, res.text).toBe(200);
    out[o.type] = res.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Resource);
    expect(out[o.type]).toHaveLength(o.count);
  }
  return out;
}

/** The resident a resource is about: the Patient itself, else its subject or patient reference. */
function residentOf(r: Resource): string | undefined {
  if (r.resourceType === 'Patient') return r.id;
  const ref = (r as { subject?: { reference?: string }; patient?: { reference?: string } });
  return (ref.subject ?? ref.patient)?.reference?.replace(/^Patient\//, '');
}

/** Expects a 400 OperationOutcome whose diagnostics match `pattern`; answers the diagnostics. */
function expectInvalid(res: Answer, pattern: RegExp): string[] {
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
  const body = res.json() as { resourceType: string; issue: Array<{ severity: string; code: string; diagnostics: string }> };
  expect(body.resourceType).toBe('OperationOutcome');
  expect(body.issue.every((i) => i.severity === 'error' && i.code === 'invalid')).toBe(true);
  const diagnostics = body.issue.map((i) => i.diagnostics);
  expect(diagnostics.join('\n')).toMatch(pattern);
  return diagnostics;
}

async function post(c: typeof creds, url: string, body: Record<string, unknown>) {
  const res = await clinical(t.app, c, 'POST', url, body);
  expect(res.statusCode, res.body).toBe(200);
}

beforeAll(async () => {
  t = await createTestContext({}, { workers: true });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  p = await createPartner(t, 'Elm Senior Living', [LOC, ANNEX]);
  other = await createPartner(t, 'Oak Homes', ['Oak House']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  await insertEcpUser(t, p, 'nurse.elm');
  await insertEcpUser(t, other, 'nurse.oak');
  ada = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1935-12-10', gender: 'Female', locationId: LOC });
  bert = await createResident(t.app, creds, { firstName: 'Bert', lastName: 'Brown', dateOfBirth: '1941-02-03', locationId: ANNEX });
  cleo = await createResident(t.app, creds, { firstName: 'Cleo', lastName: 'Clark', dateOfBirth: '1939-06-07', locationId: LOC });
  stranger = await createResident(t.app, otherCreds, { firstName: 'Sam', lastName: 'Stranger', dateOfBirth: '1935-12-10', locationId: 'Oak House' });
  const vital = (residentId: string, location: string, pulse: number) => post(creds, '/clinical/v1/resident/vital/pulse', { pulse, locationId: location, loginName: 'nurse.elm', residentId, timestamp: AT });
  await vital(ada, LOC, 71);
  await vital(bert, ANNEX, 72);
  await vital(cleo, LOC, 73);
  await post(creds, '/clinical/v1/resident/allergy', { allergy: 'Penicillin', locationId: LOC, residentId: ada });
  await post(creds, '/clinical/v1/resident/allergy', { allergy: 'Shellfish', locationId: LOC, residentId: cleo });
  await post(creds, '/clinical/v1/resident/diagnosis', { loginName: 'nurse.elm', diagnosis: 'Mild hearing loss', timestamp: '2026-05-01T10:00:00Z', locationId: LOC, residentId: ada });
  await post(creds, '/clinical/v1/resident/diagnosis', { loginName: 'nurse.elm', diagnosis: 'Gout', timestamp: '2026-05-01T10:00:00Z', locationId: ANNEX, residentId: bert });
});
afterAll(() => t.close());

describe('POST kick-off end to end', () => {
  it('exports what a Parameters body asks for (_type repeated and comma-separated): 202, manifest naming the kick-off URL, NDJSON, audit row', async () => {
    const status = await accepted('/fhir/R4/$export', [str('_type', 'Patient'), str('_type', 'Condition, AllergyIntolerance'), str('_outputFormat', 'application/fhir+ndjson')]);
    const manifest = await finished(status);
    expect(manifest.request).toBe(`${t.config.publicUrl}/fhir/R4/$export`);
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient', 'AllergyIntolerance', 'Condition']);
    const out = await files(manifest);
    expect(out.Patient.map((r) => r.id).sort()).toEqual([ada, bert, cleo].sort());
    expect(out.AllergyIntolerance).toHaveLength(2);
    expect(out.Condition).toHaveLength(2);
    expect(JSON.stringify(out)).not.toContain(stranger);
    const publicId = status.split('/').pop()!;
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.actorId, p.client_id));
    expect(audit.some((r) => r.action === 'export' && r.entityType === 'fhir_export' && r.entityIds.includes(publicId))).toBe(true);
  });

  it('takes application/json as well, and _since as valueInstant', async () => {
    const since = new Date(Date.now() + 60_000).toISOString();
    const manifest = await finished(await accepted('/fhir/R4/$export', [{ name: '_since', valueInstant: since }], { contentType: 'application/json' }));
    expect(manifest.output).toEqual([]);
  });
});

describe('the patient parameter', () => {
  it('narrows every file of a Patient-level export to the patients named (the others\' lines absent), and the audit rows to them', async () => {
    const status = await accepted('/fhir/R4/Patient/$export', [patientRef(ada), patientRef(bert.toLowerCase())]);
    const [row] = await t.database.db.select().from(fhirExports).where(eq(fhirExports.publicId, status.split('/').pop()!));
    expect(row.patients?.sort()).toEqual([ada, bert].sort());
    const manifest = await finished(status);
    expect(manifest.request).toBe(`${t.config.publicUrl}/fhir/R4/Patient/$export`);
    expect(manifest.output.map((o) => [o.type, o.count])).toEqual([['Patient', 2], ['Observation', 2], ['AllergyIntolerance', 1], ['Condition', 2]]);
    const out = await files(manifest);
    for (const resources of Object.values(out)) for (const r of resources) expect([ada, bert]).toContain(residentOf(r));
    const all = JSON.stringify(out);
    expect(all).not.toContain(cleo);
    expect(all).not.toContain('Shellfish');
    const exported = (await t.database.db.select().from(auditEvents).where(eq(auditEvents.actorId, p.client_id)))
      .filter((r) => r.action === 'export' && r.createdAt >= row.createdAt && r.entityType !== 'fhir_export');
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.flatMap((r) => r.entityIds)).not.toContain(cleo);
  });

  it('narrows a Group-level export to the patients named there; a patient of another location of the client is 400', async () => {
    const annex = p.locations.find((l) => l.name === ANNEX)!.locationId;
    const out = await files(await finished(await accepted(`/fhir/R4/Group/${annex}/$export`, [patientRef(bert), str('_type', 'Patient,Observation')])));
    expect(out.Patient.map((r) => r.id)).toEqual([bert]);
    expect(out.Observation.map(residentOf)).toEqual([bert]);
    expectInvalid(await postKickOff(`/fhir/R4/Group/${annex}/$export`, [patientRef(bert), patientRef(ada)]), new RegExp(`Patient/${ada} is not a patient this client may export from this Group`));
  });

  it('is refused at system level (400), lenient or not', async () => {
    expectInvalid(await postKickOff('/fhir/R4/$export', [patientRef(ada)]), /patient is not applicable to a system-level export/);
    expectInvalid(await postKickOff('/fhir/R4/$export', [patientRef(ada)], { prefer: 'respond-async, handling=lenient' }), /not applicable/);
  });

  it('refuses a patient the client cannot export with one sentence whatever the reason: another company\'s, unknown', async () => {
    const unknown = '0D9F1C2E-0000-4000-8000-00000000ABCD';
    const foreign = expectInvalid(await postKickOff('/fhir/R4/Patient/$export', [patientRef(ada), patientRef(stranger)]), new RegExp(`Patient/${stranger}`));
    const nowhere = expectInvalid(await postKickOff('/fhir/R4/Patient/$export', [patientRef(ada), patientRef(unknown)]), new RegExp(`Patient/${unknown}`));
    expect(foreign).toEqual([`patient: Patient/${stranger} is not a patient this client may export`]);
    expect(nowhere.map((d) => d.replace(unknown, stranger))).toEqual(foreign);
    expectInvalid(await postKickOff('/fhir/R4/Patient/$export', [{ name: 'patient', valueReference: { reference: 'Observation/123' } }]), /not a Patient reference/);
    expectInvalid(await postKickOff('/fhir/R4/Patient/$export', [str('patient', `Patient/${ada}`)]), /parameter\[0\] \(patient\) must have one valueReference/);
  });

  it('refuses a patient at a location the client does not reach (same sentence)', async () => {
    // The actor as the FHIR door builds it for a client granted only the annex.
    const client = (await t.services.partnerClients.findByClientId(p.client_id))!;
    const annex = (await t.services.partnerClients.locationsOf(client)).find((l) => l.name === ANNEX)!;
    const ctx = {
      actor: { kind: 'partner' as const, id: p.client_id, name: 'Elm', organizationId: client.organizationId, clientId: p.client_id, scopes: ['resident.read'], locationIds: [annex.id], locations: [annex] },
      ip: null, requestId: null,
    };
    const kick = (id: string) => t.services.fhirExports.kickOff(ctx, { level: 'patient', parameters: [{ name: 'patient', value: `Patient/${id}` }], requestUrl: `${base}/fhir/R4/Patient/$export`, lenient: false });
    await expect(kick(ada)).rejects.toMatchObject({ messages: [`patient: Patient/${ada} is not a patient this client may export`] });
    await expect(kick(bert)).resolves.toMatchObject({ statusUrl: expect.stringMatching(/bulkstatus/) });
  });
});

describe('unsupported and unknown parameters', () => {
  it('refuses _typeFilter, _elements and unknown names (400) unless Prefer: handling=lenient (202)', async () => {
    expectInvalid(await postKickOff('/fhir/R4/$export', [str('_typeFilter', 'Patient?active=true')]), /_typeFilter is not supported/);
    expectInvalid(await postKickOff('/fhir/R4/$export', [str('_elements', 'id')]), /_elements is not supported/);
    expectInvalid(await postKickOff('/fhir/R4/$export', [str('_type', 'Patient'), { name: 'includeAssociatedData', valueCode: 'LatestProvenanceResources' }]), /includeAssociatedData: not a kick-off parameter/);
    const lenient = { prefer: 'respond-async, handling=lenient' };
    await finished(await accepted('/fhir/R4/$export', [str('_type', 'Patient'), str('_typeFilter', 'Patient?active=true'), str('_elements', 'id'), { name: 'includeAssociatedData', valueCode: 'x' }], lenient));
  });

  it('refuses a bad _outputFormat, _since or _type, and _since given twice', async () => {
    expectInvalid(await postKickOff('/fhir/R4/$export', [str('_outputFormat', 'text/csv')]), /_outputFormat: text\/csv is not supported/);
    expectInvalid(await postKickOff('/fhir/R4/$export', [{ name: '_since', valueInstant: 'yesterday' }]), /_since/);
    expectInvalid(await postKickOff('/fhir/R4/$export', [str('_since', '2026-01-01'), str('_since', '2026-02-01')]), /_since may be given once/);
    expectInvalid(await postKickOff('/fhir/R4/$export', [str('_type', 'Patient'), str('_type', 'Encounter')]), /Encounter is not exported/);
  });

  it('applies the same rules to a GET kick-off: unknown names 400 unless lenient, _type repeatable, patient only in a POST body', async () => {
    const get = (q: string, prefer = 'respond-async') => request('GET', `/fhir/R4/Patient/$export${q}`, { headers: { prefer } });
    expectInvalid(await get('?_type=Patient&foo=bar'), /foo: not a kick-off parameter/);
    const lenient = await get('?_type=Patient&foo=bar', 'respond-async, handling=lenient');
    expect(lenient.status, lenient.text).toBe(202);
    await finished(local(lenient.headers.get('content-location')!));
    expectInvalid(await get(`?patient=Patient/${ada}`), /patient is taken in a POST kick-off's Parameters body only/);
    const repeated = await get('?_type=Condition&_type=Patient');
    expect(repeated.status, repeated.text).toBe(202);
    expect((await finished(local(repeated.headers.get('content-location')!))).output.map((o) => o.type)).toEqual(['Patient', 'Condition']);
  });
});

describe('malformed POST kick-offs: an OperationOutcome, never 500', () => {
  const raw = (body: string, contentType = 'application/fhir+json', path = '/fhir/R4/Patient/$export') =>
    request('POST', path, { headers: { prefer: 'respond-async', 'content-type': contentType }, body });

  it('answers 400 for a body that is not a Parameters resource, not JSON, empty, or with a query string', async () => {
    expectInvalid(await raw(JSON.stringify({ resourceType: 'Patient', id: ada })), /Body element "resourceType" is invalid/);
    expectInvalid(await raw('resourceType=Parameters', 'text/plain'), /The body is invalid: must be object/);
    expectInvalid(await raw('{"resourceType": "Parameters", "parameter": ['), /not valid JSON/);
    expectInvalid(await raw('[]'), /The body is invalid/);
    expectInvalid(await raw(''), /The body is invalid/);
    expectInvalid(await raw(JSON.stringify({ resourceType: 'Parameters', parameter: [{ valueString: 'Patient' }] })), /Body element "parameter.0" is invalid: must have required property 'name'/);
    expectInvalid(await raw(JSON.stringify({ resourceType: 'Parameters' }), 'application/fhir+json', '/fhir/R4/Patient/$export?_type=Patient'), /Parameters body only; the query string's _type is refused/);
    // Without Prefer: respond-async, as a GET.
    const noPrefer = await request('POST', '/fhir/R4/$export', { headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Parameters' }) });
    expectInvalid(noPrefer, /respond-async/);
  });

  it('answers 413 for a body over 256 KiB and 415 for another media type, as OperationOutcomes', async () => {
    const big = JSON.stringify({ resourceType: 'Parameters', parameter: [str('_elements', 'x'.repeat(300 * 1024))] });
    const tooLarge = await raw(big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-costly' }] });
    const xml = await raw('<Parameters xmlns="http://hl7.org/fhir"/>', 'application/fhir+xml');
    expect(xml.status).toBe(415);
    expect(xml.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-supported' }] });
    expect((await request('POST', '/fhir/R4/$export', { token: null, headers: { prefer: 'respond-async', 'content-type': 'application/fhir+json' }, body: '{}' })).status).toBe(401);
  });
});

describe('the CapabilityStatement', () => {
  it('says each export operation takes GET or POST with a Parameters body, and where patient applies', async () => {
    const cs = (await request('GET', '/fhir/R4/metadata', { token: null })).json() as { rest: Array<{ operation: Array<{ documentation: string }>; resource: Array<{ type: string; operation?: Array<{ documentation: string }> }> }> };
    expect(cs.rest[0].operation[0].documentation).toMatch(/POST with a Parameters body.*patient only at Patient and Group level/);
    for (const type of ['Patient', 'Group']) expect(cs.rest[0].resource.find((r) => r.type === type)!.operation![0].documentation).toMatch(/POST names in its patient parameter/);
  });
});
