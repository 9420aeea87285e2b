/**
 * The ECP family's HTTP conventions (ARCHITECTURE.md, "Wire conventions, ECP" and "Pinned decisions"):
 * every body has `result`; errors are `{"result": "Error", "error": "<a sentence naming the field>"}` with
 * 400 for request problems (validation, unknown ids, duplicates), 401 for a missing or expired bearer or a
 * wrong Api-Key, 403 for a missing scope, 404 only for an unknown path. Field names stay as the seed spells
 * them (`firstName`), since partners code against them.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { AppError, classifyError, DATABASE_RETRY_AFTER_SECONDS, TooManyRequestsError, UNSTORABLE_VALUE_MESSAGE } from '../platform/errors.ts';
import { bodyTooLargeMessage, sizeText } from '../platform/http.ts';
import { schemaErrorSentences, type SchemaError, type ValidationWording } from '../platform/validation.ts';

export const EcpError = Type.Object(
  {
    result: Type.Literal('Error'),
    error: Type.String({ description: 'What went wrong, naming the field.' }),
    contactId: Type.Optional(Type.String({ description: 'A duplicate contact: the existing contact.' })),
  },
  { description: 'Error' },
);

const DESCRIPTIONS: Record<number, string> = {
  400: 'Request problem (validation, unknown id, duplicate, location not reachable)',
  401: 'Missing or expired bearer token, or an Api-Key of another client',
  403: 'The token lacks the scope this endpoint requires',
  413: 'The request body is over the limit (10 MiB; 1 MiB for the JSON body of a GET)',
};

/** Response schemas of an ECP route: its success plus 400, 401, 403 and 413 in the ECP error shape. */
export function ecpResponses(success: Record<number, TSchema>): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  for (const code of [400, 401, 403, 413]) out[code] = Type.Object(EcpError.properties, { description: DESCRIPTIONS[code] });
  return out;
}

/** The OpenAPI security requirement of a `/clinical/v1` route without a scope (a route with one gets it from its scope, see `clinicalRoutes`): both headers. */
export const PARTNER_SECURITY = [{ PartnerBearer: [], PartnerApiKey: [] }];

function fieldOf(e: SchemaError): string {
  if (e.keyword === 'required') return String(e.params.missingProperty);
  return e.instancePath.split('/').filter(Boolean).join('.') || 'body';
}

/** The ECP wording: the seed's field names as dotted paths (`address.city`), the first error of a field worded. */
const ECP_WORDING: ValidationWording = {
  keyOf: (e) => (e.propertyName !== undefined ? `names in ${fieldOf(e)}` : fieldOf(e)),
  sentence([e]) {
    if (e.propertyName !== undefined) return e.keyword === 'maxLength' ? `names in ${fieldOf(e)} must be at most ${e.params.limit} characters` : `names in ${fieldOf(e)} are invalid`;
    const f = fieldOf(e);
    const p = e.params;
    switch (e.keyword) {
      case 'required': return `${f} is required`;
      case 'maxLength': return `${f} must be at most ${p.limit} characters`;
      case 'minLength': return p.limit === 1 ? `${f} is required` : `${f} must be at least ${p.limit} characters`;
      case 'enum': return `${f} must be one of: ${(p.allowedValues as unknown[]).filter((v) => v !== null).join(', ')}`;
      case 'format': return `${f} must be ${p.format === 'date' ? 'a date in YYYY-MM-DD format' : p.format === 'date-time' ? 'an ISO 8601 date and time'
        : p.format === 'iso-date-time' ? 'an ISO 8601 date and time (2025-05-05T13:37:27+00:00; without an offset, the location\'s time) or a date (YYYY-MM-DD)' : `a valid ${p.format}`}`;
      case 'type': return `${f} must be ${String(p.type).split(',')[0] === 'integer' ? 'a whole number' : `a ${String(p.type).split(',')[0]}`}`;
      case 'pattern': return `${f} is not in the expected format`;
      case 'minimum': return `${f} must be at least ${p.limit}`;
      case 'maximum': return `${f} must be at most ${p.limit}`;
      default: return `${f} is invalid`;
    }
  },
};

