/**
 * The ECM family's wording of validation problems, as the seeds word them: `Message can't be blank`,
 * `Acuity level is not included in the list` (Rails' sentences over humanized snake_case field names).
 */
import { schemaErrorSentences, type SchemaError, type ValidationWording } from '../platform/validation.ts';

/** Field names whose human form is not their snake_case spelled out (seed wording). */
const FIELD_NAMES: Record<string, string> = {
  member_id: 'Member ID',
  cin: 'CIN',
  npi: 'NPI',
  tin: 'TIN',
  ecm_npi: 'ECM NPI',
  ecm_service_auth_id: 'ECM service auth ID',
  ecm_provider_name: 'ECM provider name',
  ecm_benefit_auth_eff_date: 'ECM benefit auth effective date',
  ecm_benefit_auth_end_date: 'ECM benefit auth end date',
  olcm_user_id: 'OLCM user',
  ilcm_user_id: 'ILCM user',
  mcp_id: 'MCP ID',
  mcp_name: 'MCP name',
  sort_by: 'Sort by',
  sort_dir: 'Sort direction',
  per_page: 'Per page',
  email: 'Email',
};

/** `acuity_level` -> `Acuity level`; `assigned_to_id` -> `Assigned to` (Rails' humanize, as the seeds word it). */
export function humanizeField(name: string): string {
  if (FIELD_NAMES[name]) return FIELD_NAMES[name];
  const words = name.replace(/_id$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

const FORMAT_WORDS: Record<string, string> = {
  date: 'a valid date (YYYY-MM-DD)',
  'date-time': 'a valid date and time (ISO 8601)',
  email: 'a valid email address',
  uri: 'a valid URL',
  uuid: 'a valid GUID',
};

function fieldOf(err: SchemaError): string | undefined {
  if (err.keyword === 'required' && typeof err.params.missingProperty === 'string') return err.params.missingProperty;
  const segments = err.instancePath.split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
  return segments.at(-1);
}

function sentence(err: SchemaError, field: string): string | undefined {
  const p = err.params;
  switch (err.keyword) {
    case 'required':
      return `${field} can't be blank`;
    case 'enum':
      return `${field} is not included in the list`;
    case 'const':
      return `${field} is not included in the list`;
    case 'format':
      return `${field} must be ${FORMAT_WORDS[String(p.format)] ?? 'valid'}`;
    case 'type':
      return `${field} must be ${TYPE_WORDS[String(p.type).split(',')[0]] ?? String(p.type)}`;
    case 'minLength':
      return p.limit === 1 ? `${field} can't be blank` : `${field} is too short (minimum is ${p.limit} characters)`;
    case 'maxLength':
      return `${field} is too long (maximum is ${p.limit} characters)`;
    case 'minimum':
      return `${field} must be greater than or equal to ${p.limit}`;
    case 'maximum':
      return `${field} must be less than or equal to ${p.limit}`;
    case 'exclusiveMinimum':
      return `${field} must be greater than ${p.limit}`;
    case 'minItems':
      return `${field} must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `${field} must have at most ${p.limit} items`;
    case 'pattern':
      return `${field} is invalid`;
    case 'additionalProperties':
      return `${humanizeField(String(p.additionalProperty))} is not a known field`;
    default:
      return undefined;
  }
}

/** The ECM wording: errors grouped by JSON pointer, the most telling one (a format error beats a type error of another union branch) worded. */
const ECM_WORDING: ValidationWording = {
  keyOf: (err) => (err.keyword === 'required' ? `${err.instancePath}/${String(err.params.missingProperty)}` : err.propertyName !== undefined ? `${err.instancePath}#names` : err.instancePath),
  specificity: ['required', 'enum', 'const', 'format', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'pattern', 'minItems', 'maxItems', 'additionalProperties', 'type'],
  sentence(list, context) {
    const err = list[0];
    const name = fieldOf(err);
    if (err.propertyName !== undefined) {
      const limit = err.keyword === 'maxLength' ? ` (maximum is ${String(err.params.limit)} characters)` : '';
      return `${name === undefined ? 'A field name' : `A field name in ${humanizeField(name).toLowerCase()}`} is ${err.keyword === 'maxLength' ? 'too long' : 'invalid'}${limit}`;
    }
    if (name === undefined) return context === 'body' ? 'Request body must be a JSON object' : `The ${context} is invalid`;
    // A union of types (string or null, say) reports one type error per branch; name them all.
    if (err.keyword === 'type' && list.every((e) => e.keyword === 'type') && list.length > 1) {
      const types = list.map((e) => TYPE_WORDS[String(e.params.type)] ?? String(e.params.type));
      return `${humanizeField(name)} must be ${types.join(' or ')}`;
    }
    return sentence(err, humanizeField(name)) ?? `${humanizeField(name)} is invalid`;
  },
};

/**
 * One ECM sentence per invalid field, in the order the fields first fail.
 * @param errors Ajv errors of one validation (Fastify's `error.validation`).
 * @param context `body`, `querystring`, `params` or `headers` (names the whole input when a root error has no field).
 */
export function validationMessages(errors: SchemaError[], context = 'body'): string[] {
  return schemaErrorSentences(errors, ECM_WORDING, context);
}
