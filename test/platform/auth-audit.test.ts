/**
 * Authentication is audited (HIPAA 164.308(a)(5)(ii)(C), log-in monitoring; docs/decisions.md "Authentication
 * audit"): clinic sign-in, failed sign-in and sign-out, ECP token grants and refusals, and every 403 answered to an
 * authenticated actor, one row each, in the organization of the account the attempt named, filterable through
 * `GET /v1/admin/audit_events`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { call, createTestContext, createUser, TEST_PASSWORD, type TestContext, type TestUser } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let admin: TestUser;
let coordinator: TestUser;
let otherAdmin: TestUser;
let otherUser: TestUser;

beforeAll(async () => {
  t = await createTestContext({ SIGN_IN_ACCOUNT_LIMIT: '3' });
  admin = await createUser(t.services, 'Audit Clinic', 'admin', 'Ada Admin');
  coordinator = await createUser(t.services, 'Audit Clinic', 'care_coordinator', 'Cole Coordinator');
  otherAdmin = await createUser(t.services, 'Other Clinic', 'admin');
  otherUser = await createUser(t.services, 'Other Clinic', 'provider');
});
afterAll(() => t.close());

const signIn = (email: string, password: string, ip: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/sign_in', remoteAddress: ip, payload: { email, password } });

/** The audit rows `viewer`'s clinic admin sees for `query` (e.g. `action=sign_in_failed`). */
async function auditRows(viewer: TestUser, query: string) {
  const res = await call(t.app, viewer, 'GET', `/v1/admin/audit_events?per_page=100&${query}`);
  expect(res.statusCode).toBe(200);
  return res.json().audit_events as Array<Record<string, unknown>>;
}

/** Every audit row of the database whose ids include `id`, whichever organization holds it. */
async function rowsNaming(id: string) {
  const { rows } = await t.database.pool.query(`SELECT organization_id, action, entity_type, entity_ids FROM audit_events WHERE $1 = ANY(entity_ids)`, [id]);
  return rows;
}

describe('clinic sign-in', () => {
  it('audits a sign-in with the attempted email and IP, as the user, in their clinic', async () => {
    const res = await signIn(coordinator.email.toUpperCase(), TEST_PASSWORD, '203.0.113.10');
    expect(res.statusCode).toBe(200);
    const rows = await auditRows(admin, 'action=sign_in');
    expect(rows.filter((r) => r.ip === '203.0.113.10')).toEqual([expect.objectContaining({
      actor_type: 'user', actor_id: String(coordinator.id), actor_name: 'Cole Coordinator', action: 'sign_in',
      entity_type: 'session', entity_ids: [coordinator.email.toUpperCase()], request_id: res.headers['x-request-id'],
    })]);
  });

  it('audits a wrong password as sign_in_failed, filterable by action, without the password', async () => {
    const res = await signIn(` ${coordinator.email} `, 'Wrong-Password-123', '203.0.113.11');
    expect(res.statusCode).toBe(401);
    const rows = await auditRows(admin, 'action=sign_in_failed');
    expect(rows.filter((r) => r.ip === '203.0.113.11')).toEqual([expect.objectContaining({
      actor_type: 'user', actor_id: String(coordinator.id), action: 'sign_in_failed', entity_type: 'session', entity_ids: [coordinator.email],
    })]);
    expect(rows.every((r) => r.action === 'sign_in_failed')).toBe(true);
    const { rows: raw } = await t.database.pool.query(`SELECT to_jsonb(a)::text AS row FROM audit_events a WHERE host(ip) = '203.0.113.11'`);
    expect(raw).toHaveLength(1);
    expect(raw[0].row).not.toContain('Wrong-Password-123');
  });

  it('audits a deactivated user\'s attempt and a throttled one as sign_in_failed', async () => {
    const gone = await createUser(t.services, 'Audit Clinic', 'provider');
    expect((await call(t.app, admin, 'PUT', `/v1/admin/users/${gone.id}`, { user: { active: false } })).statusCode).toBe(200);
    expect((await signIn(gone.email, TEST_PASSWORD, '203.0.113.12')).statusCode).toBe(401);
    const victim = await createUser(t.services, 'Audit Clinic', 'provider');
    for (let i = 0; i < 3; i++) expect((await signIn(victim.email, 'nope-nope', '203.0.113.13')).statusCode).toBe(401);
    expect((await signIn(victim.email, TEST_PASSWORD, '203.0.113.13')).statusCode).toBe(429);
    const rows = await auditRows(admin, 'action=sign_in_failed');
    expect(rows.filter((r) => r.actor_id === String(gone.id))).toHaveLength(1);
    expect(rows.filter((r) => r.actor_id === String(victim.id))).toHaveLength(4);
    expect(await auditRows(admin, `action=sign_in&actor_id=${victim.id}`)).toEqual([]);
  });

  it('files an attempt under the clinic of the account it named, and an unknown email under none', async () => {
    expect((await signIn(otherUser.email, 'not-it-at-all', '203.0.113.14')).statusCode).toBe(401);
    expect((await auditRows(otherAdmin, 'action=sign_in_failed')).map((r) => r.entity_ids)).toEqual([[otherUser.email]]);
    expect((await auditRows(admin, 'action=sign_in_failed')).filter((r) => r.ip === '203.0.113.14')).toEqual([]);

    expect((await signIn('nobody-at-all@example.com', TEST_PASSWORD, '203.0.113.15')).statusCode).toBe(401);
    expect(await rowsNaming('nobody-at-all@example.com')).toEqual([]);
  });

  it('audits sign-out', async () => {
    const token = (await signIn(coordinator.email, TEST_PASSWORD, '203.0.113.16')).json().token;
    const out = await t.app.inject({ method: 'DELETE', url: '/v1/auth/sign_out', headers: { 'x-user-token': token }, remoteAddress: '203.0.113.17' });
    expect(out.statusCode).toBe(204);
    expect((await auditRows(admin, `action=sign_out&actor_id=${coordinator.id}`))).toEqual([expect.objectContaining({
      actor_type: 'user', actor_name: 'Cole Coordinator', action: 'sign_out', entity_type: 'session', entity_ids: [], ip: '203.0.113.17',
    })]);
  });
});

