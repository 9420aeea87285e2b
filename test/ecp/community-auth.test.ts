/**
 * Community workspace sign-in: ECP users sign in with company (GUID or name), login name and password; throttling per
 * company + login and per IP, idle and absolute session limits, sign-out, deactivation, must-change-password, audit rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { auditEvents, ecpUserTokens } from '../../src/db/schema.ts';
import { hashToken } from '../../src/platform/crypto.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
const COMPANY = 'Evergreen Senior Living';
const PASSWORD = 'nurse-password-1';

beforeAll(async () => {
  t = await createTestContext({ SIGN_IN_ACCOUNT_LIMIT: '3', SIGN_IN_IP_LIMIT: '40', SESSION_IDLE_TIMEOUT_MINUTES: '30', SESSION_MAX_AGE_HOURS: '2' });
  p = await createPartner(t, COMPANY, ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  other = await createPartner(t, 'Other Senior Living', ['Other Meadows']);
  // Same login name in two companies: the company decides who signs in.
  await insertEcpUser(t, p, 'mgarcia', { locationGuids: [p.locations[0].locationId] });
  await insertEcpUser(t, other, 'mgarcia');
  await setPassword(COMPANY, 'mgarcia', PASSWORD);
  await setPassword('Other Senior Living', 'mgarcia', 'other-password-1');
});
afterAll(() => t.close());

function setPassword(company: string, loginName: string, password: string, mustChange = false) {
  return t.services.communityAuth.setPassword(systemContext(0, 'test'), company, loginName, password, { mustChange });
}

const signIn = (body: Record<string, unknown>, ip = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', remoteAddress: ip, payload: body });

const get = (token: string | undefined, url: string) =>
  t.app.inject({ method: 'GET', url, headers: token === undefined ? {} : { 'x-user-token': token } });

describe('POST /v1/community/auth/sign_in', () => {
  it('signs a user in by company name or GUID; the token opens /me with the user\'s allowed locations only', async () => {
    const res = await signIn({ company: COMPANY, loginName: 'MGarcia', password: PASSWORD });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^[\w-]{43}$/);
    expect(body.user).toMatchObject({ loginName: 'mgarcia', systemAdmin: false, mustChangePassword: false, locationsAllowed: [{ locationId: p.locations[0].locationId, name: 'Evergreen Assisted Living' }] });
    const me = await get(body.token, '/v1/community/me');
    expect(me.statusCode, me.body).toBe(200);
    const { company } = me.json();
    expect(company).toEqual({ companyId: expect.stringMatching(/^[0-9A-F-]{36}$/), name: COMPANY });

    const byGuid = await signIn({ company: company.companyId.toLowerCase(), loginName: 'mgarcia', password: PASSWORD });
    expect(byGuid.statusCode, byGuid.body).toBe(200);
    expect(byGuid.json().user.userId).toBe(body.user.userId);
    // The same login name in the other company is another user with another password.
    expect((await signIn({ company: 'Other Senior Living', loginName: 'mgarcia', password: PASSWORD })).statusCode).toBe(401);
    expect((await signIn({ company: 'Other Senior Living', loginName: 'mgarcia', password: 'other-password-1' })).json().user.userId).not.toBe(body.user.userId);
  });

  it('stores only the SHA-256 hash of a token, and the clinic door does not accept it', async () => {
    const { token } = (await signIn({ company: COMPANY, loginName: 'mgarcia', password: PASSWORD })).json();
    expect(await t.database.db.select().from(ecpUserTokens).where(eq(ecpUserTokens.tokenHash, hashToken(token)))).toHaveLength(1);
    expect((await get(token, '/v1/me')).statusCode).toBe(401);
  });

  it('answers one 401 for an unknown company, unknown login, wrong password and a user without a password; audits attempts on existing users', async () => {
    await insertEcpUser(t, p, 'nopassword');
    const answers = await Promise.all([
      signIn({ company: 'Nobody Senior Living', loginName: 'mgarcia', password: PASSWORD }, '10.0.1.1'),
      signIn({ company: COMPANY, loginName: 'nobody', password: PASSWORD }, '10.0.1.1'),
      signIn({ company: COMPANY, loginName: 'mgarcia', password: 'wrong-password' }, '10.0.1.1'),
      signIn({ company: COMPANY, loginName: 'nopassword', password: PASSWORD }, '10.0.1.1'),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ errors: ['Invalid company, login name or password'] });
    }
    const rows = await t.database.db.select().from(auditEvents)
      .where(and(eq(auditEvents.action, 'sign_in_failed'), eq(auditEvents.entityType, 'session'), sql`${auditEvents.ip} = '10.0.1.1'::inet`));
    expect(rows.map((r) => r.entityIds[0]).sort()).toEqual(['mgarcia', 'nopassword']);
    expect(rows.every((r) => r.actorType === 'ecp_user')).toBe(true);
    const ok = await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'sign_in'));
    expect(ok.length).toBeGreaterThan(0);
  });

  it('answers 422 with the field names for a missing field and 400 for malformed JSON', async () => {
    const res = await signIn({ company: COMPANY, loginName: 'mgarcia' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ['password is required'] });
    const bad = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', headers: { 'content-type': 'application/json' }, payload: '{"company":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ errors: ['Malformed JSON body'] });
  });

  it('throttles a company + login after repeated failures, even with the right password, and not the same login elsewhere', async () => {
    await insertEcpUser(t, p, 'victim');
    await insertEcpUser(t, other, 'victim');
    await setPassword(COMPANY, 'victim', PASSWORD);
    await setPassword('Other Senior Living', 'victim', PASSWORD);
    for (let i = 0; i < 3; i++) expect((await signIn({ company: COMPANY, loginName: 'victim', password: 'nope' }, `10.1.0.${i}`)).statusCode).toBe(401);
    const locked = await signIn({ company: COMPANY, loginName: 'victim', password: PASSWORD }, '10.1.0.9');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.json().errors[0]).toMatch(/Too many failed sign-in attempts/);
    expect((await signIn({ company: 'Other Senior Living', loginName: 'victim', password: PASSWORD }, '10.1.0.9')).statusCode).toBe(200);
  });

  it('throttles an IP after too many attempts', async () => {
    let last = 0;
    for (let i = 0; i < 41; i++) last = (await signIn({ company: COMPANY, loginName: `x${i}`, password: 'nope' }, '10.9.9.9')).statusCode;
    expect(last).toBe(429);
    expect((await signIn({ company: COMPANY, loginName: 'mgarcia', password: PASSWORD }, '10.9.9.8')).statusCode).toBe(200);
  });

  it('refuses a deactivated user, and deactivation stops their tokens at once', async () => {
    await insertEcpUser(t, p, 'leaver');
    await setPassword(COMPANY, 'leaver', PASSWORD);
    const { token } = (await signIn({ company: COMPANY, loginName: 'leaver', password: PASSWORD }, '10.4.0.1')).json();
    expect((await get(token, '/v1/community/me')).statusCode).toBe(200);
    const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
    expect((await clinical(t.app, creds, 'PUT', '/clinical/v1/user', { loginName: 'leaver', active: false })).statusCode).toBe(200);
    expect((await get(token, '/v1/community/me')).statusCode).toBe(401);
    expect((await signIn({ company: COMPANY, loginName: 'leaver', password: PASSWORD }, '10.4.0.1')).json()).toEqual({ errors: ['Invalid company, login name or password'] });
  });
});

describe('sessions', () => {
  it('sign_out revokes the presented token only, and is audited', async () => {
    const a = (await signIn({ company: COMPANY, loginName: 'mgarcia', password: PASSWORD }, '10.2.0.1')).json().token;
    const b = (await signIn({ company: COMPANY, loginName: 'mgarcia', password: PASSWORD }, '10.2.0.1')).json().token;
    const out = await t.app.inject({ method: 'DELETE', url: '/v1/community/auth/sign_out', headers: { 'x-user-token': a } });
    expect(out.statusCode).toBe(204);
    expect((await get(a, '/v1/community/me')).statusCode).toBe(401);
    expect((await get(b, '/v1/community/me')).statusCode).toBe(200);
    expect(await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'sign_out'))).toHaveLength(1);
  });

  it('expires a token after the idle timeout, refreshing last use at most once a minute', async () => {
    const token = (await signIn({ company: COMPANY, loginName: 'mgarcia', password: PASSWORD }, '10.3.0.1')).json().token;
    const where = eq(ecpUserTokens.tokenHash, hashToken(token));
    await t.database.db.update(ecpUserTokens).set({ lastUsedAt: sql`now() - interval '10 seconds'` }).where(where);
    const [before] = await t.database.db.select().from(ecpUserTokens).where(where);
    expect((await get(token, '/v1/community/me')).statusCode).toBe(200);
    expect((await t.database.db.select().from(ecpUserTokens).where(where))[0].lastUsedAt.getTime()).toBe(before.lastUsedAt.getTime());
    await t.database.db.update(ecpUserTokens).set({ lastUsedAt: sql`now() - interval '29 minutes'` }).where(where);
    expect((await get(token, '/v1/community/me')).statusCode).toBe(200);
    expect(Date.now() - (await t.database.db.select().from(ecpUserTokens).where(where))[0].lastUsedAt.getTime()).toBeLessThan(10_000);
    await t.database.db.update(ecpUserTokens).set({ lastUsedAt: sql`now() - interval '31 minutes'` }).where(where);
    const res = await get(token, '/v1/community/me');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: ['Invalid or missing token'] });
  });

  it('expires a token SESSION_MAX_AGE_HOURS after sign-in even while it is in use', async () => {
    const token = (await signIn({ company: COMPANY, loginName: 'mgarcia', password: PASSWORD }, '10.3.0.2')).json().token;
    const where = eq(ecpUserTokens.tokenHash, hashToken(token));
    await t.database.db.update(ecpUserTokens).set({ createdAt: sql`now() - interval '119 minutes'`, lastUsedAt: sql`now()` }).where(where);
    expect((await get(token, '/v1/community/me')).statusCode).toBe(200);
    await t.database.db.update(ecpUserTokens).set({ createdAt: sql`now() - interval '121 minutes'`, lastUsedAt: sql`now()` }).where(where);
    expect((await get(token, '/v1/community/me')).statusCode).toBe(401);
  });

  it('refuses unknown and missing tokens', async () => {
    expect((await get('x'.repeat(43), '/v1/community/residents')).json()).toEqual({ errors: ['Invalid or missing token'] });
    expect((await get(undefined, '/v1/community/residents')).statusCode).toBe(401);
  });
});

describe('passwords', () => {
  it('after a password set for them the user must change it: only change_password, me and sign_out answer until then', async () => {
    await insertEcpUser(t, p, 'newhire');
    await setPassword(COMPANY, 'newhire', 'temporary-pw-1', true);
    const signedIn = (await signIn({ company: COMPANY, loginName: 'newhire', password: 'temporary-pw-1' }, '10.5.0.1')).json();
    expect(signedIn.user.mustChangePassword).toBe(true);
    const token = signedIn.token;
    const blocked = await get(token, '/v1/community/residents');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().errors[0]).toMatch(/^Password change required/);
    expect((await get(token, '/v1/community/me')).json().user.mustChangePassword).toBe(true);

    const change = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/community/auth/change_password', remoteAddress: '10.5.0.1', headers: { 'x-user-token': token }, payload: body });
    expect((await change({ currentPassword: 'temporary-pw-1', newPassword: 'short' })).json()).toEqual({ errors: ['newPassword is too short (minimum is 8 characters)'] });
    const wrong = await change({ currentPassword: 'not-it-at-all', newPassword: 'my-own-password' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ errors: ['Current password is incorrect'] });

    const other = (await signIn({ company: COMPANY, loginName: 'newhire', password: 'temporary-pw-1' }, '10.5.0.1')).json().token;
    const ok = await change({ currentPassword: 'temporary-pw-1', newPassword: 'my-own-password' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().user.mustChangePassword).toBe(false);
    expect((await get(token, '/v1/community/residents')).statusCode).toBe(200);
    expect((await get(other, '/v1/community/me')).statusCode).toBe(401); // other sessions end
    expect((await signIn({ company: COMPANY, loginName: 'newhire', password: 'temporary-pw-1' }, '10.5.0.2')).statusCode).toBe(401);
    expect((await signIn({ company: COMPANY, loginName: 'newhire', password: 'my-own-password' }, '10.5.0.2')).statusCode).toBe(200);
  });

  it('setPassword refuses a short password and an unknown user', async () => {
    await expect(setPassword(COMPANY, 'mgarcia', 'short')).rejects.toThrow('password is too short (minimum is 8 characters)');
    await expect(setPassword(COMPANY, 'nobody', PASSWORD)).rejects.toThrow(`No user with loginName nobody in company ${COMPANY}`);
    await expect(setPassword('Nobody Senior Living', 'mgarcia', PASSWORD)).rejects.toThrow('No user with loginName mgarcia');
  });
});
