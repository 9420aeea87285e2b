/**
 * ECP webhook subscriptions (issue 6): CRUD, scopes, ownership, the callback URL guard (without
 * OUTBOUND_ALLOW_PRIVATE_URLS), and the pure rules (attempt outcomes, Retry-After, payload keys);
 * the address table itself is in test/platform/outbound.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAttempt, parseRetryAfter, withJitter } from '../../src/ecp/webhooks/service.ts';
import { allergyObject, contactObject, dietObject, levelOfCareObject, residentObject, userObject, WEBHOOK_EVENT_NAMES } from '../../src/ecp/webhooks/payloads.ts';
import type { ecpContacts, ecpResidents, ecpUsers } from '../../src/db/schema.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let sibling: Partner;
let creds: { token: string; apiKey: string };
let siblingCreds: { token: string; apiKey: string };

/** A public IP literal: passes the guard without DNS (the tests run offline). */
const PUBLIC_URL = 'https://93.184.216.34/ecp-hook';

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, 'Hook Senior Living', ['Hook North', 'Hook South']);
  sibling = await createPartner(t, 'Hook Senior Living', ['Hook North']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  siblingCreds = { token: await tokenFor(t.app, sibling), apiKey: sibling.api_key };
});
afterAll(() => t.close());

describe('webhook subscriptions', () => {
  it('creates a subscription to every event by default and shows the secret once', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: PUBLIC_URL });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toEqual({ result: 'Success', subscriptionId: expect.stringMatching(/^[0-9A-F-]{36}$/), secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{40,}$/) });
    const got = await clinical(t.app, creds, 'GET', `/clinical/v1/webhook/${body.subscriptionId}`);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toMatchObject({ result: 'Success', subscriptionId: body.subscriptionId, callbackUrl: PUBLIC_URL, enabled: true, locationIds: null, disabledReason: null });
    expect(got.json().eventNames).toEqual([...WEBHOOK_EVENT_NAMES]);
    expect(got.json().companyId).toMatch(/^[0-9A-F-]{36}$/);
    expect(got.body).not.toContain(body.secret);
    expect(got.body).not.toContain('whsec_');
  });

  it('filters by events and locations, changes them, disables and re-enables', async () => {
    const created = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', {
      callbackUrl: PUBLIC_URL, eventNames: ['diet.update', 'allergy.update'], locationIds: [p.locations[1].locationId],
    });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json().subscriptionId;
    const got = await clinical(t.app, creds, 'GET', `/clinical/v1/webhook/${id}`);
    expect(got.json()).toMatchObject({ eventNames: ['diet.update', 'allergy.update'], locationIds: [p.locations[1].locationId] });

    const put = await clinical(t.app, creds, 'PUT', `/clinical/v1/webhook/${id}`, { eventNames: ['user.create'], locationIds: null, enabled: false });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ eventNames: ['user.create'], locationIds: null, enabled: false, disabledReason: 'Disabled by the partner' });
    const again = await clinical(t.app, creds, 'PUT', `/clinical/v1/webhook/${id}`, { enabled: true });
    expect(again.json()).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });

    const list = await clinical(t.app, creds, 'GET', '/clinical/v1/webhook');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().data.map((s: { subscriptionId: string }) => s.subscriptionId)).toContain(id);
    expect(list.json().numberOfResults).toBe(list.json().data.length);
    expect(list.body).not.toContain('whsec_');

    const del = await clinical(t.app, creds, 'DELETE', `/clinical/v1/webhook/${id}`);
    expect(del.statusCode, del.body).toBe(200);
    const gone = await clinical(t.app, creds, 'GET', `/clinical/v1/webhook/${id}`);
    expect(gone.statusCode).toBe(400);
    expect(gone.json()).toEqual({ result: 'Error', error: `No webhook subscription with subscriptionId ${id}` });
  });

  it('refuses unknown events and locations the client does not reach', async () => {
    const badEvent = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: PUBLIC_URL, eventNames: ['resident.explode'] });
    expect(badEvent.statusCode).toBe(400);
    expect(badEvent.json().error).toMatch(/eventNames/);
    const foreign = await clinical(t.app, siblingCreds, 'POST', '/clinical/v1/webhook', { callbackUrl: PUBLIC_URL, locationIds: [p.locations[1].locationId] });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error).toMatch(/locationIds is invalid/);
  });

  it('keeps a subscription to its own client: another client of the same company gets not found', async () => {
    const id = (await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: PUBLIC_URL })).json().subscriptionId;
    for (const [method, url, body] of [
      ['GET', `/clinical/v1/webhook/${id}`, undefined],
      ['PUT', `/clinical/v1/webhook/${id}`, { enabled: false }],
      ['DELETE', `/clinical/v1/webhook/${id}`, undefined],
      ['POST', `/clinical/v1/webhook/${id}/rotate-secret`, undefined],
      ['GET', `/clinical/v1/webhook/${id}/deliveries`, undefined],
    ] as const) {
      const res = await clinical(t.app, siblingCreds, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.json().error).toBe(`No webhook subscription with subscriptionId ${id}`);
    }
    const list = await clinical(t.app, siblingCreds, 'GET', '/clinical/v1/webhook');
    expect(list.json().data).toEqual([]);
    expect((await clinical(t.app, creds, 'GET', `/clinical/v1/webhook/${id}`)).json().enabled).toBe(true);
  });

  it('needs webhook.read to read and webhook.write to change', async () => {
    const readOnly = { token: await tokenFor(t.app, p, 'webhook.read'), apiKey: p.api_key };
    expect((await clinical(t.app, readOnly, 'GET', '/clinical/v1/webhook')).statusCode).toBe(200);
    const post = await clinical(t.app, readOnly, 'POST', '/clinical/v1/webhook', { callbackUrl: PUBLIC_URL });
    expect(post.statusCode).toBe(403);
    expect(post.json()).toEqual({ result: 'Error', error: 'This token lacks the scope webhook.write' });
    const writeOnly = { token: await tokenFor(t.app, p, 'webhook.write'), apiKey: p.api_key };
    expect((await clinical(t.app, writeOnly, 'GET', '/clinical/v1/webhook')).statusCode).toBe(403);
    expect((await clinical(t.app, { apiKey: p.api_key }, 'GET', '/clinical/v1/webhook')).statusCode).toBe(401);
  });

  it('rotates the secret and reports until when the previous one signs', async () => {
    const created = (await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: PUBLIC_URL })).json();
    const res = await clinical(t.app, creds, 'POST', `/clinical/v1/webhook/${created.subscriptionId}/rotate-secret`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().secret).toMatch(/^whsec_/);
    expect(res.json().secret).not.toBe(created.secret);
    expect(res.json().previousSecretValidUntil).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    const until = Date.parse(res.json().previousSecretValidUntil);
    expect(until - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(until - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('documents every endpoint in OpenAPI with its error responses', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const ops = [
      ['/clinical/v1/webhook', 'post'], ['/clinical/v1/webhook', 'get'], ['/clinical/v1/webhook/{subscriptionId}', 'get'],
      ['/clinical/v1/webhook/{subscriptionId}', 'put'], ['/clinical/v1/webhook/{subscriptionId}', 'delete'],
      ['/clinical/v1/webhook/{subscriptionId}/rotate-secret', 'post'], ['/clinical/v1/webhook/{subscriptionId}/deliveries', 'get'],
      ['/clinical/v1/webhook/{subscriptionId}/deliveries/{messageId}/retry', 'post'], ['/clinical/v1/webhook/{subscriptionId}/replay', 'post'],
    ];
    for (const [path, method] of ops) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
      expect(JSON.stringify(op.security)).toMatch(/webhook\.(read|write)/);
    }
  });
});

