/**
 * SQL of ECM events. Day ranges are resolved in the clinic's own time zone
 * (`organizations.time_zone`), both ends inclusive.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecmEvents } from '../../db/schema.ts';
import type { PageRequest } from '../../platform/pagination.ts';

export type EventRow = typeof ecmEvents.$inferSelect;

export type NewEvent = typeof ecmEvents.$inferInsert;

/** The values of `insertEventPlaceholderSql`'s placeholders; `event_make` false: the activity makes no event. */
export interface EventInsertValues extends Record<string, unknown> {
  event_make: boolean;
  event_organization_id: number | null;
  event_patient_id: number | null;
  event_type: string | null;
  event_status: string | null;
  event_occurred_at: Date | null;
  event_subject: string | null;
  event_body: string | null;
  event_duration: number | null;
  event_prtf_category: string | null;
}

/** `values` (or no event) as `insertEventPlaceholderSql`'s placeholder values. */
export function eventInsertValues(values: Omit<NewEvent, 'activityId'> | null): EventInsertValues {
  return {
    event_make: values !== null,
    event_organization_id: values?.organizationId ?? null,
    event_patient_id: values?.patientId ?? null,
    event_type: values?.eventType ?? null,
    event_status: values?.status ?? null,
    event_occurred_at: values?.occurredAt ?? null,
    event_subject: values?.subject ?? null,
    event_body: values?.body ?? null,
    event_duration: values?.duration ?? null,
    event_prtf_category: values?.prtfCategory ?? null,
  };
}

/**
 * The INSERT of a new activity's event, to ride in the activity's own statement built once (`activityId`: an
 * expression over its CTEs); the values are placeholders (`eventInsertValues`), and nothing is inserted when
 * `event_make` is false or there is no activity (the statement refused it). Returns the summary columns `id, event_type, occurred_at, status, prtf_category`.
 */
export function insertEventPlaceholderSql(activityId: SQL): SQL {
  const p = (name: string & keyof EventInsertValues) => sql.placeholder(name);
  return sql`INSERT INTO ecm_events (organization_id, patient_id, activity_id, event_type, status, occurred_at, subject, body, duration, prtf_category)
    SELECT ${p('event_organization_id')}::int, ${p('event_patient_id')}::int, ${activityId}, ${p('event_type')}::text, ${p('event_status')}::text,
      ${p('event_occurred_at')}::timestamptz, ${p('event_subject')}::text, ${p('event_body')}::text, ${p('event_duration')}::int, ${p('event_prtf_category')}::text
    WHERE ${p('event_make')}::boolean AND ${activityId} IS NOT NULL
    RETURNING id, event_type, occurred_at, status, prtf_category`;
}

/** Creates or replaces the event of `values.activityId` (one event per activity). */
export async function upsertEvent(db: Executor, values: NewEvent): Promise<void> {
  await db
    .insert(ecmEvents)
    .values(values)
    .onConflictDoUpdate({
      target: ecmEvents.activityId,
      set: {
        eventType: values.eventType,
        status: values.status,
        occurredAt: values.occurredAt,
        subject: values.subject,
        body: values.body,
        duration: values.duration,
        prtfCategory: values.prtfCategory,
        updatedAt: new Date(),
      },
    });
}

export async function cancelEventOfActivity(db: Executor, activityId: number): Promise<void> {
  await db.update(ecmEvents).set({ status: 'cancelled', prtfCategory: null, updatedAt: new Date() }).where(eq(ecmEvents.activityId, activityId));
}

export async function findEventOfActivity(db: Executor, activityId: number): Promise<EventRow | undefined> {
  const [row] = await db.select().from(ecmEvents).where(eq(ecmEvents.activityId, activityId));
  return row;
}

/** `occurred_at` within [start day, end day] of the clinic's time zone; either end optional. */
function dayRange(organizationId: number, start?: string, end?: string): SQL[] {
  const tz = sql`(SELECT time_zone FROM organizations WHERE id = ${organizationId})`;
  const parts: SQL[] = [];
  if (start) parts.push(sql`e.occurred_at >= (${start}::date::timestamp AT TIME ZONE ${tz})`);
  if (end) parts.push(sql`e.occurred_at < ((${end}::date + 1)::timestamp AT TIME ZONE ${tz})`);
  return parts;
}

