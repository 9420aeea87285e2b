/**
 * Issue 6 triggers end to end: each of the 12 events produced by the partner API calls that cause it, delivered
 * by this process's workers to a local receiver that verifies the Standard Webhooks signature; the payload's
 * `data` is the seed object built from the stored rows; a request that fails sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let t: TestContext;
let rx: WebhookReceiver;
let p: Partner;
let outsider: Partner;
let creds: { token: string; apiKey: string };
const LOC = 'Evergreen Assisted Living';

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  p = await createPartner(t, 'Evergreen Senior Living', [LOC, 'Evergreen Memory Care']);
  // Same company, but reaching only the memory-care location: sees none of the assisted-living events.
  outsider = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Memory Care']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  for (const [partner, path] of [[p, '/all'], [outsider, '/memory']] as const) {
    const c = { token: await tokenFor(t.app, partner), apiKey: partner.api_key };
    const res = await clinical(t.app, c, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url(path) });
    expect(res.statusCode, res.body).toBe(200);
    rx.secrets.push(res.json().secret);
  }
});
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

/** The next `n` deliveries to `/all`, signatures verified, parsed. */
async function next(n = 1): Promise<Array<Record<string, any>>> {
  return (await rx.take(n, { path: '/all' })).map((r) => JSON.parse(r.body));
}

