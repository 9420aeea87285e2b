/**
 * Wire schemas of the community workspace (`/v1/community`): the seed's ECP objects in camelCase with upper-case
 * GUIDs; resident fields, lengths and allowed values are those of the partner API's (`residents/schemas.ts`), so
 * both doors accept the same values.
 */
import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/schema.ts';
import { Pagination, PageQuery } from '../../platform/pagination.ts';
import { DietUpdate, LevelOfCareUpdate, NewResident, ResidentObject, ResidentUpdate } from '../residents/schemas.ts';

const Password = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

export const SignInBody = Type.Object({
  company: Type.String({ minLength: 1, maxLength: 200, description: 'The company: its GUID (`companyId` of webhooks) or its exact name.' }),
  loginName: Type.String({ minLength: 1, maxLength: 100, description: 'The user\'s login name (case-insensitive; unique within the company).' }),
  password: Password('The user\'s password.'),
});

export const SessionUser = Type.Object({
  userId: Type.String({ description: 'GUID' }),
  loginName: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  role: Type.String({ description: 'Seed 000 role ("Nursing", "Caregiver", ...).' }),
  userGroup: Type.String(),
  systemAdmin: Type.Boolean({ description: 'System Admins manage users, settings and integrations (at most 3 per company).' }),
  mustChangePassword: Type.Boolean({ description: 'True after a password was set for the user: only change_password, sign_out and me answer until it is changed.' }),
  locationsAllowed: Type.Array(Type.Object({
    locationId: Type.String({ description: 'GUID' }),
    name: Type.String(),
    timeZone: Type.String({ description: 'The IANA time zone the workspace shows this location\'s times in: its own, else its company\'s.' }),
  }), { description: 'The only locations the user sees.' }),
});

export const SignInResponse = Type.Object({
  token: Type.String({ description: 'Send as X-User-Token.' }),
  user: SessionUser,
});

export const MeResponse = Type.Object({
  user: SessionUser,
  company: Type.Object({ companyId: Type.String({ description: 'GUID (what the sign-in page may remember)' }), name: Type.String() }),
});

export const ChangePasswordBody = Type.Object({
  currentPassword: Password('The password the user signed in with.'),
  newPassword: Password('At least 8 characters, different from the current one.'),
});

export const UserEnvelope = Type.Object({ user: SessionUser });

export const ResidentStates = ['active', 'awaiting_move_in', 'discharged'] as const;

export const ResidentListQuery = Type.Object({
  locationId: Type.Optional(Type.String({ maxLength: 60, description: 'One of the user\'s locations (GUID or name); default: all of them.' })),
  status: Type.Optional(Type.Enum(ResidentStates, { description: 'active (default; residents on leave included), awaiting_move_in, or discharged.' })),
  search: Type.Optional(Type.String({ maxLength: 100, description: 'Part of a first, last or nick name ("First Last" too), a room, or an external id\'s value; case-insensitive.' })),
  ...PageQuery,
});
export type ResidentListQueryWire = Static<typeof ResidentListQuery>;

/** A resident as the workspace shows it: the seed's resident object (codeStatus as entered), its location and move-in date. */
export const CommunityResident = Type.Object({
  ...ResidentObject.properties,
  codeStatus: Nullable(Type.String({ description: '"Full Code" or "DNR", as entered' })),
  livingWill: Type.Boolean({ description: 'false when never given' }),
  locationId: Type.String({ description: 'GUID' }),
  location: Type.String(),
  moveInDate: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  dischargedAt: Nullable(Type.String({ description: 'When the resident was discharged (ISO 8601), or null.' })),
  diet: Type.Object({
    dietPlans: Type.Array(Type.String()),
    foodTexture: Nullable(Type.String()),
    fluidConsistency: Nullable(Type.String()),
    specialDietOrders: Type.Array(Type.String()),
  }, { description: 'The Diet tab: seed 000 diet object without the residentId.' }),
  levelOfCare: Type.Object({
    name: Nullable(Type.String()),
    amount: Nullable(Type.Number({ description: 'Dollars with cents' })),
    amountFrequency: Nullable(Type.String()),
    effectiveTimestamp: Nullable(Type.String({ description: 'ISO 8601' })),
  }, { description: 'The Care Plan tab: seed 000 levelOfCare object without the residentId.' }),
});

export const ResidentEnvelope = Type.Object({ resident: CommunityResident });
export const ResidentList = Type.Object({ residents: Type.Array(CommunityResident), pagination: Pagination });

export const ResidentParams = Type.Object({ residentId: Type.String({ maxLength: 36, description: 'The resident\'s GUID.' }) });

/** Add New Resident: the partner API's `POST /resident` fields; `locationId` one of the user's locations. */
export const NewCommunityResident = NewResident;
export type NewCommunityResidentWire = Static<typeof NewCommunityResident>;

const { residentId: _id, status: _status, statusDescription: _description, ...generalFields } = ResidentUpdate.properties;
/** The General tab: the partner API's `PUT /resident` fields without the id and status (discharge and reactivate have their own actions). */
export const CommunityResidentUpdate = Type.Object(generalFields);
export type CommunityResidentUpdateWire = Static<typeof CommunityResidentUpdate>;

const { residentId: _dietId, ...dietFields } = DietUpdate.properties;
/** The Diet tab: the partner API's `PUT /resident/diet` fields (given fields replace, `null` clears). */
export const CommunityDietUpdate = Type.Object(dietFields);
export type CommunityDietUpdateWire = Static<typeof CommunityDietUpdate>;

const { residentId: _careId, ...levelOfCareFields } = LevelOfCareUpdate.properties;
/** The Care Plan tab's Level of Care Status: the partner API's `PUT /resident/level-of-care` fields. */
export const CommunityLevelOfCareUpdate = Type.Object(levelOfCareFields);
export type CommunityLevelOfCareUpdateWire = Static<typeof CommunityLevelOfCareUpdate>;

/** The Allergies tab: the resident's whole list (saving it replaces the list). */
export const AllergyListBody = Type.Object({
  allergies: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'Every allergy of the resident ("Peanuts"); one of each, compared case-insensitively.' }),
});
export const AllergyListResponse = Type.Object({ allergies: Type.Array(Type.String(), { description: 'Alphabetical.' }) });
