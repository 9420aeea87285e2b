/** Use cases: Twilio's webhooks: TwiML of an outbound call, the dial result, status callbacks, inbound SMS and calls. */
import { recordAudit } from '../../platform/audit.ts';
import { systemContext } from '../../platform/context.ts';
import { toE164 } from '../../platform/phone.ts';
import * as store from './store.ts';
import { keywordOf, SMS_STAGE } from './status.ts';
import * as twiml from './twiml.ts';
import { SMS_STAGES_JSON, WEBHOOK_ACTOR, type CommunicationsContext, type Params } from './context.ts';

/** The TwiML for an outbound call the member answered (`voice_outbound/{id}`). */
export async function outboundTwiml(c: CommunicationsContext, voiceCallId: number, params: Params): Promise<string> {
  const { db, identity, hook, applyCallStatus } = c;
  return db.transaction(async (tx) => {
    const call = await store.lockVoiceCall(tx, { sid: params.CallSid, id: voiceCallId });
    if (!call || call.id !== voiceCallId) return twiml.hangup();
    if (params.CallStatus) await applyCallStatus(tx, call, params.CallStatus, params.CallSid);
    const org = await identity.getOrganization(call.organizationId);
    const coordinator = call.placedByUserId ? await identity.getUser(call.organizationId, call.placedByUserId).catch(() => null) : null;
    return twiml.outboundBridge({
      clinicName: org.name,
      coordinatorPhone: coordinator?.active ? coordinator.phone : null,
      callerId: call.fromNumber,
      dialAction: hook(`dial_status/${call.id}`),
    });
  });
}

/**
 * The `<Dial>` action callback: records the bridged leg (`DialCallStatus`, `DialCallDuration`); the member
 * counts as reached when it completed with a duration > 0. An unanswered inbound call goes to voicemail.
 */
export async function dialResult(c: CommunicationsContext, voiceCallId: number, params: Params): Promise<string> {
  const { db, activities, identity } = c;
  return db.transaction(async (tx) => {
    const call = await store.lockVoiceCall(tx, { id: voiceCallId });
    if (!call) return twiml.hangup();
    const status = params.DialCallStatus ?? null;
    const seconds = Number(params.DialCallDuration ?? 0) || 0;
    await store.updateVoiceCall(tx, call.id, { dialStatus: status, dialDurationSeconds: seconds, memberReached: status === 'completed' && seconds > 0 });
    await activities.syncActivitiesOfRecord(tx, call.organizationId, { voiceCallId: call.id });
    if (call.direction === 'inbound' && status !== 'completed') {
      const org = await identity.getOrganization(call.organizationId);
      return twiml.voicemail(org.name);
    }
    return twiml.hangup();
  });
}

/**
 * `sms_status` callback: MessageStatus (never backwards, by `SMS_STAGE`), ErrorCode; idempotent on MessageSid.
 * Unknown messages are ignored. A message no activity references is updated by one conditional UPDATE; one
 * with activities (they complete once it is sent, and their events follow) in a transaction.
 */
export async function smsStatus(c: CommunicationsContext, params: Params, ref: { textMessageId?: number }): Promise<void> {
  const { db, applySmsStatus } = c;
  if (!params.MessageStatus) return;
  const errorCode = params.ErrorCode ? Number(params.ErrorCode) : null;
  const alone = await store.applySmsStatusAlone(db, { sid: params.MessageSid, id: ref.textMessageId }, {
    status: params.MessageStatus,
    nextStage: Object.hasOwn(SMS_STAGE, params.MessageStatus) ? SMS_STAGE[params.MessageStatus] : undefined,
    stages: SMS_STAGES_JSON,
    errorCode,
  });
  if (!alone.needed || alone.applied) return;
  await db.transaction(async (tx) => {
    const msg = await store.lockTextMessage(tx, { sid: params.MessageSid, id: ref.textMessageId });
    if (!msg || (params.MessageSid && msg.twilioSid && msg.twilioSid !== params.MessageSid)) return;
    await applySmsStatus(tx, msg, params.MessageStatus!, params.MessageSid, errorCode);
  });
}

/** `voice_status` callback: CallStatus (never backwards), CallDuration (seconds), ErrorCode. */
export async function voiceStatus(c: CommunicationsContext, params: Params, ref: { voiceCallId?: number }): Promise<void> {
  const { db, applyCallStatus } = c;
  if (!params.CallStatus) return;
  await db.transaction(async (tx) => {
    const call = await store.lockVoiceCall(tx, { sid: params.CallSid, id: ref.voiceCallId });
    if (!call || (params.CallSid && call.twilioSid && call.twilioSid !== params.CallSid)) return;
    const duration = params.CallDuration !== undefined ? Number(params.CallDuration) : undefined;
    await applyCallStatus(tx, call, params.CallStatus!, params.CallSid, Number.isFinite(duration) ? duration : undefined, params.ErrorCode ? Number(params.ErrorCode) : null);
  });
}