export interface EventListRow extends Record<string, unknown> {
  id: number;
  event_type: string;
  occurred_at: Date | string;
  subject: string | null;
  body: string | null;
  duration: number | null;
  status: string;
  prtf_category: string | null;
  patient_id: number;
  patient_name: string;
  activity_id: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const EVENT_COLUMNS = sql`e.id, e.event_type, e.occurred_at, e.subject, e.body, e.duration, e.status, e.prtf_category,
  e.patient_id, p.first_name || ' ' || p.last_name AS patient_name, e.activity_id, e.created_at, e.updated_at`;
const EVENT_FROM = sql`FROM ecm_events e
  JOIN patients p ON p.id = e.patient_id
  JOIN activities a ON a.id = e.activity_id AND a.deleted_at IS NULL`;

/** A page of one member's events, newest first. */
export async function listEvents(
  db: Executor,
  organizationId: number,
  patientId: number,
  f: { eventType?: string; startDate?: string; endDate?: string },
  page: PageRequest,
) {
  const where = sql.join(
    [
      sql`e.organization_id = ${organizationId}`,
      sql`e.patient_id = ${patientId}`,
      ...(f.eventType ? [sql`e.event_type = ${f.eventType}`] : []),
      ...dayRange(organizationId, f.startDate, f.endDate),
    ],
    sql` AND `,
  );
  const rows = await db.execute<EventListRow>(sql`SELECT ${EVENT_COLUMNS} ${EVENT_FROM} WHERE ${where}
    ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${page.perPage} OFFSET ${page.offset}`);
  const count = await db.execute<{ count: number }>(sql`SELECT count(*)::int AS count ${EVENT_FROM} WHERE ${where}`);
  return { rows: rows.rows, totalCount: count.rows[0].count };
}

/** One event of a member, with its activity's people. */
export async function findEvent(db: Executor, organizationId: number, patientId: number, id: number) {
  const { rows } = await db.execute<
    EventListRow & {
      activity_type: string;
      activity_status: string;
      performed_by_id: number | null;
      performed_by_name: string | null;
      assigned_to_id: number | null;
      assigned_to_name: string | null;
    }
  >(sql`SELECT ${EVENT_COLUMNS}, a.activity_type, a.status AS activity_status, a.performed_by_id, pb.name AS performed_by_name,
      a.assigned_to_id, at.name AS assigned_to_name
    ${EVENT_FROM}
    LEFT JOIN users pb ON pb.id = a.performed_by_id
    LEFT JOIN users at ON at.id = a.assigned_to_id
    WHERE e.organization_id = ${organizationId} AND e.patient_id = ${patientId} AND e.id = ${id}`);
  return rows[0];
}

/**
 * Counts by (event_type, prtf_category) of the non-cancelled events that occurred in the day range and not after now.
 * @param scope a member, or case-load filters over the whole clinic.
 */
export async function countEvents(
  db: Executor,
  organizationId: number,
  startDate: string,
  endDate: string,
  scope: { patientId?: number; providerId?: number; olcmUserId?: number; ilcmUserId?: number },
) {
  const parts: SQL[] = [
    sql`e.organization_id = ${organizationId}`,
    sql`e.status <> 'cancelled'`,
    sql`e.occurred_at <= now()`,
    ...dayRange(organizationId, startDate, endDate),
  ];
  if (scope.patientId !== undefined) parts.push(sql`e.patient_id = ${scope.patientId}`);
  const cl: SQL[] = [];
  if (scope.providerId !== undefined) cl.push(sql`c.provider_id = ${scope.providerId}`);
  if (scope.olcmUserId !== undefined) cl.push(sql`c.olcm_user_id = ${scope.olcmUserId}`);
  if (scope.ilcmUserId !== undefined) cl.push(sql`c.ilcm_user_id = ${scope.ilcmUserId}`);
  if (cl.length) {
    parts.push(sql`e.patient_id IN (SELECT c.patient_id FROM case_loads c WHERE c.organization_id = ${organizationId} AND ${sql.join(cl, sql` AND `)})`);
  }
  const { rows } = await db.execute<{ event_type: string; prtf_category: string | null; n: number }>(sql`
    SELECT e.event_type, e.prtf_category, count(*)::int AS n FROM ecm_events e
    WHERE ${sql.join(parts, sql` AND `)}
    GROUP BY e.event_type, e.prtf_category`);
  return rows;
}

