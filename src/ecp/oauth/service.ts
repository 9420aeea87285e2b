/**
 * The OAuth2 token endpoint of the ECP API: the client credentials grant (RFC 6749 section 4.4) with the
 * seed's JSON body or the RFC's form body, credentials in the body or HTTP Basic (section 2.3.1), errors as
 * section 5.2. Tokens are HS256 JWTs signed with `jose` and live 3600 s (seed 000: "expire in 60 minutes");
 * the key is generated once and kept in Postgres (`signing_keys`), so every API process verifies the same tokens.
 *
 * Scopes (ARCHITECTURE.md, "Token scopes"): omitted means every scope the client may have; any requested seed
 * scope it may not have is `invalid_scope`; SMART system scopes (`system/Patient.rs`) are narrowed to what the
 * client holds; the response echoes the granted scopes.
 */
import { timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, errors as joseErrors, type JSONWebKeySet } from 'jose';
import type { Db } from '../../db/pool.ts';
import { hashToken, newToken } from '../../platform/crypto.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { hitCounter } from '../../platform/rate-limit.ts';
import { signingKey } from '../../platform/storage.ts';
import type { PartnerClientRow, PartnerClientService } from '../clients/service.ts';
import { isSmartScope, narrowSmartScope, parseScopes } from '../scopes.ts';

export { SMART_RESOURCE_SCOPES } from '../scopes.ts';

export const TOKEN_TTL_SECONDS = 3600;
/**
 * `iss` and `aud` of every access token: fixed names, not `PUBLIC_URL`, so a token verifies on every API process
 * whatever URL it was reached by, and changing the public URL does not sign every partner out (docs/decisions.md).
 */
export const TOKEN_ISSUER = 'care-platform';
export const TOKEN_AUDIENCE = 'ecp-clinical';
/** Claims a token must carry; one without any of them is refused (401), whatever its signature. */
const REQUIRED_CLAIMS = ['exp', 'iat', 'iss', 'aud', 'sub'];
/** How far ahead of this process's clock a token's `iat` may be: another API host's clock may run a little fast. */
const CLOCK_SKEW_SECONDS = 60;
/** `client_assertion_type` of `private_key_jwt` (RFC 7523 section 2.2; SMART Backend Services). */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Signature algorithms SMART Backend Services requires servers to support. */
export const CLIENT_ASSERTION_ALGORITHMS = ['RS384', 'ES384'];
/** A client assertion may expire at most this far ahead (SMART Backend Services: "no more than five minutes"). */
const ASSERTION_MAX_LIFETIME_SECONDS = 300;

/** An RFC 6749 section 5.2 error. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';
  readonly description: string;
  /** Set when the client authenticated with HTTP Basic: the 401 carries `WWW-Authenticate`. */
  readonly basic: boolean;

  constructor(status: number, error: OAuthError['error'], description: string, basic = false) {
    super(description);
    this.status = status;
    this.error = error;
    this.description = description;
    this.basic = basic;
  }
}

export interface TokenRequest {
  grantType?: string;
  clientId?: string;
  /** From the body: base64 of the secret (the seed), or the raw secret (generic OAuth2 clients). */
  bodySecret?: string;
  /** From HTTP Basic: the raw secret (RFC 6749). */
  basicSecret?: string;
  /** `private_key_jwt` (RFC 7523): the assertion type and the signed JWT, instead of a secret. */
  clientAssertionType?: string;
  clientAssertion?: string;
  usedBasic: boolean;
  scope?: string;
  ip: string;
  /** For the audit row. */
  requestId?: string | null;
}

