/**
 * An OpenAPI-driven HTTP fuzzer: from the app's own `/openapi.json` it builds, with fast-check, requests to every
 * operation and sends them through `app.inject`:
 * - body-limit requests: a plausible body of exactly the operation's body limit in bytes, and one byte over it;
 * - stateful sequences: operations in random order with plausible values drawn from each schema (names, E.164
 *   phones, e-mail addresses, recent dates, numbers in the documented range) and ids taken from what the run has
 *   created and listed so far, so creates are followed by reads, updates and deletes of what they created, and most
 *   requests pass validation;
 * - stateless requests: valid ones (any value the schema allows) and invalid ones (wrong types, huge and unicode
 *   strings, out-of-range integers, missing and extra fields, bad JSON, wrong content types, bad or missing
 *   credentials).
 * It checks each answer: never a 500, no 5xx other than the documented ones, a JSON body when the answer says JSON;
 * and reports per run the requests sent, the share of 2xx answers and the largest body. A failure is shrunk by
 * fast-check and printed as a request.
 */
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

type Schema = Record<string, unknown> & {
  type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[];
  const?: unknown; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; format?: string; minimum?: number; maximum?: number;
  minLength?: number; maxLength?: number; minItems?: number; maxItems?: number; pattern?: string; description?: string;
};

interface Parameter { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema }
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  /** Status codes the operation documents. */
  documented: Set<number>;
}

export type Family = 'ecm' | 'community' | 'ecp' | 'fhir' | 'token' | 'public';

export interface FuzzCredentials {
  /** `X-User-Token` of a clinic admin. */
  userToken: string;
  /** A fresh user token for operations that end the caller's session (sign-out). */
  freshUserToken(): Promise<string>;
  /** The fuzzer's own user id (never a target of user updates, so it cannot deactivate itself). */
  ownUserId: number;
  ecp: { bearer: string; apiKey: string; clientId: string; clientSecretBase64: string };
  /** `X-User-Token` of an ECP user of the same company signed in to the community workspace (`/v1/community`). */
  communityToken: string;
  /** A fresh community token for the community sign-out. */
  freshCommunityToken(): Promise<string>;
  /** Real values for path and body fields, by name (`patient_id`, `residentId`, ...). */
  known: Record<string, Array<string | number>>;
}

/** One generated request, in the form `app.inject` takes; `toString` prints it for a failure report. */
export interface FuzzRequest {
  op: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  auth: AuthMode;
}

type AuthMode = 'valid' | 'none' | 'garbage' | 'other-family' | 'half' | 'huge';

export interface FuzzFinding {
  request: FuzzRequest;
  status: number;
  body: string;
  problem: string;
}

/** Operations that must not run with the fuzzer's shared credentials (they end its own session). */
const OWN_SESSION_ENDERS = new Set(['DELETE /v1/auth/sign_out', 'DELETE /v1/community/auth/sign_out']);

export function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }, filter?: RegExp): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      const o = raw as { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> }; responses?: Record<string, unknown> };
      const op: Operation = {
        method: method.toUpperCase(),
        path,
        parameters: o.parameters ?? [],
        body: o.requestBody?.content?.['application/json']?.schema,
        documented: new Set(Object.keys(o.responses ?? {}).map(Number)),
      };
      if (!filter || filter.test(`${op.method} ${path}`)) ops.push(op);
    }
  }
  return ops;
}

export function familyOf(path: string): Family {
  if (path === '/token') return 'token';
  if (path.startsWith('/clinical/')) return 'ecp';
  if (path.startsWith('/v1/community/')) return 'community';
  if (path.startsWith('/fhir/')) return 'fhir';
  if (path.startsWith('/v1/')) return 'ecm';
  return 'public';
}

// ---------------------------------------------------------------- values

const HUGE = 'x'.repeat(70_000);

/** Values that break naive code: boundaries of int4 and of JSON numbers, unicode, NUL, lone surrogates, odd dates. */
const evil: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    '', ' ', '\u0000', 'a\u0000b', '\uD800', '😀🏥 Ünïcødé ß ﷽', 'Robert\'); DROP TABLE patients;--', '%', '_', '\\', '../../etc/passwd',
    HUGE, '1970-13-45', '0000-01-01', '9999-12-31', '2024-02-30', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00.000Z', 'NaN', 'null', 'true',
    2147483647, 2147483648, -2147483649, 2 ** 53 + 2, 1e308, -1e308, -1, 0, 0.5, -0.0, 1e-320,
    true, false, null, [], {}, [null], { __proto__: { polluted: true } }, { constructor: { prototype: { polluted: true } } },
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 2 }),
);

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
const dateArb = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });
const DAY = 86_400_000;

function typesOf(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  return [];
}

/**
 * How values are drawn. `any`: whatever the schema allows (any unicode string, any date), for the stateless
 * requests. `plausible`: what a real client sends (names of letters, E.164 phones, e-mail addresses, dates of
 * birth in the past, recent timestamps, numbers in the range a field's description gives, few optional fields), so
 * most requests pass validation and reach the services and the database. `refs`: id fields become `Ref`s, resolved
 * when the request is sent from the ids the sequence has seen so far (the stateful sequences).
 */
interface Draw {
  known: FuzzCredentials['known'];
  flavor: 'any' | 'plausible';
  refs: boolean;
}

/** A parameter or field naming a record: resolved from the pool of ids a sequence has seen. */
export const ID_NAME = /(^id$|_id$|Id$|_ids$|Ids$)/;
/** Names that look like ids but are values the client chooses (unique within the tenant: a real one collides). */
const CHOSEN_IDS = new Set(['member_id', 'ecm_service_auth_id', 'mcp_id']);
/** Marks a field whose value a create chooses (drawn fresh, never from the pool). */
const FRESH = 'x-fuzz-fresh';
/** Names that are ids without looking like ones. */
const REF_NAMES = new Set(['loginName', 'location']);

/** An id field of a stateful request: `kinds` to look up in the pool (first found wins), `n` which of them. */
export class Ref {
  readonly kinds: string[];
  readonly n: number;
  readonly fallback: unknown;
  constructor(kinds: string[], n: number, fallback: unknown) {
    this.kinds = kinds;
    this.n = n;
    this.fallback = fallback;
  }
}

