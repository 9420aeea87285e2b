/**
 * The seed's triggers of the Resident File's Contacts tab and of discharge and reactivation, performed through the
 * community endpoints and received by a local Standard Webhooks receiver (signature verified) with the seed's envelope
 * and objects: "New resident contact is created via Resident File -> Contacts tab" `contact.create`; "Resident
 * contact's information is updated via Resident File -> Contacts tab" `contact.update` (an edit, and linking the
 * contact to a second resident: the `residents` array lists both with their own relationship and flags); "Resident
 * contact is removed via Resident File -> Contacts tab" `contact.update` with the residents left, then `contact.delete`
 * with the last state; "Resident is discharged via Resident File" `resident.delete`; "Resident is reactivated via
 * Discharged Residents window" `resident.create` with the same residentId.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let t: TestContext;
let rx: WebhookReceiver;
let p: Partner;
let token: string;
let companyId: string;
const COMPANY = 'Evergreen Senior Living';
const LOC = 'Evergreen Assisted Living';
const ids: Record<string, string> = {};

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  p = await createPartner(t, COMPANY, [LOC]);
  const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  ids.ada = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1935-12-10', locationId: LOC });
  ids.bob = await createResident(t.app, creds, { firstName: 'Bob', lastName: 'Babbage', dateOfBirth: '1931-12-26', locationId: LOC });
  const sub = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url('/partner') });
  expect(sub.statusCode, sub.body).toBe(200);
  rx.secrets.push(sub.json().secret);
  await insertEcpUser(t, p, 'nurse');
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), COMPANY, 'nurse', 'nurse-password-1', { mustChange: false });
  const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: COMPANY, loginName: 'nurse', password: 'nurse-password-1' } });
  token = res.json().token;
  companyId = (await t.app.inject({ method: 'GET', url: '/v1/community/me', headers: { 'x-user-token': token } })).json().company.companyId;
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

const link = (residentId: string, values: Record<string, unknown>) => ({
  residentId, billingContact: false, healthCarePoa: false, healthCarePoaActivated: false, primaryContact: false, providesProducts: false, stateAppointedGuardian: false, ...values,
});

describe('Contacts tab triggers', () => {
  it('add a contact: contact.create with the seed\'s envelope, contact object and residents array', async () => {
    const res = await call('POST', `/v1/community/residents/${ids.ada}/contacts`, {
      firstName: 'John', lastName: 'Contact', address: '123 Fake St.', city: 'Elkhorn', state: 'WI', zip: '53121', email: 'john@example.com', phone: '555-555-5556',
      preferredContactMethod: 'Phone', preferredContactTime: 'Afternoon', relationship: 'Son', notes: 'John visits every Monday.', healthCarePoa: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    ids.john = res.json().contact.contactId;
    const event = await next();
    expect(event).toMatchObject({ companyId, locationId: p.locations[0].locationId, eventName: 'contact.create', dataFormat: 'JSON', version: '1.0' });
    expect(event.data.contact).toMatchObject({
      contactId: ids.john, firstName: 'John', lastName: 'Contact', address: '123 Fake St.', city: 'Elkhorn', state: 'WI', zip: '53121', phone: '555-555-5556',
      preferredContactMethod: 'Phone', preferredContactTime: 'Afternoon',
      residents: [link(ids.ada, { relationship: 'Son', notes: 'John visits every Monday.', healthCarePoa: true })],
    });
  }, 30_000);

  it('edit a contact: contact.update', async () => {
    expect((await call('PUT', `/v1/community/residents/${ids.ada}/contacts/${ids.john}`, { phoneCell: '555-555-5557', primaryContact: true })).statusCode).toBe(200);
    const event = await next();
    expect(event).toMatchObject({ eventName: 'contact.update', data: { contact: { contactId: ids.john, phoneCell: '555-555-5557', residents: [link(ids.ada, { relationship: 'Son', healthCarePoa: true, primaryContact: true })] } } });
  }, 30_000);

  it('link the contact to a second resident: contact.update listing both, each with its own relationship and flags', async () => {
    const res = await call('POST', `/v1/community/residents/${ids.bob}/contacts/link`, { contactId: ids.john, relationship: 'Nephew', billingContact: true });
    expect(res.statusCode, res.body).toBe(200);
    const event = await next();
    expect(event.eventName).toBe('contact.update');
    expect(event.data.contact.residents).toEqual([
      link(ids.ada, { relationship: 'Son', notes: 'John visits every Monday.', healthCarePoa: true, primaryContact: true }),
      link(ids.bob, { relationship: 'Nephew', notes: null, billingContact: true }),
    ]);
  }, 30_000);

  it('remove the contact from one resident: contact.update with the resident left; from the last: contact.delete with the last state', async () => {
    expect((await call('DELETE', `/v1/community/residents/${ids.bob}/contacts/${ids.john}`)).statusCode).toBe(204);
    const update = await next();
    expect(update).toMatchObject({ eventName: 'contact.update', data: { contact: { contactId: ids.john } } });
    expect(update.data.contact.residents.map((r: { residentId: string }) => r.residentId)).toEqual([ids.ada]);
    expect((await call('DELETE', `/v1/community/residents/${ids.ada}/contacts/${ids.john}`)).statusCode).toBe(204);
    const del = await next();
    expect(del).toMatchObject({ eventName: 'contact.delete', data: { contact: { contactId: ids.john, firstName: 'John', phoneCell: '555-555-5557' } } });
    expect(del.data.contact.residents.map((r: { residentId: string }) => r.residentId)).toEqual([ids.ada]);
  }, 30_000);
});

describe('Discharge and reactivation triggers', () => {
  it('discharge from the Resident File: resident.delete with the last state', async () => {
    expect((await call('POST', `/v1/community/residents/${ids.bob}/discharge`)).statusCode).toBe(200);
    const event = await next();
    expect(event).toMatchObject({ companyId, eventName: 'resident.delete', data: { resident: { residentId: ids.bob, firstName: 'Bob', status: 'Inactive', statusDescription: 'Discharged' } } });
  }, 30_000);

  it('reactivate from the Discharged Residents list: resident.create with the same residentId, and nothing else', async () => {
    expect((await call('POST', `/v1/community/residents/${ids.bob}/reactivate`)).statusCode).toBe(200);
    const event = await next();
    expect(event).toMatchObject({ eventName: 'resident.create', data: { resident: { residentId: ids.bob, status: 'Active', statusDescription: 'Active Resident' } } });
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.received.length).toBe(rx.takenCount());
  }, 30_000);
});
