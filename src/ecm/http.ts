/**
 * The ECM family's HTTP conventions (ARCHITECTURE.md, "Wire conventions" and
 * "Pinned decisions"): `X-User-Token` authentication as one hook over the route
 * tree, the admin role guard, and the one error handler that maps every error to
 * `{"errors": [...]}`:
 * 400 `Malformed JSON body`; 401 `Invalid or missing token`; 403 `Admin access
 * required`; 404 `<Thing> not found`; 422 one sentence per problem; 429 with
 * Retry-After; 503 with Retry-After while the database cannot be reached; other 5xx `Internal server error`
 * (details only in the log).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { UserActor } from '../platform/context.ts';
import { classifyError, DATABASE_RETRY_AFTER_SECONDS, ForbiddenError, TooManyRequestsError, UNSTORABLE_VALUE_MESSAGE } from '../platform/errors.ts';
import type { IdentityService } from '../platform/identity/service.ts';
import { validationMessages } from './validation.ts';

export const EcmErrors = Type.Object(
  { errors: Type.Array(Type.String(), { description: 'One sentence per problem.' }) },
  { description: 'Error' },
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON body',
  401: 'Invalid or missing token',
  403: 'Admin access required',
  404: 'Not found (also for another clinic\'s records)',
  413: 'Request body is too large',
  422: 'Validation failed: one message per problem',
  429: 'Too many attempts (see Retry-After)',
};

/** Response schemas of an ECM route: its successes plus the listed error statuses in the `{"errors": []}` shape. */
export function ecmResponses(success: Record<number, TSchema>, errors: number[] = []): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  for (const code of [400, 401, ...errors]) {
    out[code] = Type.Object(EcmErrors.properties, { description: ERROR_DESCRIPTIONS[code] ?? 'Error' });
  }
  return out;
}

/** The OpenAPI security requirement of ECM routes. */
export const USER_TOKEN_SECURITY = [{ UserToken: [] }];

/** The OpenAPI security requirement of the Twilio webhooks: Twilio's `X-Twilio-Signature` (see `TwilioSignature` in app.ts). */
export const TWILIO_SIGNATURE_SECURITY = [{ TwilioSignature: [] }];

/** onRequest hook: resolves `X-User-Token` into `request.actor` or answers 401. */
export function authenticateUser(identity: IdentityService) {
  return async (req: FastifyRequest) => {
    const header = req.headers['x-user-token'];
    req.actor = await identity.authenticate(typeof header === 'string' ? header.trim() : undefined);
  };
}

/** onRequest hook for `/v1/admin/...`: 403 `Admin access required` unless the actor is an admin. */
export async function requireAdmin(req: FastifyRequest): Promise<void> {
  if ((req.actor as UserActor | undefined)?.role !== 'admin') throw new ForbiddenError('Admin access required');
}

/** The ECM error handler (set once on the `/v1` route tree): renders the platform's error classes as `{"errors": [...]}`. */
export function ecmErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const config = req.routeOptions.config ?? {};
  const prefix = (messages: string[]) => (config.validationPrefix ? messages.map((m) => config.validationPrefix + m) : messages);
  const c = classifyError(err);
  switch (c.kind) {
    case 'validation':
      if (c.context === 'params') {
        // A malformed id names nothing that exists: the same 404 as an unknown id (docs/decisions.md).
        const onPatient = c.errors.some((e) => e.instancePath === '/patient_id');
        return reply.code(404).send({ errors: [onPatient ? 'Patient not found' : (config.notFoundMessage ?? 'Not found')] });
      }
      return reply.code(422).send({ errors: prefix(validationMessages(c.errors, c.context)) });
    case 'app':
      if (c.error instanceof TooManyRequestsError) reply.header('retry-after', String(c.error.retryAfterSeconds));
      return reply.code(c.error.statusCode).send({ errors: c.error.statusCode === 422 ? prefix(c.error.messages) : c.error.messages });
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
      return reply.code(422).send({ errors: prefix([UNSTORABLE_VALUE_MESSAGE]) });
    case 'database-unavailable':
      req.log.error({ err }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return reply.code(503).send({ errors: ['Service unavailable: the database cannot be reached; retry shortly'] });
    case 'internal':
      req.log.error({ err }, 'request failed');
      return reply.code(500).send({ errors: ['Internal server error'] });
  }
}

/**
 * Installs the ECM error and not-found handlers on a route tree, and documents the 413 of every route there that
 * takes a body.
 */
export function useEcmErrors(app: FastifyInstance): void {
  app.setErrorHandler(ecmErrorHandler);
  app.addHook('onRoute', (opts) => {
    const schema = opts.schema as { body?: unknown; response?: Record<number, TSchema> } | undefined;
    if (schema?.body && schema.response && !schema.response[413]) {
      opts.schema = { ...schema, response: { ...schema.response, 413: Type.Object(EcmErrors.properties, { description: ERROR_DESCRIPTIONS[413] }) } };
    }
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ errors: ['Not found'] }));
}
