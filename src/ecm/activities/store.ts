/**
 * SQL of ECM activities and their comments, and of the member activity stats this feature keeps. Soft-deleted activities
 * (`deleted_at`) are invisible to every read here.
 */
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import { rowColumnsSql, rowOf } from '../../db/rows.ts';
import { activities, activityComments, users } from '../../db/schema.ts';
import type { PageRequest } from '../../platform/pagination.ts';

export type ActivityRow = typeof activities.$inferSelect;
export type NewActivity = typeof activities.$inferInsert;

export async function insertActivity(db: Executor, values: NewActivity): Promise<ActivityRow> {
  const [row] = await db.insert(activities).values(values).returning();
  return row;
}

export async function updateActivity(db: Executor, id: number, values: Partial<NewActivity>): Promise<ActivityRow> {
  const [row] = await db.update(activities).set({ ...values, updatedAt: new Date() }).where(eq(activities.id, id)).returning();
  return row;
}

/** A live activity of one member, optionally locked for update. */
export async function findActivity(db: Executor, organizationId: number, patientId: number, id: number, forUpdate = false) {
  const q = db
    .select()
    .from(activities)
    .where(and(eq(activities.organizationId, organizationId), eq(activities.patientId, patientId), eq(activities.id, id), isNull(activities.deletedAt)));
  const [row] = await (forUpdate ? q.for('update') : q);
  return row as ActivityRow | undefined;
}

/** A live activity of the organization by id alone (jobs), locked for update. */
export async function lockActivity(db: Executor, organizationId: number, id: number) {
  const [row] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.organizationId, organizationId), eq(activities.id, id)))
    .for('update');
  return row as ActivityRow | undefined;
}

/** The live activities that reference `voiceCallId` or `textMessageId` (communications status updates). */
export async function activitiesOfRecord(db: Executor, organizationId: number, ref: { voiceCallId?: number; textMessageId?: number }) {
  const cond = ref.voiceCallId !== undefined ? eq(activities.voiceCallId, ref.voiceCallId) : eq(activities.textMessageId, ref.textMessageId!);
  return db.select().from(activities).where(and(eq(activities.organizationId, organizationId), cond, isNull(activities.deletedAt))).for('update');
}

/** Applies `values` to the live activities that reference `voiceCallId` or `textMessageId`; returns them as changed. */
export async function updateActivitiesOfRecord(db: Executor, organizationId: number, ref: { voiceCallId?: number; textMessageId?: number }, values: Partial<NewActivity>) {
  const cond = ref.voiceCallId !== undefined ? eq(activities.voiceCallId, ref.voiceCallId) : eq(activities.textMessageId, ref.textMessageId!);
  return db.update(activities).set({ ...values, updatedAt: new Date() }).where(and(eq(activities.organizationId, organizationId), cond, isNull(activities.deletedAt))).returning();
}

/**
 * Completes the member's open activities of inbound SMS (type `sms`, performed by the system: `performed_by_id`
 * null, status `created`), returning them changed.
 */
export async function completeOpenInboundSms(db: Executor, organizationId: number, patientId: number) {
  return db.update(activities).set({ status: 'complete', updatedAt: new Date() }).where(and(
    eq(activities.organizationId, organizationId), eq(activities.patientId, patientId), eq(activities.activityType, 'sms'),
    isNull(activities.performedById), eq(activities.status, 'created'), isNull(activities.deletedAt),
  )).returning();
}

/** The blocking links of a member's live activities (for cycle checks). */
export async function blockNodes(db: Executor, organizationId: number, patientId: number) {
  return db
    .select({ id: activities.id, blockedById: activities.blockedById, blockingId: activities.blockingId })
    .from(activities)
    .where(and(eq(activities.organizationId, organizationId), eq(activities.patientId, patientId), isNull(activities.deletedAt)));
}

/** Which of `ids` are live activities of the member, with their types. */
export async function activitiesIn(db: Executor, organizationId: number, patientId: number, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: activities.id, activityType: activities.activityType })
    .from(activities)
    .where(and(eq(activities.organizationId, organizationId), eq(activities.patientId, patientId), inArray(activities.id, ids), isNull(activities.deletedAt)));
}