async function ok(method: string, url: string, body?: unknown) {
  const res = await clinical(t.app, creds, method, url, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

describe('webhook triggers', () => {
  it('sends every resident, diet, level-of-care and allergy event with the seed objects', async () => {
    const { residentId } = await ok('POST', '/clinical/v1/resident', {
      firstName: 'James', lastName: 'Tester', dateOfBirth: '1991-01-01', locationId: LOC, codeStatus: 'DNR', externalIds: { billingid: '123456' }, room: '101',
    });
    const [created] = await next();
    expect(created).toMatchObject({ eventName: 'resident.create', locationId: p.locations[0].locationId, dataFormat: 'JSON', version: '1.0' });
    expect(created.data.resident).toMatchObject({ residentId, firstName: 'James', codeStatus: 'DNR (Do Not Resuscitate)', externalIds: { billingid: '123456' }, status: 'Active', statusDescription: 'Active Resident', careType: null });
    expect(Object.keys(created.data.resident).sort()).toEqual(['building', 'careType', 'codeStatus', 'dateOfBirth', 'email', 'externalIds', 'firstName', 'gender', 'lastName',
      'livingWill', 'middleName', 'nickname', 'otherAdvancedDirectives', 'phone', 'residentId', 'room', 'status', 'statusDescription', 'suffix']);

    await ok('PUT', '/clinical/v1/resident', { residentId, room: '102' });
    const [updated] = await next();
    expect(updated).toMatchObject({ eventName: 'resident.update', data: { resident: { room: '102' } } });
    expect(updated.eventTimestamp > created.eventTimestamp).toBe(true);

    await ok('PUT', '/clinical/v1/resident/diet', { residentId, dietPlans: ['Fat-Restricted', 'Gluten-Free'], fluidConsistency: 'Thin', foodTexture: 'Regular/Easy to Chew', specialDietOrders: ['1500 Calorie'] });
    const [diet] = await next();
    expect(diet).toMatchObject({ eventName: 'diet.update', data: { diet: { dietPlans: ['Fat-Restricted', 'Gluten-Free'], fluidConsistency: 'Thin', foodTexture: 'Regular/Easy to Chew', residentId, specialDietOrders: ['1500 Calorie'] } } });

    await ok('PUT', '/clinical/v1/resident/level-of-care', { residentId, name: 'Pro Max', amount: 1500, amountFrequency: 'Monthly', effectiveTimestamp: '2024-02-02T17:47:21.823+00:00' });
    const [loc] = await next();
    expect(loc.data).toEqual({ levelOfCare: { amount: 1500, amountFrequency: 'Monthly', effectiveTimestamp: '2024-02-02T17:47:21.823+00:00', name: 'Pro Max', residentId } });

    await ok('POST', '/clinical/v1/resident/allergy', { allergy: 'Peanuts', location: LOC, residentId });
    await ok('POST', '/clinical/v1/resident/allergy', { allergy: 'peanuts', location: LOC, residentId }); // no change: no event
    await ok('POST', '/clinical/v1/resident/allergy', { allergy: 'Gluten', location: LOC, residentId });
    await ok('DELETE', '/clinical/v1/resident/allergy', { allergy: 'Peanuts', location: LOC, residentId });
    const allergies = await next(3);
    expect(allergies.map((a) => a.data.allergy.allergies)).toEqual([['Peanuts'], ['Gluten', 'Peanuts'], ['Gluten']]);

    await ok('DELETE', '/clinical/v1/resident', { residentId });
    const [discharged] = await next();
    expect(discharged).toMatchObject({ eventName: 'resident.delete', data: { resident: { residentId, status: 'Inactive', statusDescription: 'Discharged', room: '102' } } });
    await ok('PUT', '/clinical/v1/resident', { residentId, status: 'Active' });
    const [reactivated] = await next();
    expect(reactivated).toMatchObject({ eventName: 'resident.create', data: { resident: { residentId, status: 'Active' } } });
  });

  it('sends contact events with the residents array, and the last state on delete', async () => {
    const { residentId } = await ok('POST', '/clinical/v1/resident', { firstName: 'Con', lastName: 'Tact', dateOfBirth: '1940-01-01', locationId: LOC });
    await next();
    const { contactId } = await ok('POST', '/clinical/v1/resident/contact/', { firstName: 'John', lastName: 'Contact', locationId: LOC, residentId, relationship: 'Son', zip: 53121, healthCarePoa: 1 });
    const [created] = await next();
    expect(created).toMatchObject({ eventName: 'contact.create', locationId: p.locations[0].locationId });
    expect(created.data.contact).toMatchObject({ contactId, firstName: 'John', zip: '53121', residents: [{ residentId, relationship: 'Son', healthCarePoa: true, billingContact: false }] });
    await ok('PUT', '/clinical/v1/resident/contact/', { contactId, city: 'Elkhorn' });
    const [updated] = await next();
    expect(updated).toMatchObject({ eventName: 'contact.update', data: { contact: { contactId, city: 'Elkhorn' } } });
    await ok('DELETE', '/clinical/v1/resident/contact/', { contactId });
    const [deleted] = await next();
    expect(deleted).toMatchObject({ eventName: 'contact.delete', data: { contact: { contactId, city: 'Elkhorn', residents: [{ residentId }] } } });
  });

  it('sends user events: create, update, deactivation as user.delete, reactivation as user.create with the same userId', async () => {
    const { userId } = await ok('POST', '/clinical/v1/user', {
      loginName: 'jbaum', location: [LOC], firstName: 'James', lastName: 'Baum', userGroup: 'RN', role: 'Nursing', title: 'VP of Clinical Services', cellphone: '555-555-5566',
    });
    const [created] = await next();
    expect(created).toMatchObject({ eventName: 'user.create', locationId: p.locations[0].locationId });
    expect(created.data.user).toEqual({
      chartingInitials: 'JaBa', email: null, firstName: 'James', lastName: 'Baum', locationsAllowed: [p.locations[0].locationId], phone: null,
      phoneCell: '555-555-5566', role: 'Nursing', title: 'VP of Clinical Services', userId,
    });
    await ok('PUT', '/clinical/v1/user', { loginName: 'jbaum', location: [LOC, 'Evergreen Memory Care'] });
    const [updated] = await next();
    expect(updated).toMatchObject({ eventName: 'user.update', locationId: null, data: { user: { locationsAllowed: [p.locations[0].locationId, p.locations[1].locationId] } } });
    await ok('PUT', '/clinical/v1/user', { loginName: 'jbaum', active: false });
    expect((await next())[0]).toMatchObject({ eventName: 'user.delete', data: { user: { userId } } });
    await ok('PUT', '/clinical/v1/user', { loginName: 'jbaum', active: true });
    expect((await next())[0]).toMatchObject({ eventName: 'user.create', data: { user: { userId } } });
    // The outsider's client reaches Memory Care, where the user now works: it saw the user events since then.
    const memory = await rx.waitFor(3, { filter: (r) => r.path === '/memory' });
    expect(memory.map((r) => JSON.parse(r.body).eventName)).toEqual(['user.update', 'user.delete', 'user.create']);
  });

  it('sends nothing for a request that fails, and nothing of one location to a client that does not reach it', async () => {
    const before = rx.received.length;
    const bad = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId: '00000000-0000-0000-0000-000000000000', room: '1' });
    expect(bad.statusCode).toBe(400);
    const { residentId } = await ok('POST', '/clinical/v1/resident', { firstName: 'Last', lastName: 'One', dateOfBirth: '1940-01-01', locationId: LOC });
    const [last] = await next();
    expect(last.data.resident.residentId).toBe(residentId);
    expect(rx.received.length).toBe(before + 1);
    expect(rx.received.filter((r) => r.path === '/memory').every((r) => JSON.parse(r.body).eventName.startsWith('user.'))).toBe(true);
  });
});
