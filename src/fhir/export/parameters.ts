/**
 * The kick-off parameters of a Bulk Data export (Bulk Data Access 2.0, export.html "Query Parameters"), one rule set
 * for both forms of the kick-off: a `GET` query string (`parametersOfQuery`) and a `POST` FHIR `Parameters` body
 * (`parametersOfBody`) are each turned into a list of named values, which `exportRequestOf` checks and reads. The
 * export service calls `exportRequestOf`, so GET and POST cannot drift apart.
 */
import { ValidationError } from '../../platform/errors.ts';
import { dateRange } from '../search.ts';

/** The level of a kick-off: `/$export`, `/Patient/$export` or `/Group/{id}/$export`. */
export type ExportLevel = 'system' | 'patient' | 'group';

/** One kick-off parameter: its name and its value as text (`patient`: the reference, `Patient/<residentId>`). */
export interface ExportParameter {
  name: string;
  value: string;
}

/** What a kick-off asks for, checked. */
export interface ExportRequest {
  /** The resource types `_type` names (comma-separated and repeated values together, in the order given); undefined when absent. */
  types?: string[];
  /** `_since`: the start of the instant or date given, or null. */
  since: Date | null;
  /** The `patient` parameter: distinct upper-case `residentId`s; undefined when absent. */
  patients?: string[];
}

/** The `_outputFormat` values accepted (Bulk Data 2.0: `application/fhir+ndjson` and its two abbreviations). */
export const OUTPUT_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];

/** Most `patient` references one kick-off may name (a bigger cohort is a Group, or several exports). */
export const MAX_EXPORT_PATIENTS = 1000;

/**
 * The `value[x]` each parameter takes in a `Parameters` body: `_since` also as dateTime or string (a GET takes any
 * FHIR date there too); `patient` a Reference (Bulk Data 2.0). Every name here is a parameter this server knows.
 */
const VALUE_TYPES: Record<string, string[]> = {
  _outputFormat: ['valueString'],
  _since: ['valueInstant', 'valueDateTime', 'valueString'],
  _type: ['valueString'],
  _typeFilter: ['valueString'],
  _elements: ['valueString'],
  patient: ['valueReference'],
};
const KNOWN = Object.keys(VALUE_TYPES);
/** Known, but not supported: refused, or ignored with `Prefer: handling=lenient` (Bulk Data 2.0). */
const UNSUPPORTED = ['_typeFilter', '_elements'];

/** A parameter of a `Parameters` body, as the route's schema lets it through (its `value[x]` among other keys). */
export type BodyParameter = { name: string } & Record<string, unknown>;

/**
 * The parameters of a `GET` kick-off's query string (`{name: value | value[]}`, a repeated name as an array).
 * @throws ValidationError a `patient` parameter: it names patients by Reference, which only a POST's `Parameters` body carries here.
 */
export function parametersOfQuery(query: Record<string, unknown>): ExportParameter[] {
  if (query.patient !== undefined) {
    throw new ValidationError(['patient is taken in a POST kick-off\'s Parameters body only (valueReference "Patient/<id>"), not in the query string']);
  }
  return Object.entries(query).flatMap(([name, v]) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((value) => ({ name, value: String(value) })));
}

/**
 * The parameters of a `POST` kick-off's `Parameters` body. Each known parameter must carry its value in the type
 * the spec gives it (`VALUE_TYPES`); an unknown one is passed on (refused or ignored by `exportRequestOf`).
 * @param query the request's query string: a POST carries its parameters in the body only, so any is refused.
 * @throws ValidationError query-string parameters, or a known parameter without its value or with another value type.
 */
