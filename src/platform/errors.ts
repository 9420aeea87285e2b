/**
 * Typed errors raised by services; each API family's error handler maps them to
 * its wire shape (ECM: `{"errors": [...]}`; ECP: `{"result": "Error", "error"}`).
 * STYLE.md rule 8: 5xx details never reach the client.
 */
import type { SchemaError } from './validation.ts';

export class AppError extends Error {
  readonly statusCode: number;
  readonly messages: string[];

  constructor(statusCode: number, messages: string[]) {
    super(messages.join('; '));
    this.statusCode = statusCode;
    this.messages = messages;
  }
}

/** 404: the resource does not exist or belongs to another organization (same answer for both). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, [message]);
  }
}

/** 422: one message per problem, in full sentences (`Message can't be blank`). */
export class ValidationError extends AppError {
  constructor(messages: string[]) {
    super(422, messages);
  }
}

/** 401: missing, unknown, expired or revoked credentials. */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(401, [message]);
  }
}

/** 403: authenticated, but the role or scope does not allow it. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, [message]);
  }
}

/** 429: throttled; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(429, [message]);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 502: an upstream provider (Twilio) failed; the message says whether anything was sent. */
export class BadGatewayError extends AppError {
  constructor(message: string) {
    super(502, [message]);
  }
}

/** True for PostgreSQL's unique_violation on the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; cause?: unknown };
  if (e?.code === '23505') return constraint === undefined || e.constraint === constraint;
  return e?.cause !== undefined && e.cause !== err ? isUniqueViolation(e.cause, constraint) : false;
}

/**
 * The value a unique violation collided on, from PostgreSQL's detail `Key (column)=(value) already exists.`;
 * undefined for another error or a multi-column key.
 */
export function uniqueViolationKey(err: unknown): string | undefined {
  const e = err as { code?: string; detail?: string; cause?: unknown };
  if (e?.code === '23505') return /^Key \([^,()]+\)=\((.*)\) already exists\.$/.exec(e.detail ?? '')?.[1];
  return e?.cause !== undefined && e.cause !== err ? uniqueViolationKey(e.cause) : undefined;
}

/** SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, cannot connect now), and 53300 (too many connections). */
const UNAVAILABLE_SQLSTATE = /^(08\d{3}|57P0[1-4]|53300)$/;
/** Socket errors of a database connection that cannot be made or was cut. */
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** What `pg` says when a connection ends or the pool cannot get one in time. */
const UNAVAILABLE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated due to connection timeout)/;

/**
 * True when `err` (or an error in its `cause` chain, as Drizzle wraps driver errors) means the database cannot be
 * reached right now: a refused or cut connection, a server shutting down or starting up, no free connection.
 * The error handlers answer these with 503 and Retry-After instead of 500 (fault drills).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_SOCKET.has(e.code))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
    if (e.cause === e) break;
  }
  return false;
}

/** Seconds a client should wait before retrying while the database is away (the Retry-After of those 503s). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * SQLSTATEs of class 22 (data exception) that a request's own value causes: a NUL character or invalid UTF-8
 * (22021, 22P05), a number out of the column's range (22003), a date or time PostgreSQL cannot represent (22007,
 * 22008), text that is not a valid value of the column's type (22P02), text longer than its column (22001).
 */
const UNSTORABLE_SQLSTATE = new Set(['22021', '22P05', '22003', '22007', '22008', '22P02', '22001']);

/**
 * Class 54 (program limit exceeded): a value too large for where it goes, such as an index entry over btree's
 * 2,704 bytes (54000, "index row size exceeds maximum"), a tsvector or jsonb over its size, or too many arguments.
 * The request schemas' `maxLength`s keep such values out; this is the backstop for one they let through.
 */
const PROGRAM_LIMIT_SQLSTATE = /^54[0-9A-Z]{3}$/;

/**
 * True when `err` (or its `cause`, as Drizzle wraps driver errors) is PostgreSQL refusing a value the client sent
 * (the class 22 states above, or class 54): the client's mistake, which the error handlers answer as a validation
 * problem (422 ECM, 400 ECP) instead of 500.
 */
export function isUnstorableValue(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (UNSTORABLE_SQLSTATE.has(e.code) || PROGRAM_LIMIT_SQLSTATE.test(e.code))) return true;
    if (e.cause === e) break;
  }
  return false;
}

/** The sentence of those answers (the value itself is not echoed: it may be PHI). */
export const UNSTORABLE_VALUE_MESSAGE = 'A value in the request cannot be stored: a number out of range, a date out of range, text too long, or a NUL character';

/**
 * What went wrong in a request, whatever threw it: the one classification the families' error handlers render
 * (ECM `{"errors"}`, ECP `{"result": "Error"}`, OAuth RFC 6749), in the order the checks apply.
 * - `validation`: the request failed its schema (Ajv errors; `context` is `body`, `querystring`, `params`, ...).
 * - `app`: a service's AppError (404 not found, 403 forbidden, 422 validation, 409 conflict, 429, 502, ...).
 * - `malformed-json`: a body that is not JSON (or another 400 of Fastify's content-type parsers).
 * - `unsupported-media-type`: a Content-Type no parser takes (415).
 * - `too-large`: a body over the route's limit (413).
 * - `client`: any other 4xx Fastify raised, with its status and message.
 * - `unstorable`: PostgreSQL refused a value the client sent (see `isUnstorableValue`).
 * - `database-unavailable`: the database cannot be reached (see `isDatabaseUnavailable`).
 * - `internal`: anything else; its details belong in the log only.
 */
export type ErrorClass =
  | { kind: 'validation'; errors: SchemaError[]; context: string }
  | { kind: 'app'; error: AppError }
  | { kind: 'malformed-json' }
  | { kind: 'unsupported-media-type'; status: number; message: string }
  | { kind: 'too-large' }
  | { kind: 'client'; status: number; message: string }
  | { kind: 'unstorable' }
  | { kind: 'database-unavailable' }
  | { kind: 'internal' };

interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: unknown;
  validationContext?: string;
}

/** Classifies an error reaching an error handler (see ErrorClass). */
export function classifyError(err: unknown): ErrorClass {
  const e = (err ?? {}) as FrameworkError;
  if (e.validation) return { kind: 'validation', errors: e.validation as SchemaError[], context: e.validationContext ?? 'body' };
  if (err instanceof AppError) return { kind: 'app', error: err };
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError || (e.statusCode === 400 && e.code?.startsWith('FST_ERR_CTP'))) return { kind: 'malformed-json' };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { kind: 'unsupported-media-type', status: e.statusCode ?? 415, message: String(e.message) };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { kind: 'too-large' };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { kind: 'client', status: e.statusCode, message: String(e.message) };
  if (isUnstorableValue(err)) return { kind: 'unstorable' };
  if (isDatabaseUnavailable(err)) return { kind: 'database-unavailable' };
  return { kind: 'internal' };
}
