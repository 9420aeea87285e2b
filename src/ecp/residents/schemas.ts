/**
 * Wire schemas of ECP residents (seed 000: "POST resident" parameters with their lengths and enums; the
 * webhook "resident Object" for reads).
 */
import { Type, type Static } from 'typebox';
import { DateText, InstantText, Nullable } from '../../platform/schema.ts';

export const CODE_STATUSES = ['Full Code', 'DNR'] as const;
export const GENDERS = ['Male', 'Female', 'Other'] as const;

const S = (max: number, description?: string) => Type.String({ maxLength: max, ...(description ? { description } : {}) });

export const NewResident = Type.Object({
  building: Type.Optional(S(150, "Resident's building name")),
  codeStatus: Type.Optional(Type.Enum(CODE_STATUSES, { description: '"Full Code" or "DNR"' })),
  dateOfBirth: DateText({ description: 'YYYY-MM-DD' }),
  email: Type.Optional(S(100)),
  firstName: Type.String({ minLength: 1, maxLength: 30 }),
  gender: Type.Optional(Type.Enum(GENDERS, { description: '"Male", "Female" or "Other". Not given: null (never invented; the one exception to seed 000\'s "Always Specified").' })),
  lastName: Type.String({ minLength: 1, maxLength: 30 }),
  livingWill: Type.Optional(Type.Boolean({ description: 'Not given: false (no living will on record); always a boolean in reads and webhooks.' })),
  locationId: Type.String({ minLength: 1, maxLength: 60, description: 'The location GUID (or its name).' }),
  middleName: Type.Optional(S(1, 'Middle initial')),
  moveInDate: Type.Optional(DateText({ description: 'YYYY-MM-DD; a future date gives status Inactive, "Awaiting Move-In".' })),
  nickname: Type.Optional(S(30)),
  otherAdvancedDirectives: Type.Optional(S(300)),
  phone: Type.Optional(S(16)),
  room: Type.Optional(S(16)),
  suffix: Type.Optional(S(6)),
  externalIds: Type.Optional(Type.Record(Type.String({ maxLength: 60 }), Type.String({ maxLength: 150 }), { propertyNames: { maxLength: 60 }, description: 'Custom {name: value} ids to match the resident by later (names at most 60 characters, values 150).' })),
});
export type NewResidentWire = Static<typeof NewResident>;

export const CreatedResident = Type.Object({ result: Type.Literal('Success'), residentId: Type.String({ description: 'GUID' }) });

/**
 * The resident-identification parameters of the clinical endpoints (seed 000 vitals, allergy, diagnosis):
 * `residentId`, or `externalIdName` + `externalIdValue`, or `firstName` + `lastName` + `dateOfBirth`, in that
 * order (ARCHITECTURE.md "Decisions"). Which combination is complete is checked by `matchResident`.
 */
export const ResidentIdentityFields = {
  residentId: Type.Optional(Type.String({ maxLength: 36, description: "The resident's GUID (first choice)." })),
  externalIdName: Type.Optional(Type.String({ maxLength: 60, description: 'Name of an external id of the resident (second choice, with externalIdValue).' })),
  externalIdValue: Type.Optional(Type.String({ maxLength: 150, description: 'Value of that external id.' })),
  firstName: Type.Optional(Type.String({ maxLength: 30, description: "Resident's first name (third choice, with lastName and dateOfBirth)." })),
  lastName: Type.Optional(Type.String({ maxLength: 30, description: "Resident's last name." })),
  dateOfBirth: Type.Optional(Type.String({ maxLength: 10, description: "Resident's date of birth, YYYY-MM-DD." })),
};

/** `location` (name or GUID) or `locationId` (GUID or name): one of them is required (checked by the service). */
export const LocationFields = {
  location: Type.Optional(Type.String({ maxLength: 60, description: 'Location name (as GET /location returns) or GUID.' })),
  locationId: Type.Optional(Type.String({ maxLength: 60, description: 'Location GUID (or name).' })),
};