export function parametersOfBody(parameter: BodyParameter[] | undefined, query: Record<string, unknown>): ExportParameter[] {
  const problems: string[] = [];
  const queryNames = Object.keys(query);
  // Merging the two would give one parameter two sources; ignoring the query could widen the export (a dropped
  // `patient` exports everyone), so a POST's query string is refused outright, lenient or not.
  if (queryNames.length) problems.push(`A POST kick-off takes its parameters in the Parameters body only; the query string's ${queryNames.join(', ')} is refused`);
  const out: ExportParameter[] = [];
  (parameter ?? []).forEach((p, i) => {
    const types = VALUE_TYPES[p.name];
    if (!types) {
      out.push({ name: p.name, value: '' });
      return;
    }
    const given = Object.keys(p).filter((k) => k.startsWith('value') || k === 'resource' || k === 'part');
    const value = given.length === 1 && types.includes(given[0]) ? p[given[0]] : undefined;
    const text = given[0] === 'valueReference' ? (value as { reference?: unknown } | undefined)?.reference : value;
    if (typeof text !== 'string' || text.trim() === '') {
      problems.push(`parameter[${i}] (${p.name}) must have one ${types.join(' or ')}${types[0] === 'valueReference' ? ' with a reference' : ''}`);
      return;
    }
    out.push({ name: p.name, value: text });
  });
  if (problems.length) throw new ValidationError(problems);
  return out;
}

/**
 * Checks and reads the parameters of a kick-off (either form). Rules (Bulk Data 2.0): `_outputFormat` (at most once)
 * one of `OUTPUT_FORMATS`; `_since` (at most once) a FHIR instant or date; `_type` comma-separated and repeatable,
 * the values together; `_typeFilter` and `_elements` (unsupported) and unknown names refused unless `lenient`
 * (`Prefer: handling=lenient`), then ignored; `patient` (repeatable, `Patient/<id>`, at most
 * `MAX_EXPORT_PATIENTS`) only at Patient or Group level, never ignored (dropping it would widen the export). Whether
 * the types may be read and the patients reached is the service's check.
 * @throws ValidationError every problem found, one message each.
 */
export function exportRequestOf(parameters: ExportParameter[], o: { level: ExportLevel; lenient: boolean }): ExportRequest {
  const problems: string[] = [];
  const values = (name: string) => parameters.filter((p) => p.name === name).map((p) => p.value);
  for (const once of ['_outputFormat', '_since']) if (values(once).length > 1) problems.push(`${once} may be given once`);

  const [format] = values('_outputFormat');
  if (format !== undefined && !OUTPUT_FORMATS.includes(format)) problems.push(`_outputFormat: ${format} is not supported (use application/fhir+ndjson)`);
  if (!o.lenient) {
    for (const name of UNSUPPORTED) if (values(name).length) problems.push(`${name} is not supported (send Prefer: handling=lenient to have it ignored)`);
    const unknown = [...new Set(parameters.map((p) => p.name).filter((n) => !KNOWN.includes(n)))];
    if (unknown.length) {
      problems.push(`${unknown.join(', ')}: not ${unknown.length === 1 ? 'a kick-off parameter' : 'kick-off parameters'} of this server (it takes ${KNOWN.join(', ')}; send Prefer: handling=lenient to have unknown parameters ignored)`);
    }
  }

  let since: Date | null = null;
  const [sinceText] = values('_since');
  if (sinceText !== undefined) {
    try {
      since = dateRange('_since', sinceText).from ?? null;
    } catch (err) {
      problems.push(...(err instanceof ValidationError ? err.messages : [String(err)]));
    }
  }

  const typeNames = values('_type').flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);

  let patients: string[] | undefined;
  const references = values('patient');
  if (references.length && o.level === 'system') {
    problems.push('patient is not applicable to a system-level export (Bulk Data 2.0): use /Patient/$export or /Group/{id}/$export');
  } else if (references.length) {
    const ids = new Set<string>();
    for (const ref of references) {
      const id = /^Patient\/([A-Za-z0-9.-]{1,64})$/.exec(ref.trim())?.[1];
      if (id) ids.add(id.toUpperCase());
      else problems.push(`patient: "${ref.slice(0, 100)}" is not a Patient reference (Patient/<residentId>)`);
    }
    if (ids.size > MAX_EXPORT_PATIENTS) problems.push(`patient: at most ${MAX_EXPORT_PATIENTS} patients per export (${ids.size} given); export a Group instead`);
    patients = [...ids];
  }

  if (problems.length) throw new ValidationError(problems);
  return { types: typeNames.length ? typeNames : undefined, since, patients };
}
