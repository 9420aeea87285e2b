/**
 * The community workspace's System Admin screens through `/v1/community`: User Logins (list, create, edit, deactivate,
 * reactivate, the 3-System-Admin cap), a password set by an admin (the user must change it at sign-in), Location
 * settings (IANA time zones, validated; the session shows each location's zone), transfer offers between two
 * companies, and CRM leads; tenant checks (another company's user, offer or lead 404; a location outside the admin's
 * 404) and the 403 for users who are not System Admins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents, ecpUsers } from '../../src/db/schema.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, createPartner, insertEcpUser, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let admin: string;
let nurse: string;
let otherAdmin: string;
const COMPANY = 'Evergreen Senior Living';
const OTHER = 'Maple Senior Living';

/** Signs `loginName` of `company` in with a password set for them; a System Admin when `systemAdmin`. */
async function staff(partner: Partner, company: string, loginName: string, systemAdmin: boolean, locationGuids?: string[]) {
  const row = await insertEcpUser(t, partner, loginName, { locationGuids });
  if (systemAdmin) await t.database.db.update(ecpUsers).set({ systemAdmin: true, email: `${loginName}@example.com` }).where(eq(ecpUsers.id, row.id));
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), company, loginName, `${loginName}-password-1`, { mustChange: false });
  const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company, loginName, password: `${loginName}-password-1` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token as string;
}

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, COMPANY, ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  other = await createPartner(t, OTHER, ['Maple Grove']);
  admin = await staff(p, COMPANY, 'admin1', true, [p.locations[0].locationId]);
  nurse = await staff(p, COMPANY, 'nurse1', false);
  otherAdmin = await staff(other, OTHER, 'mapleadmin', true);
});
afterAll(() => t.close());

