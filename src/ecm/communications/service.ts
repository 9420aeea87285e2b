/**
 * ECM Communications (seed 004): SMS and calls to members through Twilio,
 * inbound SMS and calls, status callbacks; every message and call becomes an
 * activity and an event.
 *
 * Outbound flow (seed 004 "Communication Flow"): the record is written first
 * (`pending`), then Twilio is called, then — on success — the record gets its
 * SID and the activity and event are created in one transaction. Twilio
 * refusing is 422 (`Failed to send SMS: <Twilio's message>`); Twilio
 * unavailable is 502 and nothing was sent; a timeout is 502 saying it may have
 * been sent, the record is `unknown`, and a job reconciles it from Twilio's own
 * list without ever sending again.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import { systemContext, type RequestContext, type UserActor } from '../../platform/context.ts';
import { BadGatewayError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { runIdempotent } from '../../platform/idempotency.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import type { JobMeta, Jobs } from '../../platform/jobs.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { toE164 } from '../../platform/phone.ts';
import { TelephonyError, type Telephony } from '../../platform/telephony.ts';
import { isoOf } from '../../platform/time.ts';
import type { ActivityService } from '../activities/service.ts';
import type { PatientService } from '../patients/service.ts';
import { RECONCILE_QUEUE, SANDBOX_PROGRESS_QUEUE } from './queues.ts';
import * as records from './records.ts';
import { advances, FINAL_CALL_STATUSES, keywordOf, SENT_SMS_STATUSES, SMS_STAGE } from './status.ts';
import * as twiml from './twiml.ts';

type Params = Record<string, string | undefined>;

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

const WEBHOOK_ACTOR = 'Twilio webhook';
/** `SMS_STAGE` for the database (the status order stays defined once, in status.ts). */
const SMS_STAGES_JSON = JSON.stringify(SMS_STAGE);

function smsWire(m: records.TextMessageRow) {
  return { id: m.id, twilio_sid: m.twilioSid, to: m.toNumber, from: m.fromNumber, body: m.body, status: m.status, direction: m.direction, created_at: m.createdAt.toISOString() };
}

function callWire(c: records.VoiceCallRow) {
  return { id: c.id, twilio_sid: c.twilioSid, to: c.toNumber, from: c.fromNumber, status: c.status, direction: c.direction, created_at: c.createdAt.toISOString() };
}

function activitySummary(a: { id: number; activityType: string; status: string; patientId: number; performedById: number | null; assignedToId: number }) {
  return { id: a.id, activity_type: a.activityType, status: a.status, patient_id: a.patientId, performed_by_id: a.performedById, assigned_to_id: a.assignedToId };
}

/**
 * The member's number from a request: 422 `Phone number is required` when missing, `Invalid phone number`
 * when it cannot be a phone number (seed 004 "Common Errors").
 */
function requestedPhone(input: string | undefined): string {
  if (input === undefined || input.trim() === '') throw new ValidationError(['Phone number is required']);
  const e164 = toE164(input);
  if (!e164) throw new ValidationError(['Invalid phone number']);
  return e164;
}

