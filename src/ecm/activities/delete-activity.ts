/** Use case: deleting an activity with its subtasks. */
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';

import * as store from './store.ts';
import type { ActivityContext } from './context.ts';

/**
 * Soft-deletes the activity and its subtasks: they leave lists and details (404), their events are
 * cancelled and leave counts; the rows stay for audit.
 * @throws NotFoundError.
 */
export function deleteActivity(c: ActivityContext, ctx: RequestContext, patientId: number, id: number) {
  const { db, events, clock, requireActivity } = c;
  const orgId = ctx.actor.organizationId;
  return db.transaction(async (tx) => {
    await requireActivity(tx, ctx, patientId, id, true, true);
    const ids = [id, ...(await store.descendantIds(tx, orgId, id))];
    const deleted = await store.softDelete(tx, orgId, ids, clock());
    for (const a of deleted) await events.syncEventForActivity(tx, a);
    // `deleted` holds only rows this call took from live to deleted, so the count drops by exactly those.
    await store.applyActivityStats(tx, patientId, { countDelta: -deleted.length, recountLast: store.latestOccurredSql(patientId, clock()) });
    await recordAudit(tx, ctx, { action: 'delete', entityType: 'activity', entityIds: ids });
  });
}