describe('403s', () => {
  it('audits an ECM role refusal with the route pattern, in the actor\'s clinic', async () => {
    const res = await call(t.app, coordinator, 'PUT', `/v1/admin/users/${admin.id}?note=x`, { user: { role: 'provider' } });
    expect(res.statusCode).toBe(403);
    expect(await auditRows(admin, 'action=access_denied')).toEqual([expect.objectContaining({
      actor_type: 'user', actor_id: String(coordinator.id), action: 'access_denied', entity_type: 'endpoint', entity_ids: ['PUT /v1/admin/users/:id'],
    })]);
    expect(await auditRows(otherAdmin, 'action=access_denied')).toEqual([]);
  });

  it('writes nothing for a 401 (no actor) or a success', async () => {
    expect((await call(t.app, null, 'GET', '/v1/admin/users')).statusCode).toBe(401);
    expect((await call(t.app, admin, 'GET', '/v1/admin/users')).statusCode).toBe(200);
    expect(await rowsNaming('GET /v1/admin/users')).toEqual([]);
  });
});

describe('ECP token endpoint and scopes', () => {
  let partner: Partner;
  let narrow: Partner;
  const companyRows = async (organizationId: number, action: string) => {
    const { rows } = await t.database.pool.query(
      `SELECT actor_type, actor_id, action, entity_type, entity_ids, host(ip) AS ip FROM audit_events WHERE organization_id = $1 AND action = $2 ORDER BY id`,
      [organizationId, action],
    );
    return rows;
  };
  const token = (payload: Record<string, string>, ip = '198.51.100.7') => t.app.inject({ method: 'POST', url: '/token', remoteAddress: ip, payload });

  beforeAll(async () => {
    partner = await createPartner(t, 'Audit Senior Living', ['Audit House']);
    narrow = await createPartner(t, 'Audit Senior Living', ['Audit House'], 'location.read');
  });

  it('audits a grant with the token\'s jti, in the client\'s company', async () => {
    const access = await tokenFor(t.app, partner);
    expect(await companyRows(partner.company_id, 'token_granted')).toEqual([
      { actor_type: 'partner', actor_id: partner.client_id, action: 'token_granted', entity_type: 'access_token', entity_ids: [decodeJwt(access).jti], ip: '127.0.0.1' },
    ]);
  });

  it('audits refusals of a known client with the RFC 6749 error (never the secret), and nothing for an unknown client', async () => {
    const wrong = Buffer.from('not-the-secret').toString('base64');
    expect((await token({ grant_type: 'client_credentials', client_id: partner.client_id, client_secret: wrong })).statusCode).toBe(401);
    expect((await token({ grant_type: 'client_credentials', client_id: narrow.client_id, client_secret: narrow.client_secret, scope: 'resident.write' })).statusCode).toBe(400);
    expect((await token({ grant_type: 'password', client_id: partner.client_id, client_secret: partner.client_secret })).statusCode).toBe(400);
    const refused = await companyRows(partner.company_id, 'token_refused');
    expect(refused).toEqual([
      { actor_type: 'partner', actor_id: partner.client_id, action: 'token_refused', entity_type: 'access_token', entity_ids: ['invalid_client'], ip: '198.51.100.7' },
      { actor_type: 'partner', actor_id: narrow.client_id, action: 'token_refused', entity_type: 'access_token', entity_ids: ['invalid_scope'], ip: '198.51.100.7' },
      { actor_type: 'partner', actor_id: partner.client_id, action: 'token_refused', entity_type: 'access_token', entity_ids: ['unsupported_grant_type'], ip: '198.51.100.7' },
    ]);
    expect(JSON.stringify(refused)).not.toContain(wrong);

    const unknown = '0B1C2D3E-4F50-6172-8394-A5B6C7D8E9F0';
    expect((await token({ grant_type: 'client_credentials', client_id: unknown, client_secret: wrong })).statusCode).toBe(401);
    const { rows } = await t.database.pool.query(`SELECT 1 FROM audit_events WHERE actor_id = $1`, [unknown]);
    expect(rows).toEqual([]);
  });

  it('audits a scope refusal (403) with the route pattern', async () => {
    const access = await tokenFor(t.app, narrow);
    const res = await clinical(t.app, { token: access, apiKey: narrow.api_key }, 'GET', '/clinical/v1/resident?location=Audit%20House');
    expect(res.statusCode).toBe(403);
    expect(await companyRows(narrow.company_id, 'access_denied')).toEqual([
      { actor_type: 'partner', actor_id: narrow.client_id, action: 'access_denied', entity_type: 'endpoint', entity_ids: ['GET /clinical/v1/resident'], ip: '127.0.0.1' },
    ]);
  });
});
