/**
 * Wire schemas of ECP users (seed 000, "POST/PUT/GET clinical/v1/user"): lengths and enums as documented.
 * Where a documented length is shorter than one of the documented values (`role` String(15) vs "Community
 * Relations", `userGroup` String(15) vs "Resident Assistant"), the values win (ARCHITECTURE.md, "Seed field
 * lengths vs enums"), so those two fields carry no length limit of their own. Booleans come as true/false or
 * 1/0 (Ajv's coercion maps them). On PUT, an empty string (or null) clears an optional text field.
 */
import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/schema.ts';

/** The 18 roles of seed 000 (`role`, "Must precisely match one of"). */
export const ROLES = [
  'Owner', 'Director', 'Manager', 'Nursing', 'Med Passer', 'Caregiver', 'Operations', 'Finance', 'Life Enrichment', 'Dietary',
  'Maintenance', 'Housekeeping', 'Administrative', 'IT', 'Human Resources', 'Community Relations', 'Pharmacy', 'Outside Provider',
] as const;

/** The 16 cellphone carriers of seed 000 (`cellCarrier`). */
export const CELL_CARRIERS = [
  'Alltel', 'AT&T', 'Boost Mobile', 'CellCom', 'CellularOne', 'Cingular', 'Cricket', 'Metro PCS', 'Net10', 'Nextel', 'Omnipotent',
  'Qwest', 'Sprint', 'US Cellular', 'Verizon', 'Virgin Mobile',
] as const;

/** The user groups of a company that has enabled none of its own (seed 000 `userGroup`: "By default, ..."). */
export const DEFAULT_USER_GROUPS = ['Resident Assistant', 'RN', 'Medpasser', 'Maintenance', 'Super User', 'Director'] as const;

/** At most this many active system admins per company (seed 000 `systemAdmin`). */
export const MAX_SYSTEM_ADMINS = 3;

const S = (max: number, description: string) => Type.String({ maxLength: max, description });
const Flag = (description: string) => Type.Boolean({ description: `${description} (true/false or 1/0).` });

const loginName = Type.String({ minLength: 1, maxLength: 25, description: 'Username used to log in; unique in the company, case-insensitively.' });
const location = Type.Array(Type.String({ minLength: 1, maxLength: 60 }), {
  description: 'Locations the user may access: names (as GET /location returns) or GUIDs, each reachable by the client; at least one.',
});
const firstName = Type.String({ minLength: 1, maxLength: 30, description: "User's first name" });
const lastName = Type.String({ minLength: 1, maxLength: 30, description: "User's last name" });
const userGroup = Type.String({
  minLength: 1,
  maxLength: 60,
  description: `Must precisely match one of the company's enabled user groups; by default ${DEFAULT_USER_GROUPS.map((g) => `"${g}"`).join(', ')}.`,
});
const role = Type.Enum(ROLES, { description: "The user's role, precisely one of the 18 documented values." });
const cellCarrier = Type.Enum(CELL_CARRIERS, { description: "The user's cellphone carrier, precisely one of the 16 documented values." });

/** The optional text fields shared by POST and PUT (empty string: none). */
const details = {
  chartingInitials: Type.Optional(S(5, 'Charting initials, unique in the company; absent or empty: generated from the names ("JaBa" for James Baum).')),
  title: Type.Optional(S(50, "User's title")),
  address: Type.Optional(S(50, "User's address")),
  cityStateZip: Type.Optional(S(50, "User's city, state, and zip")),
  phone: Type.Optional(S(16, "User's home phone number")),
  cellphone: Type.Optional(S(16, "User's cellphone number")),
  pager: Type.Optional(S(16, "User's pager number")),
  email: Type.Optional(S(150, "User's email address; required when systemAdmin is true.")),
};

/** Body of `POST /clinical/v1/user`. */
export const NewUser = Type.Object({
  loginName,
  location,
  firstName,
  lastName,
  active: Type.Optional(Flag('If the user is active; default true')),
  viewAllResidents: Type.Optional(Flag('If the user may view all residents; default false')),
  userGroup,
  role,
  systemAdmin: Type.Optional(Flag(`Whether the user is a System Admin; default false; at most ${MAX_SYSTEM_ADMINS} active per company; requires email`)),
  ...details,
  cellCarrier: Type.Optional(cellCarrier),
});
export type NewUserWire = Static<typeof NewUser>;

/** Body of `PUT /clinical/v1/user`: `loginName` is the lookup; every other field is updated when present. */
export const UserUpdate = Type.Object({
  loginName: Type.String({ minLength: 1, maxLength: 25, description: 'The user to update (case-insensitive), among users sharing a location with the client.' }),
  location: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), {
    description: "Replaces the user's locations among those the client reaches (names or GUIDs; at least one); locations the client does not reach are kept.",
  })),
  firstName: Type.Optional(firstName),
  lastName: Type.Optional(lastName),
  active: Type.Optional(Flag('false deactivates the user; true reactivates a deactivated user with the same userId')),
  viewAllResidents: Type.Optional(Flag('If the user may view all residents')),
  userGroup: Type.Optional(userGroup),
  role: Type.Optional(role),
  systemAdmin: Type.Optional(Flag(`Whether the user is a System Admin; at most ${MAX_SYSTEM_ADMINS} active per company; requires email`)),
  ...details,
  cellCarrier: Type.Optional(Type.Union([cellCarrier, Type.Literal('')], { description: 'One of the 16 documented carriers; empty string clears it.' })),
});
export type UserUpdateWire = Static<typeof UserUpdate>;

/** Query (or JSON body) of `GET /clinical/v1/user`. */
export const UserLookup = Type.Object({
  loginName: Type.String({ minLength: 1, maxLength: 25, description: 'Login name of the user (case-insensitive).' }),
});
export type UserLookupWire = Static<typeof UserLookup>;

/** Answer of POST and PUT. */
export const SavedUser = Type.Object({ result: Type.Literal('Success'), userId: Type.String({ description: "The user's GUID." }) });

const N = (description: string) => Nullable(Type.String({ description }));

/** Answer of GET: the user's fields beside `result`; absent optional values are null. */
export const UserDetails = Type.Object({
  result: Type.Literal('Success'),
  userId: Type.String({ description: "The user's GUID (the webhook user object's userId)." }),
  loginName: Type.String(),
  location: Type.Array(Type.String(), { description: "GUIDs of the user's locations that the client reaches." }),
  firstName: Type.String(),
  lastName: Type.String(),
  active: Type.Boolean(),
  viewAllResidents: Type.Boolean(),
  userGroup: Type.String(),
  role: Type.String(),
  systemAdmin: Type.Boolean(),
  chartingInitials: Type.String(),
  title: N("User's title"),
  address: N("User's address"),
  cityStateZip: N("User's city, state, and zip"),
  phone: N("User's home phone number"),
  cellphone: N("User's cellphone number"),
  cellCarrier: N("User's cellphone carrier"),
  pager: N("User's pager number"),
  email: N("User's email address"),
});
export type UserDetailsWire = Static<typeof UserDetails>;
