/** Use cases: a member's activities, the clinic's activities, and one activity in detail. */
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';

import type { ClinicActivityQueryWire } from './schemas.ts';
import type { ActivityContext } from './context.ts';

/** `GET .../patients/{patient_id}/activities`, newest first. @throws NotFoundError `Patient not found`. */
export function listPatientActivities(c: ActivityContext, ctx: RequestContext, patientId: number, q: { page?: number; per_page?: number; page_size?: number; activity_type?: string; assigned_to_id?: number; unassigned?: boolean; status?: string }) {
  const { list } = c;
  return list(ctx, { patientId, activityType: q.activity_type, assignedToId: q.assigned_to_id, unassigned: q.unassigned, status: q.status }, q);
}

/** `GET /v1/clinic/ecm/activities`: across the clinic's members ("my work": `assigned_to_id=<me>&status=created`). */
export function listClinicActivities(c: ActivityContext, ctx: RequestContext, q: ClinicActivityQueryWire) {
  const { list } = c;
  const day = q.due_before && /^\d{4}-\d{2}-\d{2}$/.test(q.due_before) ? q.due_before : undefined;
  return list(
    ctx,
    {
      patientId: q.patient_id,
      activityType: q.activity_type,
      assignedToId: q.assigned_to_id,
      unassigned: q.unassigned,
      status: q.status,
      dueBeforeDay: day,
      dueBefore: q.due_before && !day ? new Date(q.due_before) : undefined,
    },
    q,
  );
}

/** One activity with comments, subtasks and event. @throws NotFoundError `Patient not found`, `Activity not found`. */
export function getActivity(c: ActivityContext, ctx: RequestContext, patientId: number, id: number) {
  const { db, loadDetail, requireActivity } = c;
  return db.transaction(async (tx) => {
    const activity = await requireActivity(tx, ctx, patientId, id);
    await recordAudit(tx, ctx, { action: 'read', entityType: 'activity', entityIds: [id] });
    return loadDetail(tx, ctx.actor.organizationId, activity);
  });
}
