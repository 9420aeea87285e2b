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
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { UserActor } from '../platform/context.ts';
import { ForbiddenError } from '../platform/errors.ts';
import { errorListHandler } from '../platform/http.ts';
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
export const ecmErrorHandler = errorListHandler({
  validationSentences: validationMessages,
  // A malformed id names nothing that exists: the same 404 as an unknown id (docs/decisions.md).
  paramsNotFound: (errors, req) => (errors.some((e) => e.instancePath === '/patient_id') ? 'Patient not found' : (req.routeOptions.config?.notFoundMessage ?? 'Not found')),
  prefix: (messages, req) => {
    const p = req.routeOptions.config?.validationPrefix;
    return p ? messages.map((m) => p + m) : messages;
  },
});

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
