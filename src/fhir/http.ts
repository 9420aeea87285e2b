/**
 * The FHIR door's HTTP conventions (FHIR R4 "RESTful API", http.html): bodies are `application/fhir+json`; every
 * error is an `OperationOutcome` with the status the spec gives it: 400 a bad search parameter, 401 no or a bad
 * bearer token (with `WWW-Authenticate: Bearer`, RFC 6750 section 3), 403 a token without the resource's scope,
 * 404 an unknown resource or one of another tenant (the same answer), 5xx without details.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { classifyError, DATABASE_RETRY_AFTER_SECONDS, TooManyRequestsError } from '../platform/errors.ts';
import { schemaErrorSentences, type SchemaError } from '../platform/validation.ts';

/** The media type of every FHIR body (FHIR R4 http.html#mime-type). */
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The realm named in `WWW-Authenticate`. */
const REALM = 'care-platform-fhir';

type IssueCode = 'invalid' | 'login' | 'forbidden' | 'not-found' | 'too-costly' | 'exception' | 'transient' | 'not-supported' | 'throttled';

/** An OperationOutcome with one issue per message (severity `error`). */
export function operationOutcome(code: IssueCode, messages: string[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: messages.map((diagnostics) => ({ severity: 'error', code, diagnostics })) };
}

/** Status and OperationOutcome issue code of each HTTP error status this door answers. */
const CODE_OF: Record<number, IssueCode> = { 400: 'invalid', 401: 'login', 403: 'forbidden', 404: 'not-found', 405: 'not-supported', 406: 'not-supported', 413: 'too-costly', 415: 'not-supported', 429: 'throttled' };

function schemaSentences(errors: SchemaError[], context: string): string[] {
  return schemaErrorSentences(errors, {
    keyOf: (e) => `${context}${e.instancePath}`,
    sentence: ([e]) => {
      // A body (the Bulk Data POST kick-off's Parameters): the element's whole path, `parameter.0`.
      if (context === 'body') {
        const path = e.instancePath.split('/').filter(Boolean).join('.');
        return path ? `Body element "${path}" is invalid: ${e.message ?? 'bad value'}` : `The body is invalid: ${e.message ?? 'bad value'}`;
      }
      const where = e.instancePath.split('/').filter(Boolean)[0] ?? context;
      return `Search parameter or path value "${where}" is invalid: ${e.message ?? 'bad value'}`;
    },
  }, context);
}

/** The FHIR error handler: every thrown error rendered as an OperationOutcome (see the file's docstring). */
export function fhirErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const c = classifyError(err);
  let status: number;
  let messages: string[];
  switch (c.kind) {
    case 'validation': status = 400; messages = schemaSentences(c.errors, c.context); break;
    // The services' ValidationError (422 elsewhere) is a bad request parameter here: FHIR answers those 400.
    case 'app': status = c.error.statusCode === 422 ? 400 : c.error.statusCode; messages = c.error.messages; break;
    case 'malformed-json': status = 400; messages = ['The body is not valid JSON']; break;
    case 'unsupported-media-type': status = 415; messages = ['Unsupported media type; send application/fhir+json']; break;
    case 'too-large': status = 413; messages = ['The request body is too large']; break;
    case 'client': status = c.status; messages = [c.message]; break;
    case 'unstorable': status = 400; messages = ['A value in the request is out of range']; break;
    case 'database-unavailable':
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return reply.code(503).type(FHIR_JSON).send(operationOutcome('transient', ['The service is temporarily unavailable; retry shortly']));
    default:
      req.log.error({ err }, 'FHIR request failed');
      return reply.code(500).type(FHIR_JSON).send(operationOutcome('exception', ['Internal server error']));
  }
  if (status === 401) {
    // RFC 6750 section 3.1: a request that presented a token learns it was refused (`invalid_token`); one without, only the scheme.
    const presented = /^Bearer\s+\S/i.test(String(req.headers.authorization ?? ''));
    reply.header('www-authenticate', presented ? `Bearer realm="${REALM}", error="invalid_token", error_description="${messages[0].replace(/"/g, "'")}"` : `Bearer realm="${REALM}"`);
  }
  if (status === 403) reply.header('www-authenticate', `Bearer realm="${REALM}", error="insufficient_scope"`);
  if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
  return reply.code(status).type(FHIR_JSON).send(operationOutcome(CODE_OF[status] ?? 'invalid', messages));
}

/**
 * Installs the FHIR error handler, the 404 OperationOutcome of an unknown path, and the FHIR media type on every answer
 * of `app` (but the 200 of a route with `config.fhirPlainJson`: the Bulk Data manifest is `application/json`).
 */
export function useFhirConventions(app: FastifyInstance): void {
  app.setErrorHandler(fhirErrorHandler);
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).type(FHIR_JSON).send(operationOutcome('not-found', [`No FHIR interaction at ${req.method} ${req.url.split('?')[0]}`]));
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.routeOptions.config?.fhirPlainJson && reply.statusCode === 200) return payload;
    if (String(reply.getHeader('content-type') ?? '').startsWith('application/json')) reply.type(FHIR_JSON);
    return payload;
  });
}