function call(token: string, method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

const LOC = () => p.locations[0].locationId;
const newUser = (loginName: string, extra: Record<string, unknown> = {}) => ({
  loginName, firstName: 'Rosa', lastName: loginName, role: 'Caregiver', userGroup: 'Resident Assistant', locationsAllowed: [LOC()], ...extra,
});

describe('System Admin only', () => {
  it('answers 403 `System Admin access required` to other users on every admin route, and 401 without a token', async () => {
    for (const [method, url] of [['GET', '/v1/community/users'], ['POST', '/v1/community/users'], ['GET', '/v1/community/locations'], ['GET', '/v1/community/transfer_offers']]) {
      const res = await call(nurse, method, url, method === 'POST' ? newUser('x') : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toEqual({ errors: ['System Admin access required'] });
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/community/users' })).statusCode).toBe(401);
  });
});

describe('User Logins', () => {
  let userId: string;

  it('lists the users sharing a location with the admin, with the seed\'s roles and user groups', async () => {
    const res = await call(admin, 'GET', '/v1/community/users');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.users.map((u: { loginName: string }) => u.loginName).sort()).toEqual(['admin1', 'nurse1']);
    expect(body.roles).toHaveLength(18);
    expect(body.userGroups).toContain('Resident Assistant');
    expect(body.maxSystemAdmins).toBe(3);
    expect(body.users.find((u: { loginName: string }) => u.loginName === 'nurse1')).toMatchObject({ hasPassword: true, mustChangePassword: false, active: true });
  });

  it('creates a user without a password at the admin\'s locations; 404 for another location, 422 for a taken login name', async () => {
    const res = await call(admin, 'POST', '/v1/community/users', newUser('rcare'));
    expect(res.statusCode, res.body).toBe(201);
    const { user } = res.json();
    userId = user.userId;
    expect(user).toMatchObject({ loginName: 'rcare', role: 'Caregiver', active: true, systemAdmin: false, hasPassword: false, chartingInitials: 'RoRc', locationsAllowed: [{ locationId: LOC() }] });
    const outside = await call(admin, 'POST', '/v1/community/users', newUser('rcare2', { locationsAllowed: [p.locations[1].locationId] }));
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toEqual({ errors: ['Location not found'] });
    const taken = await call(admin, 'POST', '/v1/community/users', newUser('RCARE'));
    expect(taken.statusCode).toBe(422);
    expect(taken.json().errors).toEqual(['loginName RCARE is already taken']);
    const bad = await call(admin, 'POST', '/v1/community/users', newUser('rcare3', { role: 'Wizard', userGroup: 'Nope' }));
    expect(bad.statusCode).toBe(422);
  });

  it('edits, deactivates and reactivates (same userId); another company\'s user is 404', async () => {
    const edit = await call(admin, 'PUT', `/v1/community/users/${userId}`, { title: 'Night shift', role: 'Med Passer' });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(edit.json().user).toMatchObject({ title: 'Night shift', role: 'Med Passer' });
    expect((await call(admin, 'PUT', `/v1/community/users/${userId}`, { active: false })).json().user.active).toBe(false);
    const back = await call(admin, 'PUT', `/v1/community/users/${userId}`, { active: true });
    expect(back.json().user).toMatchObject({ userId, active: true });
    const foreign = (await call(otherAdmin, 'GET', '/v1/community/users')).json().users[0].userId;
    for (const [method, url, body] of [['GET', `/v1/community/users/${foreign}`], ['PUT', `/v1/community/users/${foreign}`, { title: 'x' }], ['PUT', `/v1/community/users/${foreign}/password`, { password: 'long-enough-1' }], ['GET', '/v1/community/users/not-a-guid']] as const) {
      const res = await call(admin, method, url, body);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ errors: ['User not found'] });
    }
  });

  it('refuses an admin deactivating themselves or dropping their own System Admin flag', async () => {
    const me = (await call(admin, 'GET', '/v1/community/me')).json().user.userId;
    const res = await call(admin, 'PUT', `/v1/community/users/${me}`, { active: false });
    expect(res.statusCode).toBe(422);
    expect((await call(admin, 'PUT', `/v1/community/users/${me}`, { systemAdmin: false })).statusCode).toBe(422);
  });

  it('keeps at most 3 active System Admins (seed 000), each with an email', async () => {
    expect((await call(admin, 'POST', '/v1/community/users', newUser('sa2', { systemAdmin: true }))).json().errors).toEqual(['email is required when systemAdmin is true']);
    expect((await call(admin, 'POST', '/v1/community/users', newUser('sa2', { systemAdmin: true, email: 'sa2@example.com' }))).statusCode).toBe(201);
    expect((await call(admin, 'POST', '/v1/community/users', newUser('sa3', { systemAdmin: true, email: 'sa3@example.com' }))).statusCode).toBe(201);
    const fourth = await call(admin, 'POST', '/v1/community/users', newUser('sa4', { systemAdmin: true, email: 'sa4@example.com' }));
    expect(fourth.statusCode).toBe(422);
    expect(fourth.json().errors).toEqual(['systemAdmin: this company already has 3 active system admins, the most allowed']);
    const promote = await call(admin, 'PUT', `/v1/community/users/${userId}`, { systemAdmin: true, email: 'rc@example.com' });
    expect(promote.statusCode).toBe(422);
  });

  it('sets a password the user must change at sign-in; short passwords and the admin\'s own are 422; audited', async () => {
    expect((await call(admin, 'PUT', `/v1/community/users/${userId}/password`, { password: 'short' })).statusCode).toBe(422);
    const me = (await call(admin, 'GET', '/v1/community/me')).json().user.userId;
    expect((await call(admin, 'PUT', `/v1/community/users/${me}/password`, { password: 'long-enough-1' })).statusCode).toBe(422);
    const set = await call(admin, 'PUT', `/v1/community/users/${userId}/password`, { password: 'first-password-1' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().user).toMatchObject({ hasPassword: true, mustChangePassword: true });
    const signIn = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: COMPANY, loginName: 'rcare', password: 'first-password-1' } });
    expect(signIn.statusCode, signIn.body).toBe(200);
    const token = signIn.json().token;
    expect(signIn.json().user.mustChangePassword).toBe(true);
    expect((await call(token, 'GET', '/v1/community/residents')).statusCode).toBe(403);
    const changed = await call(token, 'POST', '/v1/community/auth/change_password', { currentPassword: 'first-password-1', newPassword: 'my-own-password-1' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await call(token, 'GET', '/v1/community/residents')).statusCode).toBe(200);
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'ecp_user_password'), eq(auditEvents.action, 'update')));
    expect(rows.some((r) => r.entityIds.includes(userId) && r.actorType === 'ecp_user')).toBe(true);
  });
});

