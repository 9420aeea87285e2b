/**
 * HTTP mechanisms shared by both API families: request ids, the JSON body
 * parser, logger options with PHI redaction, the request context, and the
 * declaration of `request.actor`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { classifyError, DATABASE_RETRY_AFTER_SECONDS, TooManyRequestsError, UNSTORABLE_VALUE_MESSAGE } from './errors.ts';
import type { SchemaError } from './validation.ts';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { LevelWithSilent, LoggerOptions } from 'pino';
import type { AuditEntry } from './audit.ts';
import type { Actor, RequestContext } from './context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the family's auth hook. */
    actor?: Actor;
  }
  interface FastifyContextConfig {
    /** ECM: prefix every 422 message of this route (`Validation failed: `), as seed 001 shows. */
    validationPrefix?: string;
    /** ECM: message of the 404 when a path parameter is malformed (`Patient not found`). */
    notFoundMessage?: string;
  }
}

/** Keys whose values are PHI or secrets: pino replaces them with `[Redacted]` wherever they appear. */
const REDACTED_KEYS = [
  'name', 'first_name', 'last_name', 'firstName', 'lastName', 'date_of_birth', 'dateOfBirth', 'dob',
  'phone', 'phone_number', 'email', 'email_to', 'address', 'body', 'message', 'subject', 'password',
  'token', 'access_token', 'client_secret', 'api_key', 'detail',
];

/** pino options: JSON lines, request ids, PHI and tokens redacted, URLs logged without their query string. */
export function loggerOptions(config: { logLevel: LevelWithSilent }): LoggerOptions {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers["x-user-token"]',
        'req.headers.authorization',
        'req.headers["auth-bearer"]',
        'req.headers.cookie',
        ...REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]),
      ],
      censor: '[Redacted]',
    },
    serializers: {
      req(req: FastifyRequest) {
        // Query strings carry search terms and phone numbers: log the path only.
        return { method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip };
      },
      err(err: Error & { code?: string; statusCode?: number; params?: unknown; query?: unknown; cause?: { message?: string; code?: string; constraint?: string } }) {
        // `reason`, not `message`: the redaction list covers `message` keys (task texts). A database error's
        // cause says what PostgreSQL refused (its `detail`, which can hold values, is left out). Drizzle's query
        // errors carry the statement's parameters (names, dates of birth) in their message and stack: for those only
        // the SQL state and constraint are logged.
        if (err.params !== undefined || err.query !== undefined) {
          return { type: err.name, reason: 'database query failed', code: err.cause?.code, constraint: err.cause?.constraint, statusCode: err.statusCode };
        }
        const cause = err.cause ? { reason: err.cause.message, code: err.cause.code } : undefined;
        return { type: err.name, reason: err.message.slice(0, 300), code: err.code, statusCode: err.statusCode, cause, stack: err.stack };
      },
    },
  };
}

/** Request id: the caller's `X-Request-Id` when it is a sane token, else a new UUID. */
export function genReqId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * JSON bodies of media type `contentType` (default `application/json`; the FHIR door adds `application/fhir+json`):
 * the default secure parser (prototype-poisoning guards), except that an empty body (a DELETE sent with
 * `Content-Type: application/json`, as the seeds' examples do) is no body.
 */
export function registerJsonParser(app: FastifyInstance, contentType = 'application/json'): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  if (app.hasContentTypeParser(contentType)) app.removeContentTypeParser(contentType);
  app.addContentTypeParser(contentType, { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    parse(req, body as string, done);
  });
}

/** The request context of an authenticated request. */
export function contextOf<A extends Actor>(req: FastifyRequest): RequestContext<A> {
  if (!req.actor) throw new Error('contextOf called on a route without authentication');
  return { actor: req.actor as A, ip: req.ip, requestId: req.id };
}

/** `bytes` for an error message: `10 MiB`, `64 KiB`, `512 bytes`. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * The sentence of a 413 (Fastify's `FST_ERR_CTP_BODY_TOO_LARGE`): `The request body is too large (the limit is 10
 * MiB)`, from the route's `bodyLimit` (the server's unless the route sets its own).
 */
export function bodyTooLargeMessage(req: FastifyRequest): string {
  const limit = req.routeOptions.bodyLimit;
  return typeof limit === 'number' ? `The request body is too large (the limit is ${sizeText(limit)})` : 'The request body is too large';
}

/**
 * The OpenAPI security requirement of an operation open to anyone: the liveness and readiness probes, and the
 * endpoints whose credentials are the request itself (sign-in's password, a signed download URL).
 */
