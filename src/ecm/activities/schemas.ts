/**
 * Wire schemas of the ECM Activities API (seed 003_b20e973bf5033f07.txt), plus
 * the fields the platform adds: `due_at` (tasks),
 * `duration` (minutes), `modality` (appointments and meetings), `outcome`, and
 * the `meeting` type (ARCHITECTURE.md).
 */
import { Type, type Static } from 'typebox';
import { DateText, DateTimeText, LimitedString, Nullable } from '../../platform/schema.ts';
import { PageQuery, Pagination } from '../../platform/pagination.ts';

export const ACTIVITY_TYPES = ['task', 'note', 'sms', 'call', 'email', 'in_person_appointment', 'meeting'] as const;
/** Kinds of `meeting` activity: a care conference feeds the RTF's `Date of Most Recent Care Conference`. */
export const MEETING_KINDS = ['care_conference'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export const ACTIVITY_STATUSES = ['created', 'complete', 'cancelled'] as const;
export const MODALITIES = ['in_person', 'video', 'phone'] as const;
export const OUTCOMES = ['reached', 'not_reached', 'no_show'] as const;
export const EMAIL_STATUSES = ['queued', 'sent', 'failed'] as const;

const Timestamp = (d = '') => Type.String({ format: 'date-time', description: `${d}UTC, ISO 8601 with milliseconds.`.trim() });

const SummaryFields = {
  id: Type.Integer(),
  activity_type: Type.Enum(ACTIVITY_TYPES),
  status: Type.Enum(ACTIVITY_STATUSES),
  message: Nullable(Type.String()),
  subject: Nullable(Type.String()),
  body: Nullable(Type.String()),
  occurred_at: Timestamp(),
  booked_at: Nullable(Timestamp()),
  due_at: Nullable(Timestamp()),
  duration: Nullable(Type.Integer({ description: 'Minutes.' })),
  modality: Nullable(Type.Enum(MODALITIES)),
  meeting_kind: Nullable(Type.Enum(MEETING_KINDS, { description: 'Meetings only: `care_conference`, or null.' })),
  outcome: Nullable(Type.Enum(OUTCOMES)),
  email_status: Nullable(Type.Enum(EMAIL_STATUSES, { description: 'Email activities: queued, sent or failed.' })),
  patient_id: Type.Integer(),
  patient_name: Type.String(),
  performed_by_id: Nullable(Type.Integer()),
  performed_by_name: Nullable(Type.String()),
  assigned_to_id: Nullable(Type.Integer({ description: 'Null: assigned to nobody yet (an inbound SMS from a member without an outreach lead care manager).' })),
  assigned_to_name: Nullable(Type.String()),
  parent_id: Nullable(Type.Integer()),
  comments_count: Type.Integer(),
  created_at: Timestamp(),
  updated_at: Timestamp(),
};

export const ActivityListItem = Type.Object(SummaryFields);
export type ActivityListItemWire = Static<typeof ActivityListItem>;

export const Comment = Type.Object({
  id: Type.Integer(),
  body: Type.String(),
  user_id: Type.Integer(),
  user_name: Type.String(),
  created_at: Timestamp(),
});

export const SubtaskSummary = Type.Object({
  id: Type.Integer(),
  activity_type: Type.Enum(ACTIVITY_TYPES),
  status: Type.Enum(ACTIVITY_STATUSES),
  message: Nullable(Type.String()),
  subject: Nullable(Type.String()),
  assigned_to_id: Nullable(Type.Integer({ description: 'Null: assigned to nobody yet (an inbound SMS from a member without an outreach lead care manager).' })),
  assigned_to_name: Nullable(Type.String()),
});

export const EventSummary = Type.Object({
  id: Type.Integer(),
  event_type: Type.String(),
  occurred_at: Timestamp(),
  status: Type.String(),
  prtf_category: Nullable(Type.String()),
});

export const ActivityDetail = Type.Object({
  ...SummaryFields,
  email_to: Nullable(Type.String()),
  email_attachments: Type.Array(Type.String()),
  email_error: Nullable(Type.String({ description: 'Why the last delivery attempt failed, e.g. `Attachment https://storage.example.com/documents/care-plan.pdf answered HTTP 404`.' })),
  email_sent_at: Nullable(Timestamp()),
  transcript: Nullable(Type.String()),
  blocked_by_id: Nullable(Type.Integer()),
  blocking_id: Nullable(Type.Integer()),
  voice_call_id: Nullable(Type.Integer()),
  text_message_id: Nullable(Type.Integer()),
  comments: Type.Array(Comment),
  subtasks: Type.Array(SubtaskSummary),
  event: Nullable(EventSummary),
});
export type ActivityDetailWire = Static<typeof ActivityDetail>;

export const ActivityEnvelope = Type.Object({ activity: ActivityDetail });
export const ActivityList = Type.Object({ activities: Type.Array(ActivityListItem), pagination: Pagination });

const Id = (d: string) => Type.Integer({ description: d });

export const ActivityInput = Type.Object({
  activity_type: Type.Optional(Type.Enum(ACTIVITY_TYPES, { description: 'Required on create. On update: may change among task, note, in_person_appointment, meeting and call (logged by hand); not for sms or email activities, nor a call made through Twilio, nor a task with subtasks.' })),
  assigned_to_id: Type.Optional(Nullable(Id('User of the clinic the activity is assigned to (required; null is refused with `Assigned to can\'t be blank`).'))),
  message: Type.Optional(Nullable(LimitedString('text', { description: 'Task message (required for task).' }))),
  body: Type.Optional(Nullable(LimitedString('text', { description: 'Required for note, sms and email.' }))),
  subject: Type.Optional(Nullable(LimitedString('subject'))),
  email_to: Type.Optional(Nullable(LimitedString('email', { description: 'Recipient (required for email).' }))),
  email_attachments: Type.Optional(Type.Array(LimitedString('url'), { description: 'http(s) URLs of files attached to an email activity, fetched when the mail is sent through the outbound guard (public addresses only, no redirects, MAIL_ATTACHMENT_MAX_BYTES each; MAIL_ATTACHMENT_HOSTS, when set, lists the hosts allowed). A file that cannot be fetched fails the attempt; after the last retry email_status is failed and email_error names the attachment and why.' })),
  booked_at: Type.Optional(Nullable(DateTimeText({ description: 'Required for in_person_appointment and meeting.' }))),
  voice_call_id: Type.Optional(Nullable(Id('Voice call of the same patient (required for call, unless logged by hand with outcome and duration).'))),
  text_message_id: Type.Optional(Nullable(Id('Text message of the same patient (required for sms).'))),
  parent_id: Type.Optional(Nullable(Id('Parent task (subtasks only under task-type activities).'))),
  blocked_by_id: Type.Optional(Nullable(Id('Activity of the same patient that blocks this one.'))),
  blocking_id: Type.Optional(Nullable(Id('Activity of the same patient this one blocks.'))),
  occurred_at: Type.Optional(DateTimeText({ description: 'Default: creation time.' })),
  status: Type.Optional(Type.Enum(ACTIVITY_STATUSES)),
  due_at: Type.Optional(Nullable(DateTimeText({ description: 'Tasks only.' }))),
  duration: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1440, description: 'Minutes.' }))),
  modality: Type.Optional(Nullable(Type.Enum(MODALITIES, { description: 'Appointments and meetings: in_person (default), video or phone.' }))),
  outcome: Type.Optional(Nullable(Type.Enum(OUTCOMES))),
  meeting_kind: Type.Optional(Nullable(Type.Enum(MEETING_KINDS, { description: 'Meetings only: `care_conference` marks a care conference.' }))),
  transcript: Type.Optional(Nullable(LimitedString('transcript'))),
});
export type ActivityInputWire = Static<typeof ActivityInput>;
export const ActivityBody = Type.Object({ activity: ActivityInput });

