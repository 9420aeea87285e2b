/**
 * Wire schemas of the Resident File's Diagnoses tab (`/v1/community/residents/{residentId}/diagnoses`) and its
 * ICD-10-CM picker (`/v1/community/codes/icd10cm`): codes and descriptions as the partner API's
 * (`diagnoses/schemas.ts`, `codes/schemas.ts`).
 */
import { Type } from 'typebox';
import { InstantText, Nullable } from '../../platform/schema.ts';

export const NewCommunityDiagnosis = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 16, description: 'A billable ICD-10-CM code of the loaded code set, dotted or not (E11.9 or E119); a category header or an unknown code is 422 with the reason.' }),
  comment: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'Any comments on the diagnosis.' }))),
  timestamp: Type.Optional(InstantText({ description: 'When it was diagnosed, ISO 8601 (default now); without an offset the location\'s local time, a date alone the start of that day there; at most an hour ahead.' })),
});

export const CommunityDiagnosis = Type.Object({
  diagnosisId: Type.String({ description: 'GUID (the FHIR Condition.id)' }),
  code: Nullable(Type.String({ description: 'ICD-10-CM, dotted (E11.9); null for a diagnosis a partner recorded as text only.' })),
  description: Nullable(Type.String({ description: 'The code set\'s description (or the text recorded).' })),
  comment: Nullable(Type.String()),
  timestamp: Type.String({ description: 'When it was recorded, ISO 8601 UTC with milliseconds: 2025-05-05T13:37:27.473+00:00.' }),
  recordedBy: Type.Object({ loginName: Type.String(), firstName: Type.String(), lastName: Type.String() }, { description: 'The ECP user who recorded it.' }),
});

export const DiagnosisEnvelope = Type.Object({ diagnosis: CommunityDiagnosis });
export const DiagnosisListResponse = Type.Object({
  diagnoses: Type.Array(CommunityDiagnosis, { description: 'Newest first.' }),
  timeZone: Type.String({ description: 'The IANA time zone of the resident\'s location, in which the workspace shows the timestamps.' }),
});

export const DiagnosisParams = Type.Object({
  residentId: Type.String({ maxLength: 36, description: 'The resident\'s GUID.' }),
  diagnosisId: Type.String({ maxLength: 36, description: 'The diagnosis\'s GUID.' }),
});

export const CodePickerQuery = Type.Object({
  search: Type.String({ minLength: 2, maxLength: 100, description: 'A code prefix (`E11`, `E11.6`, `e116`) or words of the description (`diabetes kidney`).' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20, description: 'Most results (default 20, at most 50).' })),
});

export const CodePickerResult = Type.Object({
  fiscalYear: Nullable(Type.Integer({ description: 'The code set searched (the latest loaded); null when none is loaded (then codes are checked for syntax only).' })),
  codes: Type.Array(Type.Object({
    code: Type.String({ description: 'Dotted: E11.9.' }),
    description: Type.String({ description: 'CMS\'s long description.' }),
    billable: Type.Boolean({ description: 'False for a category header, which a diagnosis cannot use.' }),
  }), { description: 'Billable codes first, then by code.' }),
});
