/** Use cases: inbound communications no member matched: their list and their assignment to a member. */
import { recordAudit } from '../../platform/audit.ts';
import { type RequestContext, type UserActor } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import * as store from './store.ts';
import { activitySummary, type CommunicationsContext } from './context.ts';

/** `GET /v1/admin/clinic/ecm/communications/unmatched`: open unmatched messages and calls, newest first. */
export async function listUnmatched(c: CommunicationsContext, ctx: RequestContext, q: { page?: number; per_page?: number; page_size?: number }) {
  const { db } = c;
  const page = pageRequest(q);
  return db.transaction(async (tx) => {
    const { rows, totalCount } = await store.listUnmatched(tx, ctx.actor.organizationId, page.perPage, page.offset);
    await recordAudit(tx, ctx, { action: 'list', entityType: 'unmatched_communication', entityIds: rows.map((r) => r.id) });
    return {
      unmatched: rows.map((r) => ({
        id: r.id, channel: r.channel, from: r.fromNumber, to: r.toNumber, body: r.body, twilio_sid: r.twilioSid,
        candidate_patient_ids: r.candidatePatientIds, received_at: r.receivedAt.toISOString(),
      })),
      pagination: paginationOf(page, totalCount),
    };
  });
}

/**
 * Assigns an unmatched message or call to a member: creates its record, activity and event.
 * @throws NotFoundError `Unmatched communication not found`, `Patient not found`; ValidationError when already assigned.
 */
export async function assignUnmatched(c: CommunicationsContext, ctx: RequestContext<UserActor>, id: number, patientId: number) {
  const { db, patients, activities, clock } = c;
  const orgId = ctx.actor.organizationId;
  return db.transaction(async (tx) => {
    const u = await store.lockUnmatched(tx, orgId, id);
    if (!u) throw new NotFoundError('Unmatched communication not found');
    if (u.assignedPatientId) throw new ValidationError(['This communication was already assigned']);
    await patients.requirePatient(tx, orgId, patientId);
    let activity;
    if (u.channel === 'sms') {
      // Like a matched inbound SMS: open work (`created`) for the outreach lead care manager, else for whoever matched it.
      const assignee = (await patients.outreachLeadCareManager(tx, orgId, patientId))?.id ?? ctx.actor.userId;
      const msg = await store.insertTextMessage(tx, {
        organizationId: orgId, patientId, direction: 'inbound', fromNumber: u.fromNumber, toNumber: u.toNumber, body: u.body ?? '', status: 'received', twilioSid: u.twilioSid, createdAt: u.receivedAt,
      });
      activity = await activities.recordCommunicationActivity(tx, {
        organizationId: orgId, patientId, type: 'sms', performedById: null, assignedToId: assignee, body: u.body, textMessageId: msg.id, occurredAt: u.receivedAt, status: 'created',
      });
    } else {
      const assignee = (await patients.leadCareManager(tx, orgId, patientId))?.id ?? ctx.actor.userId;
      const call = await store.insertVoiceCall(tx, {
        organizationId: orgId, patientId, direction: 'inbound', fromNumber: u.fromNumber, toNumber: u.toNumber, status: 'completed', twilioSid: u.twilioSid, createdAt: u.receivedAt,
      });
      activity = await activities.recordCommunicationActivity(tx, {
        organizationId: orgId, patientId, type: 'call', performedById: null, assignedToId: assignee, voiceCallId: call.id, subject: 'Inbound call (voicemail)', occurredAt: u.receivedAt, status: 'complete',
      });
    }
    await store.updateUnmatched(tx, id, { assignedPatientId: patientId, assignedAt: clock(), assignedByUserId: ctx.actor.userId, activityId: activity.id });
    await recordAudit(tx, ctx, { action: 'update', entityType: 'unmatched_communication', entityIds: [id] });
    return { message: 'Communication assigned', activity: activitySummary(activity) };
  });
}
