/**
 * Oversized requests are client errors in each family's shape, never 500: every request string has a documented
 * `maxLength` (checked over the whole OpenAPI document), a body over the server's limit is 413, and PostgreSQL's
 * program-limit errors (class 54) are validation errors.
 */
import Fastify from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEcmErrors } from '../../src/ecm/http.ts';
import { useEcpErrors } from '../../src/ecp/http.ts';
import { isUnstorableValue } from '../../src/platform/errors.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let admin: TestUser;
let partner: Partner;
let creds: { token: string; apiKey: string };

const MB = 1024 * 1024;
/** More than the server's 10 MiB body limit. */
const HUGE = 'x'.repeat(11 * MB);

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'Limits Clinic', 'admin');
  partner = await createPartner(t, 'Limits Senior Living', ['Limits Assisted Living']);
  creds = { token: await tokenFor(t.app, partner), apiKey: partner.api_key };
});
afterAll(() => t.close());

type Schema = Record<string, unknown> & { $ref?: string };

/** Every string schema under `schema` (properties, items, unions, records), with where it sits. */
function stringSchemas(doc: { components?: { schemas?: Record<string, Schema> } }, schema: Schema | undefined, where: string, out: Array<[string, Schema]>, seen = new Set<unknown>()) {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  if (schema.$ref) return stringSchemas(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()!], where, out, seen);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('string')) out.push([where, schema]);
  // A map's keys are strings the client chooses too.
  if (schema.patternProperties || typeof schema.additionalProperties === 'object') out.push([`${where} (names)`, (schema.propertyNames ?? {}) as Schema]);
  for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) stringSchemas(doc, v, `${where}.${k}`, out, seen);
  for (const [k, v] of Object.entries((schema.patternProperties ?? {}) as Record<string, Schema>)) stringSchemas(doc, v, `${where}[${k}]`, out, seen);
  if (typeof schema.additionalProperties === 'object') stringSchemas(doc, schema.additionalProperties as Schema, `${where}{}`, out, seen);
  if (schema.items) stringSchemas(doc, schema.items as Schema, `${where}[]`, out, seen);
  for (const k of ['anyOf', 'oneOf', 'allOf']) for (const v of (schema[k] ?? []) as Schema[]) stringSchemas(doc, v, where, out, seen);
}

