/**
 * What the activity use cases share: the dependencies (with the clock defaulted), the email retry setting, the wire
 * shapes, the statements that insert an activity with its event and the member's stats, and the steps several use
 * cases take (link checks, event sync, detail, the member's activity, the list).
 */import type { Db, Executor } from '../../db/pool.ts';
import { auditInsertPlaceholderSql, auditValues, recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { Jobs } from '../../platform/jobs.ts';
import type { Mailer } from '../../platform/mail.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { isoOf, isoOrNull as iso } from '../../platform/time.ts';
import type { CommunicationRecords, EventService } from '../events/service.ts';
import { type PatientService } from '../patients/service.ts';
import { hasBlockingCycle } from './rules.ts';
import type { ActivityDetailWire, ActivityInputWire, ActivityListItemWire, ActivityType } from './schemas.ts';
import * as store from './store.ts';

export const ACTIVITY_NOT_FOUND = 'Activity not found';

/** How email activities are sent (the `MAIL_*` and `SMTP_TIMEOUT_MS` settings). */
export interface ActivityMailSettings {
  /** Hosts an attachment URL may name (`MAIL_ATTACHMENT_HOSTS`); empty: any host the outbound guard lets through. */
  attachmentHosts: string[];
  /** The outbound guard may reach loopback and private addresses (`OUTBOUND_ALLOW_PRIVATE_URLS`). */
  allowPrivateUrls: boolean;
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
  /** The text-message and voice-call records an activity links (`createCommunicationRecordReader` of communications). */
  communications: CommunicationRecordReader;
  clock?: () => Date;
}

/** The communications reads the activities service needs, in the caller's transaction; undefined for an unknown id. */
export interface CommunicationRecordReader {
  textMessage(tx: Executor, organizationId: number, id: number): Promise<CommunicationRecords['textMessage'] | undefined>;
  voiceCall(tx: Executor, organizationId: number, id: number): Promise<CommunicationRecords['voiceCall'] | undefined>;
}


export function listItem(r: store.ActivityListRow): ActivityListItemWire {
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
    meeting_kind: r.meeting_kind as ActivityListItemWire['meeting_kind'],
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
export function listRowOf(
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
    meeting_kind: a.meetingKind,
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
export function detailFields(a: store.ActivityRow) {
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
export function columnsOf(input: ActivityInputWire) {
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
    meetingKind: input.meeting_kind,
    outcome: input.outcome,
    transcript: text(input.transcript),
  };
}

/** The dependencies and shared steps the use cases receive, built once by `createActivityService`. */
export function createActivityContext(deps: ActivityServiceDeps) {
  const { db, mail, jobs, mailer, patients, events, communications, clock = () => new Date() } = deps;
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
    if (typeof set.assignedToId === 'number') {
      const ok = assigneeActive ?? (await store.activeUsersIn(tx, orgId, [set.assignedToId])).has(set.assignedToId);
      if (!ok) errors.push('Assigned to must be an active user of the clinic');
    }
    if (set.textMessageId) {
      const m = await communications.textMessage(tx, orgId, set.textMessageId);
      if (!m || m.patientId !== patientId) errors.push('Text message must be a text message of the same patient');
      records.textMessage = m;
    }
    if (set.voiceCallId) {
      const c = await communications.voiceCall(tx, orgId, set.voiceCallId);
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
    const textMessage = records.textMessage ?? (activity.textMessageId ? await communications.textMessage(tx, activity.organizationId, activity.textMessageId) : null);
    const voiceCall = records.voiceCall ?? (activity.voiceCallId ? await communications.voiceCall(tx, activity.organizationId, activity.voiceCallId) : null);
    await events.syncEventForActivity(tx, activity, { textMessage, voiceCall });
  }

  // The insert of an activity with its event and the member's stats, built once here from the events feature's SQL and this store's: for the
  // API's creates with the member and assignee check and the audit row; for communications (checked and audited by
  // their callers) without.
  const insertChecked = store.insertActivityStatement('activities_insert_checked', {
    event: events.eventInsertSql,
    stats: store.activityAddedPlaceholderSql,
    audit: (ids, when) => auditInsertPlaceholderSql({ entityType: 'activity', entityIds: ids, when }),
  }, true);
  const insertUnchecked = store.insertActivityStatement('activities_insert', { event: events.eventInsertSql, stats: store.activityAddedPlaceholderSql }, false);

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
      ...store.activityAddedValues(values.patientId, occurredSoFar(values.occurredAt)),
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

  return {
    db, mail, jobs, mailer, patients, events, communications, clock, emailRetry, relationErrors, occurredSoFar, syncEvent, insertChecked, insertUnchecked, insertActivity, loadDetail, requireActivity, list,
  };
}

/** See `createActivityContext`. */
export type ActivityContext = ReturnType<typeof createActivityContext>;
