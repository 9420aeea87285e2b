/**
 * Wire schemas of ECP residents (seed 000: "POST resident" parameters with their lengths and enums; the
 * webhook "resident Object" for reads).
 */
import { Type, type Static } from 'typebox';

export const CODE_STATUSES = ['Full Code', 'DNR'] as const;
export const GENDERS = ['Male', 'Female', 'Other'] as const;

const S = (max: number, description?: string) => Type.String({ maxLength: max, ...(description ? { description } : {}) });

export const NewResident = Type.Object({
  building: Type.Optional(S(150, "Resident's building name")),
  codeStatus: Type.Optional(Type.Enum(CODE_STATUSES, { description: '"Full Code" or "DNR"' })),
  dateOfBirth: Type.String({ format: 'date', description: 'YYYY-MM-DD' }),
  email: Type.Optional(S(100)),
  firstName: Type.String({ minLength: 1, maxLength: 30 }),
  gender: Type.Optional(Type.Enum(GENDERS)),
  lastName: Type.String({ minLength: 1, maxLength: 30 }),
  livingWill: Type.Optional(Type.Boolean()),
  locationId: Type.String({ minLength: 1, maxLength: 60, description: 'The location GUID (or its name).' }),
  middleName: Type.Optional(S(1, 'Middle initial')),
  moveInDate: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD; a future date gives status Inactive, "Awaiting Move-In".' })),
  nickname: Type.Optional(S(30)),
  otherAdvancedDirectives: Type.Optional(S(300)),
  phone: Type.Optional(S(16)),
  room: Type.Optional(S(16)),
  suffix: Type.Optional(S(6)),
  externalIds: Type.Optional(Type.Record(Type.String({ maxLength: 60 }), Type.String({ maxLength: 150 }), { description: 'Custom {name: value} ids to match the resident by later.' })),
});
export type NewResidentWire = Static<typeof NewResident>;

export const CreatedResident = Type.Object({ result: Type.Literal('Success'), residentId: Type.String({ description: 'GUID' }) });
