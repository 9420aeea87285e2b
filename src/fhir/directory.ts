/**
 * `Location` (US Core Location 6.1.0) from the ECP locations the client reaches, and `Organization` (US Core
 * Organization 6.1.0) from its company. Neither holds PHI, so neither writes an audit row. `Location.id` is the
 * `locationId` GUID; `Organization.id` the company's organization number. Both are read from the client's
 * authentication (its locations) or the identity service (the company): another company's are 404 or absent.
 */
import type { Location, Organization } from '@medplum/fhirtypes';
import type { LocationRow } from '../ecp/clients/service.ts';
import type { IdentityService } from '../platform/identity/service.ts';
import type { RequestContext } from '../platform/context.ts';
import { NotFoundError, ValidationError } from '../platform/errors.ts';
import type { FhirActor } from './auth.ts';
import { alternatives, DEFAULT_COUNT, searchsetBundle, type PageQuery } from './search.ts';

export const US_CORE_LOCATION = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-location';
export const US_CORE_ORGANIZATION = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization';
/** `Identifier.system` of a `locationId`. */
export const LOCATION_ID_SYSTEM = 'urn:care-platform:ecp:location-id';
const NPI = 'http://hl7.org/fhir/sid/us-npi';

/** The US Core Location of an ECP location of company `organizationId`. */
export function locationOf(l: LocationRow): Location {
  return {
    resourceType: 'Location',
    id: l.guid,
    meta: { lastUpdated: l.createdAt.toISOString(), profile: [US_CORE_LOCATION] },
    identifier: [{ system: LOCATION_ID_SYSTEM, value: l.guid }],
    status: 'active',
    name: l.name,
    managingOrganization: { reference: `Organization/${l.organizationId}` },
  };
}

type OrganizationRow = Awaited<ReturnType<IdentityService['getOrganization']>>;

/** The US Core Organization of a company. */
export function organizationOf(o: OrganizationRow): Organization {
  return {
    resourceType: 'Organization',
    id: String(o.id),
    meta: { lastUpdated: o.updatedAt.toISOString(), profile: [US_CORE_ORGANIZATION] },
    ...(o.npi ? { identifier: [{ system: NPI, value: o.npi }] } : {}),
    active: true,
    name: o.name,
    ...(o.phone ? { telecom: [{ system: 'phone' as const, value: o.phone, use: 'work' as const }] } : {}),
  };
}

/** The query of `GET /fhir/R4/Location` and `GET /fhir/R4/Organization`. */
export interface DirectoryQuery extends PageQuery {
  _id?: string;
  name?: string;
}

/** `rows` filtered by `_id` (comma-separated) and `name` (case-insensitive start of the name), with the parameters applied. */
function filtered<T>(rows: T[], q: DirectoryQuery, idOf: (r: T) => string, nameOf: (r: T) => string) {
  if (q._cursor !== undefined) throw new ValidationError(['_cursor: these results have one page; there is no next page']);
  const params: Array<[string, string]> = [];
  let out = rows;
  if (q._id !== undefined) {
    const ids = alternatives(q._id).map((v) => v.toUpperCase());
    out = out.filter((r) => ids.includes(idOf(r).toUpperCase()));
    params.push(['_id', q._id]);
  }
  if (q.name !== undefined) {
    const n = q.name.trim().toLowerCase();
    out = out.filter((r) => nameOf(r).toLowerCase().startsWith(n));
    params.push(['name', q.name]);
  }
  return { out, params };
}

/** Location and Organization read and search. */
export function createDirectoryDoor({ identity, baseUrl }: { identity: IdentityService; baseUrl: string }) {
  const locations = {
    /** `GET /Location/{id}`: a location the client reaches. @throws NotFoundError otherwise. */
    async read(ctx: RequestContext<FhirActor>, id: string): Promise<Location> {
      const l = ctx.actor.locations.find((x) => x.guid === id.toUpperCase());
      if (!l) throw new NotFoundError('No such Location among the locations this client reaches');
      return locationOf(l);
    },
    /** `GET /Location?...`: the reachable locations (`_id`, `name`), one page. */
    async search(ctx: RequestContext<FhirActor>, q: DirectoryQuery) {
      const { out, params } = filtered(ctx.actor.locations, q, (l) => l.guid, (l) => l.name);
      const count = q._count ?? DEFAULT_COUNT;
      params.push(['_count', String(count)]);
      // A client reaches a handful of locations: one page, at most MAX_COUNT (the schema's bound on _count).
      return searchsetBundle({ baseUrl, type: 'Location', params, rows: out.slice(0, count), more: false, keyOf: (l) => l.id, toResource: locationOf });
    },
  };
  const organizations = {
    /** `GET /Organization/{id}`: the client's company. @throws NotFoundError another id. */
    async read(ctx: RequestContext<FhirActor>, id: string): Promise<Organization> {
      if (id !== String(ctx.actor.organizationId)) throw new NotFoundError('No such Organization for this client');
      return organizationOf(await identity.getOrganization(ctx.actor.organizationId));
    },
    /** `GET /Organization?...`: the client's company (`_id`, `name`). */
    async search(ctx: RequestContext<FhirActor>, q: DirectoryQuery) {
      const org = await identity.getOrganization(ctx.actor.organizationId);
      const { out, params } = filtered([org], q, (o) => String(o.id), (o) => o.name);
      params.push(['_count', String(q._count ?? DEFAULT_COUNT)]);
      return searchsetBundle({ baseUrl, type: 'Organization', params, rows: out, more: false, keyOf: (o) => o.id, toResource: organizationOf });
    },
  };
  return { locations, organizations };
}
