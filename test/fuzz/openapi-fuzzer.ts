/**
 * An OpenAPI-driven HTTP fuzzer (issue 8, "Fuzzing"): from the app's own `/openapi.json` it builds, with
 * fast-check, requests to every operation, valid ones (values drawn from each schema) and invalid ones (wrong types,
 * huge and unicode strings, out-of-range integers, missing and extra fields, bad JSON, wrong content types, bad or
 * missing credentials), sends them through `app.inject`, and checks the answer: never a 500, no 5xx other than the
 * documented ones, a JSON body when the answer says JSON. A failure is shrunk by fast-check and printed as a request.
 */
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

type Schema = Record<string, unknown> & {
  type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[];
  const?: unknown; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; format?: string; minimum?: number; maximum?: number;
  minLength?: number; maxLength?: number; maxItems?: number;
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

export type Family = 'ecm' | 'ecp' | 'token' | 'public';

export interface FuzzCredentials {
  /** `X-User-Token` of a clinic admin. */
  userToken: string;
  /** A fresh user token for operations that end the caller's session (sign-out). */
  freshUserToken(): Promise<string>;
  /** The fuzzer's own user id (never a target of user updates, so it cannot deactivate itself). */
  ownUserId: number;
  ecp: { bearer: string; apiKey: string; clientId: string; clientSecretBase64: string };
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
const OWN_SESSION_ENDERS = new Set(['DELETE /v1/auth/sign_out']);

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

function typesOf(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  return [];
}

/** A value the schema accepts (mostly; patterns are not honoured), using real ids where the field name is known. */
function validOf(s: Schema | undefined, known: FuzzCredentials['known'], name: string, depth: number): fc.Arbitrary<unknown> {
  if (!s || depth > 5) return fc.constant(null);
  const real = known[name];
  const own = ownValue(s, known, name, depth);
  return real?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: own }) : own;
}

function ownValue(s: Schema, known: FuzzCredentials['known'], name: string, depth: number): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => validOf(a, known, name, depth + 1)));
  if (s.allOf?.length) return validOf(Object.assign({}, ...s.allOf) as Schema, known, name, depth + 1);
  const types = typesOf(s).filter((t) => t !== 'null');
  if (types.length > 1) return fc.oneof(...types.map((t) => ownValue({ ...s, type: t }, known, name, depth)));
  switch (types[0]) {
    case 'object': {
      const props = s.properties ?? {};
      const arbs = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validOf(v, known, k, depth + 1)]));
      return fc.record(arbs, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    }
    case 'array':
      return fc.array(validOf(s.items, known, name, depth + 1), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'integer':
      return fc.integer({ min: s.minimum ?? -3, max: Math.min(s.maximum ?? 500, 2_000_000) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      switch (s.format) {
        case 'date': return dateArb.map(isoDate);
        case 'date-time': return dateArb.map((d) => d.toISOString());
        case 'email': return fc.emailAddress();
        case 'uuid': return fc.uuid().map((u) => u.toUpperCase());
        case 'uri': return fc.webUrl();
        default: return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 30, 30)) });
      }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** Like `validOf`, but any node may be replaced by an evil value, objects may lose required keys and gain extra ones. */
function mutatedOf(s: Schema | undefined, known: FuzzCredentials['known'], name: string, depth: number): fc.Arbitrary<unknown> {
  const good = validOf(s, known, name, depth);
  if (!s || depth > 5) return fc.oneof(good, evil);
  const types = typesOf(s);
  if (types.includes('object') && s.properties) {
    const props = s.properties;
    const arbs = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, mutatedOf(v, known, k, depth + 1)]));
    const obj = fc.tuple(
      fc.record(arbs, { requiredKeys: [] }),
      fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'id', 'organization_id', 'organizationId')), evil, { maxKeys: 2 }),
    ).map(([o, extra]) => ({ ...extra, ...o }));
    return fc.oneof({ weight: 6, arbitrary: obj }, { weight: 1, arbitrary: evil });
  }
  if (types.includes('array') && s.items) {
    return fc.oneof({ weight: 4, arbitrary: fc.array(mutatedOf(s.items, known, name, depth + 1), { maxLength: 4 }) }, { weight: 1, arbitrary: evil },
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
  return fc.constantFrom(...ops).chain((op) => {
    const family = familyOf(op.path);
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const queryParams = op.parameters.filter((p) => p.in === 'query');
    const mode = fc.constantFrom<'valid' | 'mutated'>('valid', 'valid', 'mutated');
    return mode.chain((m) => {
      const pick = m === 'valid' ? validOf : mutatedOf;
      const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => [p.name,
        m === 'valid' ? validOf(p.schema, creds.known, p.name, 0).map(asParam)
          : fc.oneof(validOf(p.schema, creds.known, p.name, 0).map(asParam), evil.map(asParam), fc.constantFrom('0', '-1', '2147483648', '99999999999999999999', '1e3', '0x10', ' 1', '1.5', 'ABC', '%00', 'x'.repeat(3000)))])));
      const queryArb = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, pick(p.schema, creds.known, p.name, 0).map(asParam)])), { requiredKeys: m === 'valid' ? queryParams.filter((p) => p.required).map((p) => p.name) : [] });
      const bodyArb: fc.Arbitrary<{ payload?: string; contentType?: string }> = op.body
        ? fc.oneof(
          { weight: 8, arbitrary: pick(op.body, creds.known, 'body', 0).map((b) => ({ payload: JSON.stringify(b), contentType: 'application/json' })) },
          { weight: m === 'valid' ? 0 : 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((payload) => ({ payload, contentType: 'application/json' })) },
          { weight: m === 'valid' ? 0 : 1, arbitrary: fc.tuple(validOf(op.body, creds.known, 'body', 0), fc.constantFrom(...CONTENT_TYPES)).map(([b, contentType]) => ({ payload: JSON.stringify(b), contentType })) },
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
        let url = op.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(wellFormed(path[n] ?? '')));
        const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as Array<[string, string]>).toString();
        if (qs) url += `?${qs}`;
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

