/**
 * ECM activities (seed 003): everything a care team does with or for a member.
 *
 * One transaction per change writes the activity, its event (events service),
 * the member's activity stats, the audit row and, for email, the delivery job
 * (pg-boss, enqueued in the same transaction). Email is sent by
 * `deliverActivityEmail` from that job, with retries; a failed delivery never
 * loses the activity (`email_status` says what happened).
 */
import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext, UserActor } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { JobMeta, Jobs } from '../../platform/jobs.ts';
import type { Mailer } from '../../platform/mail.ts';
import { fetchAllowedFile } from '../../platform/outbound.ts';
import { runIdempotent } from '../../platform/idempotency.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { isoOf, isoOrNull as iso } from '../../platform/time.ts';
import { findTextMessage, findVoiceCall } from '../communications/records.ts';
import type { EventService } from '../events/service.ts';
import type { PatientService } from '../patients/service.ts';
import { ACTIVITY_EMAIL_QUEUE } from './jobs.ts';
import { activityErrors, hasBlockingCycle, type ActivityDraft } from './rules.ts';
import type { ActivityDetailWire, ActivityInputWire, ActivityListItemWire, ActivityType, ClinicActivityQueryWire } from './schemas.ts';
import * as store from './store.ts';

export const ACTIVITY_NOT_FOUND = 'Activity not found';

