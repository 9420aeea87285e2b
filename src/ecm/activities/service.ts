/**
 * ECM activities (seed 003): everything a care team does with or for a member.
 *
 * One transaction per change writes the activity, its event (events service),
 * the member's activity stats, the audit row and, for email, the delivery job
 * (pg-boss, enqueued in the same transaction). Email is sent by
 * `deliverActivityEmail` from that job, with retries; a failed delivery never
 * loses the activity (`email_status` says what happened).
 */
import type { Db, Executor } from '../../db/pool.ts';
import { auditInsertPlaceholderSql, auditValues, recordAudit } from '../../platform/audit.ts';
import type { RequestContext, UserActor } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { JobMeta, Jobs } from '../../platform/jobs.ts';
import type { Mailer } from '../../platform/mail.ts';
import { fetchAllowedFile } from '../../platform/outbound.ts';
import { runIdempotent } from '../../platform/idempotency.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { isoOf, isoOrNull as iso } from '../../platform/time.ts';
import { withoutUndefined } from '../../platform/values.ts';
import { findTextMessage, findVoiceCall } from '../communications/records.ts';
import type { CommunicationRecords, EventService } from '../events/service.ts';
import { PATIENT_NOT_FOUND, type PatientService } from '../patients/service.ts';
import { ACTIVITY_EMAIL_QUEUE } from './queues.ts';
import { activityErrors, hasBlockingCycle, type ActivityDraft } from './rules.ts';
import type { ActivityDetailWire, ActivityInputWire, ActivityListItemWire, ActivityType, ClinicActivityQueryWire } from './schemas.ts';
import * as store from './store.ts';

export const ACTIVITY_NOT_FOUND = 'Activity not found';

/** How email activities are sent (the `MAIL_*` and `SMTP_TIMEOUT_MS` settings). */
export interface ActivityMailSettings {
  /** Hosts an attachment URL may name (`MAIL_ATTACHMENT_HOSTS`). */
  attachmentHosts: string[];
  /** Largest attachment fetched, in bytes. */
  attachmentMaxBytes: number;
  retryLimit: number;
  retryDelaySeconds: number;
  /** Time allowed to fetch one attachment, in milliseconds. */
  fetchTimeoutMs: number;
}

export interface ActivityServiceDeps {
  db: Db;
  mail: ActivityMailSettings;
  jobs: Pick<Jobs, 'send'>;
  mailer: Mailer;
  patients: PatientService;
  events: EventService;
  clock?: () => Date;
}


function listItem(r: store.ActivityListRow): ActivityListItemWire {
  return {
    id: r.id,
    activity_type: r.activity_type as ActivityType,
    status: r.status as ActivityListItemWire['status'],
    message: r.message,
    subject: r.subject,
    body: r.body,
    occurred_at: isoOf(r.occurred_at),
    booked_at: iso(r.booked_at),
    due_at: iso(r.due_at),
    duration: r.duration,
    modality: r.modality as ActivityListItemWire['modality'],
    outcome: r.outcome as ActivityListItemWire['outcome'],
    email_status: r.email_status as ActivityListItemWire['email_status'],
    patient_id: r.patient_id,
    patient_name: r.patient_name,
    performed_by_id: r.performed_by_id,
    performed_by_name: r.performed_by_name,
    assigned_to_id: r.assigned_to_id,
    assigned_to_name: r.assigned_to_name,
    parent_id: r.parent_id,
    comments_count: r.comments_count,
    created_at: isoOf(r.created_at),
    updated_at: isoOf(r.updated_at),
  };
}