export function createCommunicationsService(deps: CommunicationsDeps) {
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
        if (kind === 'sms') await records.updateTextMessage(tx, id, values);
        else await records.updateVoiceCall(tx, id, values);
        if (err.kind === 'rejected' && err.code === 21610 && kind === 'sms') await records.recordOptOut(tx, organizationId, from, to, 'twilio_21610');
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
  async function applySmsStatus(tx: Executor, msg: records.TextMessageRow, status: string, sid?: string, errorCode?: number | null) {
    if (!advances('sms', msg.status, status)) {
      if (sid && !msg.twilioSid) await records.updateTextMessage(tx, msg.id, { twilioSid: sid });
      return;
    }
    const updated = await records.updateTextMessage(tx, msg.id, { status, twilioSid: msg.twilioSid ?? sid ?? null, errorCode: errorCode ?? msg.errorCode });
    await activities.syncActivitiesOfRecord(tx, msg.organizationId, { textMessageId: msg.id }, SENT_SMS_STATUSES.has(status) ? { status: 'complete' } : {}, { textMessage: updated });
  }

  /** Applies a call status; a final status completes the call's activity, `CallDuration` becomes its duration. */
  async function applyCallStatus(tx: Executor, call: records.VoiceCallRow, status: string, sid?: string, durationSeconds?: number, errorCode?: number | null) {
    if (!advances('call', call.status, status)) {
      if (sid && !call.twilioSid) await records.updateVoiceCall(tx, call.id, { twilioSid: sid });
      return;
    }
    await records.updateVoiceCall(tx, call.id, {
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

  async function createOutboundActivity(tx: Executor, kind: 'sms' | 'call', rec: records.TextMessageRow | records.VoiceCallRow, userId: number, patientId: number) {
    return activities.recordCommunicationActivity(tx, {
      organizationId: rec.organizationId,
      patientId,
      type: kind,
      performedById: userId,
      assignedToId: userId,
      body: kind === 'sms' ? (rec as records.TextMessageRow).body : null,
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
      const current = kind === 'sms' ? await records.lockTextMessage(tx, { id }) : await records.lockVoiceCall(tx, { id });
      const values = { twilioSid: accepted.sid, status: advances(kind, current!.status, accepted.status) ? accepted.status : current!.status };
      const updated = kind === 'sms' ? await records.updateTextMessage(tx, id, values) : await records.updateVoiceCall(tx, id, values);
      const activity = await createOutboundActivity(tx, kind, updated, ctx.actor.userId, patientId);
      if (telephony.kind === 'sandbox') await jobs.send(tx, { name: SANDBOX_PROGRESS_QUEUE, retry: progressRetry }, { organizationId: updated.organizationId, kind, id });
      await recordAudit(tx, ctx, { action: 'create', entityType: kind === 'sms' ? 'text_message' : 'voice_call', entityIds: [id] });
      return { updated, activity: activitySummary(activity) };
    });
  }

  return {
    /**
     * `POST /v1/clinic/ecm/communications/patients/{patient_id}/sms` (seed 004 "Send SMS").
     * @returns `{status: 201, body: {message, sms, activity}}`; replayed for a repeated `Idempotency-Key`.
     * @throws ValidationError (phone, body, mismatch, opt-out, Twilio refusal); NotFoundError; BadGatewayError.
     */
    sendSms(ctx: RequestContext<UserActor>, patientId: number, input: { phone_number?: string; body?: string }, idempotencyKey?: string) {
      const orgId = ctx.actor.organizationId;
      return runIdempotent(db, orgId, `sms:${patientId}`, idempotencyKey, input, async () => {
        const phone = requestedPhone(input.phone_number);
        if (!input.body || input.body.trim() === '') throw new ValidationError(["Body can't be blank"]);
        const { msg, from } = await db.transaction(async (tx) => {
          await prepare(tx, ctx, patientId, phone);
          const { number: from } = await clinicNumber(orgId);
          if (await records.isOptedOut(tx, from, phone)) throw new ValidationError(['Message blocked (opt-out)']);
          const msg = await records.insertTextMessage(tx, {
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
        return { status: 201, body: { message: 'SMS sent successfully', sms: smsWire(done.updated as records.TextMessageRow), activity: done.activity } };
      });
    },

    /**
     * `POST /v1/clinic/ecm/communications/patients/{patient_id}/call` (seed 004 "Initiate Call"): Twilio calls the
     * member and, when answered, bridges them to the caller's own phone.
     * @returns `{status: 201, body: {message, call, activity}}`.
     */
    placeCall(ctx: RequestContext<UserActor>, patientId: number, input: { phone_number?: string }, idempotencyKey?: string) {
      const orgId = ctx.actor.organizationId;
      return runIdempotent(db, orgId, `call:${patientId}`, idempotencyKey, input, async () => {
        const phone = requestedPhone(input.phone_number);
        const { call, from } = await db.transaction(async (tx) => {
          await prepare(tx, ctx, patientId, phone);
          const { number: from } = await clinicNumber(orgId);
          const call = await records.insertVoiceCall(tx, {
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
        return { status: 201, body: { message: 'Call initiated successfully', call: callWire(done.updated as records.VoiceCallRow), activity: done.activity } };
      });
    },

    /** `GET /v1/clinic/ecm/patients/{patient_id}/communications`: messages and calls, newest first. */
    listPatientCommunications(ctx: RequestContext, patientId: number, q: { page?: number; per_page?: number; page_size?: number }) {
      const page = pageRequest(q);
      return db.transaction(async (tx) => {
        const member = await patients.requireContact(tx, ctx.actor.organizationId, patientId);
        const sendingNumber = (await identity.getOrganization(ctx.actor.organizationId)).phoneNumbers[0];
        const smsOptedOut = Boolean(member.phone && sendingNumber && (await records.isOptedOut(tx, sendingNumber, member.phone)));
        const { rows, totalCount } = await records.listPatientCommunications(tx, ctx.actor.organizationId, patientId, page.perPage, page.offset);
        await recordAudit(tx, ctx, { action: 'list', entityType: 'communication', entityIds: rows.map((r) => `${r.type}:${r.id}`) });
        return {
          communications: rows.map((r) => ({
            type: r.type, id: r.id, twilio_sid: r.twilio_sid, direction: r.direction, status: r.status, to: r.to, from: r.from, body: r.body,
            duration: r.duration, error_code: r.error_code, activity_id: r.activity_id, created_at: isoOf(r.created_at),
          })),
          sms_opted_out: smsOptedOut,
          pagination: paginationOf(page, totalCount),
        };
      });
    },

    /** The TwiML for an outbound call the member answered (`voice_outbound/{id}`). */
    async outboundTwiml(voiceCallId: number, params: Params): Promise<string> {
      return db.transaction(async (tx) => {
        const call = await records.lockVoiceCall(tx, { sid: params.CallSid, id: voiceCallId });
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
    },

    /**
     * The `<Dial>` action callback: records the bridged leg (`DialCallStatus`, `DialCallDuration`); the member
     * counts as reached when it completed with a duration > 0. An unanswered inbound call goes to voicemail.
     */
    async dialResult(voiceCallId: number, params: Params): Promise<string> {
      return db.transaction(async (tx) => {
        const call = await records.lockVoiceCall(tx, { id: voiceCallId });
        if (!call) return twiml.hangup();
        const status = params.DialCallStatus ?? null;
        const seconds = Number(params.DialCallDuration ?? 0) || 0;
        await records.updateVoiceCall(tx, call.id, { dialStatus: status, dialDurationSeconds: seconds, memberReached: status === 'completed' && seconds > 0 });
        await activities.syncActivitiesOfRecord(tx, call.organizationId, { voiceCallId: call.id });
        if (call.direction === 'inbound' && status !== 'completed') {
          const org = await identity.getOrganization(call.organizationId);
          return twiml.voicemail(org.name);
        }
        return twiml.hangup();
      });
    },

    /**
     * `sms_status` callback: MessageStatus (never backwards, by `SMS_STAGE`), ErrorCode; idempotent on MessageSid.
     * Unknown messages are ignored. A message no activity references is updated by one conditional UPDATE; one
     * with activities (they complete once it is sent, and their events follow) in a transaction.
     */
    async smsStatus(params: Params, ref: { textMessageId?: number }): Promise<void> {
      if (!params.MessageStatus) return;
      const errorCode = params.ErrorCode ? Number(params.ErrorCode) : null;
      const alone = await records.applySmsStatusAlone(db, { sid: params.MessageSid, id: ref.textMessageId }, {
        status: params.MessageStatus,
        nextStage: Object.hasOwn(SMS_STAGE, params.MessageStatus) ? SMS_STAGE[params.MessageStatus] : undefined,
        stages: SMS_STAGES_JSON,
        errorCode,
      });
      if (!alone.needed || alone.applied) return;
      await db.transaction(async (tx) => {
        const msg = await records.lockTextMessage(tx, { sid: params.MessageSid, id: ref.textMessageId });
        if (!msg || (params.MessageSid && msg.twilioSid && msg.twilioSid !== params.MessageSid)) return;
        await applySmsStatus(tx, msg, params.MessageStatus!, params.MessageSid, errorCode);
      });
    },

    /** `voice_status` callback: CallStatus (never backwards), CallDuration (seconds), ErrorCode. */
    async voiceStatus(params: Params, ref: { voiceCallId?: number }): Promise<void> {
      if (!params.CallStatus) return;
      await db.transaction(async (tx) => {
        const call = await records.lockVoiceCall(tx, { sid: params.CallSid, id: ref.voiceCallId });
        if (!call || (params.CallSid && call.twilioSid && call.twilioSid !== params.CallSid)) return;
        const duration = params.CallDuration !== undefined ? Number(params.CallDuration) : undefined;
        await applyCallStatus(tx, call, params.CallStatus!, params.CallSid, Number.isFinite(duration) ? duration : undefined, params.ErrorCode ? Number(params.ErrorCode) : null);
      });
    },

    /**
     * Inbound SMS: opt-out/opt-in keywords recorded for (clinic number, sender); the message stored with an
     * `sms` activity for the one member with that phone, else kept as unmatched. Idempotent on MessageSid.
     * @returns empty TwiML (no auto-reply).
     */
    async inboundSms(params: Params): Promise<string> {
      const org = await clinicOfNumber(params.To);
      const from = params.From ? toE164(params.From) : undefined;
      const sid = params.MessageSid;
      if (!org || !from || !sid) return twiml.emptyMessagingResponse();
      const clinicNo = toE164(params.To!)!;
      const body = params.Body ?? '';
      await db.transaction(async (tx) => {
        if ((await records.lockTextMessage(tx, { sid })) || (await records.findUnmatchedBySid(tx, sid))) return;
        const keyword = keywordOf(body);
        if (keyword === 'opt_out') await records.recordOptOut(tx, org.id, clinicNo, from, 'keyword');
        if (keyword === 'opt_in') await records.clearOptOut(tx, clinicNo, from);
        const ctx = systemContext(org.id, WEBHOOK_ACTOR);
        const candidates = await patients.patientIdsByPhone(tx, org.id, from);
        if (candidates.length !== 1) {
          await records.insertUnmatched(tx, { organizationId: org.id, channel: 'sms', fromNumber: from, toNumber: clinicNo, body, twilioSid: sid, candidatePatientIds: candidates });
          await recordAudit(tx, ctx, { action: 'create', entityType: 'unmatched_communication', entityIds: [sid] });
          return;
        }
        const msg = await records.insertTextMessage(tx, {
          organizationId: org.id, patientId: candidates[0], direction: 'inbound', fromNumber: from, toNumber: clinicNo, body, status: 'received', twilioSid: sid,
        });
        const manager = await patients.leadCareManager(tx, org.id, candidates[0]);
        if (manager) {
          await activities.recordCommunicationActivity(tx, {
            organizationId: org.id, patientId: candidates[0], type: 'sms', performedById: null, assignedToId: manager.id, body, textMessageId: msg.id, status: 'complete',
          });
        }
        await recordAudit(tx, ctx, { action: 'create', entityType: 'text_message', entityIds: [msg.id] });
      });
      return twiml.emptyMessagingResponse();
    },

    /**
     * Inbound call: recorded with a `call` activity for the matched member and answered with TwiML that rings
     * the lead care manager, or takes a voicemail when there is none (or no member matched).
     */
    async inboundVoice(params: Params): Promise<string> {
      const org = await clinicOfNumber(params.To);
      const from = params.From ? toE164(params.From) : undefined;
      const sid = params.CallSid;
      if (!org || !from || !sid) return twiml.voicemail('the clinic');
      const clinicNo = toE164(params.To!)!;
      return db.transaction(async (tx) => {
        const ctx = systemContext(org.id, WEBHOOK_ACTOR);
        let call = await records.lockVoiceCall(tx, { sid });
        if (!call) {
          if (await records.findUnmatchedBySid(tx, sid)) return twiml.voicemail(org.name);
          const candidates = await patients.patientIdsByPhone(tx, org.id, from);
          if (candidates.length !== 1) {
            await records.insertUnmatched(tx, { organizationId: org.id, channel: 'call', fromNumber: from, toNumber: clinicNo, twilioSid: sid, candidatePatientIds: candidates });
            await recordAudit(tx, ctx, { action: 'create', entityType: 'unmatched_communication', entityIds: [sid] });
            return twiml.voicemail(org.name);
          }
          call = await records.insertVoiceCall(tx, {
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
    },

    /** `GET /v1/admin/clinic/ecm/communications/unmatched`: open unmatched messages and calls, newest first. */
    async listUnmatched(ctx: RequestContext, q: { page?: number; per_page?: number; page_size?: number }) {
      const page = pageRequest(q);
      return db.transaction(async (tx) => {
        const { rows, totalCount } = await records.listUnmatched(tx, ctx.actor.organizationId, page.perPage, page.offset);
        await recordAudit(tx, ctx, { action: 'list', entityType: 'unmatched_communication', entityIds: rows.map((r) => r.id) });
        return {
          unmatched: rows.map((r) => ({
            id: r.id, channel: r.channel, from: r.fromNumber, to: r.toNumber, body: r.body, twilio_sid: r.twilioSid,
            candidate_patient_ids: r.candidatePatientIds, received_at: r.receivedAt.toISOString(),
          })),
          pagination: paginationOf(page, totalCount),
        };
      });
    },

    /**
     * Assigns an unmatched message or call to a member: creates its record, activity and event.
     * @throws NotFoundError `Unmatched communication not found`, `Patient not found`; ValidationError when already assigned.
     */
    async assignUnmatched(ctx: RequestContext<UserActor>, id: number, patientId: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        const u = await records.lockUnmatched(tx, orgId, id);
        if (!u) throw new NotFoundError('Unmatched communication not found');
        if (u.assignedPatientId) throw new ValidationError(['This communication was already assigned']);
        await patients.requirePatient(tx, orgId, patientId);
        const manager = await patients.leadCareManager(tx, orgId, patientId);
        const assignee = manager?.id ?? ctx.actor.userId;
        let activity;
        if (u.channel === 'sms') {
          const msg = await records.insertTextMessage(tx, {
            organizationId: orgId, patientId, direction: 'inbound', fromNumber: u.fromNumber, toNumber: u.toNumber, body: u.body ?? '', status: 'received', twilioSid: u.twilioSid, createdAt: u.receivedAt,
          });
          activity = await activities.recordCommunicationActivity(tx, {
            organizationId: orgId, patientId, type: 'sms', performedById: null, assignedToId: assignee, body: u.body, textMessageId: msg.id, occurredAt: u.receivedAt, status: 'complete',
          });
        } else {
          const call = await records.insertVoiceCall(tx, {
            organizationId: orgId, patientId, direction: 'inbound', fromNumber: u.fromNumber, toNumber: u.toNumber, status: 'completed', twilioSid: u.twilioSid, createdAt: u.receivedAt,
          });
          activity = await activities.recordCommunicationActivity(tx, {
            organizationId: orgId, patientId, type: 'call', performedById: null, assignedToId: assignee, voiceCallId: call.id, subject: 'Inbound call (voicemail)', occurredAt: u.receivedAt, status: 'complete',
          });
        }
        await records.updateUnmatched(tx, id, { assignedPatientId: patientId, assignedAt: clock(), assignedByUserId: ctx.actor.userId, activityId: activity.id });
        await recordAudit(tx, ctx, { action: 'update', entityType: 'unmatched_communication', entityIds: [id] });
        return { message: 'Communication assigned', activity: activitySummary(activity) };
      });
    },

    /**
     * Reconciliation job of a hand-over that timed out: looks the message or call up in Twilio's list (To, From,
     * time); found: records its SID and status and creates its activity and event; not found after the last
     * retry: marks it failed. Never sends anything.
     */
    async reconcile(organizationId: number, kind: 'sms' | 'call', id: number, meta: JobMeta): Promise<void> {
      const rec = kind === 'sms' ? await records.findTextMessage(db, organizationId, id) : await records.findVoiceCall(db, organizationId, id);
      if (!rec || rec.status !== 'unknown') return;
      const found = kind === 'sms'
        ? await telephony.findMessage({ from: rec.fromNumber, to: rec.toNumber, after: rec.createdAt, body: (rec as records.TextMessageRow).body })
        : await telephony.findCall({ from: rec.fromNumber, to: rec.toNumber, after: rec.createdAt });
      if (!found) {
        if (meta.retryCount < meta.retryLimit) throw new Error(`${kind} ${id} not found at Twilio yet`);
        await db.transaction(async (tx) => {
          const values = { status: 'failed', errorMessage: 'Not found in Twilio\'s records after the send timed out: it was not sent' };
          if (kind === 'sms') await records.updateTextMessage(tx, id, values);
          else await records.updateVoiceCall(tx, id, values);
        });
        return;
      }
      await db.transaction(async (tx) => {
        const userId = kind === 'sms' ? (rec as records.TextMessageRow).sentByUserId : (rec as records.VoiceCallRow).placedByUserId;
        const updated = kind === 'sms'
          ? await records.updateTextMessage(tx, id, { twilioSid: found.sid, status: found.status, errorMessage: null })
          : await records.updateVoiceCall(tx, id, { twilioSid: found.sid, status: found.status, errorMessage: null });
        if (userId) await createOutboundActivity(tx, kind, updated, userId, rec.patientId);
        await recordAudit(tx, systemContext(organizationId, 'Twilio reconciliation'), { action: 'update', entityType: kind === 'sms' ? 'text_message' : 'voice_call', entityIds: [id] });
      });
    },

    /**
     * Sandbox job: moves a sandbox message through queued -> sent -> delivered, or a call through
     * ringing -> in-progress -> completed (60 s; the coordinator leg counts as bridged when they have a phone).
     */
    async sandboxProgress(organizationId: number, kind: 'sms' | 'call', id: number): Promise<void> {
      await db.transaction(async (tx) => {
        if (kind === 'sms') {
          for (const status of ['sent', 'delivered']) {
            const msg = await records.lockTextMessage(tx, { id });
            if (msg) await applySmsStatus(tx, msg, status);
          }
          return;
        }
        for (const status of ['ringing', 'in-progress', 'completed']) {
          const call = await records.lockVoiceCall(tx, { id });
          if (call) await applyCallStatus(tx, call, status, undefined, status === 'completed' ? 60 : undefined);
        }
        const call = await records.lockVoiceCall(tx, { id });
        const coordinator = call?.placedByUserId ? await identity.getUser(organizationId, call.placedByUserId).catch(() => null) : null;
        if (call && coordinator?.phone) {
          await records.updateVoiceCall(tx, id, { dialStatus: 'completed', dialDurationSeconds: 55, memberReached: true });
          await activities.syncActivitiesOfRecord(tx, organizationId, { voiceCallId: id });
        }
      });
    },
  };
}

export type CommunicationsService = ReturnType<typeof createCommunicationsService>;
