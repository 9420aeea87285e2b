/** Use cases: sending an SMS and placing a call to a member (seed 004), and the jobs that follow a send up. */
import { recordAudit } from '../../platform/audit.ts';
import { systemContext, type RequestContext, type UserActor } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { runIdempotent } from '../../platform/idempotency.ts';
import type { JobMeta } from '../../platform/jobs.ts';
import * as store from './store.ts';
import { callWire, requestedPhone, smsWire, type CommunicationsContext } from './context.ts';

/**
 * `POST /v1/clinic/ecm/communications/patients/{patient_id}/sms` (seed 004 "Send SMS").
 * @returns `{status: 201, body: {message, sms, activity}}`; replayed for a repeated `Idempotency-Key`.
 * @throws ValidationError (phone, body, mismatch, opt-out, Twilio refusal); NotFoundError; BadGatewayError.
 */
export function sendSms(c: CommunicationsContext, ctx: RequestContext<UserActor>, patientId: number, input: { phone_number?: string; body?: string }, idempotencyKey?: string) {
  const { db, telephony, hook, clinicNumber, prepare, failSend, completeHandover } = c;
  const orgId = ctx.actor.organizationId;
  return runIdempotent(db, orgId, `sms:${patientId}`, idempotencyKey, input, async () => {
    const phone = requestedPhone(input.phone_number);
    if (!input.body || input.body.trim() === '') throw new ValidationError(["Body can't be blank"]);
    const { msg, from } = await db.transaction(async (tx) => {
      await prepare(tx, ctx, patientId, phone);
      const { number: from } = await clinicNumber(orgId);
      if (await store.isOptedOut(tx, from, phone)) throw new ValidationError(['Message blocked (opt-out)']);
      const msg = await store.insertTextMessage(tx, {
        organizationId: orgId, patientId, direction: 'outbound', fromNumber: from, toNumber: phone, body: input.body!, status: 'pending', sentByUserId: ctx.actor.userId,
      });
      return { msg, from };
    });
    let sent;
    try {
      sent = await telephony.sendSms({ organizationId: orgId, from, to: phone, body: msg.body, statusCallback: hook(`sms_status?text_message_id=${msg.id}`) });
    } catch (err) {
      return failSend('sms', orgId, msg.id, err, from, phone);
    }
    const done = await completeHandover(ctx, 'sms', msg.id, patientId, sent);
    return { status: 201, body: { message: 'SMS sent successfully', sms: smsWire(done.updated as store.TextMessageRow), activity: done.activity } };
  });
}

/**
 * `POST /v1/clinic/ecm/communications/patients/{patient_id}/call` (seed 004 "Initiate Call"): Twilio calls the
 * member and, when answered, bridges them to the caller's own phone.
 * @returns `{status: 201, body: {message, call, activity}}`.
 */
export function placeCall(c: CommunicationsContext, ctx: RequestContext<UserActor>, patientId: number, input: { phone_number?: string }, idempotencyKey?: string) {
  const { db, telephony, hook, clinicNumber, prepare, failSend, completeHandover } = c;
  const orgId = ctx.actor.organizationId;
  return runIdempotent(db, orgId, `call:${patientId}`, idempotencyKey, input, async () => {
    const phone = requestedPhone(input.phone_number);
    const { call, from } = await db.transaction(async (tx) => {
      await prepare(tx, ctx, patientId, phone);
      const { number: from } = await clinicNumber(orgId);
      const call = await store.insertVoiceCall(tx, {
        organizationId: orgId, patientId, direction: 'outbound', fromNumber: from, toNumber: phone, status: 'pending', placedByUserId: ctx.actor.userId,
      });
      return { call, from };
    });
    let placed;
    try {
      placed = await telephony.placeCall({
        organizationId: orgId, from, to: phone,
        url: hook(`voice_outbound/${call.id}`),
        statusCallback: hook(`voice_status?voice_call_id=${call.id}`),
      });
    } catch (err) {
      return failSend('call', orgId, call.id, err, from, phone);
    }
    const done = await completeHandover(ctx, 'call', call.id, patientId, placed);
    return { status: 201, body: { message: 'Call initiated successfully', call: callWire(done.updated as store.VoiceCallRow), activity: done.activity } };
  });
}