const plural = (x: string) => (x.endsWith('y') ? `${x.slice(0, -1)}ies` : x.endsWith('s') ? x : `${x}s`);
const singular = (x: string) => (x.endsWith('ies') ? `${x.slice(0, -3)}y` : x.endsWith('s') ? x.slice(0, -1) : x);

/** Other names a record's id goes by: an assignee is a user, a parent activity an activity, an SMS a text message. */
const ID_ALIASES: Record<string, string[]> = {
  assigned_to_id: ['user_id'], provider_id: ['user_id'], olcm_user_id: ['user_id'], ilcm_user_id: ['user_id'], lead_care_manager_id: ['user_id'],
  actor_id: ['user_id'], created_by_user_id: ['user_id'], performed_by_id: ['user_id'],
  parent_id: ['activity_id'], blocked_by_id: ['activity_id'], blocking_id: ['activity_id'], entity_id: ['patient_id'],
  text_message_id: ['sms_id'], voice_call_id: ['call_id'], locationIds: ['locationId'], location: ['locationId'],
};

/** The pool kinds an id field may take its value from, most specific first. */
export function kindsOf(name: string, collection?: string): string[] {
  const out = collection ? [`${collection}.id`, `${singular(collection)}_id`] : [name];
  for (const a of [name, ...(ID_ALIASES[name] ?? [])]) {
    if (!out.includes(a)) out.push(a);
    const m = /^(.*)_id$/.exec(a);
    if (m && !out.includes(`${plural(m[1])}.id`)) out.push(`${plural(m[1])}.id`);
  }
  return out;
}

/** A value the schema accepts (mostly; patterns are honoured), using real ids where the field name is known. */
function validOf(s: Schema | undefined, d: Draw, name: string, depth: number): fc.Arbitrary<unknown> {
  if (!s || depth > 5) return fc.constant(null);
  const own = ownValue(s, d, name, depth);
  if (s[FRESH]) return own;
  const isRef = (ID_NAME.test(name) || REF_NAMES.has(name)) && !CHOSEN_IDS.has(name) && name !== 'body';
  if (d.refs && isRef && !typesOf(s).includes('array')) return fc.tuple(fc.nat(), own).map(([n, fallback]) => new Ref(kindsOf(name), n, fallback));
  const real = d.known[name];
  if (!real?.length) return own;
  // Plausible requests take a known value only where it must be that value (credentials, a company's user group);
  // names, e-mails and the like are drawn fresh so creates do not collide with the seeded records.
  if (d.flavor === 'plausible') return isRef || MUST_BE_KNOWN.has(name) ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: own }) : own;
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: own });
}

/** Known values a plausible request uses as they are: credentials, and values the company defines. */
const MUST_BE_KNOWN = new Set(['grant_type', 'client_secret', 'password', 'userGroup', 'phone_number']);

/** Letters, then letters, digits and spaces: a name a person would type. */
const wordArb = (max: number) => fc.stringMatching(/^[A-Z][a-z]{1,12}( [A-Z][a-z]{1,10})?$/).map((w) => w.slice(0, Math.max(1, max)));

/** Values a field's name says more about than its schema (plausible flavor only). */
function byName(name: string, s: Schema): fc.Arbitrary<unknown> | undefined {
  const n = name.toLowerCase();
  if (/phone|cellphone|pager/.test(n)) return fc.integer({ min: 100, max: 9999 }).map((x) => `+1805555${String(x).padStart(4, '0')}`);
  if (/email/.test(n)) return fc.tuple(fc.stringMatching(/^[a-z]{3,10}$/), fc.nat(9999)).map(([u, x]) => `${u}${x}@example.com`);
  if (n === 'zip') return fc.stringMatching(/^9\d{4}$/);
  if (n === 'tin') return fc.stringMatching(/^\d{2}-\d{7}$/);
  if (n === 'state') return fc.constant('CA');
  if (n === 'time_zone' || n === 'timezone') return fc.constantFrom('America/Los_Angeles', 'America/New_York');
  if (/url$/.test(n)) return fc.constant('http://127.0.0.1:9/fuzz');
  if (/birth|dob/.test(n)) return fc.date({ min: new Date('1920-01-01'), max: new Date('2000-12-31'), noInvalidDate: true }).map(isoDate);
  const range = /(\d+(?:\.\d+)?) to (\d+(?:\.\d+)?)/.exec(String(s.description ?? ''));
  if (range && typesOf(s).some((t) => t === 'number' || t === 'integer')) return fc.integer({ min: Math.ceil(Number(range[1])), max: Math.floor(Number(range[2])) });
  return undefined;
}

