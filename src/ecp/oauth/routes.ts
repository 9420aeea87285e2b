/**
 * `POST /token`: the OAuth2 token endpoint (RFC 6749 sections 4.4 and 5), answering pure RFC bodies
 * (no `result`) with `Cache-Control: no-store`.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { OAuthError, parseBasic, type OAuthService } from './service.ts';
import { classifyError, DATABASE_RETRY_AFTER_SECONDS } from '../../platform/errors.ts';
import { bodyTooLargeMessage, CREDENTIALS_BODY_LIMIT } from '../../platform/http.ts';
import { LimitedString } from '../../platform/schema.ts';

const TokenResponse = Type.Object({
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds (3600).' }),
  access_token: Type.String({ description: 'Send as `auth-bearer: Bearer <token>` with `authorization: Api-Key <key>`.' }),
  scope: Type.String({ description: 'The granted scopes, space-separated.' }),
});
const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.String() }, { description: 'RFC 6749 section 5.2 error (413 for a body over 64 KiB)' });

/** Client authentication at the token endpoint (RFC 6749 section 2.3.1): `{}` for client_id and client_secret in the body, or HTTP Basic. */
const TOKEN_SECURITY: Array<Record<string, string[]>> = [{}, { ClientBasic: [] }];

export async function tokenRoutes(app: FastifyInstance, { oauth }: { oauth: OAuthService }) {
  await app.register(formbody);
  app.setErrorHandler((err, req, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (err instanceof OAuthError) {
      if (err.status === 401 && err.basic) reply.header('www-authenticate', 'Basic realm="clinical", charset="UTF-8"');
      const retry = (err as OAuthError & { retryAfter?: number }).retryAfter;
      if (retry) reply.header('retry-after', String(retry));
      return reply.code(err.status).send({ error: err.error, error_description: err.description });
    }
    const c = classifyError(err);
    // RFC 6749 has one code for every request problem; the status alone decides, as Fastify set it.
    const status = (err as { statusCode?: number }).statusCode;
    if (c.kind === 'too-large') return reply.code(413).send({ error: 'invalid_request', error_description: bodyTooLargeMessage(req) });
    if (status === 400 || c.kind === 'validation') {
      return reply.code(400).send({ error: 'invalid_request', error_description: 'The request body must be JSON or application/x-www-form-urlencoded with grant_type, client_id and client_secret' });
    }
    if (status === 415) return reply.code(400).send({ error: 'invalid_request', error_description: 'Send application/json or application/x-www-form-urlencoded' });
    if (c.kind === 'unstorable') {
      return reply.code(400).send({ error: 'invalid_request', error_description: 'A value in the request cannot be stored (a NUL character, or a value out of range)' });
    }
    if (c.kind === 'database-unavailable') {
      req.log.error({ err }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return reply.code(503).send({ error: 'temporarily_unavailable', error_description: 'The database cannot be reached; retry shortly' });
    }
    req.log.error({ err }, 'token request failed');
    return reply.code(500).send({ error: 'server_error', error_description: 'Internal server error' });
  });

  app.post('/token', {
    schema: {
      tags: ['ECP OAuth2'], operationId: 'issueAccessToken', summary: 'Issue an access token (client credentials)', security: TOKEN_SECURITY,
      description: 'The seed\'s JSON body (`client_secret` base64-encoded) or the RFC 6749 form body; credentials in the body or HTTP Basic (raw secret), or a signed `client_assertion` (private_key_jwt, RFC 7523) from a client with a registered JWKS. `scope` omitted: every scope the client may have. Tokens live 3600 s.',
      body: Type.Object({
        grant_type: Type.Optional(LimitedString('key')),
        client_id: Type.Optional(LimitedString('key')),
        client_secret: Type.Optional(LimitedString('key')),
        scope: Type.Optional(LimitedString('scopes', { description: 'Space-separated scopes.' })),
        client_assertion_type: Type.Optional(LimitedString('key', { description: 'private_key_jwt (SMART Backend Services): urn:ietf:params:oauth:client-assertion-type:jwt-bearer.' })),
        client_assertion: Type.Optional(Type.String({ maxLength: 8192, description: 'private_key_jwt: a JWT signed (RS384 or ES384) with a key of the client\'s registered JWKS; iss = sub = client_id, aud = this URL, exp at most 5 minutes ahead, a fresh jti.' })),
      }),
      response: { 200: TokenResponse, 400: OAuthErrorBody, 401: OAuthErrorBody, 413: OAuthErrorBody, 429: OAuthErrorBody },
    },
    bodyLimit: CREDENTIALS_BODY_LIMIT,
  }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const basic = parseBasic(req.headers.authorization);
    if (basic && body.client_id && body.client_id !== basic.clientId) {
      throw new OAuthError(400, 'invalid_request', 'client_id in the body differs from the HTTP Basic credentials');
    }
    const token = await oauth.issueToken({
      grantType: body.grant_type,
      clientId: basic?.clientId ?? body.client_id,
      bodySecret: basic ? undefined : body.client_secret,
      basicSecret: basic?.secret,
      clientAssertionType: body.client_assertion_type,
      clientAssertion: body.client_assertion,
      usedBasic: Boolean(basic),
      scope: body.scope,
      ip: req.ip,
      requestId: req.id,
    });
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token);
  });
}