/** Seed 000 resident object `careType`. */
export const CARE_TYPES = ['Adult Day Care', 'Assisted Living', 'Group Home', 'Home Health', 'Independent Living', 'Memory Care', 'Other'] as const;
/** Seed 000 diet object enums. */
export const DIET_PLANS = [
  '2-gram Sodium', '45-gram CCHO (Consistent Carbohydrate)', '60-gram CCHO (Consistent Carbohydrate)', '75-gram CCHO (Consistent Carbohydrate)',
  'Clear Liquid', 'Diabetic Plate Method', 'Fat-Restricted', 'Fiber-Restricted', 'Full Liquid', 'Gluten-Free', 'Heart-Healthy (Cardiac)',
  'HiCal/HiPro (High Calorie/High Protein)', 'Lactose Intolerant', 'Low-Fat Low-Cholesterol 2-gram Na+ (Cardiac)', 'No Added Salt (NAS)',
  'No Concentrated Sweets (NCS)', 'Nothing By Mouth (NPO)', 'Pescatarian', 'Reduced Concentrated Sweets', 'Reduced Gluten', 'Regular/General',
  'Renal', 'Renal Diabetic', 'Tube Feeding', 'Vegan', 'Vegetarian (+Lacto)', 'Vegetarian (+Lacto-Ovo)', 'Vegetarian (+Ovo)',
] as const;
export const FOOD_TEXTURES = ['Finger Food', 'Liquidized', 'Mechanical Soft', 'Minced & Moist', 'Pureed', 'Regular/Easy to Chew', 'Soft & Bite-Sized'] as const;
export const FLUID_CONSISTENCIES = ['Thin', 'Slightly Thick', 'Mildly Thick', 'Moderately Thick', 'Extremely Thick'] as const;
export const AMOUNT_FREQUENCIES = ['Monthly', 'Daily'] as const;

const NS = (max: number, description?: string) => Type.Optional(Nullable(Type.String({ maxLength: max, ...(description ? { description } : {}) })));
const ResidentId = Type.String({ minLength: 1, maxLength: 36, description: "The resident's GUID." });

/**
 * `PUT /clinical/v1/resident` (beyond seed 000): fields of POST resident, all optional; `null` clears an
 * optional field. `status: "Active"` on a discharged resident reactivates it with the same residentId;
 * `status: "Inactive"` with a `statusDescription` ("Hospital") is a temporary leave.
 */
export const ResidentUpdate = Type.Object({
  residentId: ResidentId,
  building: NS(150),
  codeStatus: Type.Optional(Nullable(Type.Enum(CODE_STATUSES))),
  careType: Type.Optional(Nullable(Type.Enum(CARE_TYPES))),
  dateOfBirth: Type.Optional(DateText()),
  email: NS(100),
  firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  gender: Type.Optional(Nullable(Type.Enum(GENDERS))),
  lastName: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  livingWill: Type.Optional(Nullable(Type.Boolean({ description: 'null: false (no living will on record).' }))),
  locationId: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'Move the resident to another reachable location (GUID or name).' })),
  middleName: NS(1),
  moveInDate: Type.Optional(Nullable(DateText())),
  nickname: NS(30),
  otherAdvancedDirectives: NS(300),
  phone: NS(16),
  room: NS(16),
  suffix: NS(6),
  status: Type.Optional(Type.Enum(['Active', 'Inactive'], { description: '"Active" reactivates a discharged or inactive resident.' })),
  statusDescription: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'With status Inactive, e.g. "Hospital".' })),
  externalIds: Type.Optional(Type.Record(Type.String({ maxLength: 60 }), Type.String({ maxLength: 150 }), { propertyNames: { maxLength: 60 }, description: 'Replaces the whole set of external ids (names at most 60 characters, values 150).' })),
});
export type ResidentUpdateWire = Static<typeof ResidentUpdate>;

/** `DELETE /clinical/v1/resident` (discharge): the resident id in the JSON body or the query string. */
export const ResidentRef = Type.Object({ residentId: ResidentId });