describe('Location settings', () => {
  it('lists the admin\'s locations with their zones; sets a validated IANA zone that the session then shows; null returns to the company\'s', async () => {
    const list = await call(admin, 'GET', '/v1/community/locations');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().locations).toEqual([{ locationId: LOC(), name: 'Evergreen Assisted Living', timeZone: null, effectiveTimeZone: 'America/Los_Angeles' }]);
    const bad = await call(admin, 'PUT', `/v1/community/locations/${LOC()}`, { timeZone: 'Mars/Olympus' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toContain('is not an IANA time zone name');
    const set = await call(admin, 'PUT', `/v1/community/locations/${LOC()}`, { timeZone: 'us/central' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().location).toEqual({ locationId: LOC(), name: 'Evergreen Assisted Living', timeZone: 'America/Chicago', effectiveTimeZone: 'America/Chicago' });
    expect((await call(nurse, 'GET', '/v1/community/me')).json().user.locationsAllowed).toContainEqual({ locationId: LOC(), name: 'Evergreen Assisted Living', timeZone: 'America/Chicago' });
    const reset = await call(admin, 'PUT', `/v1/community/locations/${LOC()}`, { timeZone: null });
    expect(reset.json().location).toMatchObject({ timeZone: null, effectiveTimeZone: 'America/Los_Angeles' });
    for (const id of [p.locations[1].locationId, other.locations[0].locationId, 'Evergreen Assisted Living']) {
      const res = await call(admin, 'PUT', `/v1/community/locations/${encodeURIComponent(id)}`, { timeZone: 'America/Denver' });
      expect(res.statusCode, id).toBe(404);
      expect(res.json()).toEqual({ errors: ['Location not found'] });
    }
  });
});

describe('Transfers between companies', () => {
  it('offers a resident by company GUID; the other company\'s admin sees it and accepts it into their location; declines and withdrawals', async () => {
    const mkResident = async (firstName: string) => (await call(admin, 'POST', '/v1/community/residents', { firstName, lastName: 'Moving', dateOfBirth: '1940-02-02', locationId: LOC() })).json().resident.residentId as string;
    const residentId = await mkResident('Ada');
    const mapleId = (await call(otherAdmin, 'GET', '/v1/community/me')).json().company.companyId as string;
    const ownId = (await call(admin, 'GET', '/v1/community/me')).json().company.companyId as string;

    expect((await call(admin, 'POST', `/v1/community/residents/${residentId}/transfer_offers`, { companyId: ownId })).statusCode).toBe(422);
    expect((await call(admin, 'POST', `/v1/community/residents/${residentId}/transfer_offers`, { companyId: '00000000-0000-0000-0000-000000000000' })).statusCode).toBe(422);
    expect((await call(otherAdmin, 'POST', `/v1/community/residents/${residentId}/transfer_offers`, { companyId: ownId })).statusCode).toBe(404);
    const offered = await call(admin, 'POST', `/v1/community/residents/${residentId}/transfer_offers`, { companyId: mapleId.toLowerCase(), note: 'Family moved' });
    expect(offered.statusCode, offered.body).toBe(201);
    const { offer } = offered.json();
    expect(offer).toMatchObject({ direction: 'outgoing', status: 'offered', residentId, residentName: 'Ada Moving', dateOfBirth: '1940-02-02', toCompany: { companyId: mapleId, name: OTHER } });
    expect((await call(admin, 'POST', `/v1/community/residents/${residentId}/transfer_offers`, { companyId: mapleId })).json().errors).toEqual(['This resident already has an open transfer offer']);

    const incoming = (await call(otherAdmin, 'GET', '/v1/community/transfer_offers')).json().offers;
    expect(incoming).toEqual([expect.objectContaining({ offerId: offer.offerId, direction: 'incoming', fromCompany: { companyId: ownId, name: COMPANY }, note: 'Family moved' })]);
    expect((await call(admin, 'GET', '/v1/community/transfer_offers')).json().offers).toEqual([]);
    expect((await call(admin, 'GET', '/v1/community/transfer_offers?direction=outgoing')).json().offers).toHaveLength(1);
    // The sender cannot accept its own offer; the receiver must pick one of its own locations.
    expect((await call(admin, 'POST', `/v1/community/transfer_offers/${offer.offerId}/accept`, { locationId: LOC() })).statusCode).toBe(404);
    expect((await call(otherAdmin, 'POST', `/v1/community/transfer_offers/${offer.offerId}/accept`, { locationId: LOC() })).json()).toEqual({ errors: ['Location not found'] });

    const accepted = await call(otherAdmin, 'POST', `/v1/community/transfer_offers/${offer.offerId}/accept`, { locationId: 'Maple Grove' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().offer).toMatchObject({ status: 'accepted', toLocationId: other.locations[0].locationId, toLocation: 'Maple Grove', decidedAt: expect.any(String) });
    expect((await call(otherAdmin, 'GET', `/v1/community/residents/${residentId}`)).json().resident).toMatchObject({ residentId, location: 'Maple Grove' });
    expect((await call(admin, 'GET', `/v1/community/residents/${residentId}`)).statusCode).toBe(404);
    expect((await call(otherAdmin, 'POST', `/v1/community/transfer_offers/${offer.offerId}/decline`)).json().errors).toEqual(['This transfer offer is already accepted']);

    const second = (await call(admin, 'POST', `/v1/community/residents/${await mkResident('Bea')}/transfer_offers`, { companyId: mapleId })).json().offer;
    expect((await call(admin, 'POST', `/v1/community/transfer_offers/${second.offerId}/decline`)).statusCode).toBe(404);
    expect((await call(otherAdmin, 'POST', `/v1/community/transfer_offers/${second.offerId}/decline`)).json().offer.status).toBe('declined');
    const third = (await call(admin, 'POST', `/v1/community/residents/${await mkResident('Cy')}/transfer_offers`, { companyId: mapleId })).json().offer;
    expect((await call(otherAdmin, 'POST', `/v1/community/transfer_offers/${third.offerId}/withdraw`)).statusCode).toBe(404);
    expect((await call(admin, 'POST', `/v1/community/transfer_offers/${third.offerId}/withdraw`)).json().offer.status).toBe('withdrawn');
    expect((await call(otherAdmin, 'GET', '/v1/community/transfer_offers')).json().offers).toEqual([]);
    expect((await call(otherAdmin, 'GET', '/v1/community/transfer_offers?status=all')).json().offers.map((o: { status: string }) => o.status)).toEqual(['withdrawn', 'declined', 'accepted']);
  });
});

describe('CRM leads', () => {
  it('adds, edits and converts a lead into a resident (future move-in: Awaiting Move-In); tenant checks', async () => {
    const future = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
    const created = await call(nurse, 'POST', '/v1/community/leads', { firstName: 'Lena', lastName: 'Prospect', contactName: 'Tom Prospect', contactPhone: '555-0101', desiredMoveInDate: future, source: 'Website', locationId: 'Evergreen Memory Care' });
    expect(created.statusCode, created.body).toBe(201);
    const { lead } = created.json();
    expect(lead).toMatchObject({ status: 'New', location: 'Evergreen Memory Care', residentId: null, source: 'Website' });
    expect((await call(nurse, 'POST', '/v1/community/leads', { firstName: 'X', lastName: 'Y', locationId: other.locations[0].locationId })).statusCode).toBe(404);
    expect((await call(nurse, 'POST', '/v1/community/leads', { firstName: 'X', lastName: 'Y', locationId: LOC(), contactEmail: 'nope' })).statusCode).toBe(422);
    expect((await call(nurse, 'PUT', `/v1/community/leads/${lead.leadId}`, { status: 'Tour Scheduled' })).json().lead.status).toBe('Tour Scheduled');
    expect((await call(nurse, 'GET', '/v1/community/leads')).json().leads.map((l: { leadId: string }) => l.leadId)).toEqual([lead.leadId]);
    // The admin reaches only Evergreen Assisted Living: the lead at Memory Care is not theirs; the other company's admin neither.
    expect((await call(admin, 'PUT', `/v1/community/leads/${lead.leadId}`, { status: 'Lost' })).statusCode).toBe(404);
    expect((await call(otherAdmin, 'POST', `/v1/community/leads/${lead.leadId}/convert`, { dateOfBirth: '1938-04-04' })).json()).toEqual({ errors: ['Lead not found'] });
    expect((await call(nurse, 'POST', `/v1/community/leads/${lead.leadId}/convert`, {})).json()).toEqual({ errors: ['dateOfBirth is required to convert a lead'] });

    const converted = await call(nurse, 'POST', `/v1/community/leads/${lead.leadId}/convert`, { dateOfBirth: '1938-04-04', room: '12' });
    expect(converted.statusCode, converted.body).toBe(200);
    const done = converted.json().lead;
    expect(done).toMatchObject({ status: 'Converted', residentId: expect.stringMatching(/^[0-9A-F-]{36}$/), convertedAt: expect.any(String) });
    const resident = (await call(nurse, 'GET', `/v1/community/residents/${done.residentId}`)).json().resident;
    expect(resident).toMatchObject({ firstName: 'Lena', lastName: 'Prospect', dateOfBirth: '1938-04-04', room: '12', moveInDate: future, status: 'Inactive', statusDescription: 'Awaiting Move-In' });
    expect((await call(nurse, 'POST', `/v1/community/leads/${lead.leadId}/convert`, { dateOfBirth: '1938-04-04' })).json()).toEqual({ errors: ['This lead is already converted'] });
    expect((await call(nurse, 'PUT', `/v1/community/leads/${lead.leadId}`, { status: 'Lost' })).statusCode).toBe(422);
  });
});