/** Soft-deletes `ids` and unlinks every live activity that blocked or was blocked by them. */
export async function softDelete(db: Executor, organizationId: number, ids: number[], now: Date): Promise<ActivityRow[]> {
  const deleted = await db
    .update(activities)
    .set({ deletedAt: now, updatedAt: now })
    .where(and(eq(activities.organizationId, organizationId), inArray(activities.id, ids), isNull(activities.deletedAt)))
    .returning();
  await db.update(activities).set({ blockedById: null }).where(and(eq(activities.organizationId, organizationId), inArray(activities.blockedById, ids)));
  await db.update(activities).set({ blockingId: null }).where(and(eq(activities.organizationId, organizationId), inArray(activities.blockingId, ids)));
  return deleted;
}

/** Ids of the live subtasks of `parentId`, at every depth. */
export async function descendantIds(db: Executor, organizationId: number, parentId: number): Promise<number[]> {
  const { rows } = await db.execute<{ id: number }>(sql`
    WITH RECURSIVE d(id) AS (
      SELECT id FROM activities WHERE organization_id = ${organizationId} AND parent_id = ${parentId} AND deleted_at IS NULL
      UNION
      SELECT a.id FROM activities a JOIN d ON a.parent_id = d.id WHERE a.organization_id = ${organizationId} AND a.deleted_at IS NULL)
    SELECT id FROM d`);
  return rows.map((r) => r.id);
}

/**
 * The latest `occurred_at` of the member's live activities that is not after `now`, as a SQL expression (the
 * recount of `last_activity_at` after a delete or a change of an activity's time).
 */
export function latestOccurredSql(patientId: number, now: Date): SQL {
  return sql`(SELECT max(occurred_at) FROM activities WHERE patient_id = ${patientId} AND deleted_at IS NULL AND occurred_at <= ${now}::timestamptz)`;
}

/** The member's name and, if an active user of the organization, the assignee's name (placeholders `organization_id`, `patient_id`, `assignee_id`). */
function factsSql(): SQL {
  const org = sql`${sql.placeholder('organization_id')}::int`;
  return sql`SELECT p.first_name || ' ' || p.last_name AS patient_name,
      (SELECT name FROM users WHERE organization_id = ${org} AND id = ${sql.placeholder('assignee_id')}::int AND active) AS assignee_name
    FROM patients p WHERE p.organization_id = ${org} AND p.id = ${sql.placeholder('patient_id')}::int`;
}

const creationFactsStatement = preparedStatement<{ patient_name: string; assignee_name: string | null }>('activities_creation_facts', factsSql);

/**
 * What creating an activity checks first, in one statement: the member's display name (undefined: no such member
 * in the organization) and, when `assigneeId` is given, the assignee's name if an active user of the organization.
 */
export async function creationFacts(db: Executor, organizationId: number, patientId: number, assigneeId: number | undefined) {
  const [r] = await creationFactsStatement(db, { organization_id: organizationId, patient_id: patientId, assignee_id: assigneeId ?? null });
  return r ? { patientName: r.patient_name, assigneeName: r.assignee_name } : undefined;
}

/** The activity row's columns from the `a` CTE, named and typed as Drizzle's `ActivityRow` (built once). */
const ACTIVITY_SELECT = rowColumnsSql(activities, 'a');

/** The columns a new activity can set (the rest take their defaults), with their types. */
const INSERT_COLUMNS = [
  ['organizationId', 'int'], ['patientId', 'int'], ['activityType', 'text'], ['status', 'text'], ['message', 'text'], ['subject', 'text'],
  ['body', 'text'], ['occurredAt', 'timestamptz'], ['bookedAt', 'timestamptz'], ['dueAt', 'timestamptz'], ['duration', 'int'],
  ['modality', 'text'], ['outcome', 'text'], ['emailTo', 'text'], ['emailAttachments', 'text[]'], ['emailStatus', 'text'],
  ['transcript', 'text'], ['performedById', 'int'], ['assignedToId', 'int'], ['parentId', 'int'], ['blockedById', 'int'],
  ['blockingId', 'int'], ['voiceCallId', 'int'], ['textMessageId', 'int'], ['meetingKind', 'text'],
] as const satisfies ReadonlyArray<readonly [keyof NewActivity, string]>;