export interface ActivityServiceDeps {
  db: Db;
  config: Pick<Config, 'mailAttachmentHosts' | 'mailAttachmentMaxBytes' | 'mailRetryLimit' | 'mailRetryDelaySeconds' | 'smtpTimeoutMs'>;
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

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createActivityService(deps: ActivityServiceDeps) {
  const { db, config, jobs, mailer, patients, events, clock = () => new Date() } = deps;
  const emailRetry = { limit: config.mailRetryLimit, delaySeconds: config.mailRetryDelaySeconds, backoff: true };

  /**
   * Checks what needs the database, for the links a request sets: assignee, text message, voice call,
   * parent; and, when `blocking` is given (the activity's links after the change), that the blocking
   * links name activities of the member and make no cycle. Returns messages.
   */
  async function relationErrors(
    tx: Executor,
    orgId: number,
    patientId: number,
    id: number | null,
    set: Partial<Pick<store.NewActivity, 'assignedToId' | 'textMessageId' | 'voiceCallId' | 'parentId'>>,
    blocking?: { blockedById: number | null; blockingId: number | null },
  ) {
    const errors: string[] = [];
    if (set.assignedToId) {
      const ok = await store.activeUsersIn(tx, orgId, [set.assignedToId]);
      if (!ok.has(set.assignedToId)) errors.push('Assigned to must be an active user of the clinic');
    }
    if (set.textMessageId) {
      const m = await findTextMessage(tx, orgId, set.textMessageId);
      if (!m || m.patientId !== patientId) errors.push('Text message must be a text message of the same patient');
    }
    if (set.voiceCallId) {
      const c = await findVoiceCall(tx, orgId, set.voiceCallId);
      if (!c || c.patientId !== patientId) errors.push('Voice call must be a voice call of the same patient');
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
    return errors;
  }

  /** Re-derives the event and the member's stats after a change of `activity`. */
  async function afterChange(tx: Executor, activity: store.ActivityRow) {
    const textMessage = activity.textMessageId ? await findTextMessage(tx, activity.organizationId, activity.textMessageId) : null;
    const voiceCall = activity.voiceCallId ? await findVoiceCall(tx, activity.organizationId, activity.voiceCallId) : null;
    await events.syncEventForActivity(tx, activity, { textMessage, voiceCall });
    const stats = await store.patientStats(tx, activity.patientId);
    await patients.setActivityStats(tx, activity.patientId, stats.count, stats.lastAt);
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
      email_to: activity.emailTo,
      email_attachments: activity.emailAttachments,
      email_error: activity.emailError,
      email_sent_at: iso(activity.emailSentAt),
      transcript: activity.transcript,
      blocked_by_id: activity.blockedById,
      blocking_id: activity.blockingId,
      voice_call_id: activity.voiceCallId,
      text_message_id: activity.textMessageId,
      comments: comments.map((c) => ({ ...c, created_at: c.created_at.toISOString() })),
      subtasks: subtasks.map((s) => ({
        ...s,
        activity_type: s.activity_type as ActivityType,
        status: s.status as ActivityDetailWire['status'],
      })),
      event,
    };
  }

  async function requireActivity(tx: Executor, ctx: RequestContext, patientId: number, id: number, forUpdate = false) {
    await patients.requirePatient(tx, ctx.actor.organizationId, patientId);
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
        await patients.requirePatient(tx, orgId, patientId);
        const cols = columnsOf(input);
        const draft = { ...defined(cols), activityType: cols.activityType } as store.NewActivity;
        const errors = activityErrors(draft as ActivityDraft, config.mailAttachmentHosts);
        errors.push(
          ...(await relationErrors(tx, orgId, patientId, null, draft, {
            blockedById: draft.blockedById ?? null,
            blockingId: draft.blockingId ?? null,
          })),
        );
        if (errors.length) throw new ValidationError([...new Set(errors)]);
        const isEmail = draft.activityType === 'email';
        const activity = await store.insertActivity(tx, {
          ...draft,
          organizationId: orgId,
          patientId,
          activityType: draft.activityType,
          assignedToId: draft.assignedToId!,
          performedById: ctx.actor.userId,
          occurredAt: draft.occurredAt ?? clock(),
          modality: draft.modality ?? (draft.activityType === 'in_person_appointment' || draft.activityType === 'meeting' ? 'in_person' : null),
          emailStatus: isEmail ? 'queued' : null,
        });
        await afterChange(tx, activity);
        if (isEmail) await jobs.send(tx, { name: ACTIVITY_EMAIL_QUEUE, retry: emailRetry }, { organizationId: orgId, activityId: activity.id });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'activity', entityIds: [activity.id] });
        return loadDetail(tx, orgId, activity);
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
      return db.transaction(async (tx) => {
        const current = await requireActivity(tx, ctx, patientId, id, true);
        const changes = defined(columnsOf(input));
        const errors: string[] = [];
        if (changes.activityType && changes.activityType !== current.activityType) errors.push("Activity type can't be changed");
        const merged = { ...current, ...changes, activityType: current.activityType } as store.ActivityRow;
        errors.push(...activityErrors(merged as ActivityDraft, config.mailAttachmentHosts));
        const linksChange = 'blockedById' in changes || 'blockingId' in changes;
        errors.push(
          ...(await relationErrors(
            tx,
            orgId,
            patientId,
            id,
            changes,
            linksChange ? { blockedById: merged.blockedById, blockingId: merged.blockingId } : undefined,
          )),
        );
        if (errors.length) throw new ValidationError([...new Set(errors)]);
        delete changes.activityType;
        const updated = Object.keys(changes).length ? await store.updateActivity(tx, id, changes) : current;
        await afterChange(tx, updated);
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
        await requireActivity(tx, ctx, patientId, id, true);
        const ids = [id, ...(await store.descendantIds(tx, orgId, id))];
        const deleted = await store.softDelete(tx, orgId, ids, clock());
        for (const a of deleted) await events.syncEventForActivity(tx, a);
        const stats = await store.patientStats(tx, patientId);
        await patients.setActivityStats(tx, patientId, stats.count, stats.lastAt);
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
      const activity = await store.insertActivity(tx, {
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
      });
      await afterChange(tx, activity);
      return activity;
    },

    /**
     * Re-derives the events of the activities that reference a text message or voice call whose status
     * changed (Communications API), in the caller's transaction.
     */
    async syncActivitiesOfRecord(tx: Executor, organizationId: number, ref: { voiceCallId?: number; textMessageId?: number }, changes: Partial<store.NewActivity> = {}) {
      for (const a of await store.activitiesOfRecord(tx, organizationId, ref)) {
        const updated = Object.keys(changes).length ? await store.updateActivity(tx, a.id, changes) : a;
        await afterChange(tx, updated);
      }
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
            await fetchAllowedFile(url, { allowedHosts: config.mailAttachmentHosts, maxBytes: config.mailAttachmentMaxBytes, timeoutMs: config.smtpTimeoutMs }),
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
          await afterChange(tx, updated);
        });
      } catch (err) {
        const final = meta.retryCount >= meta.retryLimit;
        await db.transaction(async (tx) => {
          const updated = await store.updateActivity(tx, activityId, {
            emailStatus: final ? 'failed' : 'queued',
            emailError: (err as Error).message.slice(0, 500),
            emailAttempts: activity.emailAttempts + 1,
          });
          await afterChange(tx, updated);
        });
        throw err;
      }
    },
  };
  return service;
}

export type ActivityService = ReturnType<typeof createActivityService>;