describe('request string lengths', () => {
  it('gives every request string (body, query, path, header) a maxLength, unless it is an enum or a constant', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const found: Array<[string, Schema]> = [];
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema: Schema }>; requestBody?: { content: Record<string, { schema: Schema }> } }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        operations++;
        for (const p of op.parameters ?? []) stringSchemas(doc, p.schema, `${method.toUpperCase()} ${path} ${p.in}:${p.name}`, found);
        for (const [type, c] of Object.entries(op.requestBody?.content ?? {})) stringSchemas(doc, c.schema, `${method.toUpperCase()} ${path} body(${type})`, found);
      }
    }
    expect(operations).toBeGreaterThan(50);
    expect(found.length).toBeGreaterThan(200);
    const unbounded = found.filter(([, s]) => s.enum === undefined && s.const === undefined && typeof s.maxLength !== 'number').map(([where]) => where);
    expect(unbounded).toEqual([]);
  });

  it('answers a 9 MB first_name on an ECM patient update with 422 and a sentence naming the field', async () => {
    const created = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', { patient: { first_name: 'Ada', last_name: 'Lovelace', ecm_eligibility_information: { member_id: 'LIM-1' } } });
    expect(created.statusCode, created.body).toBe(201);
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${created.json().patient.id}`, { patient: { first_name: 'x'.repeat(9 * MB) } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ['Validation failed: First name is too long (maximum is 100 characters)'] });
  });

  it('answers over-long ECM activity text and search terms with 422', async () => {
    const created = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', { patient: { first_name: 'Grace', last_name: 'Hopper', ecm_eligibility_information: { member_id: 'LIM-2' } } });
    const id = created.json().patient.id;
    const note = await call(t.app, admin, 'POST', `/v1/clinic/ecm/patients/${id}/activities`, { activity: { activity_type: 'note', assigned_to_id: admin.id, body: 'x'.repeat(10_001) } });
    expect(note.statusCode).toBe(422);
    expect(note.json()).toEqual({ errors: ['Body is too long (maximum is 10000 characters)'] });
    const search = await call(t.app, admin, 'GET', `/v1/clinic/ecm/patients?search=${'x'.repeat(201)}`);
    expect(search.statusCode).toBe(422);
    expect(search.json()).toEqual({ errors: ['Search is too long (maximum is 200 characters)'] });
  });

  it('answers a Twilio webhook parameter name over 255 characters with 422', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/v1/clinic/webhooks/twilio/sms',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      payload: `${'n'.repeat(256)}=1&Body=hi`,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ['A field name is too long (maximum is 255 characters)'] });
  });

  it('answers an oversized ECP field with 400 naming the field', async () => {
    await insertEcpUser(t, partner, 'limitsnurse');
    const residentId = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Test', dateOfBirth: '1940-03-01', locationId: partner.locations[0].locationId });
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/diagnosis', {
      loginName: 'limitsnurse', residentId, diagnosis: 'x'.repeat(9 * MB), timestamp: '2025-05-05T13:37:27+00:00',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ result: 'Error', error: 'diagnosis must be at most 10000 characters' });
    const ids = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId, externalIds: { ['n'.repeat(61)]: 'v' } });
    expect(ids.statusCode).toBe(400);
    expect(ids.json()).toEqual({ result: 'Error', error: 'names in externalIds must be at most 60 characters' });
    const vital = await clinical(t.app, creds, 'GET', `/clinical/v1/resident/diagnosis?startingDateTime=${'2025-05-05T13:37:27.' + '1'.repeat(100) + 'Z'}&location=Limits%20Assisted%20Living`);
    expect(vital.statusCode).toBe(400);
    expect(vital.json()).toEqual({ result: 'Error', error: 'startingDateTime must be at most 64 characters' });
  });
});

describe('bodies over the limit', () => {
  it('answers 413 in the ECM shape', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/v1/clinic/ecm/patients/1/activities',
      headers: { 'x-user-token': admin.token, 'content-type': 'application/json' },
      payload: JSON.stringify({ activity: { body: HUGE } }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ errors: ['Request body is too large'] });
  });

  it('answers 413 in the ECM shape on the Twilio webhooks (form bodies)', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/v1/clinic/webhooks/twilio/sms',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      payload: `Body=${HUGE}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ errors: ['Request body is too large'] });
  });

  it('answers 413 in the ECP shape, for a POST body and for a GET body', async () => {
    const post = await clinical(t.app, creds, 'POST', '/clinical/v1/resident', { firstName: HUGE });
    expect(post.statusCode).toBe(413);
    expect(post.json()).toEqual({ result: 'Error', error: 'The request body is too large (the limit is 10 MiB)' });
    const get = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/diagnosis', { location: 'x'.repeat(2 * MB) });
    expect(get.statusCode).toBe(413);
    expect(get.json()).toEqual({ result: 'Error', error: 'The request body is too large (the limit is 1 MiB)' });
  });

  it('answers an 11 MB /token body, JSON or form, with 413 invalid_request', async () => {
    const json = await t.app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ grant_type: 'client_credentials', client_id: HUGE }) });
    const form = await t.app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&client_id=${HUGE}` });
    for (const res of [json, form]) {
      expect(res.statusCode).toBe(413);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is too large (the limit is 64 KiB)' });
    }
  });

  it('keeps /token and sign-in bodies to 64 KiB', async () => {
    const token = await t.app.inject({ method: 'POST', url: '/token', payload: { grant_type: 'client_credentials', client_id: 'x'.repeat(65 * 1024) } });
    expect(token.statusCode).toBe(413);
    const signIn = await call(t.app, null, 'POST', '/v1/auth/sign_in', { email: admin.email, password: 'x'.repeat(65 * 1024) });
    expect(signIn.statusCode).toBe(413);
    expect(signIn.json()).toEqual({ errors: ['Request body is too large'] });
  });

  it('answers over-long /token parameters under the limit with 400 invalid_request', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/token', payload: { grant_type: 'client_credentials', client_id: 'x'.repeat(10_000) } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe("PostgreSQL's program limits (class 54)", () => {
  /** A statement PostgreSQL refuses with 54000: a btree entry over its 2,704-byte maximum. */
  async function indexRowTooBig() {
    return t.database.db.transaction(async (tx) => {
      await tx.execute(sql`CREATE TEMP TABLE limits_probe (v text) ON COMMIT DROP`);
      await tx.execute(sql`CREATE INDEX ON limits_probe (v)`);
      await tx.execute(sql`INSERT INTO limits_probe SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g`);
    });
  }

  it('are values the client sent, not server faults', async () => {
    const err = await indexRowTooBig().then(() => undefined, (e: unknown) => e);
    expect(err).toBeDefined();
    expect(isUnstorableValue(err)).toBe(true);
  });

  it('answer 422 in the ECM shape and 400 in the ECP shape', async () => {
    const ecm = Fastify();
    await ecm.register(async (app) => {
      useEcmErrors(app);
      app.post('/x', async () => indexRowTooBig());
    });
    const ecp = Fastify();
    await ecp.register(async (app) => {
      useEcpErrors(app);
      app.post('/x', async () => indexRowTooBig());
    });
    const a = await ecm.inject({ method: 'POST', url: '/x' });
    expect(a.statusCode).toBe(422);
    expect(a.json().errors[0]).toMatch(/cannot be stored/);
    const b = await ecp.inject({ method: 'POST', url: '/x' });
    expect(b.statusCode).toBe(400);
    expect(b.json()).toMatchObject({ result: 'Error', error: expect.stringMatching(/cannot be stored/) });
  });
});
