/** Use case: changing an activity; its event follows. */
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { activityErrors, ASSIGNEE_BLANK, type ActivityDraft } from './rules.ts';
import type { ActivityInputWire } from './schemas.ts';
import * as store from './store.ts';
import { withoutUndefined } from '../../platform/values.ts';
import { columnsOf, type ActivityContext } from './context.ts';

/**
 * Changes an activity (all fields optional; the type cannot change); its event follows.
 * @throws NotFoundError; ValidationError.
 */
export function updateActivity(c: ActivityContext, ctx: RequestContext, patientId: number, id: number, input: ActivityInputWire) {
  const { db, mail, clock, relationErrors, syncEvent, loadDetail, requireActivity } = c;
  const orgId = ctx.actor.organizationId;
  const changes = withoutUndefined(columnsOf(input));
  return db.transaction(async (tx) => {
    const current = await requireActivity(tx, ctx, patientId, id, true, changes.occurredAt !== undefined);
    const errors: string[] = [];
    if (changes.activityType && changes.activityType !== current.activityType) errors.push("Activity type can't be changed");
    const merged = { ...current, ...changes, activityType: current.activityType } as store.ActivityRow;
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
    delete changes.activityType;
    const updated = Object.keys(changes).length ? await store.updateActivity(tx, id, changes) : current;
    await syncEvent(tx, updated, related.records);
    if (updated.occurredAt.getTime() !== current.occurredAt.getTime()) {
      await store.applyActivityStats(tx, patientId, { countDelta: 0, recountLast: store.latestOccurredSql(patientId, clock()) });
    }
    await recordAudit(tx, ctx, { action: 'update', entityType: 'activity', entityIds: [id] });
    return loadDetail(tx, orgId, updated);
  });
}