/** An activity row in the list shape, with the names and the comment count it does not hold. */
function listRowOf(
  a: store.ActivityRow,
  more: { patient_name: string; performed_by_name: string | null; assigned_to_name: string | null; comments_count: number },
): store.ActivityListRow {
  return {
    ...more,
    id: a.id,
    activity_type: a.activityType,
    status: a.status,
    message: a.message,
    subject: a.subject,
    body: a.body,
    occurred_at: a.occurredAt,
    booked_at: a.bookedAt,
    due_at: a.dueAt,
    duration: a.duration,
    modality: a.modality,
    outcome: a.outcome,
    email_status: a.emailStatus,
    patient_id: a.patientId,
    performed_by_id: a.performedById,
    assigned_to_id: a.assignedToId,
    parent_id: a.parentId,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

/** The detail-only fields of an activity row. */
function detailFields(a: store.ActivityRow) {
  return {
    email_to: a.emailTo,
    email_attachments: a.emailAttachments,
    email_error: a.emailError,
    email_sent_at: iso(a.emailSentAt),
    transcript: a.transcript,
    blocked_by_id: a.blockedById,
    blocking_id: a.blockingId,
    voice_call_id: a.voiceCallId,
    text_message_id: a.textMessageId,
  };
}

/** The columns a create or update sets, from the request (undefined: unchanged). */
function columnsOf(input: ActivityInputWire) {
  const date = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));
  const text = (v: string | null | undefined) => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v);
  return {
    activityType: input.activity_type,
    assignedToId: input.assigned_to_id,
    message: text(input.message),
    body: text(input.body),
    subject: text(input.subject),
    emailTo: input.email_to === undefined ? undefined : input.email_to?.trim() || null,
    emailAttachments: input.email_attachments,
    bookedAt: date(input.booked_at),
    voiceCallId: input.voice_call_id,
    textMessageId: input.text_message_id,
    parentId: input.parent_id,
    blockedById: input.blocked_by_id,
    blockingId: input.blocking_id,
    occurredAt: input.occurred_at === undefined ? undefined : new Date(input.occurred_at),
    status: input.status,
    dueAt: date(input.due_at),
    duration: input.duration,
    modality: input.modality,
    outcome: input.outcome,
    transcript: text(input.transcript),
  };
}


