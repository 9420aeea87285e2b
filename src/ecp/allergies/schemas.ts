/** Wire schemas of `POST/DELETE/GET /clinical/v1/resident/allergy` (seed 000; DELETE is beyond the seed). */
import { Type, type Static } from 'typebox';
import { LocationFields, ResidentIdentityFields } from '../residents/schemas.ts';
import { ExternalIds } from '../vitals/schemas.ts';

export const AllergyChange = Type.Object({
  allergy: Type.String({ minLength: 1, maxLength: 100, description: 'One allergy ("Peanuts"); compared case-insensitively.' }),
  ...LocationFields,
  ...ResidentIdentityFields,
});
export type AllergyChangeWire = Static<typeof AllergyChange>;

export const AllergyQuery = Type.Object({
  ...LocationFields,
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page of 100, from 1 (default 1); sorted by last name, first name, allergy.' })),
});
export type AllergyQueryWire = Static<typeof AllergyQuery>;

export const AllergyList = Type.Object({
  result: Type.Literal('Success'),
  numberOfResults: Type.Integer({ description: 'Allergies at the location (all pages).' }),
  data: Type.Array(Type.Object({
    allergy: Type.String(),
    location: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    dateOfBirth: Type.String({ description: 'YYYY-MM-DD' }),
    residentId: Type.String(),
    externalIds: ExternalIds,
  })),
});

/** The seed's answer: `result` only (the list itself needs allergy.read). */
export const AllergyResult = Type.Object({ result: Type.Literal('Success') });
