import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { authTokens } from '../../src/db/schema.ts';
import { hashToken } from '../../src/platform/crypto.ts';
import { call, createTestContext, createUser, TEST_PASSWORD, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let admin: TestUser;
let coordinator: TestUser;

beforeAll(async () => {
  t = await createTestContext({ SIGN_IN_ACCOUNT_LIMIT: '3', SIGN_IN_IP_LIMIT: '40', SESSION_IDLE_TIMEOUT_MINUTES: '30', SESSION_MAX_AGE_HOURS: '2' });
  admin = await createUser(t.services, 'Auth Clinic', 'admin', 'Ada Admin');
  coordinator = await createUser(t.services, 'Auth Clinic', 'care_coordinator');
});
afterAll(() => t.close());

const signIn = (email: string, password: string, ip = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/v1/auth/sign_in', remoteAddress: ip, payload: { email, password } });

describe('POST /v1/auth/sign_in', () => {
  it('returns a token and the user; the token works for GET /v1/me', async () => {
    const res = await signIn(admin.email.toUpperCase(), TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^[\w-]{43}$/);
    expect(body.user).toMatchObject({ id: admin.id, email: admin.email, name: 'Ada Admin', role: 'admin', active: true });
    expect(body.user).not.toHaveProperty('password_hash');
    const me = await call(t.app, { token: body.token }, 'GET', '/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { id: admin.id }, organization: { name: 'Auth Clinic', time_zone: 'America/Los_Angeles' } });
  });

  it('stores only the SHA-256 hash of a token', async () => {
    const { token } = (await signIn(admin.email, TEST_PASSWORD)).json();
    const rows = await t.database.db.select().from(authTokens).where(eq(authTokens.tokenHash, hashToken(token)));
    expect(rows).toHaveLength(1);
    const raw = await t.database.db.execute(sql`SELECT count(*)::int AS n FROM auth_tokens WHERE token_hash = ${token}`);
    expect(raw.rows[0].n).toBe(0);
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const unknown = await signIn('nobody@example.com', TEST_PASSWORD, '10.0.0.2');
    const wrong = await signIn(coordinator.email, 'wrong-password', '10.0.0.2');
    for (const res of [unknown, wrong]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ errors: ['Invalid email or password'] });
    }
  });

  it('answers 422 for a missing password and 400 for malformed JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/auth/sign_in', payload: { email: 'a@b.c' } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ["Password can't be blank"] });
    const bad = await t.app.inject({ method: 'POST', url: '/v1/auth/sign_in', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ errors: ['Malformed JSON body'] });
  });

  it('throttles an account after repeated failures, even with the right password', async () => {
    const victim = await createUser(t.services, 'Auth Clinic', 'provider');
    for (let i = 0; i < 3; i++) expect((await signIn(victim.email, 'nope', `10.1.0.${i}`)).statusCode).toBe(401);
    const locked = await signIn(victim.email, TEST_PASSWORD, '10.1.0.9');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.json().errors[0]).toMatch(/Too many failed sign-in attempts/);
  });

  it('throttles an IP after too many attempts', async () => {
    let last = 0;
    for (let i = 0; i < 41; i++) last = (await signIn(`x${i}@example.com`, 'nope', '10.9.9.9')).statusCode;
    expect(last).toBe(429);
    expect((await signIn(admin.email, TEST_PASSWORD, '10.9.9.8')).statusCode).toBe(200);
  });
});

describe('tokens', () => {
  it('sign_out revokes the presented token only', async () => {
    const a = (await signIn(coordinator.email, TEST_PASSWORD, '10.2.0.1')).json().token;
    const b = (await signIn(coordinator.email, TEST_PASSWORD, '10.2.0.1')).json().token;
    const out = await call(t.app, { token: a }, 'DELETE', '/v1/auth/sign_out');
    expect(out.statusCode).toBe(204);
    expect((await call(t.app, { token: a }, 'GET', '/v1/me')).statusCode).toBe(401);
    expect((await call(t.app, { token: b }, 'GET', '/v1/me')).statusCode).toBe(200);
  });

  it('accepts DELETE sign_out sent with Content-Type: application/json and no body', async () => {
    const token = (await signIn(coordinator.email, TEST_PASSWORD, '10.2.0.2')).json().token;
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/auth/sign_out', headers: { 'x-user-token': token, 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(204);
  });

  it('expires a token after the idle timeout, and refreshes last use at most once a minute', async () => {
    const token = (await signIn(coordinator.email, TEST_PASSWORD, '10.3.0.1')).json().token;
    const where = eq(authTokens.tokenHash, hashToken(token));
    // Used 10 s ago: a request must not write last_used_at.
    await t.database.db.update(authTokens).set({ lastUsedAt: sql`now() - interval '10 seconds'` }).where(where);
    const [before] = await t.database.db.select().from(authTokens).where(where);
    expect((await call(t.app, { token }, 'GET', '/v1/me')).statusCode).toBe(200);
    const [after] = await t.database.db.select().from(authTokens).where(where);
    expect(after.lastUsedAt.getTime()).toBe(before.lastUsedAt.getTime());
    // Used 5 minutes ago: the request moves last_used_at to now.
    await t.database.db.update(authTokens).set({ lastUsedAt: sql`now() - interval '5 minutes'` }).where(where);
    expect((await call(t.app, { token }, 'GET', '/v1/me')).statusCode).toBe(200);
    const [touched] = await t.database.db.select().from(authTokens).where(where);
    expect(Date.now() - touched.lastUsedAt.getTime()).toBeLessThan(10_000);
    // Idle for 31 minutes (timeout 30): refused.
    await t.database.db.update(authTokens).set({ lastUsedAt: sql`now() - interval '31 minutes'` }).where(where);
    const res = await call(t.app, { token }, 'GET', '/v1/me');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: ['Invalid or missing token'] });
  });

  it('expires a token SESSION_MAX_AGE_HOURS after sign-in even while it is in use', async () => {
    const token = (await signIn(coordinator.email, TEST_PASSWORD, '10.3.0.2')).json().token;
    const where = eq(authTokens.tokenHash, hashToken(token));
    // Signed in 1 h 59 min ago (limit 2 h), used a moment ago: still good.
    await t.database.db.update(authTokens).set({ createdAt: sql`now() - interval '119 minutes'`, lastUsedAt: sql`now()` }).where(where);
    expect((await call(t.app, { token }, 'GET', '/v1/me')).statusCode).toBe(200);
    // Signed in 2 h 1 min ago, used a moment ago (well within the 30 min idle timeout): refused.
    await t.database.db.update(authTokens).set({ createdAt: sql`now() - interval '121 minutes'`, lastUsedAt: sql`now()` }).where(where);
    const res = await call(t.app, { token }, 'GET', '/v1/me');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: ['Invalid or missing token'] });
  });

  it('refuses unknown and missing tokens', async () => {
    expect((await call(t.app, { token: 'x'.repeat(43) }, 'GET', '/v1/me')).json()).toEqual({ errors: ['Invalid or missing token'] });
    expect((await call(t.app, null, 'GET', '/v1/me')).statusCode).toBe(401);
  });
});

