/**
 * What the communications use cases share: the dependencies (with the clock defaulted), Twilio callback URLs, job
 * retry settings, the wire shapes, and the steps several use cases take (the clinic's number, a send's failure, a
 * status applied to a record, the activity of a communication, the hand-over after Twilio accepted).
 */import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import { type RequestContext, type UserActor } from '../../platform/context.ts';
import { BadGatewayError, ValidationError } from '../../platform/errors.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { toE164 } from '../../platform/phone.ts';
import { TelephonyError, type Telephony } from '../../platform/telephony.ts';
import type { ActivityService } from '../activities/service.ts';
import type { PatientService } from '../patients/service.ts';
import { RECONCILE_QUEUE, SANDBOX_PROGRESS_QUEUE } from './queues.ts';
import * as store from './store.ts';
import { advances, FINAL_CALL_STATUSES, SENT_SMS_STATUSES, SMS_STAGE } from './status.ts';

export type Params = Record<string, string | undefined>;

export interface CommunicationsDeps {
  db: Db;
  /** `PUBLIC_URL`: Twilio's status callbacks are built on it. */
  publicUrl: string;
  /** `TWILIO_RECONCILE_DELAY_SECONDS`: wait before asking Twilio about a send that timed out. */
  reconcileDelaySeconds: number;
  telephony: Telephony;
  jobs: Pick<Jobs, 'send'>;
  patients: PatientService;
  activities: ActivityService;
  identity: IdentityService;
  clock?: () => Date;
}

export const WEBHOOK_ACTOR = 'Twilio webhook';
/** `SMS_STAGE` for the database (the status order stays defined once, in status.ts). */
export const SMS_STAGES_JSON = JSON.stringify(SMS_STAGE);

/** A text message on the wire (seed 004). */
export function smsWire(m: store.TextMessageRow) {
  return { id: m.id, twilio_sid: m.twilioSid, to: m.toNumber, from: m.fromNumber, body: m.body, status: m.status, direction: m.direction, created_at: m.createdAt.toISOString() };
}

/** A voice call on the wire (seed 004). */
export function callWire(c: store.VoiceCallRow) {
  return { id: c.id, twilio_sid: c.twilioSid, to: c.toNumber, from: c.fromNumber, status: c.status, direction: c.direction, created_at: c.createdAt.toISOString() };
}

/** The activity a communication created, as seed 004 shows it. */
export function activitySummary(a: { id: number; activityType: string; status: string; patientId: number; performedById: number | null; assignedToId: number | null }) {
  return { id: a.id, activity_type: a.activityType, status: a.status, patient_id: a.patientId, performed_by_id: a.performedById, assigned_to_id: a.assignedToId };
}

/**
 * The member's number from a request: 422 `Phone number is required` when missing, `Invalid phone number`
 * when it cannot be a phone number (seed 004 "Common Errors").
 */
export function requestedPhone(input: string | undefined): string {
  if (input === undefined || input.trim() === '') throw new ValidationError(['Phone number is required']);
  const e164 = toE164(input);
  if (!e164) throw new ValidationError(['Invalid phone number']);
  return e164;
}

