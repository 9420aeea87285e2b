/** Use case: commenting on an activity. */
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext, UserActor } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import * as store from './store.ts';
import type { ActivityContext } from './context.ts';

/**
 * Adds a comment by the caller. @returns the comment `{id, body, user_id, user_name, created_at}`.
 * @throws NotFoundError; ValidationError `Body can't be blank`.
 */
export function addComment(c: ActivityContext, ctx: RequestContext<UserActor>, patientId: number, id: number, body: string) {
  const { db, requireActivity } = c;
  if (body.trim() === '') throw new ValidationError(["Body can't be blank"]);
  return db.transaction(async (tx) => {
    await requireActivity(tx, ctx, patientId, id);
    const c = await store.insertComment(tx, { organizationId: ctx.actor.organizationId, activityId: id, userId: ctx.actor.userId, body });
    await store.updateActivity(tx, id, {});
    await recordAudit(tx, ctx, { action: 'update', entityType: 'activity', entityIds: [id] });
    return { id: c.id, body: c.body, user_id: c.userId, user_name: ctx.actor.name, created_at: c.createdAt.toISOString() };
  });
}
