/**
 * Schema helpers shared by every feature's `schemas.ts`.
 *
 * `Nullable` writes `{"type": ["integer", "null"]}` rather than an `anyOf` of the
 * two: Fastify's Ajv coerces types (query strings need it), and inside an
 * `anyOf` it turns a JSON `null` into `0` or `""` through the first branch;
 * with a type array Ajv coerces only when no listed type matches.
 */
import { Type, type Static, type TSchema, type TStringOptions } from 'typebox';

/** `schema` or null. Primitive schemas and enums become type arrays; objects an `anyOf` (responses only). */
export function Nullable<T extends TSchema>(schema: T) {
  const s = schema as unknown as Record<string, unknown>;
  if (Array.isArray(s.enum)) {
    const types = [...new Set((s.enum as unknown[]).map((v) => typeof v))];
    return Type.Unsafe<Static<T> | null>({ ...s, type: [...types, 'null'], enum: [...(s.enum as unknown[]), null] });
  }
  if (typeof s.type === 'string' && s.type !== 'object' && s.type !== 'array') {
    return Type.Unsafe<Static<T> | null>({ ...s, type: [s.type, 'null'] });
  }
  return Type.Union([schema, Type.Null()]);
}

/**
 * Longest value, in characters (JSON Schema `maxLength` counts code points), of each kind of request string. One
 * table, so a kind of field has one limit on every endpoint and in the imports; the reasons are in
 * docs/decisions.md ("Request size limits"). ECP fields whose seed gives a length use the seed's instead.
 */
export const MAX_LENGTH = {
  /** A person's first or last name, a user's display name. */
  personName: 100,
  /** Names of organizations, providers and plans. */
  name: 200,
  /** A file name (NAME_MAX of most file systems). */
  fileName: 255,
  /** Codes and ids: member id, CIN, authorization numbers, NPI, TIN, MCP id, audit filters. */
  identifier: 64,
  /** RFC 5321 section 4.5.3.1.3: the longest forward path. */
  email: 254,
  /** A phone number in any common format, before E.164 normalization. */
  phone: 40,
  /** A street line of an address. */
  street: 200,
  city: 100,
  state: 50,
  zip: 20,
  /** RFC 7230 advises supporting at least 8,000 octets; 2,048 is what browsers and most servers keep to. */
  url: 2048,
  /** A path inside the import directory (Linux PATH_MAX is 4,096; real ones are far shorter). */
  path: 1024,
  /** Passwords; NIST SP 800-63B asks verifiers to accept at least 64 characters. */
  password: 256,
  /** Opaque keys and signatures sent by clients: Idempotency-Key, download signatures, OAuth2 parameters. */
  key: 255,
  /** An OAuth2 `scope` parameter: every ECP scope together is about 200 characters; SMART scope lists run longer. */
  scopes: 2048,
  /** Search terms. */
  search: 200,
  /** Email subjects and other one-line titles. */
  subject: 255,
  /** Free text: task messages, notes, email and comment bodies, the diagnosis description. */
  text: 10_000,
  /** Call transcripts (a half-hour call is about 30,000 characters). */
  transcript: 100_000,
  /** Twilio's limit on one SMS body (it splits it into segments). */
  smsBody: 1600,
  /** IANA time zone names (the longest is 32 characters). */
  timeZone: 64,
  /** `YYYY-MM-DD`. */
  date: 10,
  /** A size bound only: ISO 8601 timestamps are checked by format (ARCHITECTURE.md, "Seed field lengths vs enums"). */
  dateTime: 64,
} as const;

export type LengthKind = keyof typeof MAX_LENGTH;

/**
 * A request string no longer than its kind allows (`MAX_LENGTH`); `options` as TypeBox's (`minLength`, `format`,
 * `pattern`, `description`). Over-long values fail validation: 422 `First name is too long (maximum is 100
 * characters)` on ECM, 400 `firstName must be at most 30 characters` on ECP.
 */
export function LimitedString(kind: LengthKind, options: TStringOptions = {}) {
  return Type.String({ ...options, maxLength: MAX_LENGTH[kind] });
}

/** A `YYYY-MM-DD` request date (format `date`, at most 10 characters). */
export function DateText(options: TStringOptions = {}) {
  return LimitedString('date', { ...options, format: 'date' });
}

/** An ISO 8601 request timestamp (format `date-time`; the length bound only keeps megabytes away from the parser). */
export function DateTimeText(options: TStringOptions = {}) {
  return LimitedString('dateTime', { ...options, format: 'date-time' });
}

/**
 * An ECP request timestamp: ISO 8601 with or without its UTC offset, or a date alone (format `iso-date-time`,
 * `platform/validation.ts`). Seed 000 asks only for ISO 8601; the service reads an offset-less time in the
 * location's time zone and a date as the start of that day there.
 */
export function InstantText(options: TStringOptions = {}) {
  return LimitedString('dateTime', { ...options, format: 'iso-date-time' });
}