/** The dependencies and shared steps the use cases receive, built once by `createCommunicationsService`. */
export function createCommunicationsContext(deps: CommunicationsDeps) {
  const { db, publicUrl, reconcileDelaySeconds, telephony, jobs, patients, activities, identity, clock = () => new Date() } = deps;
  const hook = (path: string) => `${publicUrl}/v1/clinic/webhooks/twilio/${path}`;
  const reconcileRetry = { limit: 10, delaySeconds: reconcileDelaySeconds, backoff: true };
  const progressRetry = { limit: 3, delaySeconds: 1, backoff: true };

  /** The clinic's sending number: its first phone number (organization settings). */
  async function clinicNumber(organizationId: number): Promise<{ number: string; name: string }> {
    const org = await identity.getOrganization(organizationId);
    const number = org.phoneNumbers[0];
    if (!number) throw new ValidationError(['The clinic has no phone number to send from; add one in the organization settings']);
    return { number, name: org.name };
  }

  /** Checks the member and the number, for both SMS and calls. */
  async function prepare(tx: Executor, ctx: RequestContext, patientId: number, phone: string) {
    const member = await patients.requireContact(tx, ctx.actor.organizationId, patientId);
    if (member.phone !== phone) throw new ValidationError(["Phone number does not match the patient's phone on file"]);
    return member;
  }

  /** Marks a failed hand-over on the record and throws what the client should see. */
  async function failSend(kind: 'sms' | 'call', organizationId: number, id: number, err: unknown, from: string, to: string): Promise<never> {
    if (!(err instanceof TelephonyError)) throw err;
    const noun = kind === 'sms' ? 'SMS' : 'call';
    const update = async (values: { status: string; errorCode?: number | null; errorMessage: string }) => {
      await db.transaction(async (tx) => {
        if (kind === 'sms') await store.updateTextMessage(tx, id, values);
        else await store.updateVoiceCall(tx, id, values);
        if (err.kind === 'rejected' && err.code === 21610 && kind === 'sms') await store.recordOptOut(tx, organizationId, from, to, 'twilio_21610');
        if (err.kind === 'timeout') {
          await jobs.send(tx, { name: RECONCILE_QUEUE, retry: reconcileRetry }, { organizationId, kind, id }, { startAfterSeconds: reconcileDelaySeconds });
        }
      });
    };
    if (err.kind === 'rejected') {
      await update({ status: 'failed', errorCode: err.code ?? null, errorMessage: err.message });
      throw new ValidationError([`${kind === 'sms' ? 'Failed to send SMS' : 'Failed to initiate call'}: ${err.message}`]);
    }
    if (err.kind === 'unavailable') {
      await update({ status: 'failed', errorCode: err.code ?? null, errorMessage: err.message });
      throw new BadGatewayError(`Twilio is unavailable (${err.message}); the ${noun} was not ${kind === 'sms' ? 'sent' : 'placed'}. Try again later.`);
    }
    await update({ status: 'unknown', errorMessage: err.message });
    throw new BadGatewayError(
      `Twilio did not answer in time; the ${noun} may have been ${kind === 'sms' ? 'sent' : 'placed'}. It will be reconciled with Twilio's records; do not ${kind === 'sms' ? 'send it' : 'call'} again.`,
    );
  }

  /** Applies an SMS status (callback, sandbox or reconciliation) unless it is a step back; resyncs the activity. */
  async function applySmsStatus(tx: Executor, msg: store.TextMessageRow, status: string, sid?: string, errorCode?: number | null) {
    if (!advances('sms', msg.status, status)) {
      if (sid && !msg.twilioSid) await store.updateTextMessage(tx, msg.id, { twilioSid: sid });
      return;
    }
    const updated = await store.updateTextMessage(tx, msg.id, { status, twilioSid: msg.twilioSid ?? sid ?? null, errorCode: errorCode ?? msg.errorCode });
    await activities.syncActivitiesOfRecord(tx, msg.organizationId, { textMessageId: msg.id }, SENT_SMS_STATUSES.has(status) ? { status: 'complete' } : {}, { textMessage: updated });
  }

  /** Applies a call status; a final status completes the call's activity, `CallDuration` becomes its duration. */
  async function applyCallStatus(tx: Executor, call: store.VoiceCallRow, status: string, sid?: string, durationSeconds?: number, errorCode?: number | null) {
    if (!advances('call', call.status, status)) {
      if (sid && !call.twilioSid) await store.updateVoiceCall(tx, call.id, { twilioSid: sid });
      return;
    }
    await store.updateVoiceCall(tx, call.id, {
      status,
      twilioSid: call.twilioSid ?? sid ?? null,
      durationSeconds: durationSeconds ?? call.durationSeconds,
      errorCode: errorCode ?? call.errorCode,
    });
    await activities.syncActivitiesOfRecord(tx, call.organizationId, { voiceCallId: call.id }, FINAL_CALL_STATUSES.has(status) ? { status: 'complete' } : {});
  }

  /** Finds the clinic of an inbound webhook by the number called (`To`). */
  async function clinicOfNumber(to: string | undefined) {
    const number = to ? toE164(to) : undefined;
    return number ? identity.findOrganizationByPhoneNumber(number) : undefined;
  }

  /** The activity of an outbound SMS or call; an SMS is also the reply that completes the member's open inbound SMS. */
  async function createOutboundActivity(tx: Executor, kind: 'sms' | 'call', rec: store.TextMessageRow | store.VoiceCallRow, userId: number, patientId: number) {
    if (kind === 'sms') await activities.completeAnsweredInboundSms(tx, rec.organizationId, patientId);
    return activities.recordCommunicationActivity(tx, {
      organizationId: rec.organizationId,
      patientId,
      type: kind,
      performedById: userId,
      assignedToId: userId,
      body: kind === 'sms' ? (rec as store.TextMessageRow).body : null,
      textMessageId: kind === 'sms' ? rec.id : undefined,
      voiceCallId: kind === 'call' ? rec.id : undefined,
      occurredAt: rec.createdAt,
    });
  }

  /**
   * After Twilio accepted a message or call: records its SID and status (never a step back from a callback that
   * came first), creates the activity and event, queues the sandbox's progress, and audits, in one transaction.
   */
  async function completeHandover(ctx: RequestContext<UserActor>, kind: 'sms' | 'call', id: number, patientId: number, accepted: { sid: string; status: string }) {
    return db.transaction(async (tx) => {
      const current = kind === 'sms' ? await store.lockTextMessage(tx, { id }) : await store.lockVoiceCall(tx, { id });
      const values = { twilioSid: accepted.sid, status: advances(kind, current!.status, accepted.status) ? accepted.status : current!.status };
      const updated = kind === 'sms' ? await store.updateTextMessage(tx, id, values) : await store.updateVoiceCall(tx, id, values);
      const activity = await createOutboundActivity(tx, kind, updated, ctx.actor.userId, patientId);
      if (telephony.kind === 'sandbox') await jobs.send(tx, { name: SANDBOX_PROGRESS_QUEUE, retry: progressRetry }, { organizationId: updated.organizationId, kind, id });
      await recordAudit(tx, ctx, { action: 'create', entityType: kind === 'sms' ? 'text_message' : 'voice_call', entityIds: [id] });
      return { updated, activity: activitySummary(activity) };
    });
  }

  return {
    db, publicUrl, reconcileDelaySeconds, telephony, jobs, patients, activities, identity, clock, hook, reconcileRetry, progressRetry, clinicNumber, prepare, failSend, applySmsStatus, applyCallStatus, clinicOfNumber, createOutboundActivity, completeHandover,
  };
}

/** See `createCommunicationsContext`. */
export type CommunicationsContext = ReturnType<typeof createCommunicationsContext>;