export interface VerifiedToken {
  clientId: string;
  organizationId: number;
  scopes: string[];
  /** Issue time, epoch milliseconds. */
  issuedAtMs: number;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parses `Authorization: Basic base64(urlencode(id):urlencode(secret))`, splitting on the first colon (RFC 6749 2.3.1). */
export function parseBasic(header: string | undefined): { clientId: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { clientId: unescape(decoded.slice(0, i)), secret: unescape(decoded.slice(i + 1)) };
}

/** `raw` as an HS256 signing and verification key. */
async function importHmacKey(raw: Buffer | Promise<Buffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(await raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/**
 * @param jwtSecret `ECP_JWT_SECRET`; unset: the `ecp-jwt` key generated once into `signing_keys`.
 * @param tokenUrl this endpoint's URL (`PUBLIC_URL` + `/token`): the `aud` a client assertion must carry.
 */
export function createOAuthService({ db, clients, jwtSecret, tokenUrl, clock = () => new Date() }: {
  db: Db; clients: PartnerClientService; jwtSecret?: string; tokenUrl?: string; clock?: () => Date;
}) {
  // Imported once as a CryptoKey: jose imports raw key bytes again on every sign and verify (one
  // `crypto.subtle.importKey` per request). A failed load is forgotten so the next request retries it.
  let key: Promise<CryptoKey> | undefined;
  const secretKey = () => (key ??= importHmacKey(jwtSecret ? Buffer.from(jwtSecret, 'utf8') : signingKey(db, 'ecp-jwt')).catch((err: unknown) => {
    key = undefined;
    throw err;
  }));

  function secretMatches(client: PartnerClientRow, req: TokenRequest): boolean {
    if (req.usedBasic) return req.basicSecret !== undefined && sameHash(hashToken(req.basicSecret), client.secretHash);
    if (req.bodySecret === undefined) return false;
    if (sameHash(hashToken(req.bodySecret), client.secretHash)) return true;
    const decoded = Buffer.from(req.bodySecret, 'base64').toString('utf8');
    return sameHash(hashToken(decoded), client.secretHash);
  }

  /**
   * What is wrong with a `private_key_jwt` client assertion (RFC 7523 section 3; SMART Backend Services): signed by a
   * key of the client's JWK Set with RS384 or ES384; `iss` and `sub` the client id; `aud` this endpoint's URL; `exp`
   * present, not passed and at most five minutes ahead; `jti` never seen before for this client (kept for ten
   * minutes, longer than any assertion lives).
   * @returns undefined when valid, else the reason (told to the client in `error_description`).
   */
  async function assertionProblem(client: PartnerClientRow, assertion: string): Promise<string | undefined> {
    if (!client.jwks) return 'this client has no registered public keys (JWKS)';
    if (!tokenUrl) return 'client assertions are not accepted by this server';
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks as JSONWebKeySet), {
        issuer: client.clientId,
        subject: client.clientId,
        audience: tokenUrl,
        algorithms: CLIENT_ASSERTION_ALGORITHMS,
        requiredClaims: ['exp', 'jti'],
        currentDate: clock(),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return 'the client assertion has expired';
      if (err instanceof joseErrors.JWTClaimValidationFailed) return `the client assertion's ${err.claim} claim is not valid (aud must be ${tokenUrl})`;
      if (err instanceof joseErrors.JWKSNoMatchingKey) return 'the client assertion is not signed by a registered key';
      return 'the client assertion is not a valid signed JWT (RS384 or ES384)';
    }
    if (Number(payload.exp) > clock().getTime() / 1000 + ASSERTION_MAX_LIFETIME_SECONDS) return 'the client assertion expires more than five minutes ahead';
    const jti = String(payload.jti);
    if (jti.length > 255) return 'the client assertion\'s jti is too long';
    const seen = await hitCounter(db, `assertion-jti:${client.clientId}:${jti}`, 2 * ASSERTION_MAX_LIFETIME_SECONDS);
    if (seen.count > 1) return 'the client assertion\'s jti was already used';
    return undefined;
  }

  /** The grant (RFC 6749 4.4): throttles, checks `client` (as `issueToken` found it) and the scopes, signs. */
  async function grant(req: TokenRequest, client: PartnerClientRow | undefined) {
    const ipCount = await hitCounter(db, `token:ip:${req.ip}`, 60);
    if (ipCount.count > 300) throw Object.assign(new OAuthError(429, 'invalid_request', `Too many token requests; try again in ${ipCount.resetsInSeconds} seconds`), { retryAfter: ipCount.resetsInSeconds });
    if (!req.grantType) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
    if (req.grantType !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', `grant_type ${req.grantType} is not supported; use client_credentials`);
    if (!req.clientId) throw new OAuthError(req.usedBasic ? 401 : 400, req.usedBasic ? 'invalid_client' : 'invalid_request', 'client_id is required', req.usedBasic);
    const assertion = req.clientAssertion !== undefined || req.clientAssertionType !== undefined;
    if (assertion && (req.clientAssertionType !== CLIENT_ASSERTION_TYPE || !req.clientAssertion)) {
      throw new OAuthError(400, 'invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}, with a client_assertion`);
    }
    if (assertion && (req.usedBasic || req.bodySecret !== undefined)) throw new OAuthError(400, 'invalid_request', 'Authenticate with a client secret or a client assertion, not both');
    const problem = !client || client.disabledAt
      ? 'unknown'
      : assertion ? await assertionProblem(client, req.clientAssertion!) : secretMatches(client, req) ? undefined : 'secret';
    if (problem !== undefined || !client) {
      if (client) {
        const failures = await hitCounter(db, `token:client:${client.clientId}`, 900);
        if (failures.count > 50) throw Object.assign(new OAuthError(429, 'invalid_request', `Too many failed attempts for this client; try again in ${failures.resetsInSeconds} seconds`), { retryAfter: failures.resetsInSeconds });
      }
      if (assertion && problem !== 'unknown') throw new OAuthError(401, 'invalid_client', `Client authentication failed: ${problem}`);
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed: unknown client, wrong secret or disabled client', req.usedBasic);
    }
    const requested = parseScopes(req.scope);
    // The seed's scopes keep the pinned rule (one not held is invalid_scope); SMART system scopes are narrowed to
    // what the client holds, and the response's `scope` says what was granted (ARCHITECTURE.md, "Scopes at the token endpoint").
    const seed = requested.filter((s) => !isSmartScope(s));
    const smart = requested.filter(isSmartScope);
    const denied = seed.filter((s) => !client.scopes.includes(s));
    if (denied.length) throw new OAuthError(400, 'invalid_scope', `The client may not request: ${denied.join(' ')}`);
    const smartGranted = [...new Set(smart.flatMap((s) => narrowSmartScope(s, client.scopes)))];
    if (smart.length && !smartGranted.length && !seed.length) throw new OAuthError(400, 'invalid_scope', `None of the requested SMART scopes can be granted to this client: ${smart.join(' ')}`);
    const granted = requested.length ? [...seed, ...smartGranted] : client.scopes;
    const nowMs = clock().getTime();
    const now = Math.floor(nowMs / 1000);
    const jti = newToken(16);
    // `iat` has whole seconds; `iat_ms` lets a rotation refuse tokens issued earlier in the same second.
    const token = await new SignJWT({ scope: granted.join(' '), org: client.organizationId, iat_ms: nowMs })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(client.clientId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + TOKEN_TTL_SECONDS)
      .setJti(jti)
      .sign(await secretKey());
    return { jti, response: { token_type: 'Bearer' as const, expires_in: TOKEN_TTL_SECONDS, access_token: token, scope: granted.join(' ') } };
  }

  return {
    /**
     * Issues an access token. A request naming an existing client writes one audit row in the client's company
     * (actor: the client; entity `access_token`): `token_granted` with the token's `jti` as its id, or
     * `token_refused` with the RFC 6749 error code. A client id that names no client has no company to be audited in.
     * @returns `{token_type: "Bearer", expires_in: 3600, access_token, scope}`.
     * @throws OAuthError (invalid_request, unsupported_grant_type, invalid_client, invalid_scope; 429 invalid_request when throttled).
     */
    async issueToken(req: TokenRequest) {
      if (!req.clientId && req.clientAssertion) {
        // private_key_jwt may leave client_id out: the assertion's `sub` names the client (checked with its signature).
        try {
          req = { ...req, clientId: String(decodeJwt(req.clientAssertion).sub ?? '') || undefined };
        } catch {
          throw new OAuthError(401, 'invalid_client', 'Client authentication failed: the client assertion is not a JWT');
        }
      }
      const client = req.clientId && /^[0-9A-Fa-f-]{36}$/.test(req.clientId) ? await clients.findByClientId(req.clientId) : undefined;
      const ctx: RequestContext | undefined = client && {
        actor: { kind: 'partner', id: client.clientId, name: `Partner client ${client.clientId}`, organizationId: client.organizationId },
        ip: req.ip,
        requestId: req.requestId ?? null,
      };
      try {
        const granted = await grant(req, client);
        if (ctx) await recordAudit(db, ctx, { action: 'token_granted', entityType: 'access_token', entityIds: [granted.jti] });
        return granted.response;
      } catch (err) {
        if (ctx && err instanceof OAuthError) await recordAudit(db, ctx, { action: 'token_refused', entityType: 'access_token', entityIds: [err.error] });
        throw err;
      }
    },

    /**
     * Verifies a bearer token: HS256 signature; `exp`, `iat`, `iss`, `aud` and `sub` present; issuer and audience
     * ours; not expired; `iat` not in the future (beyond `CLOCK_SKEW_SECONDS`).
     * @returns its client, company and scopes; undefined when invalid; `'expired'` when only its time is up.
     */
    async verify(token: string): Promise<VerifiedToken | 'expired' | undefined> {
      try {
        const { payload } = await jwtVerify(token, await secretKey(), {
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          requiredClaims: REQUIRED_CLAIMS,
          currentDate: clock(),
          algorithms: ['HS256'],
        });
        if (Number(payload.iat) > clock().getTime() / 1000 + CLOCK_SKEW_SECONDS) return undefined;
        return { clientId: String(payload.sub), organizationId: Number(payload.org), scopes: parseScopes(String(payload.scope ?? '')), issuedAtMs: Number(payload.iat_ms ?? Number(payload.iat) * 1000) };
      } catch (err) {
        return err instanceof joseErrors.JWTExpired ? 'expired' : undefined;
      }
    },
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