describe('user administration', () => {
  it('lets an admin create, list and change users; deactivation stops tokens at once and blocks sign-in', async () => {
    const created = await call(t.app, admin, 'POST', '/v1/admin/users', {
      user: { email: 'new.coord@example.com', name: 'New Coord', role: 'care_coordinator', password: 'long-enough-pw', phone: '(213) 555-0177' },
    });
    expect(created.statusCode).toBe(201);
    const user = created.json().user;
    expect(user).toMatchObject({ email: 'new.coord@example.com', role: 'care_coordinator', phone: '+12135550177', active: true });
    const dup = await call(t.app, admin, 'POST', '/v1/admin/users', {
      user: { email: 'NEW.coord@example.com', name: 'Again', role: 'provider', password: 'long-enough-pw' },
    });
    expect(dup.statusCode).toBe(422);
    expect(dup.json()).toEqual({ errors: ['Email has already been taken'] });
    const invalid = await call(t.app, admin, 'POST', '/v1/admin/users', { user: { email: 'nope', name: 'X', role: 'janitor', password: 'short' } });
    expect(invalid.json().errors).toEqual(['Email must be a valid email address', 'Role is not included in the list']);

    const token = (await signIn('new.coord@example.com', 'long-enough-pw', '10.4.0.1')).json().token;
    expect((await call(t.app, { token }, 'GET', '/v1/me')).statusCode).toBe(200);
    const off = await call(t.app, admin, 'PUT', `/v1/admin/users/${user.id}`, { user: { active: false, name: 'Gone Coord' } });
    expect(off.statusCode).toBe(200);
    expect(off.json().user).toMatchObject({ active: false, name: 'Gone Coord' });
    expect((await call(t.app, { token }, 'GET', '/v1/me')).statusCode).toBe(401);
    expect((await signIn('new.coord@example.com', 'long-enough-pw', '10.4.0.1')).statusCode).toBe(401);

    const list = await call(t.app, admin, 'GET', '/v1/admin/users?role=care_coordinator');
    expect(list.json().users.map((u: { email: string }) => u.email)).toContain('new.coord@example.com');
    expect(list.json().users.every((u: { role: string }) => u.role === 'care_coordinator')).toBe(true);
  });

  it('cannot reach another clinic\'s user', async () => {
    const stranger = await createUser(t.services, 'Stranger Clinic', 'provider');
    const res = await call(t.app, admin, 'PUT', `/v1/admin/users/${stranger.id}`, { user: { active: false } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ errors: ['User not found'] });
  });
});

describe('organization settings', () => {
  it('reads and changes NPI, TIN, time zone, MCP and phone numbers', async () => {
    const res = await call(t.app, admin, 'PUT', '/v1/admin/organization', {
      organization: { npi: '1234567890', tin: '12-3456789', time_zone: 'America/New_York', mcp_id: 'MCP9', mcp_name: 'Plan', phone_numbers: ['805 555 0100'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().organization).toMatchObject({ npi: '1234567890', tin: '12-3456789', time_zone: 'America/New_York', phone_numbers: ['+18055550100'] });
    const bad = await call(t.app, admin, 'PUT', '/v1/admin/organization', { organization: { npi: '12', time_zone: 'Mars/Olympus' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual(['NPI must be 10 digits', 'Time zone is not a known IANA time zone']);
    expect((await call(t.app, admin, 'GET', '/v1/admin/organization')).json().organization.time_zone).toBe('America/New_York');
  });
});
