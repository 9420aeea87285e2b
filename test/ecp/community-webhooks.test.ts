/**
 * The community workspace's resident actions fire the seed's events through the partner API's outbox: delivered by
 * this process's workers to a local Standard Webhooks receiver (signature verified), with the seed's envelope and
 * resident object. Add New Resident `resident.create`; General tab `resident.update` (nothing for no change);
 * Diet tab `diet.update`; Care Plan tab's level of care `levelOfCare.update`;
 * Allergies tab `allergy.update` (nothing for the same list); Discharge `resident.delete`; Reactivate `resident.create` with the same residentId.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, clinical, createPartner, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let t: TestContext;
let rx: WebhookReceiver;
let p: Partner;
let token: string;
const COMPANY = 'Evergreen Senior Living';
const LOC = 'Evergreen Assisted Living';

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  p = await createPartner(t, COMPANY, [LOC]);
  const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const sub = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url('/partner') });
  expect(sub.statusCode, sub.body).toBe(200);
  rx.secrets.push(sub.json().secret);
  await insertEcpUser(t, p, 'nurse');
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), COMPANY, 'nurse', 'nurse-password-1', { mustChange: false });
  const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: COMPANY, loginName: 'nurse', password: 'nurse-password-1' } });
  token = res.json().token;
});
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

/** The next webhook the receiver got, its signature verified, parsed. */
async function next(): Promise<Record<string, any>> {
  const [r] = await rx.take();
  return JSON.parse(r.body);
}

function call(method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

describe('community resident actions fire the seed\'s events', () => {
  it('Add New Resident, General tab, Diet tab, Care Plan level of care, Allergies tab, Discharge and Reactivate', async () => {
    const created = await call('POST', '/v1/community/residents', { firstName: 'James', lastName: 'Tester', dateOfBirth: '1941-01-01', locationId: LOC, codeStatus: 'DNR', room: '101' });
    expect(created.statusCode, created.body).toBe(201);
    const residentId = created.json().resident.residentId;
    const create = await next();
    expect(create).toMatchObject({ eventName: 'resident.create', locationId: p.locations[0].locationId, dataFormat: 'JSON', version: '1.0' });
    expect(create.data.resident).toMatchObject({ residentId, firstName: 'James', codeStatus: 'DNR (Do Not Resuscitate)', room: '101', status: 'Active' });

    expect((await call('PUT', `/v1/community/residents/${residentId}`, { room: '101' })).statusCode).toBe(200); // no change: no event
    expect((await call('PUT', `/v1/community/residents/${residentId}`, { room: '102' })).statusCode).toBe(200);
    const update = await next();
    expect(update).toMatchObject({ eventName: 'resident.update', data: { resident: { residentId, room: '102' } } });

    expect((await call('PUT', `/v1/community/residents/${residentId}/diet`, { dietPlans: ['Gluten-Free'], foodTexture: 'Pureed' })).statusCode).toBe(200);
    const diet = await next();
    expect(diet).toMatchObject({ eventName: 'diet.update', data: { diet: { residentId, dietPlans: ['Gluten-Free'], foodTexture: 'Pureed' } } });

    expect((await call('PUT', `/v1/community/residents/${residentId}/level_of_care`, { name: 'Level 2', amount: 1250, amountFrequency: 'Monthly' })).statusCode).toBe(200);
    const care = await next();
    expect(care).toMatchObject({ eventName: 'levelOfCare.update', data: { levelOfCare: { residentId, name: 'Level 2', amount: 1250, amountFrequency: 'Monthly' } } });

    expect((await call('PUT', `/v1/community/residents/${residentId}/allergies`, { allergies: ['Peanuts', 'Latex'] })).statusCode).toBe(200);
    const allergy = await next();
    expect(allergy).toMatchObject({ eventName: 'allergy.update', data: { allergy: { residentId, allergies: ['Latex', 'Peanuts'] } } });
    expect((await call('PUT', `/v1/community/residents/${residentId}/allergies`, { allergies: ['latex', 'peanuts'] })).statusCode).toBe(200); // same list: no event

    expect((await call('POST', `/v1/community/residents/${residentId}/discharge`)).statusCode).toBe(200);
    const del = await next();
    expect(del).toMatchObject({ eventName: 'resident.delete', data: { resident: { residentId, statusDescription: 'Discharged', room: '102' } } });

    expect((await call('POST', `/v1/community/residents/${residentId}/reactivate`)).statusCode).toBe(200);
    const again = await next();
    expect(again).toMatchObject({ eventName: 'resident.create', data: { resident: { residentId, status: 'Active', statusDescription: 'Active Resident' } } });
    // Nothing else was sent.
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.received.length).toBe(7);
  }, 60_000);
});