function ownValue(s: Schema, d: Draw, name: string, depth: number): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...(d.flavor === 'plausible' ? s.enum.filter((v) => v !== null) : s.enum));
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => validOf(a, d, name, depth + 1)));
  if (s.allOf?.length) return validOf(Object.assign({}, ...s.allOf) as Schema, d, name, depth + 1);
  const types = typesOf(s).filter((t) => t !== 'null');
  if (types.length > 1) return fc.oneof(...types.map((t) => ownValue({ ...s, type: t }, d, name, depth)));
  const hinted = d.flavor === 'plausible' ? byName(name, s) : undefined;
  if (hinted && types[0] !== 'object' && types[0] !== 'array') return hinted;
  switch (types[0]) {
    case 'object': {
      const props = s.properties ?? {};
      const required = (s.required ?? []).filter((k) => k in props);
      if (d.flavor === 'plausible') {
        // Few optional fields: each extra field is one more rule a request can break.
        const optional = Object.keys(props).filter((k) => !required.includes(k));
        return fc.tuple(
          fc.record(Object.fromEntries(required.map((k) => [k, validOf(props[k], d, k, depth + 1)]))),
          fc.subarray(optional, { maxLength: Math.min(3, optional.length) }).chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, validOf(props[k], d, k, depth + 1)])))),
        ).map(([r, o]) => ordered({ ...o, ...r }));
      }
      const arbs = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validOf(v, d, k, depth + 1)]));
      return fc.record(arbs, { requiredKeys: required });
    }
    case 'array':
      return fc.array(validOf(s.items, d, name, depth + 1), { minLength: Math.min(s.minItems ?? 0, 3), maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'integer':
      return fc.integer({ min: s.minimum ?? (d.flavor === 'plausible' ? 1 : -3), max: Math.min(s.maximum ?? 500, 2_000_000) });
    case 'number':
      return fc.double({ min: s.minimum ?? (d.flavor === 'plausible' ? 0 : -1000), max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      switch (s.format) {
        case 'date': return d.flavor === 'plausible' ? fc.integer({ min: -365, max: 0 }).map((x) => isoDate(new Date(Date.now() + x * DAY))) : dateArb.map(isoDate);
        case 'date-time': return d.flavor === 'plausible' ? fc.integer({ min: 60_000, max: 30 * DAY }).map((x) => new Date(Date.now() - x).toISOString()) : dateArb.map((x) => x.toISOString());
        // ECP request timestamps: with an offset, without one (the location's time) or a date alone.
        case 'iso-date-time': return (d.flavor === 'plausible' ? fc.integer({ min: 2 * DAY, max: 30 * DAY }).map((x) => new Date(Date.now() - x)) : dateArb)
          .chain((x) => fc.constantFrom(x.toISOString(), x.toISOString().slice(0, 19), isoDate(x)));
        case 'email': return d.flavor === 'plausible' ? byName('email', s)! : fc.emailAddress();
        case 'uuid': return fc.uuid().map((u) => u.toUpperCase());
        case 'uri': return fc.webUrl();
      }
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      if (d.flavor === 'plausible') return wordArb(s.maxLength ?? 30);
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 30, 30)) });
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** Fields that come in order (a range, a blood pressure): plausible values put the lower first. */
const ORDERED_PAIRS = [['start_date', 'end_date'], ['startingDateTime', 'endingDateTime'], ['ecm_benefit_auth_eff_date', 'ecm_benefit_auth_end_date'], ['diastolic', 'systolic']];

/** `o` with the values of each ordered pair it holds swapped when they are the wrong way round. */
function ordered<T extends Record<string, unknown>>(o: T): T {
  for (const [low, high] of ORDERED_PAIRS) {
    const a = o[low];
    const b = o[high];
    if ((typeof a === 'string' || typeof a === 'number') && typeof b === typeof a && a > (b as typeof a)) Object.assign(o, { [low]: b, [high]: a });
  }
  return o;
}

/** Like `validOf`, but any node may be replaced by an evil value, objects may lose required keys and gain extra ones. */
function mutatedOf(s: Schema | undefined, d: Draw, name: string, depth: number): fc.Arbitrary<unknown> {
  const good = validOf(s, d, name, depth);
  if (!s || depth > 5) return fc.oneof(good, evil);
  const types = typesOf(s);
  if (types.includes('object') && s.properties) {
    const props = s.properties;
    const arbs = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, mutatedOf(v, d, k, depth + 1)]));
    const obj = fc.tuple(
      fc.record(arbs, { requiredKeys: [] }),
      fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'id', 'organization_id', 'organizationId')), evil, { maxKeys: 2 }),
    ).map(([o, extra]) => ({ ...extra, ...o }));
    return fc.oneof({ weight: 6, arbitrary: obj }, { weight: 1, arbitrary: evil });
  }
  if (types.includes('array') && s.items) {
    return fc.oneof({ weight: 4, arbitrary: fc.array(mutatedOf(s.items, d, name, depth + 1), { maxLength: 4 }) }, { weight: 1, arbitrary: evil },
      { weight: 1, arbitrary: fc.constant(Array.from({ length: 2000 }, (_, i) => i)) });
  }
  return fc.oneof({ weight: 3, arbitrary: good }, { weight: 2, arbitrary: evil });
}

/** `s` with lone surrogates replaced by U+FFFD (a URL cannot carry them). */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function asParam(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

// ---------------------------------------------------------------- requests

const RAW_BODIES = ['{"a":', '', 'null', '[1,2]', '"text"', '{}', '1', 'ü', '\u0000', '{"__proto__":{"polluted":1}}', '['.repeat(3000) + ']'.repeat(3000), '{"a":1}{"b":2}', HUGE];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/xml', 'application/jsonx', ''];

/** The fast-check arbitrary of one request to one of `ops`. */
export function requestArbitrary(ops: Operation[], creds: FuzzCredentials): fc.Arbitrary<FuzzRequest> {
  const d: Draw = { known: creds.known, flavor: 'any', refs: false };
  return fc.constantFrom(...ops).chain((op) => {
    const family = familyOf(op.path);
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const queryParams = op.parameters.filter((p) => p.in === 'query');
    const mode = fc.constantFrom<'valid' | 'mutated'>('valid', 'valid', 'mutated');
    return mode.chain((m) => {
      const pick = m === 'valid' ? validOf : mutatedOf;
      const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => [p.name,
        m === 'valid' ? validOf(p.schema, d, p.name, 0).map(asParam)
          : fc.oneof(validOf(p.schema, d, p.name, 0).map(asParam), evil.map(asParam), fc.constantFrom('0', '-1', '2147483648', '99999999999999999999', '1e3', '0x10', ' 1', '1.5', 'ABC', '%00', 'x'.repeat(3000)))])));
      const queryArb = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, pick(p.schema, d, p.name, 0).map(asParam)])), { requiredKeys: m === 'valid' ? queryParams.filter((p) => p.required).map((p) => p.name) : [] });
      const bodyArb: fc.Arbitrary<{ payload?: string; contentType?: string }> = op.body
        ? fc.oneof(
          { weight: 8, arbitrary: pick(op.body, d, 'body', 0).map((b) => ({ payload: JSON.stringify(b), contentType: 'application/json' })) },
          { weight: m === 'valid' ? 0 : 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((payload) => ({ payload, contentType: 'application/json' })) },
          { weight: m === 'valid' ? 0 : 1, arbitrary: fc.tuple(validOf(op.body, d, 'body', 0), fc.constantFrom(...CONTENT_TYPES)).map(([b, contentType]) => ({ payload: JSON.stringify(b), contentType })) },
        )
        : fc.oneof(
          { weight: 6, arbitrary: fc.constant({}) },
          { weight: m === 'valid' ? 0 : 1, arbitrary: fc.tuple(fc.constantFrom(...RAW_BODIES), fc.constantFrom('application/json', ...CONTENT_TYPES)).map(([payload, contentType]) => ({ payload, contentType })) },
        );
      const authArb = m === 'valid' ? fc.constant<AuthMode>('valid') : fc.constantFrom<AuthMode>('valid', 'valid', 'valid', 'valid', 'none', 'garbage', 'other-family', 'half', 'huge');
      const headerArb = fc.option(fc.constantFrom<Record<string, string>>(
        { accept: 'text/html' }, { 'accept-encoding': 'gzip, br' }, { 'x-forwarded-for': 'not-an-ip, 999.1.1.1' }, { 'idempotency-key': 'x'.repeat(5000) },
        { 'idempotency-key': '' }, { 'content-length': '0' }, { 'x-request-id': '\u00ff' }, { 'transfer-encoding': 'chunked' },
      ), { freq: 5 });
      return fc.record({ path: pathArb, query: queryArb, body: bodyArb, auth: authArb, extra: headerArb }).map(({ path, query, body, auth, extra }): FuzzRequest => {
        const url = urlOf(op, path, query);
        const headers: Record<string, string> = { ...(extra ?? {}) };
        if (body.contentType) headers['content-type'] = body.contentType;
        if (!body.contentType && body.payload === undefined) delete headers['content-length'];
        if (headers['transfer-encoding'] || headers['content-length']) {
          // Framing headers that contradict the payload only test light-my-request, not the server.
          delete headers['transfer-encoding'];
          delete headers['content-length'];
        }
        Object.assign(headers, authHeaders(family, auth, creds));
        return { op: `${op.method} ${op.path}`, method: op.method, url, headers, payload: body.payload, auth };
      });
    });
  });
}

