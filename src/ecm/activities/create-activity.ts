/** Use cases: creating an activity (seed 003), and the same once per `Idempotency-Key`. */
import type { RequestContext, UserActor } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { runIdempotent } from '../../platform/idempotency.ts';
import { isoOf } from '../../platform/time.ts';
import type { CommunicationRecords } from '../events/service.ts';
import { PATIENT_NOT_FOUND } from '../patients/service.ts';
import { ACTIVITY_EMAIL_QUEUE } from './queues.ts';
import { activityErrors, type ActivityDraft } from './rules.ts';
import type { ActivityDetailWire, ActivityInputWire } from './schemas.ts';
import * as store from './store.ts';
import { withoutUndefined } from '../../platform/values.ts';
import { columnsOf, detailFields, listItem, listRowOf, type ActivityContext } from './context.ts';

/**
 * Creates an activity for the member, performed by the caller, with its event; email activities are
 * queued for delivery in the same transaction.
 * @throws NotFoundError `Patient not found`; ValidationError with every problem (seed 003 wording).
 */
export function createActivity(c: ActivityContext, ctx: RequestContext<UserActor>, patientId: number, input: ActivityInputWire) {
  const { db, mail, jobs, clock, emailRetry, relationErrors, insertActivity } = c;
  const orgId = ctx.actor.organizationId;
  return db.transaction(async (tx): Promise<ActivityDetailWire> => {
    const cols = columnsOf(input);
    const draft = { ...withoutUndefined(cols), activityType: cols.activityType } as store.NewActivity;
    const errors = activityErrors(draft as ActivityDraft, { allowedHosts: mail.attachmentHosts, allowPrivate: mail.allowPrivateUrls });
    let records: CommunicationRecords = {};
    // The common case (nothing wrong with the request itself, no links but the assignee) leaves the member and
    // assignee check to the insert statement. Otherwise they are checked first: an unknown member is 404 before any
    // validation message, and links need their own reads.
    if (errors.length || draft.textMessageId || draft.voiceCallId || draft.parentId || draft.blockedById || draft.blockingId) {
      const facts = await store.creationFacts(tx, orgId, patientId, draft.assignedToId ?? undefined);
      if (!facts) throw new NotFoundError(PATIENT_NOT_FOUND);
      const related = await relationErrors(tx, orgId, patientId, null, draft, {
        blockedById: draft.blockedById ?? null,
        blockingId: draft.blockingId ?? null,
      }, facts.assigneeName !== null);
      errors.push(...related.errors);
      if (errors.length) throw new ValidationError([...new Set(errors)]);
      records = related.records;
    }
    const isEmail = draft.activityType === 'email';
    const { activity, event, facts } = await insertActivity(tx, {
      ...draft,
      organizationId: orgId,
      patientId,
      activityType: draft.activityType,
      status: draft.status ?? 'created',
      assignedToId: draft.assignedToId!,
      performedById: ctx.actor.userId,
      occurredAt: draft.occurredAt ?? clock(),
      modality: draft.modality ?? (draft.activityType === 'in_person_appointment' || draft.activityType === 'meeting' ? 'in_person' : null),
      emailStatus: isEmail ? 'queued' : null,
    }, records, ctx);
    if (!facts) throw new NotFoundError(PATIENT_NOT_FOUND);
    if (!activity) throw new ValidationError(['Assigned to must be an active user of the clinic']);
    if (isEmail) await jobs.send(tx, { name: ACTIVITY_EMAIL_QUEUE, retry: emailRetry }, { organizationId: orgId, activityId: activity.id });
    // A new activity has no comments or subtasks yet; names come from the check above and the caller.
    return {
      ...listItem(listRowOf(activity, {
        patient_name: facts.patientName,
        performed_by_name: ctx.actor.name,
        assigned_to_name: facts.assigneeName,
        comments_count: 0,
      })),
      ...detailFields(activity),
      comments: [],
      subtasks: [],
      event: event && { ...event, occurred_at: isoOf(event.occurred_at) },
    };
  });
}

/**
 * `createActivity` behind an `Idempotency-Key` (ARCHITECTURE.md, "Reliability"): a retried request with the
 * same key gets the first response and creates (and emails) nothing twice.
 * @returns `{status: 201, body: {activity}}`.
 */
export function createActivityOnce(c: ActivityContext, ctx: RequestContext<UserActor>, patientId: number, input: ActivityInputWire, idempotencyKey?: string) {
  const { db } = c;
  return runIdempotent(db, ctx.actor.organizationId, `activity:${patientId}`, idempotencyKey, input, async () => ({
    status: 201,
    body: { activity: await createActivity(c, ctx, patientId, input) },
  }));
}