describe('callback URL guard (OUTBOUND_ALLOW_PRIVATE_URLS unset)', () => {
  it.each([
    ['http://93.184.216.34/hook', 'callbackUrl must use https'],
    ['https://127.0.0.1/hook', 'must resolve to public addresses only'],
    ['https://10.0.0.5/hook', 'must resolve to public addresses only'],
    ['https://192.168.1.10/hook', 'must resolve to public addresses only'],
    ['https://169.254.169.254/latest/meta-data', 'must resolve to public addresses only'],
    ['https://100.64.0.1/hook', 'must resolve to public addresses only'],
    ['https://[::1]/hook', 'must resolve to public addresses only'],
    ['https://[fd00::1]/hook', 'must resolve to public addresses only'],
    ['https://[::ffff:10.0.0.1]/hook', 'must resolve to public addresses only'],
    ['https://[::127.0.0.1]/hook', 'must resolve to public addresses only'],
    ['https://[64:ff9b::808:808]/hook', 'must resolve to public addresses only'],
    ['https://localhost/hook', 'must resolve to public addresses only'],
    ['https://user:pw@93.184.216.34/hook', 'must not contain credentials'],
    ['not a url', 'must be an absolute URL'],
  ])('refuses %s', async (callbackUrl, message) => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain(message);
    // Never what the host resolved to (localhost: 127.0.0.1, ::1).
    expect(res.json().error).not.toMatch(/resolves to|127\.0\.0\.1|::1\b/);
  });

  it('checks a changed URL too', async () => {
    const id = (await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: PUBLIC_URL })).json().subscriptionId;
    const res = await clinical(t.app, creds, 'PUT', `/clinical/v1/webhook/${id}`, { callbackUrl: 'https://127.0.0.1:8443/x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/must resolve to public addresses only/);
  });
});

