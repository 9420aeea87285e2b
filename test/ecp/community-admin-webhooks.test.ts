/**
 * The community workspace's System Admin actions fire seed 000's events through the partner API's outbox, delivered
 * by this process's workers to local Standard Webhooks receivers (signature verified): the User Logins window
 * (`user.create` for a new user, `user.update`, `user.delete` on deactivation, `user.create` with the same userId on
 * reactivation), the ECP CRM lead profile (`resident.create` on conversion) and a transfer to/from an ECP account
 * (`resident.delete` to the sending company's subscriber, `resident.create` to the receiving one's, same residentId).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ecpUsers } from '../../src/db/schema.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, clinical, createPartner, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let t: TestContext;
let rx: WebhookReceiver;
let p: Partner;
let other: Partner;
let admin: string;
let otherAdmin: string;
const COMPANY = 'Evergreen Senior Living';
const OTHER = 'Maple Senior Living';

async function subscribe(partner: Partner, path: string) {
  const sub = await clinical(t.app, { token: await tokenFor(t.app, partner), apiKey: partner.api_key }, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url(path) });
  expect(sub.statusCode, sub.body).toBe(200);
  rx.secrets.push(sub.json().secret);
}

async function signedInAdmin(partner: Partner, company: string, loginName: string) {
  const row = await insertEcpUser(t, partner, loginName);
  await t.database.db.update(ecpUsers).set({ systemAdmin: true, email: `${loginName}@example.com` }).where(eq(ecpUsers.id, row.id));
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), company, loginName, 'admin-password-1', { mustChange: false });
  return (await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company, loginName, password: 'admin-password-1' } })).json().token as string;
}

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  p = await createPartner(t, COMPANY, ['Evergreen Assisted Living']);
  other = await createPartner(t, OTHER, ['Maple Grove']);
  admin = await signedInAdmin(p, COMPANY, 'admin1');
  otherAdmin = await signedInAdmin(other, OTHER, 'mapleadmin');
  await subscribe(p, '/evergreen');
  await subscribe(other, '/maple');
});
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

/** The next `count` messages (in arrival order), each verified, as `{path, body}`. */
async function next(count = 1): Promise<Array<{ path: string; body: Record<string, any> }>> {
  return (await rx.take(count)).map((r) => ({ path: r.path, body: JSON.parse(r.body) }));
}

function call(token: string, method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

describe('User Logins window', () => {
  it('create fires user.create; a change user.update; deactivate user.delete; reactivate user.create with the same userId', async () => {
    const created = await call(admin, 'POST', '/v1/community/users', {
      loginName: 'rcare', firstName: 'Rosa', lastName: 'Care', role: 'Caregiver', userGroup: 'RN', locationsAllowed: ['Evergreen Assisted Living'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const userId = created.json().user.userId;
    const [create] = await next();
    expect(create.path).toBe('/evergreen');
    expect(create.body).toMatchObject({ eventName: 'user.create', locationId: p.locations[0].locationId, data: { user: { userId, firstName: 'Rosa', lastName: 'Care', role: 'Caregiver', locationsAllowed: [p.locations[0].locationId] } } });

    expect((await call(admin, 'PUT', `/v1/community/users/${userId}`, { title: 'Night shift' })).statusCode).toBe(200);
    expect((await next())[0].body).toMatchObject({ eventName: 'user.update', data: { user: { userId, title: 'Night shift' } } });
    expect((await call(admin, 'PUT', `/v1/community/users/${userId}`, { active: false })).statusCode).toBe(200);
    expect((await next())[0].body).toMatchObject({ eventName: 'user.delete', data: { user: { userId, title: 'Night shift' } } });
    expect((await call(admin, 'PUT', `/v1/community/users/${userId}`, { active: true })).statusCode).toBe(200);
    expect((await next())[0].body).toMatchObject({ eventName: 'user.create', data: { user: { userId, firstName: 'Rosa' } } });
    // A password reset is no user object change: no event (the next message is the lead's below).
    expect((await call(admin, 'PUT', `/v1/community/users/${userId}/password`, { password: 'reset-password-1' })).statusCode).toBe(200);
  });
});

describe('ECP CRM lead profile', () => {
  it('converting a lead fires resident.create with the lead\'s resident', async () => {
    const lead = (await call(admin, 'POST', '/v1/community/leads', { firstName: 'Lena', lastName: 'Prospect', dateOfBirth: '1938-04-04', source: 'Website', locationId: 'Evergreen Assisted Living' })).json().lead;
    const converted = await call(admin, 'POST', `/v1/community/leads/${lead.leadId}/convert`, {});
    expect(converted.statusCode, converted.body).toBe(200);
    const residentId = converted.json().lead.residentId;
    const [create] = await next();
    expect(create.body).toMatchObject({ eventName: 'resident.create', locationId: p.locations[0].locationId, data: { resident: { residentId, firstName: 'Lena', lastName: 'Prospect', status: 'Active' } } });
  });
});

describe('Resident is transferred to/from ECP account', () => {
  it('accepting an offer fires resident.delete to the sender\'s subscriber and resident.create to the receiver\'s, same residentId', async () => {
    const residentId = (await call(admin, 'POST', '/v1/community/residents', { firstName: 'Ada', lastName: 'Moving', dateOfBirth: '1940-02-02', locationId: 'Evergreen Assisted Living' })).json().resident.residentId;
    await next(); // its resident.create
    const mapleId = (await call(otherAdmin, 'GET', '/v1/community/me')).json().company.companyId;
    const offer = (await call(admin, 'POST', `/v1/community/residents/${residentId}/transfer_offers`, { companyId: mapleId })).json().offer;
    const accepted = await call(otherAdmin, 'POST', `/v1/community/transfer_offers/${offer.offerId}/accept`, { locationId: 'Maple Grove' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const got = await next(2);
    const del = got.find((m) => m.body.eventName === 'resident.delete')!;
    const create = got.find((m) => m.body.eventName === 'resident.create')!;
    expect(del).toMatchObject({ path: '/evergreen', body: { locationId: p.locations[0].locationId, data: { resident: { residentId, firstName: 'Ada' } } } });
    expect(create).toMatchObject({ path: '/maple', body: { locationId: other.locations[0].locationId, data: { resident: { residentId, firstName: 'Ada' } } } });
  });
});
