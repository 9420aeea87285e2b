/**
 * Fuzzing: every operation of `/openapi.json` (ECM, the community workspace, ECP, `/token`) driven by the fast-check fuzzer in
 * `openapi-fuzzer.ts` over `app.inject` (body-limit requests, stateful sequences, stateless requests): zero 500s, no
 * undocumented 5xx, zero crashes; each run prints its share of 2xx answers and largest body. The short run here is
 * part of `npm test`; `npm run fuzz` runs it long. Settings (environment):
 *   FUZZ_RUNS (default 400)   requests to generate
 *   FUZZ_SECONDS              stop after this many seconds instead (with FUZZ_RUNS as the cap)
 *   FUZZ_SEED                 replay a run (fast-check prints the seed and path of a failure)
 *   FUZZ_COLLECT=1            survey: record every finding and go on, print them all, fail at the end
 *   FUZZ_FILTER               regular expression over "METHOD /path" to fuzz some operations only
 *   FUZZ_BODY_LIMIT           app | routes | none: bodies at and 1 byte over the body limit (default app, routes
 *                             when FUZZ_RUNS is over 400)
 *   FUZZ_DEBUG=1              print every refused request sent with valid credentials
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, createUser, call, type TestContext, type TestUser } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { IMPORT_BODY_LIMIT } from '../../src/ecm/imports/schemas.ts';
import { describeRequest, fuzzApp, summarize, type FuzzCredentials } from './openapi-fuzzer.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 400);
const seconds = process.env.FUZZ_SECONDS ? Number(process.env.FUZZ_SECONDS) : undefined;
const LOC = 'Fuzz Assisted Living';
const COMMUNITY_PASSWORD = 'fuzz-community-password';
/**
 * Body-limit requests: `app` sends bodies at and over the app's `bodyLimit` (10 MiB) to every operation with a body;
 * `routes` uses each route's own limit (the imports take about 68 MiB); `none` sends none.
 */
const bodyLimits = process.env.FUZZ_BODY_LIMIT ?? (runs > 400 ? 'routes' : 'app');
/** The import routes take files of up to 50 MB in base64: their own, larger body limit. */
const IMPORT_ROUTES = /^POST \/v1\/admin\/clinic\/ecm\/(mifs|authorizations)$/;

let t: TestContext;
let admin: TestUser;
let creds: FuzzCredentials;

beforeAll(async () => {
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true' });
  admin = await createUser(t.services, 'Fuzz Clinic', 'admin');
  // A clinic that can send and report: an NPI and a number of its own.
  await call(t.app, admin, 'PUT', '/v1/admin/organization', { organization: { npi: '1234567890', phone_numbers: ['+18059876500'] } });
  const coord = await createUser(t.services, 'Fuzz Clinic', 'care_coordinator');
  const patient = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: 'Fuzzy', last_name: 'Patient', phone: '(805) 555-0142', email: 'fuzzy@example.com', ecm_eligibility_information: { member_id: 'FZ-1' } },
  });
  expect(patient.statusCode, patient.body).toBe(201);
  const patientId = patient.json().patient.id as number;
  const activity = await call(t.app, admin, 'POST', `/v1/clinic/ecm/patients/${patientId}/activities`, {
    activity: { activity_type: 'task', message: 'Call back', assigned_to_id: coord.id },
  });
  expect(activity.statusCode, activity.body).toBe(201);
  const activityId = activity.json().activity.id as number;
  const events = await call(t.app, admin, 'GET', `/v1/clinic/ecm/patients/${patientId}/events`);
  const eventIds = (events.json().events as Array<{ id: number }>).map((e) => e.id);

  const partner: Partner = await createPartner(t, 'Fuzz Senior Living', [LOC]);
  const bearer = await tokenFor(t.app, partner);
  const ecp = { token: bearer, apiKey: partner.api_key };
  const nurse = await insertEcpUser(t, partner, 'fuzz.nurse');
  const residentId = await createResident(t.app, ecp, { firstName: 'Ada', lastName: 'Fuzz', dateOfBirth: '1941-02-03', locationId: LOC });
  const sub = await clinical(t.app, ecp, 'POST', '/clinical/v1/webhook', { callbackUrl: 'http://127.0.0.1:9/hook' });
  expect(sub.statusCode, sub.body).toBe(200);
  const subscriptionId = String(sub.json().subscriptionId ?? sub.json().subscription?.subscriptionId ?? '');

  // The nurse also signs in to the community workspace (a password of their own, nothing to change first).
  await t.services.communityAuth.setPassword(systemContext(0, 'fuzz'), 'Fuzz Senior Living', nurse.loginName, COMMUNITY_PASSWORD, { mustChange: false });
  const communitySignIn = async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: 'Fuzz Senior Living', loginName: nurse.loginName, password: COMMUNITY_PASSWORD } });
    // Generated sign-ins with wrong passwords may have throttled the nurse: a stale token then (sign-out answers 401).
    return res.statusCode === 200 ? res.json().token as string : 'throttled-community-token';
  };
  creds = {
    communityToken: await communitySignIn(),
    freshCommunityToken: communitySignIn,
    userToken: admin.token,
    freshUserToken: () => t.services.identity.issueToken(admin.id, admin.organizationId),
    ownUserId: admin.id,
    ecp: { bearer, apiKey: partner.api_key, clientId: partner.client_id, clientSecretBase64: partner.client_secret_base64 },
    known: {
      patient_id: [patientId],
      id: [patientId, activityId, coord.id, ...eventIds],
      assigned_to_id: [coord.id],
      lead_care_manager_id: [coord.id],
      residentId: [residentId],
      locationId: [LOC, partner.locations[0].locationId],
      userId: [nurse.guid],
      loginName: [nurse.loginName],
      subscriptionId: subscriptionId ? [subscriptionId] : [],
      callbackUrl: ['http://127.0.0.1:9/hook'],
      firstName: ['Ada'],
      lastName: ['Fuzz'],
      dateOfBirth: ['1941-02-03'],
      grant_type: ['client_credentials'],
      client_id: [partner.client_id],
      client_secret: [partner.client_secret_base64],
      email: [admin.email],
      password: ['correct-horse-battery'],
      userGroup: ['RN'],
      phone_number: ['(805) 555-0142'],
    },
  };
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('fuzzing every endpoint of /openapi.json', () => {
  it(`answers ${runs} generated requests without a 500 or an undocumented 5xx`, async () => {
    const collect = process.env.FUZZ_COLLECT === '1';
    const report = await fuzzApp(t.app, creds, {
      numRuns: seconds ? Math.max(runs, 1_000_000) : runs,
      timeLimitMs: seconds ? seconds * 1000 : undefined,
      seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
      collect,
      filter: process.env.FUZZ_FILTER ? new RegExp(process.env.FUZZ_FILTER) : undefined,
      bodyLimit: bodyLimits === 'none' ? false : (op) => (bodyLimits === 'routes' && IMPORT_ROUTES.test(`${op.method} ${op.path}`) ? IMPORT_BODY_LIMIT : undefined),
    });
    console.log(summarize(report));
    for (const f of report.findings) console.log(`  ${f.problem}: ${f.body.slice(0, 200)}\n    ${describeRequest(f.request)}`);
    expect(report.findings).toEqual([]);
    // The session survived (sign-out ran on its own token).
    expect((await call(t.app, admin, 'GET', '/v1/me')).statusCode).toBe(200);
  }, Math.max(120_000, (seconds ?? 0) * 1000 + 60_000, runs * 200));
});