function authHeaders(family: Family, auth: AuthMode, creds: FuzzCredentials): Record<string, string> {
  const ecpValid = { 'auth-bearer': `Bearer ${creds.ecp.bearer}`, authorization: `Api-Key ${creds.ecp.apiKey}` };
  switch (auth) {
    case 'none': return {};
    case 'garbage': return family === 'ecp' ? { 'auth-bearer': 'Bearer eyJhbGciOiJub25lIn0.e30.', authorization: 'Api-Key 🙃' } : { 'x-user-token': 'not-a-token\t', authorization: 'Basic %%%' };
    case 'other-family': return family === 'ecp' ? { 'x-user-token': creds.userToken } : { ...ecpValid };
    case 'half': return family === 'ecp' ? { 'auth-bearer': `Bearer ${creds.ecp.bearer}` } : { 'x-user-token': creds.userToken.slice(0, 10) };
    case 'huge': return family === 'ecp' ? { 'auth-bearer': `Bearer ${'A'.repeat(20_000)}`, authorization: `Api-Key ${'B'.repeat(20_000)}` } : { 'x-user-token': 'T'.repeat(20_000), authorization: `Basic ${'C'.repeat(20_000)}` };
    case 'valid':
      if (family === 'ecp') return ecpValid;
      if (family === 'ecm') return { 'x-user-token': creds.userToken };
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
  let url = r.url;
  if (r.op === 'PUT /v1/admin/users/{id}' && url.split('?')[0] === `/v1/admin/users/${creds.ownUserId}`) url = url.replace(`/users/${creds.ownUserId}`, '/users/0');
  return app.inject({ method: r.method as 'GET', url, headers, payload: r.payload });
}

export interface FuzzOptions {
  numRuns: number;
  /** Stop generating after this many milliseconds (fast-check `interruptAfterTimeLimit`). */
  timeLimitMs?: number;
  seed?: number;
  /** Record every finding and go on (survey mode) instead of stopping and shrinking at the first. */
  collect?: boolean;
  filter?: RegExp;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<number, number>;
  byOperation: Record<string, number>;
  findings: FuzzFinding[];
  seed: number;
}

/**
 * Fuzzes every operation of `app`'s OpenAPI document. Without `collect`, the first failure is shrunk and thrown
 * (fast-check's report names the seed and path to replay it, and the message carries the shrunk request).
 */
export async function fuzzApp(app: FastifyInstance, creds: FuzzCredentials, opts: FuzzOptions): Promise<FuzzReport> {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const ops = operationsOf(doc, opts.filter);
  const byKey = new Map(ops.map((o) => [`${o.method} ${o.path}`, o]));
  const report: FuzzReport = { sent: 0, byStatus: {}, byOperation: {}, findings: [], seed: opts.seed ?? Date.now() ^ (Math.random() * 0x100000000) };
  const property = fc.asyncProperty(requestArbitrary(ops, creds), async (r) => {
    const res = await send(app, r, creds);
    report.sent++;
    report.byStatus[res.statusCode] = (report.byStatus[res.statusCode] ?? 0) + 1;
    report.byOperation[r.op] = (report.byOperation[r.op] ?? 0) + 1;
    if (process.env.FUZZ_DEBUG && r.auth === 'valid' && res.statusCode === 401) console.log('401 with valid credentials', r.op, res.body.slice(0, 120));
    const problem = judge(byKey.get(r.op), res);
    if (!problem) return true;
    if (opts.collect) {
      report.findings.push({ request: r, status: res.statusCode, body: res.body.slice(0, 500), problem });
      return true;
    }
    throw new Error(`${problem}: ${res.body.slice(0, 300)}\n  request: ${describeRequest(r)}`);
  });
  await fc.assert(property, {
    numRuns: opts.numRuns,
    seed: report.seed,
    ...(opts.timeLimitMs ? { interruptAfterTimeLimit: opts.timeLimitMs } : {}),
  });
  return report;
}
