/**
 * Wire schemas of the ECM Events API (seed 002_df8a08069c370f5b.txt).
 */
import { Type, type Static } from 'typebox';
import { DateText, Nullable } from '../../platform/schema.ts';
import { PageQuery, Pagination } from '../../platform/pagination.ts';
import { EVENT_TYPES, PRTF_CATEGORIES } from './prtf.ts';

const Timestamp = Type.String({ format: 'date-time', description: 'UTC, ISO 8601 with milliseconds.' });

const EventFields = {
  id: Type.Integer(),
  event_type: Type.Enum(EVENT_TYPES, { description: 'sms, call, task, email, appointment or meeting.' }),
  occurred_at: Timestamp,
  subject: Nullable(Type.String()),
  body: Nullable(Type.String()),
  duration: Nullable(Type.Integer({ description: 'Minutes.' })),
  status: Type.String({ description: 'created, complete or cancelled (follows the activity).' }),
  prtf_category: Nullable(Type.Enum(PRTF_CATEGORIES, { description: 'The one PRTF category this event counts in, or null.' })),
  patient_id: Type.Integer(),
  patient_name: Type.String(),
  activity_id: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const Event = Type.Object(EventFields);
export type EventWire = Static<typeof Event>;

export const EventDetail = Type.Object({
  ...EventFields,
  activity: Type.Object({
    id: Type.Integer(),
    activity_type: Type.String(),
    status: Type.String(),
    performed_by_id: Nullable(Type.Integer()),
    performed_by_name: Nullable(Type.String()),
    assigned_to_id: Nullable(Type.Integer({ description: 'Null: assigned to nobody yet (an inbound SMS from a member without an outreach lead care manager).' })),
    assigned_to_name: Nullable(Type.String()),
  }),
});

export const EventList = Type.Object({ events: Type.Array(Event), pagination: Pagination });
export const EventEnvelope = Type.Object({ event: EventDetail });

const DateParam = (d: string) => DateText({ description: `${d} (YYYY-MM-DD), inclusive, in the clinic's time zone.` });

export const EventListQuery = Type.Object({
  ...PageQuery,
  event_type: Type.Optional(Type.Enum(EVENT_TYPES)),
  start_date: Type.Optional(DateParam('Events on or after this day')),
  end_date: Type.Optional(DateParam('Events on or before this day')),
});
export type EventListQueryWire = Static<typeof EventListQuery>;

export const CountsQuery = Type.Object({
  start_date: Type.Optional(DateParam('First day (required)')),
  end_date: Type.Optional(DateParam('Last day (required)')),
});

export const ClinicCountsQuery = Type.Object({
  ...CountsQuery.properties,
  provider_id: Type.Optional(Type.Integer({ description: "Only members whose case load names this provider." })),
  olcm_user_id: Type.Optional(Type.Integer()),
  ilcm_user_id: Type.Optional(Type.Integer()),
});
export type ClinicCountsQueryWire = Static<typeof ClinicCountsQuery>;

export const Counts = Type.Object({
  total: Type.Integer({ description: 'Sum of by_type.' }),
  by_type: Type.Object(Object.fromEntries(EVENT_TYPES.map((t) => [t, Type.Integer()])) as Record<(typeof EVENT_TYPES)[number], ReturnType<typeof Type.Integer>>),
  prtf_categories: Type.Object({
    telehealth_encounters: Type.Integer(),
    in_person_encounters: Type.Integer(),
    telehealth_outreach: Type.Integer(),
    in_person_outreach: Type.Integer(),
  }),
});
export type CountsWire = Static<typeof Counts>;

export const PatientCountsResponse = Type.Object({
  patient_id: Type.Integer(),
  start_date: Type.String({ format: 'date' }),
  end_date: Type.String({ format: 'date' }),
  counts: Counts,
});

export const ClinicCountsResponse = Type.Object({
  start_date: Type.String({ format: 'date' }),
  end_date: Type.String({ format: 'date' }),
  filters: Type.Object({
    provider_id: Nullable(Type.Integer()),
    olcm_user_id: Nullable(Type.Integer()),
    ilcm_user_id: Nullable(Type.Integer()),
  }),
  counts: Counts,
});

export const PatientEventParams = Type.Object({ patient_id: Type.Integer(), id: Type.Integer() });
export const PatientParams = Type.Object({ patient_id: Type.Integer() });

/** The rules of the counts, for the OpenAPI description and the README. */
export const COUNTS_RULES = `Counts the events that occurred between start_date and end_date (both inclusive, in the clinic's time zone) and not after now.
by_type: every non-cancelled event of each of the six types; total is their sum.
prtf_categories: each event counts in at most one category:
- never: cancelled events, events still in the future, SMS and email not yet sent or that failed or were undelivered, SMS the member sent, calls that failed, missed inbound calls, tasks (by_type only);
- sms, email: telehealth_outreach once sent;
- call: telehealth_encounters when the member was reached (outcome "reached", or the bridged leg completed with a duration > 0; a voicemail is not), else telehealth_outreach;
- appointment, meeting: only once the activity is complete: in_person_encounters, or telehealth_encounters for modality video or phone; with outcome no_show or not_reached, in_person_outreach (or telehealth_outreach); while scheduled, nowhere.`;
