/**
 * `Observation` from ECP vital readings: the six vital signs as US Core vital-sign observations (category
 * `vital-signs`, LOINC code, UCUM unit) and blood sugar as a US Core Laboratory Result Observation (category
 * `laboratory`; glucose is not a vital sign in US Core). `Observation.id` is the reading's GUID (ARCHITECTURE.md,
 * "FHIR identities"); `meta.lastUpdated` the time it was stored (readings are never changed).
 */
import type { CodeableConcept, Coding, Observation } from '@medplum/fhirtypes';
import type { FoundReading, ReadingSearchFilter, VitalService } from '../ecp/vitals/service.ts';
import type { RequestContext } from '../platform/context.ts';
import { NotFoundError } from '../platform/errors.ts';
import { withLocations, type FhirActor } from './auth.ts';
import { alternatives, decodeCursor, DEFAULT_COUNT, pageAcrossGroups, parseToken, patientIdOf, searchsetBundle, zonedDateRanges } from './search.ts';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';

interface Quantity {
  unit: string;
  code: string;
}

/** How a kind of reading (`ecp_vitals.vital_type`) is an Observation. */
export interface ObservationKind {
  vitalType: string;
  category: 'vital-signs' | 'laboratory';
  profile: string;
  /** Codings of `Observation.code`; the first is the primary one. */
  codes: Coding[];
  text: string;
  quantity: Quantity;
  /** Blood pressure: the systolic and diastolic components (value, value2). */
  components?: [Coding, Coding];
}

const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
const MM_HG: Quantity = { unit: 'mmHg', code: 'mm[Hg]' };
const PER_MIN: Quantity = { unit: '/min', code: '/min' };

/** The seven reading kinds, with the LOINC codes and UCUM units of US Core 6.1.0's profiles. */
export const OBSERVATION_KINDS: ObservationKind[] = [
  {
    vitalType: 'blood-pressure', category: 'vital-signs', profile: `${US_CORE}us-core-blood-pressure`, text: 'Blood pressure',
    codes: [loinc('85354-9', 'Blood pressure panel with all children optional')], quantity: MM_HG,
    components: [loinc('8480-6', 'Systolic blood pressure'), loinc('8462-4', 'Diastolic blood pressure')],
  },
  { vitalType: 'pulse', category: 'vital-signs', profile: `${US_CORE}us-core-heart-rate`, text: 'Heart rate', codes: [loinc('8867-4', 'Heart rate')], quantity: { unit: 'beats/minute', code: '/min' } },
  { vitalType: 'respirations', category: 'vital-signs', profile: `${US_CORE}us-core-respiratory-rate`, text: 'Respiratory rate', codes: [loinc('9279-1', 'Respiratory rate')], quantity: { ...PER_MIN, unit: 'breaths/minute' } },
  { vitalType: 'temperature', category: 'vital-signs', profile: `${US_CORE}us-core-body-temperature`, text: 'Body temperature', codes: [loinc('8310-5', 'Body temperature')], quantity: { unit: 'degF', code: '[degF]' } },
  { vitalType: 'weight', category: 'vital-signs', profile: `${US_CORE}us-core-body-weight`, text: 'Body weight', codes: [loinc('29463-7', 'Body weight')], quantity: { unit: 'lb', code: '[lb_av]' } },
  {
    vitalType: 'blood-ox', category: 'vital-signs', profile: `${US_CORE}us-core-pulse-oximetry`, text: 'Oxygen saturation',
    codes: [loinc('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'), loinc('2708-6', 'Oxygen saturation in Arterial blood')], quantity: { unit: '%', code: '%' },
  },
  {
    vitalType: 'blood-sugar', category: 'laboratory', profile: `${US_CORE}us-core-observation-lab`, text: 'Glucose',
    codes: [loinc('2339-0', 'Glucose [Mass/volume] in Blood')], quantity: { unit: 'mg/dL', code: 'mg/dL' },
  },
];

const KIND_OF = new Map(OBSERVATION_KINDS.map((k) => [k.vitalType, k]));

const categoryOf = (k: ObservationKind): CodeableConcept => ({
  coding: [{ system: OBSERVATION_CATEGORY, code: k.category, display: k.category === 'vital-signs' ? 'Vital Signs' : 'Laboratory' }],
  text: k.category === 'vital-signs' ? 'Vital Signs' : 'Laboratory',
});

const quantity = (value: number, q: Quantity) => ({ value, unit: q.unit, system: UCUM, code: q.code });

