/**
 * Wire schemas of the community workspace's System Admin screens: User Logins (the seed's user fields, roles and user
 * groups), password resets, location settings (time zones) and transfer offers between companies.
 */
import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/schema.ts';
import { MAX_SYSTEM_ADMINS, ROLES } from '../users/schemas.ts';

const S = (max: number, description: string) => Type.String({ maxLength: max, description });
const LocationRef = Type.Object({ locationId: Type.String({ description: 'GUID' }), name: Type.String() });

/** A user as the User Logins window shows them. */
export const CommunityUser = Type.Object({
  userId: Type.String({ description: 'GUID (the webhook user object\'s userId)' }),
  loginName: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  role: Type.String(),
  userGroup: Type.String(),
  systemAdmin: Type.Boolean(),
  active: Type.Boolean(),
  chartingInitials: Type.String(),
  title: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  locationsAllowed: Type.Array(LocationRef, { description: 'The user\'s locations among the admin\'s own.' }),
  hasPassword: Type.Boolean({ description: 'Whether a workspace password is set (a user without one cannot sign in).' }),
  mustChangePassword: Type.Boolean({ description: 'True after an admin set the password, until the user changes it.' }),
});
export type CommunityUserWire = Static<typeof CommunityUser>;

export const CommunityUserEnvelope = Type.Object({ user: CommunityUser });
export const CommunityUserList = Type.Object({
  users: Type.Array(CommunityUser, { description: 'Users sharing a location with the admin, deactivated ones included, by last name.' }),
  roles: Type.Array(Type.String(), { description: 'The 18 roles of seed 000.' }),
  userGroups: Type.Array(Type.String(), { description: 'The company\'s user groups (the seed\'s six defaults when it has none).' }),
  maxSystemAdmins: Type.Integer({ description: `At most this many active System Admins per company (seed 000: ${MAX_SYSTEM_ADMINS}).` }),
});

const locationsAllowed = Type.Array(Type.String({ minLength: 1, maxLength: 60 }), {
  minItems: 1, maxItems: 200, description: 'Location GUIDs or names, each one of the admin\'s own locations; at least one.',
});

export const NewCommunityUser = Type.Object({
  loginName: Type.String({ minLength: 1, maxLength: 25, description: 'Unique in the company, case-insensitively.' }),
  firstName: Type.String({ minLength: 1, maxLength: 30 }),
  lastName: Type.String({ minLength: 1, maxLength: 30 }),
  role: Type.Enum(ROLES),
  userGroup: Type.String({ minLength: 1, maxLength: 60, description: 'One of the company\'s user groups.' }),
  systemAdmin: Type.Optional(Type.Boolean({ description: `Default false; at most ${MAX_SYSTEM_ADMINS} active per company; requires email.` })),
  active: Type.Optional(Type.Boolean({ description: 'Default true.' })),
  chartingInitials: Type.Optional(S(5, 'Default: generated from the names.')),
  title: Type.Optional(S(50, 'Title')),
  phone: Type.Optional(S(16, 'Phone')),
  email: Type.Optional(S(150, 'Email; required for a System Admin.')),
  locationsAllowed,
});
export type NewCommunityUserWire = Static<typeof NewCommunityUser>;

export const CommunityUserUpdate = Type.Object({
  firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  lastName: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  role: Type.Optional(Type.Enum(ROLES)),
  userGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  systemAdmin: Type.Optional(Type.Boolean()),
  active: Type.Optional(Type.Boolean({ description: 'false deactivates (user.delete); true reactivates with the same userId (user.create).' })),
  chartingInitials: Type.Optional(S(5, 'Charting initials')),
  title: Type.Optional(S(50, 'Title; empty clears.')),
  phone: Type.Optional(S(16, 'Phone; empty clears.')),
  email: Type.Optional(S(150, 'Email; empty clears.')),
  locationsAllowed: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), {
    minItems: 1, maxItems: 200, description: 'Replaces the user\'s locations among the admin\'s own (others are kept).',
  })),
}, { description: 'Given fields change.' });
export type CommunityUserUpdateWire = Static<typeof CommunityUserUpdate>;

export const UserParams = Type.Object({ userId: Type.String({ maxLength: 36, description: 'The user\'s GUID.' }) });

export const SetPasswordBody = Type.Object({
  password: Type.String({ minLength: 1, maxLength: 200, description: 'At least 8 characters. The user must change it at their next sign-in.' }),
});

/** A location as the Location settings screen shows it. */
export const CommunityLocation = Type.Object({
  locationId: Type.String({ description: 'GUID' }),
  name: Type.String(),
  timeZone: Nullable(Type.String({ description: 'The location\'s own IANA time zone, or null: its company\'s.' })),
  effectiveTimeZone: Type.String({ description: 'The zone in use: its own, else its company\'s. Offset-less partner timestamps are read in it; the workspace shows its times in it.' }),
});
export const CommunityLocationList = Type.Object({ locations: Type.Array(CommunityLocation) });
export const CommunityLocationEnvelope = Type.Object({ location: CommunityLocation });
export const LocationParams = Type.Object({ locationId: Type.String({ maxLength: 60, description: 'The location\'s GUID.' }) });
export const LocationUpdate = Type.Object({
  timeZone: Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'An IANA time zone name (America/Chicago); stored under its canonical name. null: the company\'s.' })),
});

/** A transfer offer between two companies. */
export const TransferOffer = Type.Object({
  offerId: Type.String({ description: 'GUID' }),
  direction: Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')], { description: 'Seen from the user\'s company.' }),
  status: Type.Union([Type.Literal('offered'), Type.Literal('accepted'), Type.Literal('declined'), Type.Literal('withdrawn')]),
  residentId: Type.String({ description: 'The resident\'s GUID, kept by the transfer.' }),
  residentName: Type.String({ description: 'As offered.' }),
  dateOfBirth: Nullable(Type.String({ description: 'YYYY-MM-DD, as offered.' })),
  note: Nullable(Type.String()),
  fromCompany: Type.Object({ companyId: Nullable(Type.String()), name: Type.String() }),
  toCompany: Type.Object({ companyId: Nullable(Type.String()), name: Type.String() }),
  fromLocation: Type.String({ description: 'The sending location\'s name.' }),
  toLocationId: Nullable(Type.String({ description: 'GUID of the receiving location, once accepted.' })),
  toLocation: Nullable(Type.String()),
  offeredAt: Type.String({ description: 'ISO 8601' }),
  decidedAt: Nullable(Type.String({ description: 'ISO 8601' })),
});
export type TransferOfferWire = Static<typeof TransferOffer>;
export const TransferOfferEnvelope = Type.Object({ offer: TransferOffer });
export const TransferOfferList = Type.Object({ offers: Type.Array(TransferOffer) });
export const TransferOfferQuery = Type.Object({
  direction: Type.Optional(Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')], { description: 'Default incoming.' })),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')], { description: 'Default open (still offered).' })),
});
export const TransferOfferParams = Type.Object({ offerId: Type.String({ maxLength: 36, description: 'The offer\'s GUID.' }) });
export const NewTransferOffer = Type.Object({
  companyId: Type.String({ minLength: 1, maxLength: 36, description: 'The receiving company\'s GUID (its `companyId`); no directory of companies is shown.' }),
  note: Type.Optional(S(500, 'For the receiving company\'s System Admins.')),
});
export const AcceptTransferOffer = Type.Object({
  locationId: Type.String({ minLength: 1, maxLength: 60, description: 'One of the accepting admin\'s locations (GUID or name).' }),
});