/** `op`'s path with its parameters filled in and the query string appended (undefined values left out). */
function urlOf(op: Operation, path: Record<string, string>, query: Record<string, string | undefined>): string {
  const url = op.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(wellFormed(path[n] ?? '')));
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as Array<[string, string]>).toString();
  return qs ? `${url}?${qs}` : url;
}

function authHeaders(family: Family, auth: AuthMode, creds: FuzzCredentials): Record<string, string> {
  const ecpValid = { 'auth-bearer': `Bearer ${creds.ecp.bearer}`, authorization: `Api-Key ${creds.ecp.apiKey}` };
  if (family === 'fhir') {
    // The FHIR door: the same access token as the standard `Authorization: Bearer`, no Api-Key.
    switch (auth) {
      case 'none': return {};
      case 'garbage': return { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' };
      case 'other-family': return ecpValid;
      case 'half': return { authorization: `Bearer ${creds.ecp.bearer.slice(0, 40)}` };
      case 'huge': return { authorization: `Bearer ${'A'.repeat(20_000)}` };
      case 'valid': return { authorization: `Bearer ${creds.ecp.bearer}` };
    }
  }
  switch (auth) {
    case 'none': return {};
    case 'garbage': return family === 'ecp' ? { 'auth-bearer': 'Bearer eyJhbGciOiJub25lIn0.e30.', authorization: 'Api-Key 🙃' } : { 'x-user-token': 'not-a-token\t', authorization: 'Basic %%%' };
    case 'other-family': return family === 'ecp' ? { 'x-user-token': creds.userToken } : { ...ecpValid };
    case 'half': return family === 'ecp' ? { 'auth-bearer': `Bearer ${creds.ecp.bearer}` } : { 'x-user-token': creds.userToken.slice(0, 10) };
    case 'huge': return family === 'ecp' ? { 'auth-bearer': `Bearer ${'A'.repeat(20_000)}`, authorization: `Api-Key ${'B'.repeat(20_000)}` } : { 'x-user-token': 'T'.repeat(20_000), authorization: `Basic ${'C'.repeat(20_000)}` };
    case 'valid':
      if (family === 'ecp') return ecpValid;
      if (family === 'ecm') return { 'x-user-token': creds.userToken };
      if (family === 'community') return { 'x-user-token': creds.communityToken };
      if (family === 'token') return { authorization: `Basic ${Buffer.from(`${creds.ecp.clientId}:${Buffer.from(creds.ecp.clientSecretBase64, 'base64').toString()}`).toString('base64')}` };
      return {};
  }
}

/** Prints a request the way a reader reproduces it (`curl`-like; huge strings abbreviated). */
export function describeRequest(r: FuzzRequest): string {
  const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 200)}...(${s.length} chars)` : s);
  const headers = Object.entries(r.headers).map(([k, v]) => `-H '${k}: ${cut(v)}'`).join(' ');
  return `${r.method} ${cut(r.url)} ${headers}${r.payload !== undefined ? ` --data '${cut(r.payload)}'` : ''}  [${r.op}, auth ${r.auth}]`;
}

/** The answer's problem, or undefined when it is acceptable. */
export function judge(op: Operation | undefined, res: LightMyRequestResponse): string | undefined {
  if (res.statusCode >= 500) {
    const documented = res.statusCode === 502 && op?.documented.has(502);
    if (!documented) return `answered ${res.statusCode}`;
  }
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('json') && res.body.length) {
    try {
      JSON.parse(res.body);
    } catch {
      return 'answered a content-type of JSON with a body that is not JSON';
    }
  }
  return undefined;
}

/** Sends `r` (sign-out gets its own fresh token); replaces a target of user updates that is the fuzzer itself. */
export async function send(app: FastifyInstance, r: FuzzRequest, creds: FuzzCredentials): Promise<LightMyRequestResponse> {
  const headers = { ...r.headers };
  if (OWN_SESSION_ENDERS.has(r.op) && headers['x-user-token'] === creds.userToken) headers['x-user-token'] = await creds.freshUserToken();
  if (OWN_SESSION_ENDERS.has(r.op) && headers['x-user-token'] === creds.communityToken) headers['x-user-token'] = await creds.freshCommunityToken();
  let url = r.url;
  if (r.op === 'PUT /v1/admin/users/{id}' && url.split('?')[0] === `/v1/admin/users/${creds.ownUserId}`) url = url.replace(`/users/${creds.ownUserId}`, '/users/0');
  return app.inject({ method: r.method as 'GET', url, headers, payload: r.payload });
}

// ---------------------------------------------------------------- plausible requests

/**
 * What a schema cannot say about a valid request, by operation (paths into the body, or `query.<name>`): fields
 * that are optional in the schema but required by a rule (`require`), fields that only fit some requests and are
 * left out (`omit`: an activity's links must name records of the same member), values narrowed (`values`), and
 * names a create chooses (`fresh`: a new user's `loginName`, not one of the pool).
 */
const PLAUSIBLE_HINTS: Record<string, { require?: string[]; omit?: string[]; values?: Record<string, unknown[]>; fresh?: string[] }> = {
  'POST /v1/clinic/ecm/patients/{patient_id}/activities': {
    require: ['activity.activity_type', 'activity.assigned_to_id', 'activity.message', 'activity.body'],
    omit: ['activity.voice_call_id', 'activity.text_message_id', 'activity.parent_id', 'activity.blocked_by_id', 'activity.blocking_id',
      'activity.email_attachments', 'activity.modality', 'activity.due_at', 'activity.email_to'],
    values: { 'activity.activity_type': ['task', 'note'] },
  },
  'PUT /v1/clinic/ecm/patients/{patient_id}/activities/{id}': {
    omit: ['activity.activity_type', 'activity.voice_call_id', 'activity.text_message_id', 'activity.parent_id', 'activity.blocked_by_id', 'activity.blocking_id',
      'activity.email_attachments', 'activity.modality', 'activity.due_at', 'activity.email_to', 'activity.booked_at'],
  },
  'POST /v1/admin/clinic/ecm/patients': { require: ['patient.first_name', 'patient.last_name', 'patient.ecm_eligibility_information', 'patient.ecm_eligibility_information.member_id'] },
  'POST /v1/admin/clinic/ecm/prtf_reports': { require: ['start_date', 'end_date'], omit: ['provider_npi'] },
  'GET /v1/clinic/ecm/events/counts': { require: ['query.start_date', 'query.end_date'] },
  'GET /v1/clinic/ecm/patients/{patient_id}/events/counts': { require: ['query.start_date', 'query.end_date'] },
  'POST /v1/clinic/ecm/communications/patients/{patient_id}/sms': { require: ['sms.phone_number', 'sms.body'] },
  'POST /v1/clinic/ecm/communications/patients/{patient_id}/call': { require: ['call.phone_number'] },
  'POST /clinical/v1/resident/diagnosis': { require: ['diagnosis'] },
  'POST /clinical/v1/user': { fresh: ['loginName'] },
  'POST /token': { require: ['grant_type', 'client_id', 'client_secret'], omit: ['scope'] },
};

/**
 * Fields every plausible request carries when its schema has them, optional or not: the ECP location, resident and
 * recording user (a request names them one way or another), and an ECM activity's assignee.
 */
const ALWAYS = new Set(['locationId', 'residentId', 'userId', 'loginName']);

/** `s` with the hints of `op` applied (a copy): required fields added, omitted ones removed, values narrowed. */
function hinted(s: Schema | undefined, hints: typeof PLAUSIBLE_HINTS[string] | undefined): Schema | undefined {
  if (!s) return s;
  const out = structuredClone(s);
  const containerOf = (path: string[]) => path.slice(0, -1).reduce<Schema | undefined>((c, k) => c?.properties?.[k], out);
  const markAlways = (x: Schema) => {
    if (!x.properties) return;
    x.required = [...new Set([...(x.required ?? []), ...Object.keys(x.properties).filter((k) => ALWAYS.has(k))])];
    for (const v of Object.values(x.properties)) markAlways(v);
  };
  markAlways(out);
  for (const p of hints?.require ?? []) {
    const path = p.split('.');
    const c = containerOf(path);
    if (c?.properties?.[path[path.length - 1]]) c.required = [...new Set([...(c.required ?? []), path[path.length - 1]])];
  }
  for (const p of hints?.omit ?? []) {
    const path = p.split('.');
    const c = containerOf(path);
    if (c?.properties) delete c.properties[path[path.length - 1]];
    if (c?.required) c.required = c.required.filter((k) => k !== path[path.length - 1]);
  }
  for (const p of hints?.fresh ?? []) {
    const path = p.split('.');
    const field = containerOf(path)?.properties?.[path[path.length - 1]];
    if (field) field[FRESH] = true;
  }
  for (const [p, values] of Object.entries(hints?.values ?? {})) {
    const path = p.split('.');
    const field = containerOf(path)?.properties?.[path[path.length - 1]];
    if (field) field.enum = values;
  }
  return out;
}

// ---------------------------------------------------------------- stateful sequences

/**
 * Operations the sequences leave to the stateless requests: they authenticate with a signature the fuzzer does not
 * make (Twilio's `X-Twilio-Signature`, a download link's), so every request to them would be a refusal.
 */
const NOT_IN_SEQUENCES = /^(POST \/v1\/clinic\/webhooks\/twilio\/|GET \/v1\/downloads\/)/;

/** Ids one sequence has seen, by kind (`patient_id`, `activities.id`, `residentId`), the newest last. */
export class IdPool {
  private readonly byKind = new Map<string, unknown[]>();
  /** Ids deleted in this run: a list that still shows them (discharged residents) does not bring them back. */
  private readonly deleted = new Set<unknown>();
  /** Items of nested collections with the parent ids they were seen under, by collection path template. */
  private readonly children = new Map<string, Array<Record<string, unknown>>>();

  constructor(known: FuzzCredentials['known']) {
    for (const [k, vs] of Object.entries(known)) if (k !== 'id') for (const v of vs) this.add(k, v);
  }

  add(kind: string, v: unknown): void {
    if ((typeof v !== 'string' && typeof v !== 'number') || String(v).length > 100 || this.deleted.has(v)) return;
    const list = this.byKind.get(kind) ?? [];
    const at = list.indexOf(v);
    if (at >= 0) list.splice(at, 1);
    list.push(v);
    if (list.length > 50) list.shift();
    this.byKind.set(kind, list);
  }

  /** Forgets `v` under every kind (a delete of it succeeded). */
  remove(v: unknown): void {
    this.deleted.add(v);
    for (const list of [...this.byKind.values(), ...this.children.values()]) {
      for (let at = list.length - 1; at >= 0; at--) if (list[at] === v || (typeof list[at] === 'object' && (list[at] as Record<string, unknown>).id === v)) list.splice(at, 1);
    }
  }

  /** Records item `id` of the nested collection `template` (`/v1/.../patients/{patient_id}/activities`) under `parents`. */
  addChild(template: string, parents: Record<string, unknown>, id: unknown): void {
    if ((typeof id !== 'string' && typeof id !== 'number') || this.deleted.has(id)) return;
    const list = this.children.get(template) ?? [];
    list.push({ ...parents, id });
    if (list.length > 50) list.shift();
    this.children.set(template, list);
  }

  /** An item of `template` with its parent ids, chosen as `pick` chooses, or undefined. */
  child(template: string, n: number): Record<string, unknown> | undefined {
    const list = this.children.get(template);
    if (!list?.length) return undefined;
    return n % 4 ? list[list.length - 1] : list[n % list.length];
  }

  /** Three times in four the newest id of the first kind that has any (what the sequence just created), else an older one. */
  pick(ref: Ref): unknown {
    for (const k of ref.kinds) {
      const list = this.byKind.get(k);
      if (list?.length) return ref.n % 4 ? list[list.length - 1] : list[ref.n % list.length];
    }
    return ref.fallback;
  }
}

/**
 * Adds the ids of a 2xx answer to the pool: `{"activity": {"id": 7}}` as `activity_id` and `activities.id`, list
 * items `{"patients": [{"id": 3}]}` as `patients.id` and `patient_id`, fields named like ids (`residentId`) under
 * their names; a create's first object also as its collection's (`POST .../mifs` -> `mifs.id`); and the names a
 * create chose for itself (`loginName`).
 */
function harvest(pool: IdPool, op: Operation, request: unknown, answer: unknown, deleted: unknown[], pathValues: Record<string, unknown>): void {
  if (op.method === 'DELETE') {
    for (const v of deleted) pool.remove(v);
    return;
  }
  const walk = (v: unknown, parent: string | undefined, inArray: boolean, depth: number) => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v.slice(0, 20)) walk(x, parent, true, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'id' && parent) {
        for (const kind of inArray ? [`${parent}.id`, `${singular(parent)}_id`] : [`${parent}_id`, `${plural(parent)}.id`]) pool.add(kind, x);
      } else if (ID_NAME.test(k) || REF_NAMES.has(k)) {
        pool.add(k, x);
      }
      walk(x, k, false, depth + 1);
    }
  };
  walk(answer, undefined, false, 0);
  const collection = op.path.split('/').filter((p) => p && !p.startsWith('{')).pop();
  const nested = op.path.includes('{') && !op.path.endsWith('}');
  if (op.method === 'POST' && collection && answer && typeof answer === 'object') {
    const first = Object.values(answer).find((x): x is { id: unknown } => typeof x === 'object' && x !== null && !Array.isArray(x) && 'id' in x);
    if (first) pool.add(`${collection}.id`, first.id);
    if (first && nested) pool.addChild(op.path, pathValues, first.id);
  }
  // A list of a nested collection: its items belong to the parent the path named.
  if (op.method === 'GET' && nested && answer && typeof answer === 'object') {
    for (const list of Object.values(answer)) {
      if (Array.isArray(list)) for (const item of list.slice(0, 20)) if (item && typeof item === 'object' && 'id' in item) pool.addChild(op.path, pathValues, item.id);
    }
  }
  if (op.method !== 'GET' && request && typeof request === 'object') {
    for (const k of REF_NAMES) for (const v of [(request as Record<string, unknown>)[k]].flat()) pool.add(k, v);
  }
}

/** What a stateful request will send, with `Ref`s where ids go. */
interface Recipe {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: unknown;
}

/** Plausible parameters and body of `op` (required fields and a few optional ones), ids left as `Ref`s. */
function recipeArbitrary(op: Operation, creds: FuzzCredentials): fc.Arbitrary<Recipe> {
  const d: Draw = { known: creds.known, flavor: 'plausible', refs: true };
  const hints = PLAUSIBLE_HINTS[`${op.method} ${op.path}`];
  const body = hinted(op.body, hints);
  const segments = op.path.split('/');
  const collection = segments[segments.indexOf('{id}') - 1];
  const pathArb = fc.record(Object.fromEntries(op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, p.name === 'id'
    ? fc.tuple(fc.nat(), validOf(p.schema, { ...d, refs: false }, 'id', 0)).map(([n, fallback]) => new Ref(kindsOf('id', collection), n, fallback))
    : validOf(p.schema, d, p.name, 0)])));
  const query = op.parameters.filter((p) => p.in === 'query');
  const required = query.filter((p) => p.required || ALWAYS.has(p.name) || hints?.require?.includes(`query.${p.name}`));
  const queryArb = fc.tuple(
    fc.record(Object.fromEntries(required.map((p) => [p.name, validOf(p.schema, d, p.name, 0)]))),
    fc.subarray(query.filter((p) => !required.includes(p)), { maxLength: Math.min(2, query.length - required.length) }).chain((ps) => fc.record(Object.fromEntries(ps.map((p) => [p.name, validOf(p.schema, d, p.name, 0)])))),
  ).map(([r, o]) => ordered({ ...o, ...r }));
  return fc.record({ path: pathArb, query: queryArb, body: body ? validOf(body, d, 'body', 0) : fc.constant(undefined) });
}

/** `v` with every `Ref` replaced by an id from the pool. */
function resolved(v: unknown, pool: IdPool): unknown {
  if (v instanceof Ref) return pool.pick(v);
  if (Array.isArray(v)) return v.map((x) => resolved(x, pool));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolved(x, pool)]));
  return v;
}

/** The request a recipe makes now, with valid credentials, and the ids its path and query name. */
function realize(op: Operation, recipe: Recipe, pool: IdPool, creds: FuzzCredentials): FuzzRequest & { named: unknown[]; pathValues: Record<string, unknown> } {
  const path = resolved(recipe.path, pool) as Record<string, unknown>;
  // An item of a nested collection is taken with the parent it belongs to (an activity with its member).
  const at = op.path.indexOf('/{id}');
  if (at > 0 && op.path.slice(0, at).includes('{')) {
    const ref = recipe.path.id;
    Object.assign(path, pool.child(op.path.slice(0, at), ref instanceof Ref ? ref.n : 0) ?? {});
  }
  const query = resolved(recipe.query, pool) as Record<string, unknown>;
  // What a delete removes: the last path id, else the query's ids (`DELETE /clinical/v1/resident?residentId=..`).
  const pathIds = op.parameters.filter((p) => p.in === 'path').map((p) => path[p.name]);
  const named = pathIds.length ? pathIds.slice(-1) : Object.entries(query).filter(([k]) => ID_NAME.test(k)).map(([, v]) => v);
  const body = resolved(recipe.body, pool);
  const url = urlOf(op, Object.fromEntries(Object.entries(path).map(([k, v]) => [k, asParam(v)])), Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v === undefined ? undefined : asParam(v)])));
  const headers = { ...authHeaders(familyOf(op.path), 'valid', creds), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  return { op: `${op.method} ${op.path}`, method: op.method, url, headers, payload: body === undefined ? undefined : JSON.stringify(body), auth: 'valid', named, pathValues: path };
}

interface Sequence {
  pool: IdPool;
}

/** What the commands of a sequence act on: the app, and the run's bookkeeping. */
interface Target {
  app: FastifyInstance;
  creds: FuzzCredentials;
  /** Sends, counts and judges one request; harvests its ids when it succeeded. */
  exchange(r: FuzzRequest, phase: Phase, onSuccess?: (payload: unknown, answer: unknown) => void): Promise<void>;
}

/** One operation of a sequence: realized from the sequence's ids when it runs. */
class OperationCommand implements fc.AsyncCommand<Sequence, Target> {
  private sent?: FuzzRequest;

  readonly op: Operation;
  readonly recipe: Recipe;
  constructor(op: Operation, recipe: Recipe) {
    this.op = op;
    this.recipe = recipe;
  }

  check(): boolean {
    return true;
  }

  async run(seq: Sequence, target: Target): Promise<void> {
    const { named, pathValues, ...request } = realize(this.op, this.recipe, seq.pool, target.creds);
    this.sent = request;
    await target.exchange(request, 'stateful', (payload, answer) => harvest(seq.pool, this.op, payload, answer, named, pathValues));
  }

  toString(): string {
    return this.sent ? describeRequest(this.sent) : `${this.op.method} ${this.op.path}`;
  }
}

// ---------------------------------------------------------------- body limits

/** The path to the first free-text field (no enum, format or pattern) of `s` that `body` holds, or undefined. */
function freeTextField(s: Schema | undefined, body: unknown): string[] | undefined {
  if (!s?.properties || !body || typeof body !== 'object') return undefined;
  for (const [k, v] of Object.entries(s.properties)) {
    if (!(k in body)) continue;
    const value = (body as Record<string, unknown>)[k];
    if (typeof value === 'string' && typesOf(v).includes('string') && !v.enum && !v.format && !v.pattern) return [k];
    const inner = freeTextField(v, value);
    if (inner) return [k, ...inner];
  }
  return undefined;
}

/**
 * For every operation with a JSON body, two requests with valid credentials: a plausible body of exactly the
 * operation's body limit in bytes, and one byte over it. The size comes from padding the body's first free-text
 * field (an oversized value: the service and database must refuse it cleanly), else from trailing whitespace.
 * @param limitOf the operation's body limit in bytes (Fastify `bodyLimit`, global or per route).
 */
export function bodyLimitRequests(ops: Operation[], creds: FuzzCredentials, limitOf: (op: Operation) => number, seed: number): FuzzRequest[] {
  const d: Draw = { known: creds.known, flavor: 'plausible', refs: false };
  const out: FuzzRequest[] = [];
  for (const op of ops) {
    if (!op.body) continue;
    const [sample] = fc.sample(fc.record({
      path: fc.record(Object.fromEntries(op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, validOf(p.schema, d, p.name, 0).map(asParam)]))),
      body: validOf(op.body, d, 'body', 0),
    }), { numRuns: 1, seed });
    const field = freeTextField(op.body, sample.body);
    const limit = limitOf(op);
    for (const extra of [0, 1]) {
      const body = structuredClone(sample.body) as Record<string, unknown>;
      let payload: string;
      if (field) {
        const holder = field.slice(0, -1).reduce((o, k) => o[k] as Record<string, unknown>, body);
        holder[field[field.length - 1]] = '';
        const pad = limit + extra - Buffer.byteLength(JSON.stringify(body));
        holder[field[field.length - 1]] = 'x'.repeat(Math.max(0, pad));
        payload = JSON.stringify(body);
      } else {
        const json = JSON.stringify(body);
        payload = json + ' '.repeat(Math.max(0, limit + extra - Buffer.byteLength(json)));
      }
      out.push({
        op: `${op.method} ${op.path}`, method: op.method, url: urlOf(op, sample.path, {}), payload, auth: 'valid',
        headers: { ...authHeaders(familyOf(op.path), 'valid', creds), 'content-type': 'application/json' },
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- runs

export interface FuzzOptions {
  /** Requests to generate: 60 % in stateful sequences, 40 % stateless (plus the body-limit requests). */
  numRuns: number;
  /** Stop generating after this many milliseconds (fast-check `interruptAfterTimeLimit`), split like `numRuns`. */
  timeLimitMs?: number;
  seed?: number;
  /** Record every finding and go on (survey mode) instead of stopping and shrinking at the first. */
  collect?: boolean;
  filter?: RegExp;
  /** Body limit of an operation in bytes; default the app's `bodyLimit`. `false`: no body-limit requests. */
  bodyLimit?: ((op: Operation) => number | undefined) | false;
}

export type Phase = 'body-limit' | 'stateful' | 'stateless';

export interface PhaseReport {
  sent: number;
  /** Answers 200-299. */
  succeeded: number;
  /** The largest request body sent, in bytes. */
  largestBody: number;
  /** Time spent, in milliseconds. */
  ms: number;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<number, number>;
  byOperation: Record<string, number>;
  /** Per kind of request: the body-limit cases, the stateful sequences, the stateless requests. */
  phases: Record<Phase, PhaseReport>;
  findings: FuzzFinding[];
  seed: number;
}

const percent = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)} %` : '-');

