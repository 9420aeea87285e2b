/**
 * Wire schemas of the ECM Communications API (seed 004_8c26c2465ea8fb69.txt)
 * and of the Twilio webhooks.
 */
import { Type } from 'typebox';
import { LimitedString, MAX_LENGTH, Nullable } from '../../platform/schema.ts';
import { PageQuery, Pagination } from '../../platform/pagination.ts';

const Timestamp = Type.String({ format: 'date-time' });

export const SmsBody = Type.Object({
  sms: Type.Object({
    phone_number: Type.Optional(LimitedString('phone', { description: "The member's phone on file, in any common format (E.164 recommended)." })),
    body: Type.Optional(LimitedString('smsBody', { description: 'Message text (Twilio sends up to 1,600 characters, in segments).' })),
  }),
});

export const CallBody = Type.Object({
  call: Type.Object({
    phone_number: Type.Optional(LimitedString('phone', { description: "The member's phone on file, in any common format (E.164 recommended)." })),
  }),
});

const ActivitySummary = Type.Object({
  id: Type.Integer(),
  activity_type: Type.String(),
  status: Type.String(),
  patient_id: Type.Integer(),
  performed_by_id: Nullable(Type.Integer()),
  assigned_to_id: Nullable(Type.Integer({ description: 'Null: assigned to nobody yet (an inbound SMS from a member without an outreach lead care manager).' })),
});

const RecordFields = {
  id: Type.Integer(),
  twilio_sid: Nullable(Type.String()),
  to: Type.String(),
  from: Type.String(),
  status: Type.String({ description: 'Twilio status; `pending` before the hand-over, `unknown` when it timed out.' }),
  direction: Type.String({ description: 'outbound or inbound.' }),
  created_at: Timestamp,
};

export const SmsResponse = Type.Object({
  message: Type.String(),
  sms: Type.Object({ ...RecordFields, body: Type.String() }),
  activity: ActivitySummary,
});

export const CallResponse = Type.Object({
  message: Type.String(),
  call: Type.Object(RecordFields),
  activity: ActivitySummary,
});

export const CommunicationList = Type.Object({
  communications: Type.Array(
    Type.Object({
      type: Type.String({ description: 'sms or call.' }),
      id: Type.Integer(),
      twilio_sid: Nullable(Type.String()),
      direction: Type.String(),
      status: Type.String(),
      to: Type.String(),
      from: Type.String(),
      body: Nullable(Type.String()),
      duration: Nullable(Type.Integer({ description: 'Calls: seconds.' })),
      error_code: Nullable(Type.Integer({ description: 'Twilio error code.' })),
      activity_id: Nullable(Type.Integer()),
      created_at: Timestamp,
    }),
  ),
  sms_opted_out: Type.Boolean({ description: "true when the member's phone on file has opted out (STOP) of texts from the clinic's sending number: an SMS would be refused with `Message blocked (opt-out)`." }),
  pagination: Pagination,
});

export const UnmatchedList = Type.Object({
  unmatched: Type.Array(
    Type.Object({
      id: Type.Integer(),
      channel: Type.String({ description: 'sms or call.' }),
      from: Type.String(),
      to: Type.String(),
      body: Nullable(Type.String()),
      twilio_sid: Type.String(),
      candidate_patient_ids: Type.Array(Type.Integer(), { description: 'Members sharing the number (empty: none).' }),
      received_at: Timestamp,
    }),
  ),
  pagination: Pagination,
});

export const AssignBody = Type.Object({ patient_id: Type.Integer() });
export const AssignResponse = Type.Object({ message: Type.String(), activity: ActivitySummary });

export const PatientParams = Type.Object({ patient_id: Type.Integer() });
export const IdParams = Type.Object({ id: Type.Integer() });
export const ListQuery = Type.Object(PageQuery);

/** Twilio's form parameters (MessageSid, CallSid, From, To, Body, MessageStatus, CallStatus, ...). */
export const TwilioForm = Type.Record(Type.String(), LimitedString('text'), {
  propertyNames: { maxLength: MAX_LENGTH.key },
  description: 'Form-encoded parameters as Twilio posts them (names at most 255 characters, values 10,000).',
});