export const PUBLIC_SECURITY: Array<Record<string, string[]>> = [];

/** Body limit of the unauthenticated credential endpoints (`POST /token`, sign-in): their bodies are a few hundred bytes. */
export const CREDENTIALS_BODY_LIMIT = 64 * 1024;
/**
 * onSend hook (set once, on the root): every 403 answered to an authenticated actor (an ECM role refusal, an ECP
 * scope refusal, any later door's) writes one audit row in the actor's organization: `access_denied`, entity
 * `endpoint`, id `METHOD /route/pattern` (the pattern, never the URL: paths and query strings can carry PHI). A 403
 * without an actor (a bad Twilio signature, a tampered download link) has no organization to be audited in.
 * The row is written before the answer leaves; a failed write is logged and the 403 still answered.
 */
export function auditAccessDenied(record: (ctx: RequestContext, entry: AuditEntry) => Promise<void>) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (reply.statusCode !== 403 || !req.actor) return;
    const route = `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`;
    try {
      await record(contextOf(req), { action: 'access_denied', entityType: 'endpoint', entityIds: [route] });
    } catch (err) {
      req.log.error({ err }, 'the audit row of a 403 was not written');
    }
  };
}

/**
 * Security headers of every response (`@fastify/helmet` on the root): helmet's defaults (`nosniff`, `X-Frame-Options`,
 * cross-origin isolation headers, ...) with `Referrer-Policy: no-referrer`, HSTS only when `https` (PUBLIC_URL is
 * https), and no Content-Security-Policy: JSON needs none, and the console (`/app`) and the API reference (`/docs`)
 * each set their own.
 */
export function apiSecurityHeaders(https: boolean): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    ...(https ? {} : { strictTransportSecurity: false }),
  };
}

/** What a door that answers `{"errors": [...]}` (ECM, community) supplies to `errorListHandler`. */
export interface ErrorListWording {
  /** Sentences for the schema's validation errors (`context`: body, querystring, ...), with the door's field names. */
  validationSentences(errors: SchemaError[], context: string): string[];
  /** The 404 message for a malformed path parameter (it names nothing that exists: the same 404 as an unknown id). */
  paramsNotFound(errors: SchemaError[], req: FastifyRequest): string;
  /** Applied to every 422 message (ECM's per-route `validationPrefix`); default: unchanged. */
  prefix?(messages: string[], req: FastifyRequest): string[];
}

/**
 * The error handler of a `{"errors": [...]}` door: renders the error core's classes (`classifyError`) with the door's
 * wording: 400 `Malformed JSON body`; 404 for a malformed path parameter; 413; 415; 422 one sentence per problem;
 * the AppError's status (429 with Retry-After); 503 with Retry-After while the database cannot be reached; other 5xx
 * `Internal server error` (details only in the log).
 */
export function errorListHandler(wording: ErrorListWording) {
  const prefix = wording.prefix ?? ((messages: string[]) => messages);
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const c = classifyError(err);
    switch (c.kind) {
      case 'validation':
        if (c.context === 'params') return reply.code(404).send({ errors: [wording.paramsNotFound(c.errors, req)] });
        return reply.code(422).send({ errors: prefix(wording.validationSentences(c.errors, c.context), req) });
      case 'app':
        if (c.error instanceof TooManyRequestsError) reply.header('retry-after', String(c.error.retryAfterSeconds));
        return reply.code(c.error.statusCode).send({ errors: c.error.statusCode === 422 ? prefix(c.error.messages, req) : c.error.messages });
      case 'malformed-json':
        return reply.code(400).send({ errors: ['Malformed JSON body'] });
      case 'unsupported-media-type':
        return reply.code(415).send({ errors: ['Unsupported content type; send application/json'] });
      case 'too-large':
        return reply.code(413).send({ errors: ['Request body is too large'] });
      case 'client':
        return reply.code(c.status).send({ errors: [c.message] });
      case 'unstorable':
        req.log.warn({ err }, 'value refused by the database');
        return reply.code(422).send({ errors: prefix([UNSTORABLE_VALUE_MESSAGE], req) });
      case 'database-unavailable':
        req.log.error({ err }, 'database unavailable');
        reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        return reply.code(503).send({ errors: ['Service unavailable: the database cannot be reached; retry shortly'] });
      case 'internal':
        req.log.error({ err }, 'request failed');
        return reply.code(500).send({ errors: ['Internal server error'] });
    }
  };
}