describe('attempt outcomes', () => {
  const schedule = [0, 5, 300];
  it.each([
    [200, null, 0, 'succeeded'], [204, null, 2, 'succeeded'], [410, null, 0, 'gone'], [500, null, 0, 'retry'], [301, null, 0, 'retry'],
    [null, null, 1, 'retry'], [500, null, 2, 'failed'], [429, '7', 2, 'failed'],
  ] as const)('status %s (Retry-After %s) after attempt %s → %s', (statusCode, retryAfter, index, kind) => {
    expect(classifyAttempt({ statusCode, retryAfter }, index, schedule).kind).toBe(kind);
  });

  it('waits Retry-After on 429 and 503, the schedule (with jitter) otherwise', () => {
    expect(classifyAttempt({ statusCode: 429, retryAfter: '7' }, 0, schedule)).toEqual({ kind: 'retry', delaySeconds: 7 });
    expect(classifyAttempt({ statusCode: 503, retryAfter: '120' }, 1, schedule)).toEqual({ kind: 'retry', delaySeconds: 120 });
    expect(classifyAttempt({ statusCode: 500, retryAfter: '120' }, 0, schedule, () => 0.5)).toEqual({ kind: 'retry', delaySeconds: 5 });
    expect(withJitter(300, () => 0)).toBe(270);
    expect(withJitter(300, () => 1)).toBe(330);
    expect(withJitter(0, () => 1)).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date, capped at 6 hours', () => {
    const now = new Date('2025-05-05T13:37:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Mon, 05 May 2025 13:38:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Mon, 05 May 2025 13:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999', now)).toBe(6 * 3600);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('reads WEBHOOK_RETRY_SCHEDULE in seconds or with units', () => {
    expect(loadConfig({}).webhookRetrySchedule).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0s,5s,5m,30m,2h,5h,10h,10h' }).webhookRetrySchedule).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0,1,1' }).webhookRetrySchedule).toEqual([0, 1, 1]);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0,soon' })).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
    const production = { NODE_ENV: 'production', BACKUP_INTERVAL_HOURS: '0', SMTP_URL: 'smtp://x', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM_NUMBER: '+18055550100' };
    expect(() => loadConfig({ ...production, OUTBOUND_ALLOW_PRIVATE_URLS: 'true' })).toThrow(/OUTBOUND_ALLOW_PRIVATE_URLS=true is refused/);
    expect(() => loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_URLS=true is refused/);
  });

  it('reads OUTBOUND_ALLOW_PRIVATE_URLS, and still the old WEBHOOK_ALLOW_PRIVATE_URLS with a deprecation warning', () => {
    expect(loadConfig({})).toMatchObject({ outboundAllowPrivateUrls: false, warnings: [] });
    expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true' })).toMatchObject({ outboundAllowPrivateUrls: true, warnings: [] });
    const old = loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    expect(old.outboundAllowPrivateUrls).toBe(true);
    expect(old.warnings).toEqual(['WEBHOOK_ALLOW_PRIVATE_URLS is deprecated: rename it to OUTBOUND_ALLOW_PRIVATE_URLS (the one switch of the outbound guard: webhooks and email attachments)']);
    const both = loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', OUTBOUND_ALLOW_PRIVATE_URLS: 'false' });
    expect(both.outboundAllowPrivateUrls).toBe(false);
    expect(both.warnings).toEqual([expect.stringMatching(/^WEBHOOK_ALLOW_PRIVATE_URLS is deprecated and ignored/)]);
  });
});

/** The seed's sample objects (seed 000, "Sample Payloads"), their keys as published. */
const SEED = {
  resident: ['building', 'careType', 'codeStatus', 'dateOfBirth', 'email', 'externalIds', 'firstName', 'gender', 'lastName', 'livingWill', 'middleName',
    'nickname', 'otherAdvancedDirectives', 'phone', 'residentId', 'room', 'status', 'statusDescription', 'suffix'],
  diet: ['dietPlans', 'fluidConsistency', 'foodTexture', 'residentId', 'specialDietOrders'],
  allergy: ['allergies', 'residentId'],
  levelOfCare: ['amount', 'amountFrequency', 'effectiveTimestamp', 'name', 'residentId'],
  contact: ['address', 'city', 'contactId', 'email', 'firstName', 'lastName', 'phone', 'phoneCell', 'phoneWork', 'preferredContactMethod',
    'preferredContactTime', 'residents', 'state', 'zip'],
  contactResident: ['billingContact', 'healthCarePoa', 'healthCarePoaActivated', 'notes', 'primaryContact', 'providesProducts', 'relationship',
    'residentId', 'stateAppointedGuardian'],
  user: ['chartingInitials', 'email', 'firstName', 'lastName', 'locationsAllowed', 'phone', 'phoneCell', 'role', 'title', 'userId'],
};

