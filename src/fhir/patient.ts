/**
 * `Patient` (US Core Patient Profile 6.1.0) from ECP residents: identity `Patient.id` = `residentId`
 * (ARCHITECTURE.md, "FHIR identities"); identifiers the `residentId` and each external id, under documented
 * systems; the name with nickname; gender (`unknown` when the resident has none, ARCHITECTURE.md "Always-specified
 * resident fields"); telecom; birthDate; `active` (status Active).
 */
import type { Identifier, Patient } from '@medplum/fhirtypes';
import type { ResidentRow, ResidentSearchFilter, ResidentService } from '../ecp/residents/service.ts';
import type { RequestContext } from '../platform/context.ts';
import { NotFoundError, ValidationError } from '../platform/errors.ts';
import { withLocations, type FhirActor } from './auth.ts';
import { alternatives, dateRanges, decodeCursor, DEFAULT_COUNT, pageAcrossGroups, parseToken, searchsetBundle, zonedDateRanges } from './search.ts';

export const US_CORE_PATIENT = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient';
/** `Identifier.system` of the `residentId`. */
export const RESIDENT_ID_SYSTEM = 'urn:care-platform:ecp:resident-id';
/** `Identifier.system` prefix of an external id: the system is this prefix and the URI-encoded external id name (`mrn`). */
export const EXTERNAL_ID_SYSTEM = 'urn:care-platform:ecp:external-id:';

const GENDER: Record<string, Patient['gender']> = { Male: 'male', Female: 'female', Other: 'other' };

/** The US Core Patient of a resident row. */
export function patientOf(r: ResidentRow): Patient {
  const identifier: Identifier[] = [{ use: 'usual', system: RESIDENT_ID_SYSTEM, value: r.guid }];
  for (const [name, value] of Object.entries((r.externalIds ?? {}) as Record<string, unknown>)) {
    if (value !== null && value !== undefined && String(value) !== '') identifier.push({ use: 'secondary', system: `${EXTERNAL_ID_SYSTEM}${encodeURIComponent(name)}`, value: String(value) });
  }
  const given = [r.firstName, r.middleName].filter((g): g is string => Boolean(g));
  const telecom: Patient['telecom'] = [];
  if (r.phone) telecom.push({ system: 'phone', value: r.phone, use: 'home' });
  if (r.email) telecom.push({ system: 'email', value: r.email });
  return {
    resourceType: 'Patient',
    id: r.guid,
    meta: { lastUpdated: r.updatedAt.toISOString(), profile: [US_CORE_PATIENT] },
    identifier,
    active: r.status === 'Active',
    name: [
      { use: 'official', family: r.lastName, given, ...(r.suffix ? { suffix: [r.suffix] } : {}) },
      ...(r.nickname ? [{ use: 'nickname' as const, given: [r.nickname] }] : []),
    ],
    ...(telecom.length ? { telecom } : {}),
    gender: (r.gender && GENDER[r.gender]) || 'unknown',
    birthDate: r.dateOfBirth,
  };
}

/** The query of `GET /fhir/R4/Patient` (validated by its schema). */
export interface PatientQuery {
  _id?: string;
  identifier?: string;
  name?: string;
  birthdate?: string[];
  _lastUpdated?: string[];
  _count?: number;
  _cursor?: string;
}

/** The resident filter of an `identifier` token: our `residentId` system, an external id system, or a bare value. */
function identifierFilter(value: string): Pick<ResidentSearchFilter, 'identifier' | 'guids'> {
  const { system, code } = parseToken(value);
  if (!code) throw new ValidationError(['identifier: a value is required ([system|]value)']);
  if (system === undefined || system === '') return { identifier: { value: code } };
  if (system === RESIDENT_ID_SYSTEM) return { guids: [code.toUpperCase()] };
  if (system.startsWith(EXTERNAL_ID_SYSTEM)) {
    let name: string;
    try {
      name = decodeURIComponent(system.slice(EXTERNAL_ID_SYSTEM.length));
    } catch {
      throw new ValidationError([`identifier: the system ${system} is not URI-encoded`]);
    }
    return { identifier: { name, value: code } };
  }
  // A system this server does not issue identifies nobody.
  return { guids: [] };
}

/** Patient read and search over the resident service. */
export function createPatientDoor({ residents, baseUrl }: { residents: ResidentService; baseUrl: string }) {
  return {
    /** `GET /Patient/{id}`. @throws NotFoundError unknown, or not at a location the client reaches. */
    async read(ctx: RequestContext<FhirActor>, id: string): Promise<Patient> {
      const { rows: [row] } = await residents.searchResidentRecords(ctx, { guids: [id.toUpperCase()], limit: 1 }, 'read');
      if (!row) throw new NotFoundError('No such Patient at the locations this client reaches');
      return patientOf(row.r);
    },

    /**
     * `GET /Patient?...`: `_id` and `identifier` (comma-separated: OR), `name` (prefix of any name part),
     * `birthdate` and `_lastUpdated` (repeatable: AND, with prefixes), `_count` (default 50, at most 200), `_cursor`.
     * @throws ValidationError a malformed parameter.
     */
    async search(ctx: RequestContext<FhirActor>, q: PatientQuery) {
      const count = q._count ?? DEFAULT_COUNT;
      const afterId = decodeCursor(q._cursor);
      const filter: Omit<ResidentSearchFilter, 'locationIds'> = { limit: count, afterId };
      const params: Array<[string, string]> = [];
      if (q._id !== undefined) {
        filter.guids = alternatives(q._id).map((g) => g.toUpperCase());
        params.push(['_id', q._id]);
      }
      if (q.identifier !== undefined) {
        const alts = alternatives(q.identifier).map(identifierFilter);
        // One identifier value per search (several: OR of different systems) is what the store filters on.
        if (alts.length !== 1) throw new ValidationError(['identifier: give one value ([system|]value) per search']);
        const [f] = alts;
        if (f.guids) filter.guids = filter.guids ? filter.guids.filter((g) => f.guids!.includes(g)) : f.guids;
        if (f.identifier) filter.identifier = f.identifier;
        params.push(['identifier', q.identifier]);
      }
      if (q.name !== undefined) {
        if (!q.name.trim()) throw new ValidationError(['name: a value is required']);
        filter.name = q.name.trim();
        params.push(['name', q.name]);
      }
      const born = dateRanges('birthdate', q.birthdate);
      if (born.from) filter.birthDateFrom = born.from.toISOString().slice(0, 10);
      if (born.to) filter.birthDateTo = born.to.toISOString().slice(0, 10);
      for (const v of q.birthdate ?? []) params.push(['birthdate', v]);
      // A date without an offset is the day (or time) at each location: one range per time zone.
      const groups = zonedDateRanges('_lastUpdated', q._lastUpdated, ctx.actor.locations);
      for (const v of q._lastUpdated ?? []) params.push(['_lastUpdated', v]);
      params.push(['_count', String(count)]);
      const { rows, more } = await pageAcrossGroups(groups, count, (g) => residents.searchResidentRecords(withLocations(ctx, g.locationIds), { ...filter, updatedFrom: g.from, updatedTo: g.to }, 'list'), (x) => x.r.id);
      return searchsetBundle({
        baseUrl, type: 'Patient', params, cursor: q._cursor, rows, more, keyOf: (x) => x.r.id, toResource: (x) => patientOf(x.r),
      });
    },
  };
}

export type PatientDoor = ReturnType<typeof createPatientDoor>;
