/**
 * Wire schemas of `POST` and `GET /clinical/v1/resident/diagnosis` (seed 000): lengths as documented; the
 * timestamp is checked by format (ISO 8601 with offset or Z), not length (ARCHITECTURE.md, pinned decisions).
 */
import { Type, type Static } from 'typebox';
import { InstantText, LimitedString } from '../../platform/schema.ts';
import { LocationFields, ResidentIdentityFields } from '../residents/schemas.ts';

export const NewDiagnosis = Type.Object({
  loginName: Type.String({ minLength: 1, maxLength: 25, description: 'Login name of the ECP user this charting event is associated with.' }),
  code: Type.Optional(Type.String({ maxLength: 16, description: 'ICD-10-CM code, dotted or not (E11.9 or E119), billable; required without diagnosis.' })),
  diagnosis: Type.Optional(LimitedString('text', { description: 'The diagnosis description (the seed says String (MAX): at most 10,000 characters here); required without code, ignored with one (the code set\'s description is stored).' })),
  comment: Type.Optional(Type.String({ maxLength: 2000, description: 'Any comments on the diagnosis.' })),
  ...LocationFields,
  timestamp: InstantText({ description: 'When the diagnosis was recorded, ISO 8601: 2014-03-12T13:37:27+00:00; without an offset the location\'s local time, a date alone (2014-03-12) the start of that day there.' }),
  ...ResidentIdentityFields,
});
export type NewDiagnosisWire = Static<typeof NewDiagnosis>;

export const DiagnosisCreated = Type.Object({ result: Type.Literal('Success') });

export const DiagnosisQuery = Type.Object({
  ...LocationFields,
  startingDateTime: Type.Optional(InstantText({ description: 'Diagnoses recorded at or after this instant (ISO 8601; without an offset, the location\'s local time; a date alone, the start of that day there); omitted: from the beginning.' })),
  endingDateTime: Type.Optional(InstantText({ description: 'Diagnoses recorded at or before this instant (ISO 8601; without an offset, the location\'s local time; a date alone, the start of that day there); omitted: no end.' })),
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page of 100, from 1 (default 1); sorted by timestamp.' })),
});
export type DiagnosisQueryWire = Static<typeof DiagnosisQuery>;

export const DiagnosisList = Type.Object({
  result: Type.Literal('Success'),
  numberOfResults: Type.Integer({ description: 'Diagnoses in the whole range (all pages).' }),
  data: Type.Array(Type.Object({
    code: Type.Union([Type.String(), Type.Null()], { description: 'ICD-10-CM code, dotted (E11.9); null when only a description was given.' }),
    location: Type.String(),
    diagnosis: Type.Union([Type.String(), Type.Null()]),
    comment: Type.Union([Type.String(), Type.Null()]),
    timestamp: Type.String({ description: 'ISO 8601 UTC with milliseconds: 2025-05-05T13:37:27.473+00:00.' }),
    firstName: Type.String(),
    lastName: Type.String(),
    dateOfBirth: Type.String({ description: 'YYYY-MM-DD' }),
    loginName: Type.String({ description: 'The user the diagnosis was recorded by.' }),
    residentId: Type.String({ description: "The resident's GUID (as the vitals lists give it)." }),
    externalIds: Type.Array(Type.Record(Type.String(), Type.String()), { description: 'Every external id of the resident, as [{name: value}].' }),
  })),
});
