/** Wire schemas of a member's ECM assessments (RTF `Date Assessment Started`, `Date of Most Recent Completed Assessment`). */
import { Type, type Static } from 'typebox';
import { DateText, LimitedString, Nullable } from '../../platform/schema.ts';

export const PatientIdParams = Type.Object({ patient_id: Type.Integer({ description: 'Patient ID.' }) });
export const AssessmentParams = Type.Object({ patient_id: Type.Integer({ description: 'Patient ID.' }), id: Type.Integer({ description: 'Assessment ID.' }) });

export const Assessment = Type.Object({
  id: Type.Integer(),
  patient_id: Type.Integer(),
  title: Nullable(Type.String({ description: 'What was assessed (e.g. "Comprehensive assessment").' })),
  started_on: Type.String({ format: 'date', description: 'YYYY-MM-DD.' }),
  completed_on: Nullable(Type.String({ format: 'date', description: 'YYYY-MM-DD; null while in progress.' })),
  assessed_by_user_id: Type.Integer({ description: 'The clinic user who assesses.' }),
  assessed_by_name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type AssessmentWire = Static<typeof Assessment>;
export const AssessmentEnvelope = Type.Object({ assessment: Assessment });
export const AssessmentList = Type.Object({ assessments: Type.Array(Assessment, { description: 'Newest start first.' }) });

export const AssessmentInput = Type.Object({
  title: Type.Optional(Nullable(LimitedString('subject'))),
  started_on: Type.Optional(DateText({ description: 'Required on create.' })),
  completed_on: Type.Optional(Nullable(DateText({ description: 'On or after `started_on`; null: not completed.' }))),
  assessed_by_user_id: Type.Optional(Type.Integer({ description: 'An active user of the clinic; default: the caller.' })),
});
export type AssessmentInputWire = Static<typeof AssessmentInput>;
export const AssessmentBody = Type.Object({ assessment: AssessmentInput });