/**
 * Reconciliation job of a hand-over that timed out: looks the message or call up in Twilio's list (To, From,
 * time); found: records its SID and status and creates its activity and event; not found after the last
 * retry: marks it failed. Never sends anything.
 */
export async function reconcile(c: CommunicationsContext, organizationId: number, kind: 'sms' | 'call', id: number, meta: JobMeta): Promise<void> {
  const { db, telephony, createOutboundActivity } = c;
  const rec = kind === 'sms' ? await store.findTextMessage(db, organizationId, id) : await store.findVoiceCall(db, organizationId, id);
  if (!rec || rec.status !== 'unknown') return;
  const found = kind === 'sms'
    ? await telephony.findMessage({ from: rec.fromNumber, to: rec.toNumber, after: rec.createdAt, body: (rec as store.TextMessageRow).body })
    : await telephony.findCall({ from: rec.fromNumber, to: rec.toNumber, after: rec.createdAt });
  if (!found) {
    if (meta.retryCount < meta.retryLimit) throw new Error(`${kind} ${id} not found at Twilio yet`);
    await db.transaction(async (tx) => {
      const values = { status: 'failed', errorMessage: 'Not found in Twilio\'s records after the send timed out: it was not sent' };
      if (kind === 'sms') await store.updateTextMessage(tx, id, values);
      else await store.updateVoiceCall(tx, id, values);
    });
    return;
  }
  await db.transaction(async (tx) => {
    const userId = kind === 'sms' ? (rec as store.TextMessageRow).sentByUserId : (rec as store.VoiceCallRow).placedByUserId;
    const updated = kind === 'sms'
      ? await store.updateTextMessage(tx, id, { twilioSid: found.sid, status: found.status, errorMessage: null })
      : await store.updateVoiceCall(tx, id, { twilioSid: found.sid, status: found.status, errorMessage: null });
    if (userId) await createOutboundActivity(tx, kind, updated, userId, rec.patientId);
    await recordAudit(tx, systemContext(organizationId, 'Twilio reconciliation'), { action: 'update', entityType: kind === 'sms' ? 'text_message' : 'voice_call', entityIds: [id] });
  });
}

/**
 * Sandbox job: moves a sandbox message through queued -> sent -> delivered, or a call through
 * ringing -> in-progress -> completed (60 s; the coordinator leg counts as bridged when they have a phone).
 */
export async function sandboxProgress(c: CommunicationsContext, organizationId: number, kind: 'sms' | 'call', id: number): Promise<void> {
  const { db, activities, identity, applySmsStatus, applyCallStatus } = c;
  await db.transaction(async (tx) => {
    if (kind === 'sms') {
      for (const status of ['sent', 'delivered']) {
        const msg = await store.lockTextMessage(tx, { id });
        if (msg) await applySmsStatus(tx, msg, status);
      }
      return;
    }
    for (const status of ['ringing', 'in-progress', 'completed']) {
      const call = await store.lockVoiceCall(tx, { id });
      if (call) await applyCallStatus(tx, call, status, undefined, status === 'completed' ? 60 : undefined);
    }
    const call = await store.lockVoiceCall(tx, { id });
    const coordinator = call?.placedByUserId ? await identity.getUser(organizationId, call.placedByUserId).catch(() => null) : null;
    if (call && coordinator?.phone) {
      await store.updateVoiceCall(tx, id, { dialStatus: 'completed', dialDurationSeconds: 55, memberReached: true });
      await activities.syncActivitiesOfRecord(tx, organizationId, { voiceCallId: id });
    }
  });
}
