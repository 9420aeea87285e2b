/**
 * `AllergyIntolerance` (US Core AllergyIntolerance Profile 6.1.0) from ECP allergies: each allergy is free text
 * (`code.text`; the ECP API records no coded substance), `clinicalStatus` active (an allergy removed from the list is
 * deleted, so every one on it is current), `recordedDate` the time it was added. `AllergyIntolerance.id` is the
 * allergy's GUID.
 */
import type { AllergyIntolerance } from '@medplum/fhirtypes';
import type { AllergySearchFilter, AllergyService, FoundAllergy } from '../ecp/allergies/service.ts';
import type { RequestContext } from '../platform/context.ts';
import { NotFoundError } from '../platform/errors.ts';
import type { FhirActor } from './auth.ts';
import { alternatives, decodeCursor, DEFAULT_COUNT, parseToken, patientIdOf, searchsetBundle, type PageQuery } from './search.ts';

export const US_CORE_ALLERGY = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-allergyintolerance';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';

/** The US Core AllergyIntolerance of an allergy. */
export function allergyIntoleranceOf(a: FoundAllergy): AllergyIntolerance {
  return {
    resourceType: 'AllergyIntolerance',
    id: a.guid,
    meta: { lastUpdated: a.createdAt.toISOString(), profile: [US_CORE_ALLERGY] },
    clinicalStatus: { coding: [{ system: CLINICAL, code: 'active', display: 'Active' }] },
    code: { text: a.allergy },
    patient: { reference: `Patient/${a.residentGuid}` },
    recordedDate: a.createdAt.toISOString(),
  };
}

/** The query of `GET /fhir/R4/AllergyIntolerance`. */
export interface AllergyQuery extends PageQuery {
  _id?: string;
  patient?: string;
  'clinical-status'?: string;
}

/** AllergyIntolerance read and search over the allergy service. */
export function createAllergyDoor({ allergies, baseUrl }: { allergies: AllergyService; baseUrl: string }) {
  return {
    /** `GET /AllergyIntolerance/{id}`. @throws NotFoundError unknown, or not at a location the client reaches. */
    async read(ctx: RequestContext<FhirActor>, id: string): Promise<AllergyIntolerance> {
      const { rows: [found] } = await allergies.searchAllergies(ctx, { guids: [id.toUpperCase()], limit: 1 }, 'read');
      if (!found) throw new NotFoundError('No such AllergyIntolerance at the locations this client reaches');
      return allergyIntoleranceOf(found);
    },

    /**
     * `GET /AllergyIntolerance?...`: `patient`, `clinical-status` (active selects all, another status none), `_id`,
     * `_count`, `_cursor`.
     * @throws ValidationError a malformed parameter.
     */
    async search(ctx: RequestContext<FhirActor>, q: AllergyQuery) {
      const count = q._count ?? DEFAULT_COUNT;
      const filter: Omit<AllergySearchFilter, 'locationIds'> = { limit: count, afterId: decodeCursor(q._cursor) };
      const params: Array<[string, string]> = [];
      if (q._id !== undefined) {
        filter.guids = alternatives(q._id).map((v) => v.toUpperCase());
        params.push(['_id', q._id]);
      }
      if (q.patient !== undefined) {
        filter.residentGuids = alternatives(q.patient).map(patientIdOf);
        params.push(['patient', q.patient]);
      }
      if (q['clinical-status'] !== undefined) {
        const active = alternatives(q['clinical-status']).some((v) => {
          const { system, code } = parseToken(v);
          return code === 'active' && (system === undefined || system === '' || system === CLINICAL);
        });
        if (!active) filter.guids = [];
        params.push(['clinical-status', q['clinical-status']]);
      }
      params.push(['_count', String(count)]);
      const { rows, more } = await allergies.searchAllergies(ctx, filter, 'list');
      return searchsetBundle({ baseUrl, type: 'AllergyIntolerance', params, cursor: q._cursor, rows, more, keyOf: (r) => r.id, toResource: allergyIntoleranceOf });
    },
  };
}
