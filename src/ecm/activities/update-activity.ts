/** Use case: changing an activity; its event follows. */
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { activityErrors, ASSIGNEE_BLANK, retypeErrors, type ActivityDraft } from './rules.ts';
import type { ActivityInputWire, ActivityType } from './schemas.ts';
import * as store from './store.ts';
import { withoutUndefined } from '../../platform/values.ts';
import { columnsOf, type ActivityContext } from './context.ts';

/**
 * Changes an activity (all fields optional); its event follows in the same transaction (created, retyped or
 * cancelled, with its PRTF category). The type changes among task, note, in_person_appointment, meeting and a call
 * logged by hand (`retypeErrors`), the new type's required fields present; a due date or modality the new type does
 * not take is cleared.
 * @throws NotFoundError; ValidationError.
 */
export function updateActivity(c: ActivityContext, ctx: RequestContext, patientId: number, id: number, input: ActivityInputWire) {
  const { db, mail, clock, relationErrors, syncEvent, loadDetail, requireActivity } = c;
  const orgId = ctx.actor.organizationId;
  const changes = withoutUndefined(columnsOf(input));
  return db.transaction(async (tx) => {
    const current = await requireActivity(tx, ctx, patientId, id, true, changes.occurredAt !== undefined);
    const errors: string[] = [];
    const retype = changes.activityType !== undefined && changes.activityType !== current.activityType;
    if (retype) {
      // What only the old type allows goes with it (a task's due date, an appointment's modality) unless the request sets it.
      if (changes.activityType !== 'task' && !('dueAt' in changes)) changes.dueAt = null;
      if (changes.activityType !== 'in_person_appointment' && changes.activityType !== 'meeting' && !('modality' in changes)) changes.modality = null;
      else if (current.modality === null && !('modality' in changes)) changes.modality = 'in_person';
      const hasSubtasks = current.activityType === 'task' && (await store.subtasksOf(tx, orgId, id)).length > 0;
      errors.push(...retypeErrors(current, changes.activityType!, { ...current, ...changes }, hasSubtasks));
      // A refused change of type: the rest of the request is checked against the type the activity keeps.
      if (errors.length) changes.activityType = current.activityType as ActivityType;
    } else {
      delete changes.activityType;
    }
    const merged = { ...current, ...changes } as store.ActivityRow;
    const draftErrors = activityErrors(merged as ActivityDraft, { allowedHosts: mail.attachmentHosts, allowPrivate: mail.allowPrivateUrls });
    // An inbound SMS may have nobody assigned yet: it can be marked done without assigning it first.
    const unassignedKept = current.assignedToId === null && !('assignedToId' in changes);
    errors.push(...draftErrors.filter((e) => !(unassignedKept && e === ASSIGNEE_BLANK)));
    const linksChange = 'blockedById' in changes || 'blockingId' in changes;
    const related = await relationErrors(
      tx,
      orgId,
      patientId,
      id,
      changes,
      linksChange ? { blockedById: merged.blockedById, blockingId: merged.blockingId } : undefined,
    );
    errors.push(...related.errors);
    if (errors.length) throw new ValidationError([...new Set(errors)]);
    const updated = Object.keys(changes).length ? await store.updateActivity(tx, id, changes) : current;
    await syncEvent(tx, updated, related.records);
    if (updated.occurredAt.getTime() !== current.occurredAt.getTime()) {
      await store.applyActivityStats(tx, patientId, { countDelta: 0, recountLast: store.latestOccurredSql(patientId, clock()) });
    }
    await recordAudit(tx, ctx, { action: 'update', entityType: 'activity', entityIds: [id] });
    return loadDetail(tx, orgId, updated);
  });
}