/** One line per run: requests, share of 2xx (overall and per phase), largest body, statuses, findings. */
export function summarize(r: FuzzReport): string {
  const all = Object.values(r.phases).reduce((a, p) => ({ sent: a.sent + p.sent, succeeded: a.succeeded + p.succeeded, largestBody: Math.max(a.largestBody, p.largestBody) }), { sent: 0, succeeded: 0, largestBody: 0 });
  const phases = (Object.entries(r.phases) as Array<[Phase, PhaseReport]>).map(([k, p]) => `${k} ${percent(p.succeeded, p.sent)} of ${p.sent} in ${(p.ms / 1000).toFixed(1)} s`).join(', ');
  return `fuzz: seed ${r.seed}; ${all.sent} requests over ${Object.keys(r.byOperation).length} operations; 2xx ${percent(all.succeeded, all.sent)} (${phases}); ` +
    `largest body ${all.largestBody.toLocaleString('en-US')} bytes; statuses ${JSON.stringify(r.byStatus)}; ${r.findings.length} findings`;
}

/**
 * Fuzzes every operation of `app`'s OpenAPI document: the body-limit requests, then stateful sequences (creates,
 * reads, updates and deletes of what the sequence created, with plausible values), then stateless requests (valid
 * and invalid). Without `collect`, the first failure is thrown (a sequence or request shrunk by fast-check, whose
 * report names the seed and path to replay it; the message carries the request).
 */
