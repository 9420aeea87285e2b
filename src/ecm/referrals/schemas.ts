/**
 * Wire schemas of a member's closed-loop referrals (DHCS CLR): received date, referring entity, service, status with
 * its dates, loop-closure reason. The RTF's CLR elements (Referral Status, Date of Referral Status Update, Reason for
 * Referral Loop Closure) come from them; statuses: src/ecm/reporting/dhcs-values.ts.
 */
import { Type, type Static } from 'typebox';
import { DateText, LimitedString, Nullable } from '../../platform/schema.ts';
import { REFERRAL_STATUS_KEYS } from '../reporting/dhcs-values.ts';

export const PatientIdParams = Type.Object({ patient_id: Type.Integer({ description: 'Patient ID.' }) });
export const ReferralParams = Type.Object({ patient_id: Type.Integer({ description: 'Patient ID.' }), id: Type.Integer({ description: 'Referral ID.' }) });

const Status = Type.Enum(REFERRAL_STATUS_KEYS, {
  description: 'received and accepted are open; declined (maps to DHCS "Declined") and closed end the loop.',
});

export const ReferralStatusChange = Type.Object({
  status: Status,
  status_date: Type.String({ format: 'date', description: 'Date of the referral status update (YYYY-MM-DD).' }),
  loop_closure_reason: Nullable(Type.String()),
  changed_by_user_id: Nullable(Type.Integer()),
  created_at: Type.String({ format: 'date-time' }),
});

export const Referral = Type.Object({
  id: Type.Integer(),
  patient_id: Type.Integer(),
  received_on: Type.String({ format: 'date', description: 'The day the clinic received the referral (YYYY-MM-DD).' }),
  source: Type.String({ description: 'The referring entity: the plan or another (hospital, clinic, community organization).' }),
  service: Type.String({ description: 'The service referred to: ECM or a Community Support.' }),
  status: Status,
  status_date: Type.String({ format: 'date', description: 'Date of the latest status update (YYYY-MM-DD).' }),
  open: Type.Boolean(),
  loop_closure_reason: Nullable(Type.String({ description: 'Reason for Referral Loop Closure (required to close; DHCS names "Services Received").' })),
  status_history: Type.Array(ReferralStatusChange, { description: 'Oldest first.' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type ReferralWire = Static<typeof Referral>;
export const ReferralEnvelope = Type.Object({ referral: Referral });
export const ReferralList = Type.Object({ referrals: Type.Array(Referral, { description: 'Newest received first.' }) });

export const ReferralInput = Type.Object({
  received_on: Type.Optional(DateText({ description: 'Required on create.' })),
  source: Type.Optional(LimitedString('name', { description: 'Required on create.' })),
  service: Type.Optional(LimitedString('name', { description: 'Required on create.' })),
  status: Type.Optional(Status),
  status_date: Type.Optional(DateText({ description: 'Date of this status; default: `received_on` on create; required with a new status.' })),
  loop_closure_reason: Type.Optional(Nullable(LimitedString('subject', { description: 'Required for closed; allowed for declined; not for open statuses.' }))),
});
export type ReferralInputWire = Static<typeof ReferralInput>;
export const ReferralBody = Type.Object({ referral: ReferralInput });