export function createActivityService(deps: ActivityServiceDeps) {
  const { db, mail, jobs, mailer, patients, events, clock = () => new Date() } = deps;
  const emailRetry = { limit: mail.retryLimit, delaySeconds: mail.retryDelaySeconds, backoff: true };

  /**
   * Checks what needs the database, for the links a request sets: assignee (unless `assigneeActive` already says),
   * text message, voice call, parent; and, when `blocking` is given (the activity's links after the change), that the
   * blocking links name activities of the member and make no cycle.
   * @returns the messages, and the text message and voice call it read (for the event).
   */
  async function relationErrors(
    tx: Executor,
    orgId: number,
    patientId: number,
    id: number | null,
    set: Partial<Pick<store.NewActivity, 'assignedToId' | 'textMessageId' | 'voiceCallId' | 'parentId'>>,
    blocking?: { blockedById: number | null; blockingId: number | null },
    assigneeActive?: boolean,
  ): Promise<{ errors: string[]; records: CommunicationRecords }> {
    const errors: string[] = [];
    const records: CommunicationRecords = {};
    if (set.assignedToId) {
      const ok = assigneeActive ?? (await store.activeUsersIn(tx, orgId, [set.assignedToId])).has(set.assignedToId);
      if (!ok) errors.push('Assigned to must be an active user of the clinic');
    }
    if (set.textMessageId) {
      const m = await findTextMessage(tx, orgId, set.textMessageId);
      if (!m || m.patientId !== patientId) errors.push('Text message must be a text message of the same patient');
      records.textMessage = m;
    }
    if (set.voiceCallId) {
      const c = await findVoiceCall(tx, orgId, set.voiceCallId);
      if (!c || c.patientId !== patientId) errors.push('Voice call must be a voice call of the same patient');
      records.voiceCall = c;
    }
    const related = [set.parentId, blocking?.blockedById, blocking?.blockingId].filter((v): v is number => typeof v === 'number');
    const found = new Map((await store.activitiesIn(tx, orgId, patientId, related)).map((a) => [a.id, a]));
    if (set.parentId) {
      const parent = found.get(set.parentId);
      if (!parent || parent.activityType !== 'task' || set.parentId === id) errors.push('Subtasks can only be created under task-type activities');
    }
    if (blocking) {
      const before = errors.length;
      if (blocking.blockedById && !found.has(blocking.blockedById)) errors.push('Blocked by must be an activity of the same patient');
      if (blocking.blockingId && !found.has(blocking.blockingId)) errors.push('Blocking must be an activity of the same patient');
      if (errors.length === before && (blocking.blockedById || blocking.blockingId)) {
        const nodes = (await store.blockNodes(tx, orgId, patientId)).filter((n) => n.id !== id);
        // A new activity has no id yet: -1 stands for it (it can only close a cycle through its own links).
        nodes.push({ id: id ?? -1, blockedById: blocking.blockedById, blockingId: blocking.blockingId });
        if (hasBlockingCycle(nodes)) errors.push('Blocking links would make a cycle');
      }
    }
    return { errors, records };
  }

  /**
   * `at`, if it has occurred by now, else null: `last_activity_at` is the latest `occurred_at` of a live activity
   * that is not in the future (docs/decisions.md), judged by the service's clock.
   */
  const occurredSoFar = (at: Date): Date | null => (at.getTime() <= clock().getTime() ? at : null);

  /**
   * Re-derives the event of `activity` after a change, with the text message or voice call it references (`records`
   * when the caller has them, else read). The member's stats do not depend on status or content: callers that change
   * `occurred_at` or delete recount them.
   */
  async function syncEvent(tx: Executor, activity: store.ActivityRow, records: CommunicationRecords = {}) {
    const textMessage = records.textMessage ?? (activity.textMessageId ? await findTextMessage(tx, activity.organizationId, activity.textMessageId) : null);
    const voiceCall = records.voiceCall ?? (activity.voiceCallId ? await findVoiceCall(tx, activity.organizationId, activity.voiceCallId) : null);
    await events.syncEventForActivity(tx, activity, { textMessage, voiceCall });
  }

  // The insert of an activity with its event and the member's stats, built once here from each feature's SQL: for the
  // API's creates with the member and assignee check and the audit row; for communications (checked and audited by
  // their callers) without.
  const insertChecked = store.insertActivityStatement('activities_insert_checked', {
    event: events.eventInsertSql,
    stats: patients.activityAddedSql,
    audit: (ids, when) => auditInsertPlaceholderSql({ entityType: 'activity', entityIds: ids, when }),
  }, true);
  const insertUnchecked = store.insertActivityStatement('activities_insert', { event: events.eventInsertSql, stats: patients.activityAddedSql }, false);

  /**
   * Inserts an activity with its event and the member's stats (`activities_count + 1`, `last_activity_at` moved to
   * it if it has occurred), in one statement. With `ctx` (the API's creates) the same statement checks that the member
   * is the organization's and the assignee an active user of it (inserting nothing otherwise, see `facts`) and writes
   * the `create` audit row.
   */
  function insertActivity(tx: Executor, values: store.NewActivity & { occurredAt: Date; status: string }, records: CommunicationRecords, ctx?: RequestContext) {
    const source = {
      ...values,
      modality: values.modality ?? null, outcome: values.outcome ?? null, emailStatus: values.emailStatus ?? null, bookedAt: values.bookedAt ?? null,
      subject: values.subject ?? null, body: values.body ?? null, message: values.message ?? null, duration: values.duration ?? null,
    };
    const effectValues = {
      ...events.eventInsertValues(source, records),
      ...patients.activityAddedValues(values.patientId, occurredSoFar(values.occurredAt)),
      ...(ctx ? auditValues(ctx, 'create') : {}),
    };
    return (ctx ? insertChecked : insertUnchecked)(tx, values, effectValues);
  }

  async function loadDetail(tx: Executor, orgId: number, activity: store.ActivityRow): Promise<ActivityDetailWire> {
    const row = await store.findActivityListRow(tx, orgId, activity.id);
    if (!row) throw new NotFoundError(ACTIVITY_NOT_FOUND);
    const [comments, subtasks, event] = [
      await store.commentsOf(tx, activity.id),
      await store.subtasksOf(tx, orgId, activity.id),
      await events.eventSummaryOfActivity(tx, activity.id),
    ];
    return {
      ...listItem(row),
      ...detailFields(activity),
      comments: comments.map((c) => ({ ...c, created_at: c.created_at.toISOString() })),
      subtasks: subtasks.map((s) => ({
        ...s,
        activity_type: s.activity_type as ActivityType,
        status: s.status as ActivityDetailWire['status'],
      })),
      event,
    };
  }

  /**
   * The member's live activity `id`, optionally locked; `lockPatient` also locks the member's row first (changes
   * that recount `last_activity_at`: creates of the member wait for them, so no recount misses one).
   */
  async function requireActivity(tx: Executor, ctx: RequestContext, patientId: number, id: number, forUpdate = false, lockPatient = false) {
    await patients.requirePatient(tx, ctx.actor.organizationId, patientId, lockPatient);
    const activity = await store.findActivity(tx, ctx.actor.organizationId, patientId, id, forUpdate);
    if (!activity) throw new NotFoundError(ACTIVITY_NOT_FOUND);
    return activity;
  }

  async function list(ctx: RequestContext, filters: store.ActivityFilters, q: { page?: number; per_page?: number; page_size?: number }) {
    const page = pageRequest(q);
    return db.transaction(async (tx) => {
      if (filters.patientId !== undefined) await patients.requirePatient(tx, ctx.actor.organizationId, filters.patientId);
      const { rows, totalCount } = await store.listActivities(tx, ctx.actor.organizationId, filters, page);
      await recordAudit(tx, ctx, { action: 'list', entityType: 'activity', entityIds: rows.map((r) => r.id) });
      return { activities: rows.map(listItem), pagination: paginationOf(page, totalCount) };
    });
  }

  const service = {
    /** `GET .../patients/{patient_id}/activities`, newest first. @throws NotFoundError `Patient not found`. */
    listPatientActivities(ctx: RequestContext, patientId: number, q: { page?: number; per_page?: number; page_size?: number; activity_type?: string; assigned_to_id?: number; status?: string }) {
      return list(ctx, { patientId, activityType: q.activity_type, assignedToId: q.assigned_to_id, status: q.status }, q);
    },

    /** `GET /v1/clinic/ecm/activities`: across the clinic's members ("my work": `assigned_to_id=<me>&status=created`). */
    listClinicActivities(ctx: RequestContext, q: ClinicActivityQueryWire) {
      const day = q.due_before && /^\d{4}-\d{2}-\d{2}$/.test(q.due_before) ? q.due_before : undefined;
      return list(
        ctx,
        {
          patientId: q.patient_id,
          activityType: q.activity_type,
          assignedToId: q.assigned_to_id,
          status: q.status,
          dueBeforeDay: day,
          dueBefore: q.due_before && !day ? new Date(q.due_before) : undefined,
        },
        q,
      );
    },

    /** One activity with comments, subtasks and event. @throws NotFoundError `Patient not found`, `Activity not found`. */
    getActivity(ctx: RequestContext, patientId: number, id: number) {
      return db.transaction(async (tx) => {
        const activity = await requireActivity(tx, ctx, patientId, id);
        await recordAudit(tx, ctx, { action: 'read', entityType: 'activity', entityIds: [id] });
        return loadDetail(tx, ctx.actor.organizationId, activity);
      });
    },

    /**
     * Creates an activity for the member, performed by the caller, with its event; email activities are
     * queued for delivery in the same transaction.
     * @throws NotFoundError `Patient not found`; ValidationError with every problem (seed 003 wording).
     */
    createActivity(ctx: RequestContext<UserActor>, patientId: number, input: ActivityInputWire) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx): Promise<ActivityDetailWire> => {
        const cols = columnsOf(input);
        const draft = { ...withoutUndefined(cols), activityType: cols.activityType } as store.NewActivity;
        const errors = activityErrors(draft as ActivityDraft, mail.attachmentHosts);
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
    },

    /**
     * `createActivity` behind an `Idempotency-Key` (ARCHITECTURE.md, "Reliability"): a retried request with the
     * same key gets the first response and creates (and emails) nothing twice.
     * @returns `{status: 201, body: {activity}}`.
     */
    createActivityOnce(ctx: RequestContext<UserActor>, patientId: number, input: ActivityInputWire, idempotencyKey?: string) {
      return runIdempotent(db, ctx.actor.organizationId, `activity:${patientId}`, idempotencyKey, input, async () => ({
        status: 201,
        body: { activity: await service.createActivity(ctx, patientId, input) },
      }));
    },

    /**
     * Changes an activity (all fields optional; the type cannot change); its event follows.
     * @throws NotFoundError; ValidationError.
     */
    updateActivity(ctx: RequestContext, patientId: number, id: number, input: ActivityInputWire) {
      const orgId = ctx.actor.organizationId;
      const changes = withoutUndefined(columnsOf(input));
      return db.transaction(async (tx) => {
        const current = await requireActivity(tx, ctx, patientId, id, true, changes.occurredAt !== undefined);
        const errors: string[] = [];
        if (changes.activityType && changes.activityType !== current.activityType) errors.push("Activity type can't be changed");
        const merged = { ...current, ...changes, activityType: current.activityType } as store.ActivityRow;
        errors.push(...activityErrors(merged as ActivityDraft, mail.attachmentHosts));
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
          await patients.applyActivityStats(tx, patientId, { countDelta: 0, recountLast: store.latestOccurredSql(patientId, clock()) });
        }
        await recordAudit(tx, ctx, { action: 'update', entityType: 'activity', entityIds: [id] });
        return loadDetail(tx, orgId, updated);
      });
    },

    /**
     * Soft-deletes the activity and its subtasks: they leave lists and details (404), their events are
     * cancelled and leave counts; the rows stay for audit.
     * @throws NotFoundError.
     */
    deleteActivity(ctx: RequestContext, patientId: number, id: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await requireActivity(tx, ctx, patientId, id, true, true);
        const ids = [id, ...(await store.descendantIds(tx, orgId, id))];
        const deleted = await store.softDelete(tx, orgId, ids, clock());
        for (const a of deleted) await events.syncEventForActivity(tx, a);
        // `deleted` holds only rows this call took from live to deleted, so the count drops by exactly those.
        await patients.applyActivityStats(tx, patientId, { countDelta: -deleted.length, recountLast: store.latestOccurredSql(patientId, clock()) });
        await recordAudit(tx, ctx, { action: 'delete', entityType: 'activity', entityIds: ids });
      });
    },

    /**
     * Adds a comment by the caller. @returns the comment `{id, body, user_id, user_name, created_at}`.
     * @throws NotFoundError; ValidationError `Body can't be blank`.
     */
    addComment(ctx: RequestContext<UserActor>, patientId: number, id: number, body: string) {
      if (body.trim() === '') throw new ValidationError(["Body can't be blank"]);
      return db.transaction(async (tx) => {
        await requireActivity(tx, ctx, patientId, id);
        const c = await store.insertComment(tx, { organizationId: ctx.actor.organizationId, activityId: id, userId: ctx.actor.userId, body });
        await store.updateActivity(tx, id, {});
        await recordAudit(tx, ctx, { action: 'update', entityType: 'activity', entityIds: [id] });
        return { id: c.id, body: c.body, user_id: c.userId, user_name: ctx.actor.name, created_at: c.createdAt.toISOString() };
      });
    },

    /**
     * Creates the `sms` or `call` activity of a communication record (Communications API, Twilio webhooks)
     * with its event, in the caller's transaction. `performedById` null means the system (inbound).
     */
    async recordCommunicationActivity(
      tx: Executor,
      a: {
        organizationId: number;
        patientId: number;
        type: 'sms' | 'call';
        performedById: number | null;
        assignedToId: number;
        body?: string | null;
        subject?: string | null;
        textMessageId?: number;
        voiceCallId?: number;
        occurredAt?: Date;
        status?: string;
      },
    ): Promise<store.ActivityRow> {
      const records: CommunicationRecords = {
        textMessage: a.textMessageId ? await findTextMessage(tx, a.organizationId, a.textMessageId) : null,
        voiceCall: a.voiceCallId ? await findVoiceCall(tx, a.organizationId, a.voiceCallId) : null,
      };
      const { activity } = await insertActivity(tx, {
        organizationId: a.organizationId,
        patientId: a.patientId,
        activityType: a.type,
        status: a.status ?? 'created',
        body: a.body ?? null,
        subject: a.subject ?? null,
        performedById: a.performedById,
        assignedToId: a.assignedToId,
        textMessageId: a.textMessageId ?? null,
        voiceCallId: a.voiceCallId ?? null,
        occurredAt: a.occurredAt ?? clock(),
      }, records);
      return activity!;
    },

    /**
     * Re-derives the events of the activities that reference a text message or voice call whose status
     * changed (Communications API), in the caller's transaction, applying `changes` to them first.
     * `records`: the changed text message or voice call as the caller now has it (else read again).
     */
    async syncActivitiesOfRecord(
      tx: Executor,
      organizationId: number,
      ref: { voiceCallId?: number; textMessageId?: number },
      changes: Partial<store.NewActivity> = {},
      records: CommunicationRecords = {},
    ) {
      const linked = Object.keys(changes).length
        ? await store.updateActivitiesOfRecord(tx, organizationId, ref, changes)
        : await store.activitiesOfRecord(tx, organizationId, ref);
      for (const a of linked) await syncEvent(tx, a, records);
    },

    /**
     * The email job: fetches the attachments, sends the mail, records the result on the activity and its event.
     * Already sent or deleted: nothing to do. On failure records the error, marks `failed` after the last
     * retry, and rethrows so pg-boss retries with backoff.
     */
    async deliverActivityEmail(organizationId: number, activityId: number, meta: JobMeta): Promise<void> {
      const activity = await db.transaction((tx) => store.lockActivity(tx, organizationId, activityId));
      if (!activity || activity.deletedAt || activity.emailStatus === 'sent' || activity.activityType !== 'email') return;
      try {
        const attachments = [];
        for (const url of activity.emailAttachments) {
          attachments.push(
            await fetchAllowedFile(url, { allowedHosts: mail.attachmentHosts, maxBytes: mail.attachmentMaxBytes, timeoutMs: mail.fetchTimeoutMs }),
          );
        }
        await mailer.send({
          organizationId,
          activityId,
          to: activity.emailTo!,
          subject: activity.subject ?? 'A message from your care team',
          text: activity.body ?? '',
          attachments,
        });
        await db.transaction(async (tx) => {
          const now = clock();
          const updated = await store.updateActivity(tx, activityId, {
            emailStatus: 'sent',
            emailSentAt: now,
            emailError: null,
            emailAttempts: activity.emailAttempts + 1,
            status: activity.status === 'created' ? 'complete' : activity.status,
          });
          await syncEvent(tx, updated);
        });
      } catch (err) {
        const final = meta.retryCount >= meta.retryLimit;
        await db.transaction(async (tx) => {
          const updated = await store.updateActivity(tx, activityId, {
            emailStatus: final ? 'failed' : 'queued',
            emailError: (err as Error).message.slice(0, 500),
            emailAttempts: activity.emailAttempts + 1,
          });
          await syncEvent(tx, updated);
        });
        throw err;
      }
    },
  };
  return service;
}

export type ActivityService = ReturnType<typeof createActivityService>;
