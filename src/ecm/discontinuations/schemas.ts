/** Wire schemas of ECM discontinuations (RTF `Discontinuation Date`, `Discontinuation Reason Code`, `Discontinuation Reason`). */
import { Type, type Static } from 'typebox';
import { DateText, LimitedString, Nullable } from '../../platform/schema.ts';

export const PatientIdParams = Type.Object({ patient_id: Type.Integer({ description: 'Patient ID.' }) });

export const REASON_CODE_PATTERN = '^[A-Za-z0-9._-]{1,20}$';

export const Discontinuation = Type.Object({
  id: Type.Integer(),
  patient_id: Type.Integer(),
  discontinued_on: Type.String({ format: 'date', description: 'The date ECM ended (YYYY-MM-DD).' }),
  reason_code: Type.String({ description: "The discontinuation reason code of the member's plan." }),
  reason: Type.String({ description: 'The reason in words.' }),
  recorded_by_user_id: Nullable(Type.Integer()),
  in_force: Type.Boolean({ description: 'true until a later status write re-opens the member (an admin\'s status change, or an authorization starting after the date).' }),
  created_at: Type.String({ format: 'date-time' }),
});
export type DiscontinuationWire = Static<typeof Discontinuation>;
export const DiscontinuationList = Type.Object({ discontinuations: Type.Array(Discontinuation, { description: 'Newest first.' }) });
export const DiscontinuationEnvelope = Type.Object({ discontinuation: Discontinuation });

export const DiscontinuationInput = Type.Object({
  discontinued_on: DateText({ description: 'Required.' }),
  reason_code: LimitedString('identifier', {
    description: "The plan's discontinuation reason code (1-20 letters, digits, `.`, `_`, `-`). DHCS's code list was not found, so none is enforced (`GET .../dhcs_values`).",
  }),
  reason: LimitedString('text', { description: 'The reason in words; required.' }),
});
export type DiscontinuationInputWire = Static<typeof DiscontinuationInput>;
export const DiscontinuationBody = Type.Object({ discontinuation: DiscontinuationInput });