describe('payload builders', () => {
  const resident = {
    id: 1, organizationId: 1, locationId: 1, guid: 'E062E995-B6B0-4332-9B19-AAD64E5CB048', firstName: 'James', lastName: 'Tester', middleName: 'I',
    nickname: 'Jim', suffix: 'Jr.', dateOfBirth: '1991-01-01', gender: 'Male', email: 'testemail@email.com', phone: '555-555-5555', building: 'Main Building',
    room: '101', codeStatus: 'DNR', livingWill: true, otherAdvancedDirectives: null, moveInDate: null, status: 'Active', statusDescription: 'Active Resident',
    externalIds: { billingid: '123456' }, careType: null, dietPlans: ['Fat-Restricted', 'Gluten-Free'], foodTexture: 'Regular/Easy to Chew', fluidConsistency: 'Thin',
    specialDietOrders: ['1500 Calorie'], levelOfCareName: 'Pro Max', levelOfCareAmount: '1500.00', levelOfCareAmountFrequency: 'Monthly',
    levelOfCareEffectiveAt: new Date('2024-02-02T17:47:21.823Z'), dischargedAt: null, createdAt: new Date(), updatedAt: new Date(),
  } as typeof ecpResidents.$inferSelect;

  it('build the seed objects with its keys, null for absent values', () => {
    const r = residentObject(resident);
    expect(Object.keys(r).sort()).toEqual([...SEED.resident].sort());
    expect(r).toMatchObject({ codeStatus: 'DNR (Do Not Resuscitate)', dateOfBirth: '1991-01-01', careType: null, otherAdvancedDirectives: null, externalIds: { billingid: '123456' } });
    expect(Object.keys(dietObject(resident)).sort()).toEqual(SEED.diet);
    expect(Object.keys(allergyObject(resident.guid, ['Peanuts'])).sort()).toEqual(SEED.allergy);
    const loc = levelOfCareObject(resident);
    expect(Object.keys(loc).sort()).toEqual(SEED.levelOfCare);
    expect(loc).toEqual({ amount: 1500, amountFrequency: 'Monthly', effectiveTimestamp: '2024-02-02T17:47:21.823+00:00', name: 'Pro Max', residentId: resident.guid });
  });

  it('build the contact with one residents entry per resident and the user with its location GUIDs', () => {
    const contact = {
      id: 1, organizationId: 1, locationId: 1, guid: 'A239D0E1-5A78-4F05-9C10-54CCD4B807F8', firstName: 'John', lastName: 'Contact', address: null, city: 'Elkhorn',
      state: 'WI', zip: '53121', email: null, phone: null, phoneCell: null, phoneWork: null, preferredContactMethod: 'Phone',
      preferredContactTime: null, createdAt: new Date(), updatedAt: new Date(), deletedAt: null,
    } as typeof ecpContacts.$inferSelect;
    const link = (relationship: string, healthCarePoa: boolean) => ({
      relationship, healthCarePoa, notes: 'Visits on Mondays', billingContact: false, healthCarePoaActivated: healthCarePoa, primaryContact: false,
      providesProducts: false, stateAppointedGuardian: false,
    });
    const c = contactObject(contact, [{ resident: { guid: 'R1' }, link: link('Daughter', false) }, { resident: { guid: 'R2' }, link: link('Son', true) }]);
    expect(Object.keys(c).sort()).toEqual(SEED.contact);
    expect(c.residents).toHaveLength(2);
    for (const entry of c.residents) expect(Object.keys(entry).sort()).toEqual(SEED.contactResident);
    expect(c.residents[0]).toMatchObject({ residentId: 'R1', healthCarePoa: false, relationship: 'Daughter' });
    expect(c.residents[1]).toMatchObject({ residentId: 'R2', healthCarePoa: true, relationship: 'Son', notes: 'Visits on Mondays' });
    expect(c.address).toBeNull();

    const user = {
      id: 1, organizationId: 1, guid: 'E635DCE9-D456-4F5B-A608-F6FBFA4D6A81', loginName: 'jbaum', firstName: 'James', lastName: 'Baum', active: true,
      viewAllResidents: false, userGroup: 'RN', role: 'Nursing', systemAdmin: false, chartingInitials: 'JaBa', title: null, address: null, cityStateZip: null,
      phone: '555-555-5555', cellphone: '555-555-5566', cellCarrier: null, pager: null, email: null, locationIds: [1, 2], deactivatedAt: null,
      createdAt: new Date(), updatedAt: new Date(),
    } as typeof ecpUsers.$inferSelect;
    const u = userObject(user, ['D40ADCBD-1808-478A-9F76-A702403A0FD4']);
    expect(Object.keys(u).sort()).toEqual(SEED.user);
    expect(u).toMatchObject({ phoneCell: '555-555-5566', title: null, email: null, locationsAllowed: ['D40ADCBD-1808-478A-9F76-A702403A0FD4'] });
  });
});
