/**
 * Validation shared by the API families: the one translator of Ajv's schema errors into sentences (each family
 * supplies its wording and field names; ARCHITECTURE.md, "Pinned decisions": one message per problem, all at
 * once), the `date-time` format guard, and the email and filled-in checks.
 */
import { isInstantText } from './time.ts';

export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  /** Set when the error is about a property's name (`propertyNames`), not its value. */
  propertyName?: string;
}

/**
 * How one API family words validation problems: which errors concern the same field (one sentence per field),
 * which of them says the most, and the sentence itself with the family's field names.
 */
export interface ValidationWording {
  /** The field an error concerns; errors with one key become one sentence. */
  keyOf(err: SchemaError): string;
  /** Keywords from most to least telling; the errors of a field are sorted by it (absent: Ajv's order). */
  specificity?: readonly string[];
  /**
   * The sentence of one field's errors (sorted, never empty).
   * @param context `body`, `querystring`, `params` or `headers`.
   */
  sentence(errs: SchemaError[], context: string): string;
}

/** Keywords whose errors only repeat their branches' or inner errors (`propertyNames` repeats the error that carries `propertyName`). */
const REPEATING_KEYWORDS = new Set(['anyOf', 'oneOf', 'if', 'propertyNames']);

/**
 * The one translator of Ajv's schema errors (Fastify validates every request with `allErrors`) into sentences:
 * one per field, in the order the fields first fail, each worded by the family (ECM in `ecm/validation.ts`,
 * ECP in `ecp/http.ts`), duplicates dropped.
 * @param errors Ajv errors of one validation (Fastify's `error.validation`).
 * @param context `body`, `querystring`, `params` or `headers`, passed to the wording.
 */
export function schemaErrorSentences(errors: SchemaError[], wording: ValidationWording, context = 'body'): string[] {
  const byField = new Map<string, SchemaError[]>();
  for (const err of errors) {
    if (REPEATING_KEYWORDS.has(err.keyword)) continue;
    const key = wording.keyOf(err);
    const list = byField.get(key) ?? [];
    list.push(err);
    byField.set(key, list);
  }
  const order = wording.specificity;
  const messages: string[] = [];
  for (const list of byField.values()) {
    if (order) list.sort((a, b) => order.indexOf(a.keyword) - order.indexOf(b.keyword));
    messages.push(wording.sentence(list, context));
  }
  return [...new Set(messages)];
}

/** The Ajv format name of `instantTexts`. */
export const INSTANT_FORMAT = 'iso-date-time';

interface FormatHost {
  formats: Record<string, unknown>;
  addFormat(name: string, format: { type: 'string'; validate: (s: string) => boolean; compare?: unknown }): unknown;
}

/**
 * Ajv `onCreate` hook: `date-time` values must also be instants JavaScript can represent. RFC 3339 allows leap
 * seconds (`23:59:60`), which `new Date` cannot hold; refusing them here keeps every `new Date(value)` of a
 * validated timestamp valid, so no handler meets an Invalid Date (a 500 otherwise).
 */
export function representableDateTimes(ajv: FormatHost): void {
  const base = ajv.formats['date-time'] as { validate: (s: string) => boolean; compare?: unknown } | undefined;
  if (!base || typeof base.validate !== 'function') return;
  ajv.addFormat('date-time', { type: 'string', validate: (s) => base.validate(s) && !Number.isNaN(Date.parse(s)), compare: base.compare });
}

/**
 * Ajv `onCreate` hook: format `iso-date-time`, an ISO 8601 timestamp with or without its UTC offset, or a date
 * alone (`isInstantText`). What the missing offset means (a location's time zone) is the service's to say.
 */
export function instantTexts(ajv: FormatHost): void {
  ajv.addFormat(INSTANT_FORMAT, { type: 'string', validate: isInstantText });
}

const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** True when `value` looks like an email address (something@domain.tld, no spaces): the one check every import and API uses. */
export function isEmailAddress(value: string): boolean {
  return EMAIL_ADDRESS.test(value);
}

/** True when `value` is a string with something other than whitespace in it. */
export function isFilled(value: string | undefined | null): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