/** `PUT /clinical/v1/resident/diet` (seed 000 diet object); given fields replace, `null` clears. */
export const DietUpdate = Type.Object({
  residentId: ResidentId,
  dietPlans: Type.Optional(Type.Array(Type.Enum(DIET_PLANS), { maxItems: 30, uniqueItems: true })),
  foodTexture: Type.Optional(Nullable(Type.Enum(FOOD_TEXTURES))),
  fluidConsistency: Type.Optional(Nullable(Type.Enum(FLUID_CONSISTENCIES))),
  specialDietOrders: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 30, description: 'Custom orders ("1500 Calorie").' })),
});
export type DietUpdateWire = Static<typeof DietUpdate>;

/** `PUT /clinical/v1/resident/level-of-care` (seed 000 levelOfCare object). */
export const LevelOfCareUpdate = Type.Object({
  residentId: ResidentId,
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Name of the level of care ("Pro Max").' }),
  amount: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1_000_000, description: 'Recurring charge in dollars with cents.' }))),
  amountFrequency: Type.Optional(Nullable(Type.Enum(AMOUNT_FREQUENCIES))),
  effectiveTimestamp: Type.Optional(Nullable(InstantText({ description: 'When it takes effect, ISO 8601; without an offset the resident\'s location\'s local time, a date alone the start of that day there.' }))),
});
export type LevelOfCareUpdateWire = Static<typeof LevelOfCareUpdate>;

export const ResidentChanged = Type.Object({ result: Type.Literal('Success'), residentId: Type.String() });

/** `GET /clinical/v1/resident` (beyond seed 000): filters and page. */
export const ResidentQuery = Type.Object({
  ...LocationFields,
  residentId: Type.Optional(Type.String({ maxLength: 36, description: 'One resident by GUID.' })),
  status: Type.Optional(Type.Enum(['Active', 'Inactive'], { description: 'Only residents with this status.' })),
  includeDischarged: Type.Optional(Type.Boolean({ description: 'Also list discharged residents (default false).' })),
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page of 100, from 1 (default 1); sorted by last name, first name.' })),
});
export type ResidentQueryWire = Static<typeof ResidentQuery>;

const N = <T extends Parameters<typeof Nullable>[0]>(s: T) => Nullable(s);

/** Seed 000 resident object, as `GET /clinical/v1/resident` and the webhooks send it. */
export const ResidentObject = Type.Object({
  building: N(Type.String()),
  careType: N(Type.String()),
  codeStatus: N(Type.String({ description: '"Full Code" or "DNR (Do Not Resuscitate)"' })),
  dateOfBirth: Type.String({ description: 'YYYY-MM-DD' }),
  email: N(Type.String()),
  externalIds: Type.Record(Type.String(), Type.String()),
  firstName: Type.String(),
  gender: N(Type.String({ description: 'Always Specified in seed 000, but never invented: a resident created without it has gender null in every read and webhook, the one documented exception (FHIR maps it to unknown).' })),
  lastName: Type.String(),
  livingWill: Type.Boolean({ description: 'Always specified: false when no living will is on record.' }),
  middleName: N(Type.String()),
  nickname: N(Type.String()),
  otherAdvancedDirectives: N(Type.String()),
  phone: N(Type.String()),
  residentId: Type.String(),
  room: N(Type.String()),
  status: Type.String({ description: 'Active or Inactive' }),
  statusDescription: Type.String({ description: '"Active Resident", "Awaiting Move-In", "Discharged", or a leave such as "Hospital"' }),
  suffix: N(Type.String()),
});

export const ResidentList = Type.Object({
  result: Type.Literal('Success'),
  numberOfResults: Type.Integer({ description: 'Residents matching (all pages).' }),
  data: Type.Array(Type.Object({
    ...ResidentObject.properties,
    locationId: Type.String(),
    location: Type.String(),
    moveInDate: N(Type.String({ description: 'YYYY-MM-DD' })),
    allergies: Type.Array(Type.String()),
    diet: Type.Object({
      dietPlans: Type.Array(Type.String()), fluidConsistency: N(Type.String()), foodTexture: N(Type.String()), specialDietOrders: Type.Array(Type.String()),
    }),
    levelOfCare: Type.Object({
      amount: N(Type.Number()), amountFrequency: N(Type.String()), effectiveTimestamp: N(Type.String()), name: N(Type.String()),
    }),
  })),
});