export const CommentBody = Type.Object({ comment: Type.Object({ body: LimitedString('text', { minLength: 1 }) }) });
export const CommentEnvelope = Type.Object({ comment: Comment });

const Filters = {
  ...PageQuery,
  activity_type: Type.Optional(Type.Enum(ACTIVITY_TYPES)),
  assigned_to_id: Type.Optional(Type.Integer()),
  unassigned: Type.Optional(Type.Boolean({ description: 'true: only activities assigned to nobody (inbound SMS from members without an outreach lead care manager); with `status=created`, the open messages nobody has picked up.' })),
  status: Type.Optional(Type.Enum(ACTIVITY_STATUSES)),
};
export const PatientActivityQuery = Type.Object(Filters);
export const ClinicActivityQuery = Type.Object({
  ...Filters,
  patient_id: Type.Optional(Type.Integer()),
  due_before: Type.Optional(
    Type.Union([DateTimeText(), DateText()], {
      description: "Tasks due before this time (a date means the start of that day in the clinic's time zone).",
    }),
  ),
});
export type ClinicActivityQueryWire = Static<typeof ClinicActivityQuery>;

export const PatientParams = Type.Object({ patient_id: Type.Integer() });
export const ActivityParams = Type.Object({ patient_id: Type.Integer(), id: Type.Integer() });
