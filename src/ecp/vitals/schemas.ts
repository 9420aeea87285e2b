/**
 * Wire schemas of the vitals endpoints (seed 000 "POST/GET resident/vital/*"), built per path from
 * `VITALS`: the reading fields are numbers or numeric strings (the seed sends `"weight": "180"`; Ajv's
 * coercion turns them into numbers), ranges are checked by the service with messages naming field and unit.
 */
import { Type, type TObject, type TSchema } from 'typebox';
import { InstantText } from '../../platform/schema.ts';
import { LocationFields, ResidentIdentityFields } from '../residents/schemas.ts';
import type { VitalDefinition } from './definitions.ts';

const ExternalIds = Type.Array(Type.Record(Type.String(), Type.String()), { description: 'Every external id of the resident, as [{name: value}].' });

/** The POST body of one vital path. */
export function newVitalSchema(def: VitalDefinition): TObject {
  const readings: Record<string, TSchema> = {};
  for (const f of def.fields) readings[f.name] = Type.Number({ description: `${f.name} in ${def.unit}, ${f.min} to ${f.max} (a number or a numeric string).` });
  return Type.Object({
    ...readings,
    ...LocationFields,
    loginName: Type.Optional(Type.String({ maxLength: 25, description: 'Login name of the user recording the reading (or userId).' })),
    userId: Type.Optional(Type.String({ maxLength: 36, description: 'GUID of the user recording the reading (or loginName).' })),
    ...ResidentIdentityFields,
    timestamp: InstantText({ description: 'When the reading was taken, ISO 8601: 2025-05-05T13:37:27+00:00; without an offset (2025-05-05T08:37:27) the location\'s local time, a date alone (2025-05-05) the start of that day there.' }),
  });
}

export const VitalQuery = Type.Object({
  ...LocationFields,
  startingDateTime: Type.Optional(InstantText({ description: 'Readings taken at or after this instant (ISO 8601; without an offset, the location\'s local time; a date alone, the start of that day there).' })),
  endingDateTime: Type.Optional(InstantText({ description: 'Readings taken at or before this instant (ISO 8601; without an offset, the location\'s local time; a date alone, the start of that day there).' })),
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page of 100 readings, from 1 (default 1); sorted by timestamp.' })),
});
export type VitalQueryWire = { location?: string; locationId?: string; startingDateTime?: string; endingDateTime?: string; page?: number };

/** The GET response of one vital path. */
export function vitalListSchema(def: VitalDefinition): TObject {
  const readings: Record<string, TSchema> = {};
  for (const f of def.fields) readings[f.name] = Type.Number({ description: def.unit });
  return Type.Object({
    result: Type.Literal('Success'),
    numberOfResults: Type.Integer({ description: 'Readings in the whole range (all pages).' }),
    data: Type.Array(Type.Object({
      ...readings,
      location: Type.String(),
      timestamp: Type.String({ description: 'ISO 8601 UTC with milliseconds: 2025-05-05T13:37:27.000+00:00.' }),
      firstName: Type.String(),
      lastName: Type.String(),
      dateOfBirth: Type.String({ description: 'YYYY-MM-DD' }),
      loginName: Type.String({ description: 'The user who recorded the reading.' }),
      residentId: Type.String(),
      externalIds: ExternalIds,
    })),
  });
}

export const VitalCreated = Type.Object({ result: Type.Literal('Success') });
export { ExternalIds };
