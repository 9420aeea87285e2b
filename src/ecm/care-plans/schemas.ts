/** Wire schemas of a member's care plan revisions (RTF `Date of Latest Care Plan Revision`). */
import { Type, type Static } from 'typebox';
import { DateText, LimitedString } from '../../platform/schema.ts';

export const PatientIdParams = Type.Object({ patient_id: Type.Integer({ description: 'Patient ID.' }) });
export const RevisionParams = Type.Object({ patient_id: Type.Integer({ description: 'Patient ID.' }), id: Type.Integer({ description: 'Care plan revision ID.' }) });

export const CarePlanRevision = Type.Object({
  id: Type.Integer(),
  patient_id: Type.Integer(),
  revised_on: Type.String({ format: 'date', description: 'Date of the revision (YYYY-MM-DD).' }),
  author_user_id: Type.Integer({ description: 'The clinic user who revised the plan.' }),
  author_name: Type.String(),
  summary: Type.String({ description: 'What changed.' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type CarePlanRevisionWire = Static<typeof CarePlanRevision>;
export const CarePlanRevisionEnvelope = Type.Object({ care_plan_revision: CarePlanRevision });
export const CarePlanRevisionList = Type.Object({ care_plan_revisions: Type.Array(CarePlanRevision, { description: 'Newest first.' }) });

export const CarePlanRevisionInput = Type.Object({
  revised_on: Type.Optional(DateText({ description: 'Required on create.' })),
  author_user_id: Type.Optional(Type.Integer({ description: 'An active user of the clinic; default: the caller.' })),
  summary: Type.Optional(LimitedString('text', { description: 'Required on create.' })),
});
export type CarePlanRevisionInputWire = Static<typeof CarePlanRevisionInput>;
export const CarePlanRevisionBody = Type.Object({ care_plan_revision: CarePlanRevisionInput });
