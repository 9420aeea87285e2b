/**
 * The community door's HTTP conventions (ARCHITECTURE.md, the door table: "the seed's ECP objects (camelCase,
 * upper-case GUIDs); errors `{"errors": [..]}` with ECM's status codes"): `X-User-Token` authentication as one hook
 * over the route tree, the must-change-password gate, the System Admin guard, and the one error handler:
 * 400 `Malformed JSON body`; 401 `Invalid or missing token`; 403; 404 `Resident not found` / `Location not found`
 * (also for another company's records or a location outside `locationsAllowed`); 422 one sentence per problem with
 * the seed's field names (`firstName is required`); 429 with Retry-After; 503 with Retry-After while the database is
 * away; other 5xx `Internal server error` (details only in the log).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { contextOf, errorListHandler } from '../../platform/http.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { ecpValidationSentences } from '../http.ts';
import { PASSWORD_CHANGE_REQUIRED, type CommunityActor, type CommunityAuthService } from './service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Community: the route stays open while the user must change their password (change it, sign out, who am I). */
    passwordChangeExempt?: boolean;
  }
}

export const CommunityErrors = Type.Object(
  { errors: Type.Array(Type.String(), { description: 'One sentence per problem.' }) },
  { description: 'Error' },
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON body',
  401: 'Invalid or missing token (or, at sign-in, invalid company, login name or password)',
  403: 'Password change required, or System Admin access required',
  404: 'Not found (also another company\'s records, or a location outside the user\'s locationsAllowed)',
  413: 'Request body is too large',
  422: 'Validation failed: one message per problem',
  429: 'Too many attempts (see Retry-After)',
};

/** Response schemas of a community route: its successes plus 400, 401, 403 and the listed statuses in the `{"errors": []}` shape. */
export function communityResponses(success: Record<number, TSchema>, errors: number[] = []): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  for (const code of [400, 401, 403, 413, ...errors]) out[code] = Type.Object(CommunityErrors.properties, { description: ERROR_DESCRIPTIONS[code] ?? 'Error' });
  return out;
}

/** The OpenAPI security requirement of community routes. */
export const COMMUNITY_TOKEN_SECURITY = [{ CommunityUserToken: [] }];

/** The request context of a signed-in community request. */
export function communityContext(req: FastifyRequest): RequestContext<CommunityActor> {
  if (req.actor?.kind !== 'ecp_user') throw new Error('communityContext called on a route without community authentication');
  return contextOf<CommunityActor>(req);
}

/**
 * onRequest hook: resolves `X-User-Token` into `request.actor` (401 otherwise); while the user must change their
 * password, every route but those marked `passwordChangeExempt` answers 403.
 */
export function authenticateCommunityUser(auth: CommunityAuthService) {
  return async (req: FastifyRequest) => {
    const header = req.headers['x-user-token'];
    const actor = await auth.authenticate(typeof header === 'string' ? header.trim() : undefined);
    req.actor = actor;
    if (actor.mustChangePassword && !req.routeOptions.config?.passwordChangeExempt) throw new ForbiddenError(PASSWORD_CHANGE_REQUIRED);
  };
}

/** onRequest hook for System Admin routes: 403 `System Admin access required` for other users. */
export async function requireSystemAdmin(req: FastifyRequest): Promise<void> {
  if (!(req.actor as CommunityActor | undefined)?.systemAdmin) throw new ForbiddenError('System Admin access required');
}

/** The community error handler: renders the platform's error classes as `{"errors": [...]}` with ECM's statuses. */
export const communityErrorHandler = errorListHandler({
  validationSentences: (errors) => ecpValidationSentences(errors),
  // A malformed id in the path names nothing that exists: the same 404 as an unknown id.
  paramsNotFound: (_errors, req) => req.routeOptions.config?.notFoundMessage ?? 'Not found',
});

/** Installs the community error and not-found handlers on the `/v1/community` route tree. */
export function useCommunityErrors(app: FastifyInstance): void {
  app.setErrorHandler(communityErrorHandler);
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ errors: ['Not found'] }));
}