/** The US Core Observation of a reading. */
export function observationOf(r: FoundReading): Observation {
  const k = KIND_OF.get(r.vitalType);
  if (!k) throw new Error(`No Observation mapping for the reading kind ${r.vitalType}`);
  const base: Observation = {
    resourceType: 'Observation',
    id: r.guid,
    meta: { lastUpdated: r.createdAt.toISOString(), profile: [k.profile] },
    status: 'final',
    category: [categoryOf(k)],
    code: { coding: k.codes, text: k.text },
    subject: { reference: `Patient/${r.residentGuid}` },
    effectiveDateTime: r.recordedAt.toISOString(),
    issued: r.createdAt.toISOString(),
  };
  if (k.components) {
    return {
      ...base,
      component: [
        { code: { coding: [k.components[0]], text: k.components[0].display }, valueQuantity: quantity(r.value, k.quantity) },
        { code: { coding: [k.components[1]], text: k.components[1].display }, valueQuantity: quantity(r.value2 ?? Number.NaN, k.quantity) },
      ],
    };
  }
  return { ...base, valueQuantity: quantity(r.value, k.quantity) };
}

/** The query of `GET /fhir/R4/Observation` (validated by its schema). */
export interface ObservationQuery {
  _id?: string;
  patient?: string;
  subject?: string;
  category?: string;
  code?: string;
  date?: string[];
  _count?: number;
  _cursor?: string;
}

/** The reading kinds a `category` token list selects (`vital-signs`, `laboratory`; the system, when given, must be observation-category). */
function kindsOfCategory(value: string): string[] {
  return alternatives(value).flatMap((v) => {
    const { system, code } = parseToken(v);
    if (system !== undefined && system !== '' && system !== OBSERVATION_CATEGORY) return [];
    return OBSERVATION_KINDS.filter((k) => k.category === code).map((k) => k.vitalType);
  });
}

/** The reading kinds a `code` token list selects (any of a kind's LOINC codes, the BP components included). */
function kindsOfCode(value: string): string[] {
  return alternatives(value).flatMap((v) => {
    const { system, code } = parseToken(v);
    if (system !== undefined && system !== '' && system !== LOINC) return [];
    return OBSERVATION_KINDS.filter((k) => [...k.codes, ...(k.components ?? [])].some((c) => c.code === code)).map((k) => k.vitalType);
  });
}

/** Observation read and search over the vital service. */
export function createObservationDoor({ vitals, baseUrl }: { vitals: VitalService; baseUrl: string }) {
  return {
    /** `GET /Observation/{id}`. @throws NotFoundError unknown, or not at a location the client reaches. */
    async read(ctx: RequestContext<FhirActor>, id: string): Promise<Observation> {
      const { rows: [found] } = await vitals.searchReadings(ctx, { guids: [id.toUpperCase()], limit: 1 }, 'read');
      if (!found) throw new NotFoundError('No such Observation at the locations this client reaches');
      return observationOf(found);
    },

    /**
     * `GET /Observation?...`: `patient` (or `subject`), `category`, `code` (comma-separated: OR), `date` (repeatable:
     * AND, with prefixes), `_id`, `_count` (default 50, at most 200), `_cursor`.
     * @throws ValidationError a malformed parameter.
     */
    async search(ctx: RequestContext<FhirActor>, q: ObservationQuery) {
      const count = q._count ?? DEFAULT_COUNT;
      const filter: Omit<ReadingSearchFilter, 'locationIds'> = { limit: count, afterId: decodeCursor(q._cursor) };
      const params: Array<[string, string]> = [];
      if (q._id !== undefined) {
        filter.guids = alternatives(q._id).map((v) => v.toUpperCase());
        params.push(['_id', q._id]);
      }
      const patient = q.patient ?? q.subject;
      if (patient !== undefined) {
        filter.residentGuids = alternatives(patient).map(patientIdOf);
        params.push([q.patient !== undefined ? 'patient' : 'subject', patient]);
      }
      let kinds: string[] | undefined;
      if (q.category !== undefined) {
        kinds = kindsOfCategory(q.category);
        params.push(['category', q.category]);
      }
      if (q.code !== undefined) {
        const byCode = kindsOfCode(q.code);
        kinds = kinds ? kinds.filter((k) => byCode.includes(k)) : byCode;
        params.push(['code', q.code]);
      }
      if (kinds) filter.vitalTypes = [...new Set(kinds)];
      // A date without an offset is the day (or time) at each location: one range per time zone.
      const groups = zonedDateRanges('date', q.date, ctx.actor.locations);
      for (const v of q.date ?? []) params.push(['date', v]);
      params.push(['_count', String(count)]);
      const { rows, more } = await pageAcrossGroups(groups, count, (g) => vitals.searchReadings(withLocations(ctx, g.locationIds), { ...filter, from: g.from, to: g.to }, 'list'), (r) => r.id);
      return searchsetBundle({ baseUrl, type: 'Observation', params, cursor: q._cursor, rows, more, keyOf: (r) => r.id, toResource: observationOf });
    },
  };
}

export type ObservationDoor = ReturnType<typeof createObservationDoor>;
