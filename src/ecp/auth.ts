/**
 * Authentication of `/clinical/v1` (seed 000 "ECP's REST API"; ARCHITECTURE.md, "Wire conventions, ECP"):
 * every request carries `auth-bearer: Bearer <token>` and `authorization: Api-Key <key>` of the same client.
 * Missing, expired or mismatched credentials are 401; a disabled client's tokens stop at once, and tokens
 * issued before a secret rotation are refused. A route names its scope in `config.scope`; without it, 403.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor, RequestContext } from '../platform/context.ts';
import { ForbiddenError, UnauthorizedError } from '../platform/errors.ts';
import type { PartnerClientService, ReachableLocation } from './clients/service.ts';
import type { OAuthService } from './oauth/service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** ECP: the OAuth2 scope the route requires. */
    scope?: string;
  }
}

/**
 * Whoever reaches a company's ECP data at a set of its locations: a partner client (the locations granted to it) or a
 * community user (their `locationsAllowed`). The ECP services need no more than this to check reach.
 */
export interface EcpActor extends Actor {
  /** `ecp_locations.id` of the locations the actor may reach. */
  locationIds: number[];
  /** Those locations, by name, each with its time zone, read with the actor (so resolving a `location` parameter needs no statement). */
  locations: ReachableLocation[];
}

export interface PartnerActor extends EcpActor {
  kind: 'partner';
  clientId: string;
  scopes: string[];
}

/**
 * onRequest hook: both headers, same client, live client, then the route's scope. The token is checked first
 * (no statement); the client and its locations are then read in one statement.
 * @throws UnauthorizedError (401) for a missing, invalid or expired token, a wrong Api-Key, a disabled client or a
 *   token issued before a secret rotation; ForbiddenError (403) for a missing scope.
 */
export function authenticatePartner(oauth: OAuthService, clients: PartnerClientService) {
  return async (req: FastifyRequest) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers['auth-bearer'] ?? ''))?.[1];
    if (!bearer) throw new UnauthorizedError('The auth-bearer header must be "Bearer <token>" with a token from /token');
    const apiKey = /^Api-Key\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!apiKey) throw new UnauthorizedError('The authorization header must be "Api-Key <key>"');
    const token = await oauth.verify(bearer);
    if (token === 'expired') throw new UnauthorizedError('The bearer token has expired; request a new one from /token');
    if (!token) throw new UnauthorizedError('The bearer token is not valid');
    const client = await clients.authenticate(apiKey);
    if (!client || client.clientId !== token.clientId) throw new UnauthorizedError('The Api-Key does not belong to the client of the bearer token');
    if (client.disabledAt) throw new UnauthorizedError('This client is disabled');
    if (token.issuedAtMs < client.tokensValidAfter.getTime()) {
      throw new UnauthorizedError('The bearer token was issued before the client secret changed; request a new one');
    }
    const actor: PartnerActor = {
      kind: 'partner',
      id: client.clientId,
      name: `Partner client ${client.clientId}`,
      organizationId: client.organizationId,
      clientId: client.clientId,
      scopes: token.scopes,
      locationIds: client.locationIds,
      locations: client.locations,
    };
    req.actor = actor;
    const scope = req.routeOptions.config?.scope;
    if (scope && !actor.scopes.includes(scope)) throw new ForbiddenError(`This token lacks the scope ${scope}`);
  };
}

/** The request context of an authenticated partner request. */
export function partnerContext(req: FastifyRequest): RequestContext<PartnerActor> {
  if (req.actor?.kind !== 'partner') throw new Error('partnerContext called on a route without partner authentication');
  return { actor: req.actor as PartnerActor, ip: req.ip, requestId: req.id };
}
