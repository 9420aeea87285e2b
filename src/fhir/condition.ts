/**
 * `Condition` (US Core Condition Problems and Health Concerns Profile 6.1.0) from ECP diagnoses: category
 * `problem-list-item`; the ICD-10-CM code (dotted) under `http://hl7.org/fhir/sid/icd-10-cm`, with the code set's
 * description as its display when the code was checked against an imported code set (otherwise the recorded text is
 * `code.text` only); a diagnosis without a code is `code.text` alone. `Condition.id` is the diagnosis GUID.
 * ECP diagnoses have no end or verification: each is `clinicalStatus` active and carries no `verificationStatus`.
 */
import type { Condition } from '@medplum/fhirtypes';
import { dottedCode } from '../ecp/codes/service.ts';
import type { DiagnosisSearchFilter, DiagnosisService, FoundDiagnosis } from '../ecp/diagnoses/service.ts';
import type { RequestContext } from '../platform/context.ts';
import { NotFoundError } from '../platform/errors.ts';
import { withLocations, type FhirActor } from './auth.ts';
import { alternatives, decodeCursor, DEFAULT_COUNT, pageAcrossGroups, parseToken, patientIdOf, searchsetBundle, zonedDateRanges, type PageQuery } from './search.ts';

export const US_CORE_CONDITION = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';

/** The US Core Condition of a diagnosis. */
export function conditionOf(d: FoundDiagnosis): Condition {
  const text = d.diagnosis ?? (d.code ? dottedCode(d.code) : 'Diagnosis');
  return {
    resourceType: 'Condition',
    id: d.guid,
    meta: { lastUpdated: d.createdAt.toISOString(), profile: [US_CORE_CONDITION] },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active', display: 'Active' }] },
    category: [{ coding: [{ system: CONDITION_CATEGORY, code: 'problem-list-item', display: 'Problem List Item' }] }],
    code: d.code
      ? { coding: [{ system: ICD10CM, code: dottedCode(d.code), ...(d.codeSetYear !== null && d.diagnosis ? { display: d.diagnosis } : {}) }], text }
      : { text },
    subject: { reference: `Patient/${d.residentGuid}` },
    recordedDate: d.recordedAt.toISOString(),
    ...(d.comment ? { note: [{ text: d.comment }] } : {}),
  };
}

/** The query of `GET /fhir/R4/Condition`. */
export interface ConditionQuery extends PageQuery {
  _id?: string;
  patient?: string;
  category?: string;
  code?: string;
  'recorded-date'?: string[];
}

/** Undotted ICD-10-CM codes of a `code` token list (another system selects nothing). */
function codesOf(value: string): string[] {
  return alternatives(value).flatMap((v) => {
    const { system, code } = parseToken(v);
    if (system !== undefined && system !== '' && system !== ICD10CM) return [];
    return [code.replace('.', '').toUpperCase()];
  });
}

/** Condition read and search over the diagnosis service. */
export function createConditionDoor({ diagnoses, baseUrl }: { diagnoses: DiagnosisService; baseUrl: string }) {
  return {
    /** `GET /Condition/{id}`. @throws NotFoundError unknown, or not at a location the client reaches. */
    async read(ctx: RequestContext<FhirActor>, id: string): Promise<Condition> {
      const { rows: [found] } = await diagnoses.searchDiagnoses(ctx, { guids: [id.toUpperCase()], limit: 1 }, 'read');
      if (!found) throw new NotFoundError('No such Condition at the locations this client reaches');
      return conditionOf(found);
    },

    /**
     * `GET /Condition?...`: `patient`, `category` (problem-list-item), `code` (ICD-10-CM, dotted or not),
     * `recorded-date` (prefixes), `_id`, `_count`, `_cursor`.
     * @throws ValidationError a malformed parameter.
     */
    async search(ctx: RequestContext<FhirActor>, q: ConditionQuery) {
      const count = q._count ?? DEFAULT_COUNT;
      const filter: Omit<DiagnosisSearchFilter, 'locationIds'> = { limit: count, afterId: decodeCursor(q._cursor) };
      const params: Array<[string, string]> = [];
      if (q._id !== undefined) {
        filter.guids = alternatives(q._id).map((v) => v.toUpperCase());
        params.push(['_id', q._id]);
      }
      if (q.patient !== undefined) {
        filter.residentGuids = alternatives(q.patient).map(patientIdOf);
        params.push(['patient', q.patient]);
      }
      if (q.category !== undefined) {
        const wanted = alternatives(q.category).some((v) => {
          const { system, code } = parseToken(v);
          return code === 'problem-list-item' && (system === undefined || system === '' || system === CONDITION_CATEGORY);
        });
        // Every diagnosis is a problem-list item; any other category selects nothing.
        if (!wanted) filter.guids = [];
        params.push(['category', q.category]);
      }
      if (q.code !== undefined) {
        filter.codes = codesOf(q.code);
        params.push(['code', q.code]);
      }
      // A date without an offset is the day (or time) at each location: one range per time zone.
      const groups = zonedDateRanges('recorded-date', q['recorded-date'], ctx.actor.locations);
      for (const v of q['recorded-date'] ?? []) params.push(['recorded-date', v]);
      params.push(['_count', String(count)]);
      const { rows, more } = await pageAcrossGroups(groups, count, (g) => diagnoses.searchDiagnoses(withLocations(ctx, g.locationIds), { ...filter, from: g.from, to: g.to }, 'list'), (r) => r.id);
      return searchsetBundle({ baseUrl, type: 'Condition', params, cursor: q._cursor, rows, more, keyOf: (r) => r.id, toResource: conditionOf });
    },
  };
}
