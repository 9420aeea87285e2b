/** Use case: a member's messages and calls (seed 004). */
import { recordAudit } from '../../platform/audit.ts';
import { type RequestContext } from '../../platform/context.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { isoOf } from '../../platform/time.ts';
import * as store from './store.ts';
import { type CommunicationsContext } from './context.ts';

/** `GET /v1/clinic/ecm/patients/{patient_id}/communications`: messages and calls, newest first. */
export function listPatientCommunications(c: CommunicationsContext, ctx: RequestContext, patientId: number, q: { page?: number; per_page?: number; page_size?: number }) {
  const { db, patients, identity } = c;
  const page = pageRequest(q);
  return db.transaction(async (tx) => {
    const member = await patients.requireContact(tx, ctx.actor.organizationId, patientId);
    const sendingNumber = (await identity.getOrganization(ctx.actor.organizationId)).phoneNumbers[0];
    const smsOptedOut = Boolean(member.phone && sendingNumber && (await store.isOptedOut(tx, sendingNumber, member.phone)));
    const { rows, totalCount } = await store.listPatientCommunications(tx, ctx.actor.organizationId, patientId, page.perPage, page.offset);
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
}
