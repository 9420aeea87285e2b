/**
 * Seed 000's trigger "Resident's required level of care is ... updated ... by completing an assessment", performed in
 * the community workspace: `POST /v1/community/residents/{residentId}/assessments` fires `levelOfCare.update`, delivered
 * by this process's workers to a local Standard Webhooks receiver (signature verified), with the seed's envelope and
 * levelOfCare object (the level the template's table gives the score, effective at the completion time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let t: TestContext;
let rx: WebhookReceiver;
let p: Partner;
let token: string;
let residentId: string;
let templateId: string;
const COMPANY = 'Evergreen Senior Living';
const LOC = 'Evergreen Assisted Living';

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  p = await createPartner(t, COMPANY, [LOC]);
  const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  residentId = await createResident(t.app, creds, { firstName: 'James', lastName: 'Tester', dateOfBirth: '1941-01-01', locationId: p.locations[0].locationId });
  const org = (await t.services.identity.findOrganizationByName(COMPANY))!.id;
  templateId = (await t.services.residentAssessments.defineTemplate(systemContext(org, 'test'), org, {
    name: 'Care Needs',
    questions: [{ questionId: 'bathing', text: 'Bathing', choices: [{ answer: 'Independent', points: 0 }, { answer: 'Hands-on help', points: 2 }] }],
    levels: [{ minScore: 0, maxScore: 1, name: 'Level 1', amount: 1200, amountFrequency: 'Monthly' }, { minScore: 2, maxScore: 3, name: 'Level 2', amount: 1500, amountFrequency: 'Monthly' }],
  })).templateId;
  // Subscribed after the resident exists: the receiver gets only what the assessment fires.
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

describe('Care Plan tab: completing an assessment fires levelOfCare.update', () => {
  it('delivers the seed\'s envelope with the level of care the score gives', async () => {
    const res = await t.app.inject({
      method: 'POST', url: `/v1/community/residents/${residentId}/assessments`, headers: { 'x-user-token': token },
      payload: { templateId, answers: [{ questionId: 'bathing', answer: 'Hands-on help' }] },
    });
    expect(res.statusCode, res.body).toBe(201);
    const effective = res.json().assessment.completedTimestamp as string;
    const got = await rx.waitFor(1, { timeoutMs: 10_000 });
    expect(got[0].verifiedWith.length, 'signature').toBe(1);
    const event = JSON.parse(got[0].body);
    expect(event).toMatchObject({
      eventName: 'levelOfCare.update', locationId: p.locations[0].locationId, companyId: p.companyId, dataFormat: 'JSON', version: '1.0',
      data: { levelOfCare: { residentId, name: 'Level 2', amount: 1500, amountFrequency: 'Monthly', effectiveTimestamp: effective } },
    });
    expect(Object.keys(event.data.levelOfCare).sort()).toEqual(['amount', 'amountFrequency', 'effectiveTimestamp', 'name', 'residentId']);
    // One event, nothing else.
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.received.length).toBe(1);
  }, 30_000);
});