/** One sentence per invalid field, with the seed's field names: `firstName is required` (the community door lists them). */
export function ecpValidationSentences(errors: SchemaError[]): string[] {
  return schemaErrorSentences(errors, ECP_WORDING);
}

/** One sentence per invalid field, joined by `; `, with the seed's field names: `firstName is required`. */
export function ecpValidationMessage(errors: SchemaError[]): string {
  return ecpValidationSentences(errors).join('; ');
}

/** The ECP error handler: renders the platform's error classes as `{"result": "Error", "error": "..."}`. */
export function ecpErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const c = classifyError(err);
  switch (c.kind) {
    case 'validation':
      return reply.code(400).send({ result: 'Error', error: ecpValidationMessage(c.errors) });
    case 'app': {
      if (c.error instanceof TooManyRequestsError) reply.header('retry-after', String(c.error.retryAfterSeconds));
      // Not found and validation are both request problems on this wire (ARCHITECTURE.md, "Wire conventions, ECP").
      const status = c.error.statusCode === 422 || c.error.statusCode === 404 ? 400 : c.error.statusCode;
      const extra = (c.error as AppError & { extra?: Record<string, unknown> }).extra;
      return reply.code(status).send({ result: 'Error', error: c.error.messages.join('; '), ...extra });
    }
    case 'malformed-json':
      return reply.code(400).send({ result: 'Error', error: 'The request body is not valid JSON' });
    case 'too-large':
      return reply.code(413).send({ result: 'Error', error: bodyTooLargeMessage(req) });
    case 'unsupported-media-type':
    case 'client':
      return reply.code(c.status).send({ result: 'Error', error: c.message });
    case 'unstorable':
      req.log.warn({ err }, 'value refused by the database');
      return reply.code(400).send({ result: 'Error', error: UNSTORABLE_VALUE_MESSAGE });
    case 'database-unavailable':
      req.log.error({ err }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return reply.code(503).send({ result: 'Error', error: 'Service unavailable: the database cannot be reached; retry shortly' });
    case 'internal':
      req.log.error({ err }, 'request failed');
      return reply.code(500).send({ result: 'Error', error: 'Internal server error' });
  }
}

/** Installs the ECP error and not-found handlers on a route tree. */
export function useEcpErrors(app: FastifyInstance): void {
  app.setErrorHandler(ecpErrorHandler);
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ result: 'Error', error: `No endpoint ${req.method} ${req.url.split('?')[0]}` }));
}

const GET_BODY_LIMIT = 1024 * 1024;

/** Merges the keys of a JSON object under the query string's (the query string wins). */
function mergeIntoQuery(req: FastifyRequest, body: unknown): void {
  if (body === undefined || body === null || body === '') return;
  if (typeof body !== 'object' || Array.isArray(body)) throw new AppError(400, ['The request body must be a JSON object']);
  const query = (req.query ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(body)) if (!(k in query) && v !== null) query[k] = v;
  req.query = query;
}

/**
 * preValidation hook of the ECP tree: GET and DELETE take their parameters from the query string or, as seed
 * 000's examples do for GETs, from a JSON body (ARCHITECTURE.md, "GET parameters"; DELETE
 * takes them from the query string too). The body's keys are merged under the query string's before validation, so
 * these routes declare one `querystring` schema. Fastify does not parse GET bodies, so for GET the raw body is read here.
 * @throws AppError 400 for a body that is not a JSON object, 413 for one over 1 MiB.
 */
export async function mergeBodyIntoQuery(req: FastifyRequest): Promise<void> {
  if (req.method === 'DELETE') return mergeIntoQuery(req, req.body);
  if (req.method !== 'GET') return;
  const length = Number(req.headers['content-length'] ?? 0);
  if (!length && !req.headers['transfer-encoding']) return;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.raw) {
    size += (chunk as Buffer).length;
    if (size > GET_BODY_LIMIT) throw new AppError(413, [`The request body is too large (the limit is ${sizeText(GET_BODY_LIMIT)})`]);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError(400, ['The request body is not valid JSON']);
  }
  mergeIntoQuery(req, parsed);
}
