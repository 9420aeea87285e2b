/**
 * The Communications API against a local Twilio peer driven by the real `twilio` SDK, with signed callbacks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { activities, ecmEvents, smsOptOuts, textMessages, voiceCalls } from '../../src/db/schema.ts';
import { insertTextMessage } from '../../src/ecm/communications/store.ts';
import { waitUntil } from '../support/wait.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { ACCOUNT_SID, AUTH_TOKEN, startTwilioPeer, type TwilioPeer } from '../support/twilio-peer.ts';

const PUBLIC_URL = 'http://care.test';
const CLINIC_NUMBER = '+18059876543';
let t: TestContext;
let peer: TwilioPeer;
let admin: TestUser;
let coord: TestUser;
let phoneless: TestUser;
let patientId: number;
let sharedA: number;
const MEMBER_PHONE = '+18051234567';

const sms = (pid: number, body: unknown, as: TestUser = coord, key?: string) =>
  t.app.inject({
    method: 'POST', url: `/v1/clinic/ecm/communications/patients/${pid}/sms`,
    headers: { 'x-user-token': as.token, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    payload: JSON.stringify(body),
  });
const dial = (pid: number, body: unknown, as: TestUser = coord) => call(t.app, as, 'POST', `/v1/clinic/ecm/communications/patients/${pid}/call`, body);
const hookPath = (path: string) => `/v1/clinic/webhooks/twilio/${path}`;


async function enrol(first: string, memberId: string, phone: string, caseLoad: Record<string, number | null> = {}) {
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: first, last_name: 'Member', phone, ecm_eligibility_information: { member_id: memberId }, case_load: caseLoad },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().patient.id as number;
}

beforeAll(async () => {
  peer = await startTwilioPeer();
  t = await createTestContext(
    {
      PUBLIC_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM_NUMBER: CLINIC_NUMBER,
      TWILIO_API_URL: peer.apiUrl, TWILIO_TIMEOUT_MS: '500', TWILIO_RECONCILE_DELAY_SECONDS: '1',
    },
    { workers: true },
  );
  admin = await createUser(t.services, 'Twilio Clinic', 'admin', 'Ada Admin', '+18055550110');
  coord = await createUser(t.services, 'Twilio Clinic', 'care_coordinator', 'Jane Coordinator', '(805) 555-0111');
  phoneless = await createUser(t.services, 'Twilio Clinic', 'care_coordinator', 'No Phone');
  await call(t.app, admin, 'PUT', '/v1/admin/organization', { organization: { phone_numbers: [CLINIC_NUMBER] } });
  patientId = await enrol('John', 'T-1', MEMBER_PHONE, { ilcm_user_id: coord.id });
  sharedA = await enrol('Shared', 'T-2', '+18055550150');
  await enrol('Shared', 'T-3', '+18055550150');
});

afterAll(async () => {
  await t.close();
  await peer.close();
});

describe('POST .../sms (seed 004 "Send SMS")', () => {
  it('replays the seed example: sent through the SDK, recorded, with its activity and event', async () => {
    const before = peer.requests.length;
    const res = await sms(patientId, { sms: { phone_number: '+18051234567', body: 'Hello! This is a reminder about your upcoming appointment. Please reply to confirm.' } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      message: 'SMS sent successfully',
      sms: { id: expect.any(Number), twilio_sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), to: '+18051234567', from: CLINIC_NUMBER,
        body: 'Hello! This is a reminder about your upcoming appointment. Please reply to confirm.', status: 'queued', direction: 'outbound' },
      activity: { id: expect.any(Number), activity_type: 'sms', status: 'created', patient_id: patientId, performed_by_id: coord.id, assigned_to_id: coord.id },
    });
    const sent = peer.requests.slice(before).filter((r) => r.method === 'POST');
    expect(sent).toHaveLength(1);
    expect(sent[0].path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(sent[0].form).toMatchObject({ To: '+18051234567', From: CLINIC_NUMBER, Body: body.sms.body, StatusCallback: `${PUBLIC_URL}/v1/clinic/webhooks/twilio/sms_status?text_message_id=${body.sms.id}` });
    const [ev] = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, body.activity.id));
    expect(ev).toMatchObject({ eventType: 'sms', prtfCategory: null });

    // Signed status callbacks: sent, delivered, then a late "sent" and a repeat: the message stays delivered.
    for (const status of ['sent', 'delivered', 'sent', 'delivered']) {
      const cb = await peer.callback(t.app, PUBLIC_URL, hookPath(`sms_status?text_message_id=${body.sms.id}`), { MessageSid: body.sms.twilio_sid, MessageStatus: status, AccountSid: ACCOUNT_SID });
      expect(cb.statusCode).toBe(204);
    }
    const [msg] = await t.database.db.select().from(textMessages).where(eq(textMessages.id, body.sms.id));
    expect(msg.status).toBe('delivered');
    const [ev2] = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, body.activity.id));
    expect(ev2).toMatchObject({ status: 'complete', prtfCategory: 'telehealth_outreach' });
  });

  it('accepts every phone format of the seed\'s table', async () => {
    for (const phone_number of ['8051234567', '805-123-4567', '(805) 123-4567']) {
      const res = await sms(patientId, { sms: { phone_number, body: 'Format check' } });
      expect(res.statusCode, phone_number).toBe(201);
      expect(res.json().sms.to).toBe('+18051234567');
    }
  });

  it('answers the seed\'s errors without calling Twilio', async () => {
    const before = peer.requests.length;
    const cases: Array<[number, unknown, number, string[]]> = [
      [patientId, { sms: { body: 'x' } }, 422, ['Phone number is required']],
      [patientId, { sms: { phone_number: 'call me', body: 'x' } }, 422, ['Invalid phone number']],
      [patientId, { sms: { phone_number: '+18055550199', body: 'x' } }, 422, ["Phone number does not match the patient's phone on file"]],
      [patientId, { sms: { phone_number: MEMBER_PHONE, body: ' ' } }, 422, ["Body can't be blank"]],
      [999999, { sms: { phone_number: MEMBER_PHONE, body: 'x' } }, 404, ['Patient not found']],
    ];
    for (const [pid, body, status, errors] of cases) {
      const res = await sms(pid, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json()).toEqual({ errors });
    }
    const stranger = await createUser(t.services, 'Far Clinic', 'admin');
    expect((await sms(patientId, { sms: { phone_number: MEMBER_PHONE, body: 'x' } }, stranger)).statusCode).toBe(404);
    expect(peer.requests.length).toBe(before);
  });

  it('turns a Twilio refusal into 422 with Twilio\'s message and keeps the code on the record', async () => {
    peer.answerNext({ status: 400, body: { code: 21211, message: "The 'To' number +18051234567 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 } });
    const before = await t.database.db.select().from(activities);
    const res = await sms(patientId, { sms: { phone_number: MEMBER_PHONE, body: 'Refused' } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ["Failed to send SMS: The 'To' number +18051234567 is not a valid phone number."] });
    const [msg] = await t.database.db.select().from(textMessages).where(eq(textMessages.body, 'Refused'));
    expect(msg).toMatchObject({ status: 'failed', errorCode: 21211 });
    expect((await t.database.db.select().from(activities)).length).toBe(before.length);
  });

  it('records the opt-out on 21610 and blocks later messages without calling Twilio', async () => {
    const member = await enrol('Opted', 'T-4', '+18055550160');
    peer.answerNext({ status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 } });
    const first = await sms(member, { sms: { phone_number: '+18055550160', body: 'Hi' } });
    expect(first.json()).toEqual({ errors: ['Failed to send SMS: Attempt to send to unsubscribed recipient'] });
    const before = peer.requests.length;
    const second = await sms(member, { sms: { phone_number: '+18055550160', body: 'Hi again' } });
    expect(second.statusCode).toBe(422);
    expect(second.json()).toEqual({ errors: ['Message blocked (opt-out)'] });
    expect(peer.requests.length).toBe(before);
  });

  it('answers 502 when Twilio fails with a 500, marks the record failed and writes no activity', async () => {
    peer.answerNext({ status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } });
    const res = await sms(patientId, { sms: { phone_number: MEMBER_PHONE, body: 'Twilio down' } });
    expect(res.statusCode).toBe(502);
    expect(res.json().errors[0]).toMatch(/Twilio is unavailable .*the SMS was not sent/);
    const [msg] = await t.database.db.select().from(textMessages).where(eq(textMessages.body, 'Twilio down'));
    expect(msg.status).toBe('failed');
    expect(await t.database.db.select().from(activities).where(eq(activities.textMessageId, msg.id))).toEqual([]);
  });

  it('on a timeout answers 502, marks the message unknown, and reconciles it from Twilio\'s list without re-sending', async () => {
    peer.answerNext({ status: 201, delayMs: 1500 });
    const posts = () => peer.requests.filter((r) => r.method === 'POST' && r.form.Body === 'Slow Twilio').length;
    const res = await sms(patientId, { sms: { phone_number: MEMBER_PHONE, body: 'Slow Twilio' } });
    expect(res.statusCode).toBe(502);
    expect(res.json().errors[0]).toMatch(/did not answer in time; the SMS may have been sent/);
    const [msg] = await t.database.db.select().from(textMessages).where(eq(textMessages.body, 'Slow Twilio'));
    expect(msg.status).toBe('unknown');
    const reconciled = await waitUntil(
      async () => (await t.database.db.select().from(textMessages).where(eq(textMessages.id, msg.id)))[0],
      (m) => m.status !== 'unknown',
    );
    expect(reconciled.twilioSid).toBe(peer.created.find((c) => c.body === 'Slow Twilio')!.sid);
    expect(reconciled.status).toBe('queued');
    const acts = await t.database.db.select().from(activities).where(eq(activities.textMessageId, msg.id));
    expect(acts).toHaveLength(1);
    expect(posts()).toBe(1);
  });

  it('honours Idempotency-Key: the retry gets the first response and nothing is sent twice', async () => {
    const body = { sms: { phone_number: MEMBER_PHONE, body: 'Exactly once' } };
    const first = await sms(patientId, body, coord, 'key-123');
    const again = await sms(patientId, body, coord, 'key-123');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(peer.requests.filter((r) => r.form.Body === 'Exactly once')).toHaveLength(1);
    const reused = await sms(patientId, { sms: { phone_number: MEMBER_PHONE, body: 'Something else' } }, coord, 'key-123');
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toEqual({ errors: ['Idempotency-Key was already used for a different request'] });
  });
});

describe('POST .../call (seed 004 "Initiate Call")', () => {
  it('replays the seed example and bridges the member to the coordinator; a completed bridge is an encounter', async () => {
    const res = await dial(patientId, { call: { phone_number: '+18051234567' } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      message: 'Call initiated successfully',
      call: { twilio_sid: expect.stringMatching(/^CA/), to: '+18051234567', from: CLINIC_NUMBER, status: 'queued', direction: 'outbound' },
      activity: { activity_type: 'call', status: 'created', patient_id: patientId, performed_by_id: coord.id, assigned_to_id: coord.id },
    });
    const placed = peer.requests.filter((r) => r.path.endsWith('Calls.json') && r.method === 'POST').at(-1)!;
    expect(placed.form).toMatchObject({
      To: '+18051234567', From: CLINIC_NUMBER,
      Url: `${PUBLIC_URL}/v1/clinic/webhooks/twilio/voice_outbound/${body.call.id}`,
      StatusCallback: `${PUBLIC_URL}/v1/clinic/webhooks/twilio/voice_status?voice_call_id=${body.call.id}`,
    });
    const sid = body.call.twilio_sid;
    const twimlRes = await peer.callback(t.app, PUBLIC_URL, hookPath(`voice_outbound/${body.call.id}`), { CallSid: sid, CallStatus: 'in-progress', To: MEMBER_PHONE, From: CLINIC_NUMBER });
    expect(twimlRes.statusCode).toBe(200);
    expect(twimlRes.headers['content-type']).toMatch(/text\/xml/);
    expect(twimlRes.body).toContain('<Dial');
    expect(twimlRes.body).toContain('<Number>+18055550111</Number>');
    expect(twimlRes.body).toContain(`/dial_status/${body.call.id}`);
    await peer.callback(t.app, PUBLIC_URL, hookPath(`dial_status/${body.call.id}`), { CallSid: sid, DialCallStatus: 'completed', DialCallDuration: '118' });
    for (const [status, extra] of [['ringing', {}], ['completed', { CallDuration: '125' }], ['in-progress', {}]] as const) {
      const r = await peer.callback(t.app, PUBLIC_URL, hookPath(`voice_status?voice_call_id=${body.call.id}`), { CallSid: sid, CallStatus: status, ...extra });
      expect(r.statusCode).toBe(204);
    }
    const [vc] = await t.database.db.select().from(voiceCalls).where(eq(voiceCalls.id, body.call.id));
    expect(vc).toMatchObject({ status: 'completed', durationSeconds: 125, memberReached: true, dialStatus: 'completed' });
    const [act] = await t.database.db.select().from(activities).where(eq(activities.id, body.activity.id));
    expect(act.status).toBe('complete');
    const [ev] = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, body.activity.id));
    expect(ev).toMatchObject({ eventType: 'call', status: 'complete', duration: 3, prtfCategory: 'telehealth_encounter' });
  });

  it('counts a call answered only by voicemail as outreach', async () => {
    const body = (await dial(patientId, { call: { phone_number: MEMBER_PHONE } })).json();
    const sid = body.call.twilio_sid;
    await peer.callback(t.app, PUBLIC_URL, hookPath(`dial_status/${body.call.id}`), { CallSid: sid, DialCallStatus: 'no-answer', DialCallDuration: '0' });
    await peer.callback(t.app, PUBLIC_URL, hookPath(`voice_status?voice_call_id=${body.call.id}`), { CallSid: sid, CallStatus: 'completed', CallDuration: '40' });
    const [ev] = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, body.activity.id));
    expect(ev.prtfCategory).toBe('telehealth_outreach');
  });

  it('lets a coordinator without a phone call: the member hears the care team will call back', async () => {
    const body = (await dial(patientId, { call: { phone_number: MEMBER_PHONE } }, phoneless)).json();
    const tw = await peer.callback(t.app, PUBLIC_URL, hookPath(`voice_outbound/${body.call.id}`), { CallSid: body.call.twilio_sid });
    expect(tw.body).toContain('will call you back');
    expect(tw.body).not.toContain('<Dial');
  });

  it('answers "Failed to initiate call: ..." for a Twilio refusal', async () => {
    peer.answerNext({ status: 400, body: { code: 21214, message: "'To' phone number cannot be reached", status: 400 } });
    const res = await dial(patientId, { call: { phone_number: MEMBER_PHONE } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ["Failed to initiate call: 'To' phone number cannot be reached"] });
    expect((await dial(patientId, { call: {} })).json()).toEqual({ errors: ['Phone number is required'] });
  });
});

describe('Twilio webhooks', () => {
  it('refuses a missing or wrong signature with 403 and stores nothing', async () => {
    const params = { MessageSid: 'SM' + 'f'.repeat(32), From: MEMBER_PHONE, To: CLINIC_NUMBER, Body: 'forged' };
    for (const sig of [null, 'bm90IGEgc2lnbmF0dXJl']) {
      const res = await peer.callback(t.app, PUBLIC_URL, hookPath('sms'), params, sig);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ errors: ['Invalid Twilio signature'] });
    }
    const signedForOtherUrl = await peer.callback(t.app, 'http://evil.test', hookPath('sms'), params);
    expect(signedForOtherUrl.statusCode).toBe(403);
    expect(await t.database.db.select().from(textMessages).where(eq(textMessages.body, 'forged'))).toEqual([]);
  });

  it('records an inbound SMS for the matched member once; without an outreach lead care manager its activity is unassigned', async () => {
    const params = { MessageSid: 'SM' + '1'.repeat(32), From: '(805) 123-4567', To: CLINIC_NUMBER, Body: 'Yes, I will be there' };
    for (let i = 0; i < 2; i++) {
      const res = await peer.callback(t.app, PUBLIC_URL, hookPath('sms'), params);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<Response/>');
    }
    const msgs = await t.database.db.select().from(textMessages).where(eq(textMessages.twilioSid, params.MessageSid));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ direction: 'inbound', status: 'received', patientId, fromNumber: MEMBER_PHONE });
    const [act] = await t.database.db.select().from(activities).where(eq(activities.textMessageId, msgs[0].id));
    // John's case load names an ILCM but no OLCM: the message waits for whoever picks it up.
    expect(act).toMatchObject({ activityType: 'sms', status: 'created', performedById: null, assignedToId: null, body: 'Yes, I will be there' });
    const convo = (await call(t.app, coord, 'GET', `/v1/clinic/ecm/patients/${patientId}/communications?per_page=100`)).json();
    expect(convo.communications[0]).toMatchObject({ type: 'sms', direction: 'inbound', body: 'Yes, I will be there', activity_id: act.id });
    expect(convo.communications.some((c: { type: string }) => c.type === 'call')).toBe(true);
  });

  it('creates the activity of an inbound SMS `created` (seed 004 "Activity Record") for the outreach lead care manager: open work until someone replies', async () => {
    const phone = '+18055550180';
    const member = await enrol('Olive', 'T-7', phone, { olcm_user_id: phoneless.id, ilcm_user_id: coord.id });
    const res = await peer.callback(t.app, PUBLIC_URL, hookPath('sms'), { MessageSid: 'SM' + '7'.repeat(32), From: phone, To: CLINIC_NUMBER, Body: 'Can someone call me back?' });
    expect(res.statusCode).toBe(200);
    // What My work asks for: the user's open activities of type sms.
    const openWork = async () => (await call(t.app, phoneless, 'GET', `/v1/clinic/ecm/activities?assigned_to_id=${phoneless.id}&status=created&activity_type=sms&per_page=100`))
      .json().activities.filter((a: { patient_id: number }) => a.patient_id === member);
    const [open] = await openWork();
    expect(open).toMatchObject({ activity_type: 'sms', status: 'created', performed_by_id: null, assigned_to_id: phoneless.id, body: 'Can someone call me back?' });
    const [ev] = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, open.id));
    expect(ev).toMatchObject({ eventType: 'sms', status: 'created', prtfCategory: null });

    // A reply from the clinic answers it: the activity completes, its event follows, the PRTF category stays none.
    const reply = await sms(member, { sms: { phone_number: phone, body: 'Calling you now' } }, phoneless);
    expect(reply.statusCode, reply.body).toBe(201);
    // (The reply is itself an open sms activity of the sender until Twilio reports it sent.)
    expect((await openWork()).map((a: { id: number }) => a.id)).not.toContain(open.id);
    const done = (await call(t.app, phoneless, 'GET', `/v1/clinic/ecm/patients/${member}/activities/${open.id}`)).json().activity;
    expect(done).toMatchObject({ status: 'complete', assigned_to_id: phoneless.id, event: { status: 'complete', prtf_category: null } });
  });

  it('lets anyone mark an unassigned inbound SMS done without assigning it first', async () => {
    await peer.callback(t.app, PUBLIC_URL, hookPath('sms'), { MessageSid: 'SM' + '8'.repeat(32), From: MEMBER_PHONE, To: CLINIC_NUMBER, Body: 'Thanks!' });
    const [msg] = await t.database.db.select().from(textMessages).where(eq(textMessages.twilioSid, 'SM' + '8'.repeat(32)));
    const [act] = await t.database.db.select().from(activities).where(eq(activities.textMessageId, msg.id));
    expect(act).toMatchObject({ status: 'created', assignedToId: null });
    // Found by whoever looks for the open messages nobody has picked up.
    const unassigned = (await call(t.app, coord, 'GET', '/v1/clinic/ecm/activities?unassigned=true&status=created&per_page=100')).json().activities;
    expect(unassigned.map((a: { id: number }) => a.id)).toContain(act.id);
    expect(unassigned.every((a: { assigned_to_id: number | null }) => a.assigned_to_id === null)).toBe(true);
    const res = await call(t.app, coord, 'PUT', `/v1/clinic/ecm/patients/${patientId}/activities/${act.id}`, { activity: { status: 'complete' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().activity).toMatchObject({ status: 'complete', assigned_to_id: null, assigned_to_name: null });
    // Clearing the assignee of an assigned activity is still refused.
    const other = await call(t.app, coord, 'PUT', `/v1/clinic/ecm/patients/${patientId}/activities/${act.id}`, { activity: { assigned_to_id: null } });
    expect(other.json()).toEqual({ errors: ["Assigned to can't be blank"] });
  });

  it('honours STOP and START from a member', async () => {
    const member = await enrol('Stopper', 'T-5', '+18055550170');
    const stop = await peer.callback(t.app, PUBLIC_URL, hookPath('sms'), { MessageSid: 'SM' + '2'.repeat(32), From: '+18055550170', To: CLINIC_NUMBER, Body: ' stop ' });
    expect(stop.statusCode).toBe(200);
    expect(await t.database.db.select().from(smsOptOuts).where(eq(smsOptOuts.memberPhone, '+18055550170'))).toHaveLength(1);
    expect((await sms(member, { sms: { phone_number: '+18055550170', body: 'Still there?' } })).json()).toEqual({ errors: ['Message blocked (opt-out)'] });
    const optedOut = async () => (await call(t.app, coord, 'GET', `/v1/clinic/ecm/patients/${member}/communications`)).json().sms_opted_out;
    expect(await optedOut()).toBe(true); // the console's banner and disabled send button read this
    await peer.callback(t.app, PUBLIC_URL, hookPath('sms'), { MessageSid: 'SM' + '3'.repeat(32), From: '+18055550170', To: CLINIC_NUMBER, Body: 'START' });
    expect((await sms(member, { sms: { phone_number: '+18055550170', body: 'Welcome back' } })).statusCode).toBe(201);
    expect(await optedOut()).toBe(false);
    const stored = await t.database.db.select().from(textMessages).where(eq(textMessages.patientId, member));
    expect(stored.map((m) => m.body).sort()).toEqual([' stop ', 'START', 'Welcome back'].sort());
  });

  it('keeps unknown and shared senders as unmatched, for an admin to assign', async () => {
    await peer.callback(t.app, PUBLIC_URL, hookPath('sms'), { MessageSid: 'SM' + '4'.repeat(32), From: '+18055550999', To: CLINIC_NUMBER, Body: 'Who is this?' });
    await peer.callback(t.app, PUBLIC_URL, hookPath('sms'), { MessageSid: 'SM' + '5'.repeat(32), From: '+18055550150', To: CLINIC_NUMBER, Body: 'Household phone' });
    const list = await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/communications/unmatched');
    expect(list.statusCode).toBe(200);
    const items = list.json().unmatched;
    const unknown = items.find((u: { body: string }) => u.body === 'Who is this?');
    const shared = items.find((u: { body: string }) => u.body === 'Household phone');
    expect(unknown).toMatchObject({ channel: 'sms', from: '+18055550999', candidate_patient_ids: [] });
    expect(shared.candidate_patient_ids).toHaveLength(2);
    expect((await call(t.app, coord, 'GET', '/v1/admin/clinic/ecm/communications/unmatched')).statusCode).toBe(403);
    const assigned = await call(t.app, admin, 'POST', `/v1/admin/clinic/ecm/communications/unmatched/${shared.id}/assign`, { patient_id: sharedA });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json().activity).toMatchObject({ activity_type: 'sms', patient_id: sharedA });
    const again = await call(t.app, admin, 'POST', `/v1/admin/clinic/ecm/communications/unmatched/${shared.id}/assign`, { patient_id: sharedA });
    expect(again.json()).toEqual({ errors: ['This communication was already assigned'] });
    const after = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/communications/unmatched')).json().unmatched;
    expect(after.some((u: { id: number }) => u.id === shared.id)).toBe(false);
  });

  it('answers an inbound call by ringing the lead care manager, then voicemail if unanswered', async () => {
    const sid = 'CA' + '6'.repeat(32);
    const res = await peer.callback(t.app, PUBLIC_URL, hookPath('voice'), { CallSid: sid, From: MEMBER_PHONE, To: CLINIC_NUMBER, CallStatus: 'ringing', Direction: 'inbound' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Number>+18055550111</Number>');
    const [vc] = await t.database.db.select().from(voiceCalls).where(eq(voiceCalls.twilioSid, sid));
    expect(vc).toMatchObject({ direction: 'inbound', patientId });
    const vm = await peer.callback(t.app, PUBLIC_URL, hookPath(`dial_status/${vc.id}`), { CallSid: sid, DialCallStatus: 'no-answer' });
    expect(vm.body).toContain('<Record');
    const [act] = await t.database.db.select().from(activities).where(eq(activities.voiceCallId, vc.id));
    expect(act).toMatchObject({ activityType: 'call', assignedToId: coord.id });
    const unknown = await peer.callback(t.app, PUBLIC_URL, hookPath('voice'), { CallSid: 'CA' + '7'.repeat(32), From: '+18055550998', To: CLINIC_NUMBER });
    expect(unknown.body).toContain('<Record');
  });
});

describe('SMS status callbacks', () => {
  const status = (params: Record<string, string>, id?: number) =>
    peer.callback(t.app, PUBLIC_URL, hookPath(`sms_status${id ? `?text_message_id=${id}` : ''}`), { AccountSid: ACCOUNT_SID, ...params });
  const message = (values: Partial<typeof textMessages.$inferInsert> = {}) =>
    insertTextMessage(t.database.db, { organizationId: admin.organizationId, patientId, direction: 'outbound', fromNumber: CLINIC_NUMBER, toNumber: MEMBER_PHONE, body: 'Status test', status: 'sent', ...values });
  const stored = async (id: number) => (await t.database.db.select().from(textMessages).where(eq(textMessages.id, id)))[0];

  it('never moves a message without activities backwards, repeated or late, and ignores unknown SIDs and statuses', async () => {
    const sid = 'SM' + 'a1'.repeat(16);
    const m = await message({ twilioSid: sid });
    for (const [st, expected] of [['delivered', 'delivered'], ['sent', 'delivered'], ['queued', 'delivered'], ['delivered', 'delivered'], ['bogus', 'delivered'], ['read', 'read'], ['failed', 'read']]) {
      expect((await status({ MessageSid: sid, MessageStatus: st })).statusCode).toBe(204);
      expect((await stored(m.id)).status, `after ${st}`).toBe(expected);
    }
    expect((await status({ MessageSid: 'SM' + 'a2'.repeat(16), MessageStatus: 'delivered' })).statusCode).toBe(204);
    expect((await status({ MessageSid: 'SM' + 'a3'.repeat(16), MessageStatus: 'delivered' }, 999999)).statusCode).toBe(204);
  });

  it('keeps the error code of a failure, fills in a missing SID, and ignores a callback whose SID is another message\'s', async () => {
    const m = await message({ status: 'queued' });
    const sid = 'SM' + 'b1'.repeat(16);
    // Before the hand-over recorded the SID, a callback finds the message by id and fills the SID in.
    await status({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' }, m.id);
    expect(await stored(m.id)).toMatchObject({ status: 'undelivered', twilioSid: sid, errorCode: 30003 });
    await status({ MessageSid: sid, MessageStatus: 'sent' }, m.id);
    expect(await stored(m.id)).toMatchObject({ status: 'undelivered', errorCode: 30003 });
    const other = await message({ status: 'queued', twilioSid: 'SM' + 'b2'.repeat(16) });
    await status({ MessageSid: 'SM' + 'b3'.repeat(16), MessageStatus: 'delivered' }, other.id);
    expect(await stored(other.id)).toMatchObject({ status: 'queued', twilioSid: 'SM' + 'b2'.repeat(16) });
    // Not advancing, but the SID is still missing: it is filled in, the status stays.
    const late = await message({ status: 'delivered' });
    await status({ MessageSid: 'SM' + 'b4'.repeat(16), MessageStatus: 'sent' }, late.id);
    expect(await stored(late.id)).toMatchObject({ status: 'delivered', twilioSid: 'SM' + 'b4'.repeat(16) });
  });

  it('completes the activity of a message whose hand-over commits while the callback waits for it', async () => {
    const m = await message({ status: 'pending' });
    const sid = 'SM' + 'c1'.repeat(16);
    let callback: Promise<{ statusCode: number }> | undefined;
    let activityId = 0;
    // The hand-over (as completeHandover does): SID and status, then the activity, in one transaction; Twilio's
    // "delivered" arrives before it commits, found by id.
    await t.database.db.transaction(async (tx) => {
      await tx.update(textMessages).set({ twilioSid: sid, status: 'queued' }).where(eq(textMessages.id, m.id));
      const a = await t.services.activities.recordCommunicationActivity(tx, {
        organizationId: admin.organizationId, patientId, type: 'sms', performedById: coord.id, assignedToId: coord.id, body: 'Status test', textMessageId: m.id,
      });
      activityId = a.id;
      callback = status({ MessageSid: sid, MessageStatus: 'delivered' }, m.id);
      await new Promise((r) => setTimeout(r, 300));
    });
    expect((await callback!).statusCode).toBe(204);
    expect((await stored(m.id)).status).toBe('delivered');
    const [act] = await t.database.db.select().from(activities).where(eq(activities.id, activityId));
    expect(act.status).toBe('complete');
    const [ev] = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, activityId));
    expect(ev).toMatchObject({ status: 'complete', prtfCategory: 'telehealth_outreach' });
  });
});

describe('sandbox provider (no Twilio settings)', () => {
  it('records the SMS, moves it to delivered from a job, and lists it in the sandbox outbox', async () => {
    const s = await createTestContext({}, { workers: true });
    try {
      const a = await createUser(s.services, 'Sandbox Clinic', 'admin', 'Sandy', '+18055550120');
      await call(s.app, a, 'PUT', '/v1/admin/organization', { organization: { phone_numbers: ['+18055550100'] } });
      const pid = (await call(s.app, a, 'POST', '/v1/admin/clinic/ecm/patients', {
        patient: { first_name: 'Sam', last_name: 'Box', phone: '+18055550130', ecm_eligibility_information: { member_id: 'S-1' } },
      })).json().patient.id;
      const res = await call(s.app, a, 'POST', `/v1/clinic/ecm/communications/patients/${pid}/sms`, { sms: { phone_number: '+18055550130', body: 'Sandbox hello' } });
      expect(res.statusCode).toBe(201);
      expect(res.json().sms.twilio_sid).toMatch(/^SM[0-9a-f]{32}$/);
      const delivered = await waitUntil(
        async () => (await s.database.db.select().from(textMessages).where(eq(textMessages.id, res.json().sms.id)))[0],
        (m) => m.status === 'delivered',
      );
      expect(delivered.status).toBe('delivered');
      const callRes = await call(s.app, a, 'POST', `/v1/clinic/ecm/communications/patients/${pid}/call`, { call: { phone_number: '+18055550130' } });
      expect(callRes.statusCode).toBe(201);
      const completed = await waitUntil(
        async () => (await s.database.db.select().from(voiceCalls).where(eq(voiceCalls.id, callRes.json().call.id)))[0],
        (c) => c.status === 'completed',
      );
      expect(completed).toMatchObject({ status: 'completed', durationSeconds: 60 });
      const outbox = (await call(s.app, a, 'GET', '/v1/clinic/ecm/communications/sandbox')).json().messages;
      expect(outbox.map((m: { channel: string }) => m.channel).sort()).toEqual(['call', 'sms']);
      expect(outbox.find((m: { channel: string }) => m.channel === 'sms')).toMatchObject({ to: '+18055550130', from: '+18055550100', body: 'Sandbox hello' });
      const webhook = await s.app.inject({ method: 'POST', url: hookPath('sms'), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'From=%2B18055550130&To=%2B18055550100&Body=hi&MessageSid=SMx' });
      expect(webhook.statusCode).toBe(403);
    } finally {
      await s.close();
    }
  });
});