const INSERTABLE = new Set<string>(INSERT_COLUMNS.map(([key]) => key));

/** What rides in the statement that inserts an activity: SQL built once, with placeholders for their values. */
export interface InsertEffects {
  /** The activity's event given its id (`eventInsertSql`, returning its summary; nothing for a type that makes none or no activity). */
  event: (activityId: SQL) => SQL;
  /** The member's activity stats, applied only `when` the activity was inserted. */
  stats: (when: SQL) => SQL;
  /** The audit row, given the ids and `when` the activity was inserted (`auditInsertPlaceholderSql`); omitted: none (the caller audits). */
  audit?: (activityIds: SQL, when: SQL) => SQL;
}

/** The summary columns of the event inserted with an activity. */
export interface InsertedEvent {
  id: number;
  event_type: string;
  occurred_at: string;
  status: string;
  prtf_category: string | null;
}

/** What an insert statement answered: the activity (none when `checked` refused it) and its event, and the checked facts. */
export interface InsertedActivity {
  activity: ActivityRow | undefined;
  event: InsertedEvent | null;
  /** `checked` statements: the member's name (undefined: no such member) and the assignee's if active in the organization. */
  facts?: { patientName: string; assigneeName: string | null };
}

/**
 * The statement that inserts an activity with its effects (event, member stats, audit row): one round trip instead of
 * four, built once as the named statement `name` (its effects' SQL must not change between calls), and the response is
 * built from what it returns instead of re-reading the activity. `email_attachments` null takes the default `{}`.
 * `checked`: the statement also checks the member (of the organization) and the assignee (an active user of it), and
 * inserts nothing unless both hold, answering the facts (`creationFacts`) either way.
 * @returns a function running it with the activity's values and the effects' placeholder values.
 */
export function insertActivityStatement(name: string, effects: InsertEffects, checked: boolean) {
  const run = preparedStatement<Record<string, unknown>>(name, () => {
    const id = sql`(SELECT id FROM a)`;
    const inserted = sql`EXISTS (SELECT 1 FROM a)`;
    const value = ([key, type]: (typeof INSERT_COLUMNS)[number]) =>
      key === 'emailAttachments' ? sql`coalesce(${sql.placeholder(key)}::text[], '{}')` : sql`${sql.placeholder(key)}::${sql.raw(type)}`;
    const values = sql.join(INSERT_COLUMNS.map(value), sql`, `);
    return sql`
      WITH ${checked ? sql`facts AS (${factsSql()}),` : sql``}
      a AS (
        INSERT INTO activities (${sql.raw(INSERT_COLUMNS.map(([key]) => `"${activities[key].name}"`).join(', '))})
        ${checked ? sql`SELECT ${values} FROM facts WHERE facts.assignee_name IS NOT NULL` : sql`VALUES (${values})`}
        RETURNING *),
      stats AS (${effects.stats(inserted)}),
      ev AS (${effects.event(id)})
      ${effects.audit ? sql`, audit AS (${effects.audit(sql`ARRAY[${id}::text]`, inserted)})` : sql``}
      SELECT ${checked ? sql`facts.patient_name AS "__patient_name", facts.assignee_name AS "__assignee_name",` : sql``}
        ${ACTIVITY_SELECT}, (SELECT row_to_json(ev) FROM ev) AS "__event"
      FROM ${checked ? sql`facts LEFT JOIN a ON true` : sql`a`}`;
  });
  return async (db: Executor, values: NewActivity, effectValues: Record<string, unknown>): Promise<InsertedActivity> => {
    const params: Record<string, unknown> = { ...effectValues };
    for (const [key] of INSERT_COLUMNS) params[key] = values[key] ?? null;
    for (const key of Object.keys(values)) {
      if (!INSERTABLE.has(key)) throw new Error(`insertActivityStatement: column ${key} is not inserted`);
    }
    if (checked) Object.assign(params, { organization_id: values.organizationId, patient_id: values.patientId, assignee_id: values.assignedToId });
    const [row] = await run(db, params);
    if (!row) return { activity: undefined, event: null };
    return {
      activity: row.id === null ? undefined : rowOf(activities, row),
      event: (row.__event ?? null) as InsertedEvent | null,
      facts: checked ? { patientName: row.__patient_name as string, assigneeName: row.__assignee_name as string | null } : undefined,
    };
  };
}

