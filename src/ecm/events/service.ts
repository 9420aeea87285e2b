/**
 * ECM events (seed 002): generated from activities in the activity's own
 * transaction (`syncEventForActivity`), listed, shown and counted per member and
 * for the whole clinic. Each event carries the one PRTF category `prtfCategory`
 * gives it, recomputed whenever an input changes.
 */
import type { SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.ts';
import type { activities, textMessages, voiceCalls } from '../../db/schema.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { isoOf } from '../../platform/time.ts';
import type { PatientService } from '../patients/service.ts';
import { EVENT_TYPES, PRTF_COUNT_KEYS, prtfCategory, type EventType, type PrtfCategory } from './prtf.ts';
import type { ClinicCountsQueryWire, CountsWire, EventListQueryWire, EventWire } from './schemas.ts';
import * as store from './store.ts';

// The communications feature's record types, named from the schema (its service imports this one's callers).
type TextMessageRow = typeof textMessages.$inferSelect;
type VoiceCallRow = typeof voiceCalls.$inferSelect;

type ActivityRow = typeof activities.$inferSelect;

/** Which event an activity type generates (seed 002 "Automatic Event Generation"; `meeting` per ARCHITECTURE.md). */
export const EVENT_TYPE_OF_ACTIVITY: Record<string, EventType | null> = {
  task: 'task',
  note: null,
  sms: 'sms',
  call: 'call',
  email: 'email',
  in_person_appointment: 'appointment',
  meeting: 'meeting',
};

export interface CommunicationRecords {
  textMessage?: TextMessageRow | null;
  voiceCall?: VoiceCallRow | null;
}

/** Whole minutes of a call, rounding a started minute up; null for no duration. */
export function callMinutes(seconds: number | null | undefined): number | null {
  return seconds === null || seconds === undefined ? null : Math.ceil(seconds / 60);
}

function eventWire(r: store.EventListRow): EventWire {
  return {
    id: r.id,
    event_type: r.event_type as EventType,
    occurred_at: isoOf(r.occurred_at),
    subject: r.subject,
    body: r.body,
    duration: r.duration,
    status: r.status,
    prtf_category: r.prtf_category as PrtfCategory | null,
    patient_id: r.patient_id,
    patient_name: r.patient_name,
    activity_id: r.activity_id,
    created_at: isoOf(r.created_at),
    updated_at: isoOf(r.updated_at),
  };
}

/**
 * Validates a required inclusive day range.
 * @throws ValidationError `start_date and end_date are required` (seed 002), or an end before the start.
 */
function requiredRange(start?: string, end?: string): { start: string; end: string } {
  if (!start || !end) throw new ValidationError(['start_date and end_date are required']);
  if (end < start) throw new ValidationError(['end_date must be on or after start_date']);
  return { start, end };
}

function countsOf(rows: Array<{ event_type: string; prtf_category: string | null; n: number }>): CountsWire {
  const byType = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as CountsWire['by_type'];
  const prtf = { telehealth_encounters: 0, in_person_encounters: 0, telehealth_outreach: 0, in_person_outreach: 0 };
  let total = 0;
  for (const r of rows) {
    byType[r.event_type as EventType] += r.n;
    total += r.n;
    if (r.prtf_category) prtf[PRTF_COUNT_KEYS[r.prtf_category as PrtfCategory]] += r.n;
  }
  return { total, by_type: byType, prtf_categories: prtf };
}

/** The columns of an activity its event is derived from. */
export type EventSource = Pick<
  ActivityRow,
  'organizationId' | 'patientId' | 'activityType' | 'status' | 'modality' | 'outcome' | 'emailStatus' | 'bookedAt' | 'occurredAt' | 'subject' | 'body' | 'message' | 'duration'
>;

/**
 * The event an activity makes (without its activity id), or null for a type that makes none (`note`):
 * `occurred_at` is `booked_at` for appointments and meetings, else the activity's `occurred_at`; duration is the
 * activity's (minutes), else the call's; the PRTF category from `prtfCategory`.
 */
export function eventOfActivity(activity: EventSource, records: CommunicationRecords = {}): Omit<store.NewEvent, 'activityId'> | null {
  const eventType = EVENT_TYPE_OF_ACTIVITY[activity.activityType];
  if (!eventType) return null;
  const { textMessage, voiceCall } = records;
  const category = prtfCategory({
    eventType,
    status: activity.status,
    modality: activity.modality,
    outcome: activity.outcome,
    deliveryStatus: eventType === 'email' ? activity.emailStatus : textMessage?.status,
    direction: textMessage?.direction ?? voiceCall?.direction ?? null,
    callStatus: voiceCall?.status,
    memberReached: voiceCall?.memberReached,
  });
  const scheduled = eventType === 'appointment' || eventType === 'meeting';
  return {
    organizationId: activity.organizationId,
    patientId: activity.patientId,
    eventType,
    status: activity.status,
    occurredAt: scheduled && activity.bookedAt ? activity.bookedAt : activity.occurredAt,
    subject: activity.subject,
    body: activity.body ?? activity.message,
    duration: activity.duration ?? callMinutes(voiceCall?.durationSeconds),
    prtfCategory: category,
  };
}

/** The event summary shown in activity details. */
export interface EventSummary {
  id: number;
  event_type: string;
  occurred_at: string;
  status: string;
  prtf_category: string | null;
}

export function createEventService({ db, patients }: { db: Db; patients: PatientService }) {
  return {
    /**
     * Creates, updates (also retypes) or cancels the event of `activity` inside the caller's transaction
     * (`eventOfActivity`; a deleted activity's event is cancelled; notes make none, so the event of an activity
     * retyped to a note is cancelled).
     */
    async syncEventForActivity(tx: Executor, activity: ActivityRow, records: CommunicationRecords = {}): Promise<void> {
      if (!EVENT_TYPE_OF_ACTIVITY[activity.activityType] || activity.deletedAt) {
        // A note makes no event: one an activity retyped to a note had is cancelled (no-op when there is none).
        await store.cancelEventOfActivity(tx, activity.id);
        return;
      }
      await store.upsertEvent(tx, { ...eventOfActivity(activity, records)!, activityId: activity.id });
    },

    /**
     * The INSERT of the event of a new activity, for the statement built once that inserts the activity
     * (`activityId`: a SQL expression for its id); its values are placeholders filled by `eventInsertValues`. It
     * returns the summary columns (`EventSummary`, `occurred_at` as a timestamptz).
     */
    eventInsertSql: (activityId: SQL): SQL => store.insertEventPlaceholderSql(activityId),

    /** The values of `eventInsertSql`'s placeholders for a new activity (`eventOfActivity`; none for a note). */
    eventInsertValues: (activity: EventSource, records: CommunicationRecords = {}) => store.eventInsertValues(eventOfActivity(activity, records)),

    /** The event summary shown in activity details (`{id, event_type, occurred_at, status, prtf_category}`), or null. */
    async eventSummaryOfActivity(tx: Executor, activityId: number): Promise<EventSummary | null> {
      const e = await store.findEventOfActivity(tx, activityId);
      return e
        ? { id: e.id, event_type: e.eventType, occurred_at: e.occurredAt.toISOString(), status: e.status, prtf_category: e.prtfCategory }
        : null;
    },

    /** `GET .../patients/{patient_id}/events`: newest first, filtered by type and inclusive day range. */
    async listEvents(ctx: RequestContext, patientId: number, q: EventListQueryWire) {
      const page = pageRequest(q);
      if (q.start_date && q.end_date && q.end_date < q.start_date) throw new ValidationError(['end_date must be on or after start_date']);
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, ctx.actor.organizationId, patientId);
        const { rows, totalCount } = await store.listEvents(
          tx,
          ctx.actor.organizationId,
          patientId,
          { eventType: q.event_type, startDate: q.start_date, endDate: q.end_date },
          page,
        );
        await recordAudit(tx, ctx, { action: 'list', entityType: 'event', entityIds: rows.map((r) => r.id) });
        return { events: rows.map(eventWire), pagination: paginationOf(page, totalCount) };
      });
    },

    /**
     * `GET .../patients/{patient_id}/events/{id}` with its activity summary.
     * @throws NotFoundError `Patient not found`, `Event not found`.
     */
    async getEvent(ctx: RequestContext, patientId: number, id: number) {
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, ctx.actor.organizationId, patientId);
        const r = await store.findEvent(tx, ctx.actor.organizationId, patientId, id);
        if (!r) throw new NotFoundError('Event not found');
        await recordAudit(tx, ctx, { action: 'read', entityType: 'event', entityIds: [id] });
        return {
          ...eventWire(r),
          activity: {
            id: r.activity_id,
            activity_type: r.activity_type,
            status: r.activity_status,
            performed_by_id: r.performed_by_id,
            performed_by_name: r.performed_by_name,
            assigned_to_id: r.assigned_to_id,
            assigned_to_name: r.assigned_to_name,
          },
        };
      });
    },

    /**
     * `GET .../patients/{patient_id}/events/counts` (seed 002 "Event Counts").
     * @throws ValidationError `start_date and end_date are required`; NotFoundError `Patient not found`.
     */
    async patientCounts(ctx: RequestContext, patientId: number, startDate?: string, endDate?: string) {
      const range = requiredRange(startDate, endDate);
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, ctx.actor.organizationId, patientId);
        const rows = await store.countEvents(tx, ctx.actor.organizationId, range.start, range.end, { patientId });
        await recordAudit(tx, ctx, { action: 'read', entityType: 'event_counts', entityIds: [patientId] });
        return { patient_id: patientId, start_date: range.start, end_date: range.end, counts: countsOf(rows) };
      });
    },

    /** `GET /v1/clinic/ecm/events/counts`: the same counts over the clinic, optionally one case load's members. */
    async clinicCounts(ctx: RequestContext, q: ClinicCountsQueryWire) {
      const range = requiredRange(q.start_date, q.end_date);
      const rows = await store.countEvents(db, ctx.actor.organizationId, range.start, range.end, {
        providerId: q.provider_id,
        olcmUserId: q.olcm_user_id,
        ilcmUserId: q.ilcm_user_id,
      });
      return {
        start_date: range.start,
        end_date: range.end,
        filters: { provider_id: q.provider_id ?? null, olcm_user_id: q.olcm_user_id ?? null, ilcm_user_id: q.ilcm_user_id ?? null },
        counts: countsOf(rows),
      };
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;