export async function fuzzApp(app: FastifyInstance, creds: FuzzCredentials, opts: FuzzOptions): Promise<FuzzReport> {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const ops = operationsOf(doc, opts.filter);
  const byKey = new Map(ops.map((o) => [`${o.method} ${o.path}`, o]));
  const phase = (): PhaseReport => ({ sent: 0, succeeded: 0, largestBody: 0, ms: 0 });
  const timed = async (kind: Phase, run: () => Promise<unknown>) => {
    const started = performance.now();
    try {
      await run();
    } finally {
      report.phases[kind].ms += performance.now() - started;
    }
  };
  const report: FuzzReport = {
    sent: 0, byStatus: {}, byOperation: {}, findings: [], seed: opts.seed ?? Date.now() ^ (Math.random() * 0x100000000),
    phases: { 'body-limit': phase(), stateful: phase(), stateless: phase() },
  };

  async function exchange(r: FuzzRequest, kind: Phase, onSuccess?: (payload: unknown, answer: unknown) => void): Promise<void> {
    const res = await send(app, r, creds);
    const p = report.phases[kind];
    report.sent++;
    p.sent++;
    p.largestBody = Math.max(p.largestBody, r.payload === undefined ? 0 : Buffer.byteLength(r.payload));
    report.byStatus[res.statusCode] = (report.byStatus[res.statusCode] ?? 0) + 1;
    report.byOperation[r.op] = (report.byOperation[r.op] ?? 0) + 1;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      p.succeeded++;
      if (onSuccess) onSuccess(parsed(r.payload), parsed(res.body));
    }
    if (process.env.FUZZ_DEBUG && r.auth === 'valid' && res.statusCode >= 400) console.log(kind, res.statusCode, r.op, res.body.slice(0, 160));
    const problem = judge(byKey.get(r.op), res);
    if (!problem) return;
    if (opts.collect) {
      report.findings.push({ request: r, status: res.statusCode, body: res.body.slice(0, 500), problem });
      return;
    }
    throw new Error(`${problem}: ${res.body.slice(0, 300)}\n  request: ${describeRequest(r)}`);
  }
  const target: Target = { app, creds, exchange };

  if (opts.bodyLimit !== false) {
    const global = app.initialConfig.bodyLimit ?? 1024 * 1024;
    const limitOf = (op: Operation) => (opts.bodyLimit ? opts.bodyLimit(op) : undefined) ?? global;
    await timed('body-limit', async () => {
      for (const r of bodyLimitRequests(ops, creds, limitOf, report.seed)) await exchange(r, 'body-limit');
    });
  }

  const share = (f: number) => ({ ...(opts.timeLimitMs ? { interruptAfterTimeLimit: Math.round(opts.timeLimitMs * f) } : {}) });
  const sequenceOps = ops.filter((o) => !NOT_IN_SEQUENCES.test(`${o.method} ${o.path}`));
  if (sequenceOps.length) {
    const commands = sequenceOps.map((op) => recipeArbitrary(op, creds).map((recipe) => new OperationCommand(op, recipe)));
    const sequences = Math.max(1, Math.round((opts.numRuns * 0.6) / SEQUENCE_MEAN));
    // One pool for the run: the database keeps what earlier sequences created and deleted, so the ids do too (a
    // replayed sequence may therefore meet other records than the first time).
    const pool = new IdPool(creds.known);
    await timed('stateful', () => fc.assert(fc.asyncProperty(fc.commands(commands, { maxCommands: SEQUENCE_MAX, size: 'max' }), (cmds) =>
      fc.asyncModelRun(() => ({ model: { pool }, real: target }), cmds)), { numRuns: sequences, seed: report.seed, ...share(0.6) }));
  }

  const stateless = fc.asyncProperty(requestArbitrary(ops, creds), async (r) => {
    await exchange(r, 'stateless');
    return true;
  });
  await timed('stateless', () => fc.assert(stateless, { numRuns: Math.max(1, Math.round(opts.numRuns * 0.4)), seed: report.seed, ...share(0.4) }));
  return report;
}

/** Commands per sequence: at most, and on average (fast-check draws lengths up to the maximum). */
const SEQUENCE_MAX = 20;
const SEQUENCE_MEAN = 10;

function parsed(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
