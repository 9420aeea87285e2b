/**
 * Authentication of the FHIR door (`/fhir/R4`): `Authorization: Bearer <token>` as every FHIR client sends it, with the
 * access tokens of `POST /token` (client credentials), and no Api-Key. The token is verified by the ECP OAuth service;
 * the client must exist and be enabled, and the token must postdate its last secret rotation (as on /clinical/v1).
 * The tenant is the client's company and the locations it was granted. A route names the scope it needs in
 * `config.fhirScope` (an ECP read scope); a SMART v2 system scope for the resource (`system/Patient.rs`, `system/*.rs`,
 * or the v1 `.read`) opens it too, for tokens that carry one.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor, RequestContext } from '../platform/context.ts';
import { ForbiddenError, UnauthorizedError } from '../platform/errors.ts';
import type { PartnerClientService, ReachableLocation } from '../ecp/clients/service.ts';
import type { OAuthService } from '../ecp/oauth/service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** FHIR: the resource type and the ECP scope a route requires. */
    fhirScope?: { resource: string; scope: string };
    /** FHIR: the route answers `application/json` as it sets it (the Bulk Data manifest), not `application/fhir+json`. */
    fhirPlainJson?: boolean;
  }
}

/** The authenticated client of a FHIR request: the same shape as the partner actor of /clinical/v1. */
export interface FhirActor extends Actor {
  kind: 'partner';
  clientId: string;
  scopes: string[];
  /** `ecp_locations.id` of the locations the client may reach. */
  locationIds: number[];
  locations: ReachableLocation[];
}

/**
 * True when `scopes` open reads of `resource`: the ECP scope `scope`, or a SMART system scope granting read or search
 * of the resource or of every resource (SMART App Launch 2.0 "Scopes for requesting clinical data").
 */
export function scopeAllows(scopes: string[], resource: string, scope: string): boolean {
  if (scopes.includes(scope)) return true;
  return scopes.some((s) => {
    const m = /^system\/([A-Za-z*]+)\.(read|\*|[cruds]+)$/.exec(s);
    if (!m || (m[1] !== resource && m[1] !== '*')) return false;
    return m[2] === 'read' || m[2] === '*' || (m[2].includes('r') && m[2].includes('s'));
  });
}

/**
 * onRequest hook of the FHIR resource routes.
 * @throws UnauthorizedError (401) no bearer token, an invalid or expired one, an unknown or disabled client, a token
 *   issued before a secret rotation; ForbiddenError (403) a token without the route's scope.
 */
export function authenticateFhir(oauth: OAuthService, clients: PartnerClientService) {
  return async (req: FastifyRequest) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!bearer) throw new UnauthorizedError('An Authorization header "Bearer <access_token from /token>" is required');
    const token = await oauth.verify(bearer);
    if (token === 'expired') throw new UnauthorizedError('The bearer token has expired; request a new one from /token');
    if (!token) throw new UnauthorizedError('The bearer token is not valid');
    const client = await clients.findByClientId(token.clientId);
    if (!client || client.disabledAt) throw new UnauthorizedError('The client of this token is disabled or unknown');
    if (token.issuedAtMs < client.tokensValidAfter.getTime()) throw new UnauthorizedError('The bearer token was issued before the client secret changed; request a new one');
    const locations = await clients.locationsOf(client);
    const actor: FhirActor = {
      kind: 'partner',
      id: client.clientId,
      name: `Partner client ${client.clientId}`,
      organizationId: client.organizationId,
      clientId: client.clientId,
      scopes: token.scopes,
      locationIds: locations.map((l) => l.id),
      locations,
    };
    req.actor = actor;
    const need = req.routeOptions.config?.fhirScope;
    if (need && !scopeAllows(actor.scopes, need.resource, need.scope)) {
      throw new ForbiddenError(`This token lacks the scope ${need.scope} (or system/${need.resource}.rs) needed to read ${need.resource}`);
    }
  };
}

/** The request context of an authenticated FHIR request. */
export function fhirContext(req: FastifyRequest): RequestContext<FhirActor> {
  if (req.actor?.kind !== 'partner') throw new Error('fhirContext called on a route without FHIR authentication');
  return { actor: req.actor as FhirActor, ip: req.ip, requestId: req.id };
}

/**
 * `ctx` with its client narrowed to the locations `locationIds` of those it reaches (a search split by time zone,
 * `pageAcrossGroups`): never wider than the client's own.
 */
export function withLocations(ctx: RequestContext<FhirActor>, locationIds: number[]): RequestContext<FhirActor> {
  const locations = ctx.actor.locations.filter((l) => locationIds.includes(l.id));
  return { ...ctx, actor: { ...ctx.actor, locations, locationIds: locations.map((l) => l.id) } };
}