/**
 * Inbound SMS: opt-out/opt-in keywords recorded for (clinic number, sender); the message stored with an
 * `sms` activity for the one member with that phone (status `created`, assigned to the member's outreach lead care
 * manager, else to nobody), else kept as unmatched. Idempotent on MessageSid.
 * @returns empty TwiML (no auto-reply).
 */
export async function inboundSms(c: CommunicationsContext, params: Params): Promise<string> {
  const { db, patients, activities, clinicOfNumber } = c;
  const org = await clinicOfNumber(params.To);
  const from = params.From ? toE164(params.From) : undefined;
  const sid = params.MessageSid;
  if (!org || !from || !sid) return twiml.emptyMessagingResponse();
  const clinicNo = toE164(params.To!)!;
  const body = params.Body ?? '';
  await db.transaction(async (tx) => {
    if ((await store.lockTextMessage(tx, { sid })) || (await store.findUnmatchedBySid(tx, sid))) return;
    const keyword = keywordOf(body);
    if (keyword === 'opt_out') await store.recordOptOut(tx, org.id, clinicNo, from, 'keyword');
    if (keyword === 'opt_in') await store.clearOptOut(tx, clinicNo, from);
    const ctx = systemContext(org.id, WEBHOOK_ACTOR);
    const candidates = await patients.patientIdsByPhone(tx, org.id, from);
    if (candidates.length !== 1) {
      await store.insertUnmatched(tx, { organizationId: org.id, channel: 'sms', fromNumber: from, toNumber: clinicNo, body, twilioSid: sid, candidatePatientIds: candidates });
      await recordAudit(tx, ctx, { action: 'create', entityType: 'unmatched_communication', entityIds: [sid] });
      return;
    }
    const msg = await store.insertTextMessage(tx, {
      organizationId: org.id, patientId: candidates[0], direction: 'inbound', fromNumber: from, toNumber: clinicNo, body, status: 'received', twilioSid: sid,
    });
    // Work to do (seed 004: `created`) for the outreach lead care manager, else for nobody yet, until someone
    // replies or marks it done.
    const olcm = await patients.outreachLeadCareManager(tx, org.id, candidates[0]);
    await activities.recordCommunicationActivity(tx, {
      organizationId: org.id, patientId: candidates[0], type: 'sms', performedById: null, assignedToId: olcm?.id ?? null, body, textMessageId: msg.id, status: 'created',
    });
    await recordAudit(tx, ctx, { action: 'create', entityType: 'text_message', entityIds: [msg.id] });
  });
  return twiml.emptyMessagingResponse();
}

/**
 * Inbound call: recorded with a `call` activity for the matched member and answered with TwiML that rings
 * the lead care manager, or takes a voicemail when there is none (or no member matched).
 */
export async function inboundVoice(c: CommunicationsContext, params: Params): Promise<string> {
  const { db, patients, activities, hook, clinicOfNumber } = c;
  const org = await clinicOfNumber(params.To);
  const from = params.From ? toE164(params.From) : undefined;
  const sid = params.CallSid;
  if (!org || !from || !sid) return twiml.voicemail('the clinic');
  const clinicNo = toE164(params.To!)!;
  return db.transaction(async (tx) => {
    const ctx = systemContext(org.id, WEBHOOK_ACTOR);
    let call = await store.lockVoiceCall(tx, { sid });
    if (!call) {
      if (await store.findUnmatchedBySid(tx, sid)) return twiml.voicemail(org.name);
      const candidates = await patients.patientIdsByPhone(tx, org.id, from);
      if (candidates.length !== 1) {
        await store.insertUnmatched(tx, { organizationId: org.id, channel: 'call', fromNumber: from, toNumber: clinicNo, twilioSid: sid, candidatePatientIds: candidates });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'unmatched_communication', entityIds: [sid] });
        return twiml.voicemail(org.name);
      }
      call = await store.insertVoiceCall(tx, {
        organizationId: org.id, patientId: candidates[0], direction: 'inbound', fromNumber: from, toNumber: clinicNo, status: params.CallStatus ?? 'ringing', twilioSid: sid,
      });
      const manager = await patients.leadCareManager(tx, org.id, candidates[0]);
      if (manager) {
        await activities.recordCommunicationActivity(tx, {
          organizationId: org.id, patientId: candidates[0], type: 'call', performedById: null, assignedToId: manager.id, voiceCallId: call.id, subject: 'Inbound call',
        });
      }
      await recordAudit(tx, ctx, { action: 'create', entityType: 'voice_call', entityIds: [call.id] });
    }
    const manager = await patients.leadCareManager(tx, org.id, call.patientId);
    return twiml.inboundForward({ clinicName: org.name, managerPhone: manager?.phone ?? null, dialAction: hook(`dial_status/${call.id}`) });
  });
}
