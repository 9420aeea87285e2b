/**
 * `Practitioner` (US Core Practitioner 6.1.0) from ECP users (community staff) of the client's company who share a
 * location with it: identifier the `userId` (ECP users carry no NPI), name, telecom, active. `Practitioner.id` is the
 * `userId` GUID.
 */
import type { ContactPoint, Practitioner } from '@medplum/fhirtypes';
import type { EcpUserService, UserRow, UserSearchFilter } from '../ecp/users/service.ts';
import type { RequestContext } from '../platform/context.ts';
import { NotFoundError, ValidationError } from '../platform/errors.ts';
import type { FhirActor } from './auth.ts';
import { alternatives, decodeCursor, DEFAULT_COUNT, searchsetBundle, type PageQuery } from './search.ts';

export const US_CORE_PRACTITIONER = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitioner';
/** `Identifier.system` of an ECP `userId`. */
export const USER_ID_SYSTEM = 'urn:care-platform:ecp:user-id';

/** The US Core Practitioner of an ECP user. */
export function practitionerOf(u: UserRow): Practitioner {
  const telecom: ContactPoint[] = [];
  if (u.phone) telecom.push({ system: 'phone', value: u.phone, use: 'work' });
  if (u.cellphone) telecom.push({ system: 'phone', value: u.cellphone, use: 'mobile' });
  if (u.email) telecom.push({ system: 'email', value: u.email, use: 'work' });
  return {
    resourceType: 'Practitioner',
    id: u.guid,
    meta: { lastUpdated: u.updatedAt.toISOString(), profile: [US_CORE_PRACTITIONER] },
    identifier: [{ system: USER_ID_SYSTEM, value: u.guid }],
    active: u.active,
    name: [{ family: u.lastName, given: [u.firstName], ...(u.title ? { prefix: [u.title] } : {}) }],
    ...(telecom.length ? { telecom } : {}),
  };
}

/** The query of `GET /fhir/R4/Practitioner`. */
export interface PractitionerQuery extends PageQuery {
  _id?: string;
  name?: string;
}

/** Practitioner read and search over the ECP user service. */
export function createPractitionerDoor({ users, baseUrl }: { users: EcpUserService; baseUrl: string }) {
  return {
    /** `GET /Practitioner/{id}`. @throws NotFoundError unknown, or sharing no location with the client. */
    async read(ctx: RequestContext<FhirActor>, id: string): Promise<Practitioner> {
      const { rows: [u] } = await users.searchUsers(ctx, { guids: [id.toUpperCase()], limit: 1 }, 'read');
      if (!u) throw new NotFoundError('No such Practitioner at the locations this client reaches');
      return practitionerOf(u);
    },

    /** `GET /Practitioner?...`: `_id`, `name` (start of the first or last name), `_count`, `_cursor`. @throws ValidationError a malformed parameter. */
    async search(ctx: RequestContext<FhirActor>, q: PractitionerQuery) {
      const count = q._count ?? DEFAULT_COUNT;
      const filter: Omit<UserSearchFilter, 'locationIds' | 'organizationId'> = { limit: count, afterId: decodeCursor(q._cursor) };
      const params: Array<[string, string]> = [];
      if (q._id !== undefined) {
        filter.guids = alternatives(q._id).map((v) => v.toUpperCase());
        params.push(['_id', q._id]);
      }
      if (q.name !== undefined) {
        if (!q.name.trim()) throw new ValidationError(['name: a value is required']);
        filter.name = q.name.trim();
        params.push(['name', q.name]);
      }
      params.push(['_count', String(count)]);
      const { rows, more } = await users.searchUsers(ctx, filter, 'list');
      return searchsetBundle({ baseUrl, type: 'Practitioner', params, cursor: q._cursor, rows, more, keyOf: (u) => u.id, toResource: practitionerOf });
    },
  };
}
