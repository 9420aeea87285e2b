/**
 * Wire schemas of clinic sign-in, the current user, user administration,
 * organization settings and the audit log.
 */
import { Type, type Static } from 'typebox';
import { DateText, LimitedString, Nullable } from '../../platform/schema.ts';
import { ROLES } from '../../platform/context.ts';
import { PageQuery, Pagination } from '../../platform/pagination.ts';
import type { OrganizationRow, UserRow } from '../../platform/identity/service.ts';

const Role = Type.Enum(ROLES, { description: 'admin, care_coordinator or provider.' });

export const User = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  phone: Nullable(Type.String({ description: 'E.164.' })),
  role: Role,
  active: Type.Boolean(),
  organization_id: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export function userWire(u: UserRow): Static<typeof User> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    phone: u.phone,
    role: u.role as Static<typeof Role>,
    active: u.active,
    organization_id: u.organizationId,
    created_at: u.createdAt.toISOString(),
    updated_at: u.updatedAt.toISOString(),
  };
}

export const SignInBody = Type.Object({
  email: LimitedString('email', { minLength: 1 }),
  password: LimitedString('password', { minLength: 1 }),
});

export const SignInResponse = Type.Object({
  token: Type.String({ description: 'Send as X-User-Token. Expires after 12 h without use (configurable).' }),
  user: User,
});

export const UserEnvelope = Type.Object({ user: User });
export const UserList = Type.Object({ users: Type.Array(User), pagination: Pagination });
export const UserListQuery = Type.Object({ ...PageQuery, role: Type.Optional(Role) });

export const NewUserBody = Type.Object({
  user: Type.Object({
    email: LimitedString('email', { format: 'email' }),
    name: LimitedString('personName', { minLength: 1 }),
    role: Role,
    password: LimitedString('password', { description: 'At least 8 characters.' }),
    phone: Type.Optional(Nullable(LimitedString('phone'))),
  }),
});

export const UserChangesBody = Type.Object({
  user: Type.Object({
    name: Type.Optional(LimitedString('personName', { minLength: 1 })),
    phone: Type.Optional(Nullable(LimitedString('phone'))),
    role: Type.Optional(Role),
    active: Type.Optional(Type.Boolean({ description: 'false: the user cannot sign in and every token stops working at once.' })),
    password: Type.Optional(LimitedString('password')),
  }),
});

export const IdParams = Type.Object({ id: Type.Integer() });

export const Organization = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  npi: Nullable(Type.String({ description: 'National Provider Identifier (10 digits).' })),
  tin: Nullable(Type.String({ description: 'Tax ID Number.' })),
  phone: Nullable(Type.String()),
  time_zone: Type.String({ description: 'IANA time zone (default America/Los_Angeles).' }),
  mcp_id: Nullable(Type.String({ description: 'Managed-care plan identifier.' })),
  mcp_name: Nullable(Type.String()),
  reporting_day: Type.Integer({ description: "Day of the month (1-28, the clinic's time zone) the monthly job generates last month's PRTF files for every plan (default 10)." }),
  phone_numbers: Type.Array(Type.String(), { description: 'Twilio numbers that belong to the clinic (E.164), the sending number first; no other organization holds them.' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export function organizationWire(o: OrganizationRow): Static<typeof Organization> {
  return {
    id: o.id,
    name: o.name,
    npi: o.npi,
    tin: o.tin,
    phone: o.phone,
    time_zone: o.timeZone,
    mcp_id: o.mcpId,
    mcp_name: o.mcpName,
    reporting_day: o.reportingDay,
    phone_numbers: o.phoneNumbers,
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}

export const OrganizationEnvelope = Type.Object({ organization: Organization });
export const OrganizationBody = Type.Object({
  organization: Type.Object({
    name: Type.Optional(LimitedString('name', { minLength: 1 })),
    npi: Type.Optional(Nullable(LimitedString('identifier'))),
    tin: Type.Optional(Nullable(LimitedString('identifier'))),
    phone: Type.Optional(Nullable(LimitedString('phone'))),
    time_zone: Type.Optional(LimitedString('timeZone')),
    mcp_id: Type.Optional(Nullable(LimitedString('identifier'))),
    mcp_name: Type.Optional(Nullable(LimitedString('name'))),
    reporting_day: Type.Optional(Type.Integer({ description: 'Day of the month from 1 to 28.' })),
    phone_numbers: Type.Optional(Type.Array(LimitedString('phone'))),
  }),
});

export const MeResponse = Type.Object({ user: User, organization: Organization });

export const AuditEvent = Type.Object({
  id: Type.Integer(),
  actor_type: Type.String({ description: 'user, system or partner (the partner client, on a company\'s rows).' }),
  actor_id: Nullable(Type.String()),
  actor_name: Nullable(Type.String()),
  action: Type.String({
    description: 'read, list, create, update, delete, export or import; for authentication: sign_in, sign_in_failed and sign_out '
      + '(entity_type `session`, entity_ids the attempted email; a failed attempt is filed under the clinic of the account the email names, '
      + 'and is not recorded when it names none), token_granted and token_refused (ECP `POST /token`, `access_token`), and access_denied '
      + '(a 403: entity_type `endpoint`, entity_ids `METHOD /route/pattern`).',
  }),
  entity_type: Type.String(),
  entity_ids: Type.Array(Type.String(), { description: 'Every record the request read or changed.' }),
  ip: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
});

export const AuditQuery = Type.Object({
  ...PageQuery,
  entity_type: Type.Optional(LimitedString('identifier', { description: 'patient, user, organization, ...' })),
  entity_id: Type.Optional(LimitedString('identifier')),
  actor_id: Type.Optional(LimitedString('identifier', { description: 'User id.' })),
  action: Type.Optional(LimitedString('identifier', { description: 'Exact action, e.g. `sign_in_failed` (failed sign-ins) or `access_denied` (403s).' })),
  start_date: Type.Optional(DateText({ description: 'From this day (UTC), inclusive.' })),
  end_date: Type.Optional(DateText({ description: 'To this day (UTC), inclusive.' })),
});

export const AuditList = Type.Object({ audit_events: Type.Array(AuditEvent), pagination: Pagination });