export interface ActivityListRow extends Record<string, unknown> {
  id: number;
  activity_type: string;
  status: string;
  message: string | null;
  subject: string | null;
  body: string | null;
  occurred_at: Date | string;
  booked_at: Date | string | null;
  due_at: Date | string | null;
  duration: number | null;
  modality: string | null;
  meeting_kind: string | null;
  outcome: string | null;
  email_status: string | null;
  patient_id: number;
  patient_name: string;
  performed_by_id: number | null;
  performed_by_name: string | null;
  assigned_to_id: number | null;
  assigned_to_name: string | null;
  parent_id: number | null;
  comments_count: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface ActivityFilters {
  patientId?: number;
  activityType?: string;
  assignedToId?: number;
  /** Only activities assigned to nobody (`assigned_to_id` null: inbound SMS without an outreach lead care manager). */
  unassigned?: boolean;
  status?: string;
  /** Only activities due before this instant (tasks with `due_at`). */
  dueBefore?: Date;
  /** A `YYYY-MM-DD` day: due before its start in the clinic's time zone. */
  dueBeforeDay?: string;
  ids?: number[];
}

const LIST_FROM = sql`FROM activities a
  JOIN patients p ON p.id = a.patient_id
  LEFT JOIN users pb ON pb.id = a.performed_by_id
  LEFT JOIN users at ON at.id = a.assigned_to_id`;
const LIST_COLUMNS = sql`a.id, a.activity_type, a.status, a.message, a.subject, a.body, a.occurred_at, a.booked_at, a.due_at,
  a.duration, a.modality, a.meeting_kind, a.outcome, a.email_status, a.patient_id, p.first_name || ' ' || p.last_name AS patient_name,
  a.performed_by_id, pb.name AS performed_by_name, a.assigned_to_id, at.name AS assigned_to_name, a.parent_id,
  (SELECT count(*)::int FROM activity_comments c WHERE c.activity_id = a.id) AS comments_count, a.created_at, a.updated_at`;

function whereOf(organizationId: number, f: ActivityFilters): SQL {
  const parts: SQL[] = [sql`a.organization_id = ${organizationId}`, sql`a.deleted_at IS NULL`];
  if (f.patientId !== undefined) parts.push(sql`a.patient_id = ${f.patientId}`);
  if (f.activityType) parts.push(sql`a.activity_type = ${f.activityType}`);
  if (f.assignedToId !== undefined) parts.push(sql`a.assigned_to_id = ${f.assignedToId}`);
  if (f.unassigned) parts.push(sql`a.assigned_to_id IS NULL`);
  if (f.status) parts.push(sql`a.status = ${f.status}`);
  if (f.dueBefore) parts.push(sql`a.due_at < ${f.dueBefore}`);
  if (f.dueBeforeDay) {
    parts.push(sql`a.due_at < (${f.dueBeforeDay}::date::timestamp AT TIME ZONE (SELECT time_zone FROM organizations WHERE id = ${organizationId}))`);
  }
  if (f.ids) parts.push(f.ids.length ? sql`a.id IN ${f.ids}` : sql`false`);
  return sql.join(parts, sql` AND `);
}

/** A page of activities, newest first (tasks with a due date filter: soonest due first). */
export async function listActivities(db: Executor, organizationId: number, f: ActivityFilters, page: PageRequest) {
  const where = whereOf(organizationId, f);
  const order = f.dueBefore || f.dueBeforeDay ? sql`a.due_at ASC, a.id ASC` : sql`a.created_at DESC, a.id DESC`;
  const rows = await db.execute<ActivityListRow>(sql`SELECT ${LIST_COLUMNS} ${LIST_FROM} WHERE ${where}
    ORDER BY ${order} LIMIT ${page.perPage} OFFSET ${page.offset}`);
  const count = await db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM activities a WHERE ${where}`);
  return { rows: rows.rows, totalCount: count.rows[0].count };
}

/** One activity in the list shape (names and comment count), or undefined. */
export async function findActivityListRow(db: Executor, organizationId: number, id: number) {
  const { rows } = await db.execute<ActivityListRow>(sql`SELECT ${LIST_COLUMNS} ${LIST_FROM} WHERE ${whereOf(organizationId, { ids: [id] })}`);
  return rows[0];
}

export async function commentsOf(db: Executor, activityId: number) {
  return db
    .select({ id: activityComments.id, body: activityComments.body, user_id: activityComments.userId, user_name: users.name, created_at: activityComments.createdAt })
    .from(activityComments)
    .innerJoin(users, eq(users.id, activityComments.userId))
    .where(eq(activityComments.activityId, activityId))
    .orderBy(asc(activityComments.createdAt), asc(activityComments.id));
}

export async function subtasksOf(db: Executor, organizationId: number, parentId: number) {
  return db
    .select({
      id: activities.id,
      activity_type: activities.activityType,
      status: activities.status,
      message: activities.message,
      subject: activities.subject,
      assigned_to_id: activities.assignedToId,
      assigned_to_name: users.name,
    })
    .from(activities)
    .leftJoin(users, eq(users.id, activities.assignedToId))
    .where(and(eq(activities.organizationId, organizationId), eq(activities.parentId, parentId), isNull(activities.deletedAt)))
    .orderBy(asc(activities.id));
}

export async function insertComment(db: Executor, values: typeof activityComments.$inferInsert) {
  const [row] = await db.insert(activityComments).values(values).returning();
  return row;
}

/** Which of `ids` are active users of the organization. */
export async function activeUsersIn(db: Executor, organizationId: number, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), inArray(users.id, ids), eq(users.active, true)));
  return new Set(rows.map((r) => r.id));
}

// ---- The member's activity stats (`patients.activities_count`, `last_activity_at`), kept by this feature ----

/** How a change of a member's activities moves their denormalised `activities_count` and `last_activity_at`. */
export interface ActivityStatsChange {
  /** Live activities added (positive) or removed (negative). */
  countDelta: number;
  /** An activity that has occurred (not in the future) was added at this time: `last_activity_at` moves to it if later. */
  occurredAt?: Date | null;
  /** Recomputes `last_activity_at` with this expression instead (after a delete, or a change of an activity's time). */
  recountLast?: SQL;
}

/**
 * The UPDATE that applies `change` to member `id`'s activity stats, as SQL to run or to ride in a `WITH` clause of the
 * statement that changes the activities. Incremental (`activities_count + n`, `greatest(...)`): concurrent changes of
 * one member never lose each other's count, and nothing is rescanned.
 */
export function activityStatsSql(id: number, change: ActivityStatsChange): SQL {
  const last = change.recountLast
    ? sql`, last_activity_at = ${change.recountLast}`
    : change.occurredAt
      ? sql`, last_activity_at = greatest(last_activity_at, ${change.occurredAt}::timestamptz)`
      : sql``;
  return sql`UPDATE patients SET activities_count = activities_count + ${change.countDelta}::int${last} WHERE id = ${id}::int`;
}

/** The values of `activityAddedPlaceholderSql`'s placeholders: one activity added to member `patientId`. */
export function activityAddedValues(patientId: number, occurredAt: Date | null) {
  return { stats_patient_id: patientId, stats_occurred_at: occurredAt };
}

/**
 * `activityStatsSql` of one added activity for a statement built once, applied only `when` it holds (the activity was
 * inserted): the member and the time it occurred (null: in the future, `last_activity_at` stays) are placeholders
 * filled by `activityAddedValues`.
 */
export function activityAddedPlaceholderSql(when: SQL): SQL {
  return sql`UPDATE patients SET activities_count = activities_count + 1,
    last_activity_at = greatest(last_activity_at, ${sql.placeholder('stats_occurred_at')}::timestamptz)
    WHERE id = ${sql.placeholder('stats_patient_id')}::int AND ${when}`;
}

/** Runs `activityStatsSql` in `tx`. */
export async function applyActivityStats(tx: Executor, patientId: number, change: ActivityStatsChange): Promise<void> {
  await tx.execute(activityStatsSql(patientId, change));
}
