/**
 * The OAuth2 token endpoint through the seed's JSON body, the RFC 6749 form body, and two real OAuth2
 * client libraries over HTTP: simple-oauth2 (HTTP Basic) and openid-client (client_secret_post).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClientCredentials } from 'simple-oauth2';
import * as oidc from 'openid-client';
import { createOAuthService } from '../../src/ecp/oauth/service.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';
import { statementCounter } from '../support/statements.ts';

let t: TestContext;
let base: string;
let partner: Partner;
let narrow: Partner;

beforeAll(async () => {
  t = await createTestContext();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  partner = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  narrow = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living'], 'location.read vital.read');
});
afterAll(() => t.close());

describe('POST /token', () => {
  it('replays the seed: JSON body with a base64 client_secret', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/token',
      payload: { grant_type: 'client_credentials', client_id: partner.client_id, client_secret: partner.client_secret_base64, scope: 'location.read vital.read vital.write' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String), scope: 'location.read vital.read vital.write' });
    expect(res.json().access_token.split('.')).toHaveLength(3);
  });

  it('takes the RFC 6749 form body with the raw secret, and grants every allowed scope when scope is omitted', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: narrow.client_id, client_secret: narrow.client_secret }).toString(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('location.read vital.read');
  });

  it('works with simple-oauth2 (HTTP Basic)', async () => {
    const client = new ClientCredentials({
      client: { id: partner.client_id, secret: partner.client_secret },
      auth: { tokenHost: base, tokenPath: '/token' },
    });
    const token = await client.getToken({ scope: 'location.read' });
    expect(token.token).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'location.read' });
    const res = await clinical(t.app, { token: String(token.token.access_token), apiKey: partner.api_key }, 'GET', '/clinical/v1/location');
    expect(res.json()).toEqual(['Evergreen Assisted Living', 'Evergreen Memory Care']);
  });

  it('works with openid-client (client_secret_post)', async () => {
    const config = new oidc.Configuration({ issuer: base, token_endpoint: `${base}/token` }, partner.client_id, undefined, oidc.ClientSecretPost(partner.client_secret));
    oidc.allowInsecureRequests(config);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'resident.write location.read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('resident.write location.read');
  });

  it('answers RFC 6749 section 5.2 errors', async () => {
    const post = (payload: Record<string, string>, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/token', payload, headers });
    const unsupported = await post({ grant_type: 'password', client_id: partner.client_id, client_secret: partner.client_secret_base64 });
    expect(unsupported.statusCode).toBe(400);
    expect(unsupported.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const missing = await post({ client_id: partner.client_id });
    expect(missing.json()).toMatchObject({ error: 'invalid_request' });
    const wrong = await post({ grant_type: 'client_credentials', client_id: partner.client_id, client_secret: 'nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers['www-authenticate']).toBeUndefined();
    const basic = await post({ grant_type: 'client_credentials' }, { authorization: 'Basic ' + Buffer.from(`${partner.client_id}:wrong`).toString('base64') });
    expect(basic.statusCode).toBe(401);
    expect(basic.headers['www-authenticate']).toMatch(/^Basic/);
    const scope = await post({ grant_type: 'client_credentials', client_id: narrow.client_id, client_secret: narrow.client_secret_base64, scope: 'location.read resident.write' });
    expect(scope.statusCode).toBe(400);
    expect(scope.json()).toEqual({ error: 'invalid_scope', error_description: 'The client may not request: resident.write' });
  });
});

describe('/clinical/v1 authentication', () => {
  it('needs both headers of the same client, a live token and the route\'s scope', async () => {
    const token = await tokenFor(t.app, partner);
    const ok = await clinical(t.app, { token, apiKey: partner.api_key }, 'GET', '/clinical/v1/location');
    expect(ok.statusCode).toBe(200);
    for (const creds of [{ apiKey: partner.api_key }, { token }, { token, apiKey: narrow.api_key }, { token: 'x.y.z', apiKey: partner.api_key }]) {
      const res = await clinical(t.app, creds, 'GET', '/clinical/v1/location');
      expect(res.statusCode, JSON.stringify(Object.keys(creds))).toBe(401);
      expect(res.json()).toMatchObject({ result: 'Error', error: expect.any(String) });
    }
    const vitalOnly = await tokenFor(t.app, partner, 'vital.read');
    const noScope = await clinical(t.app, { token: vitalOnly, apiKey: partner.api_key }, 'GET', '/clinical/v1/location');
    expect(noScope.statusCode).toBe(403);
    expect(noScope.json()).toEqual({ result: 'Error', error: 'This token lacks the scope location.read' });
  });

  it('refuses an expired token', async () => {
    const past = createOAuthService({ db: t.database.db, clients: t.services.partnerClients, clock: () => new Date(Date.now() - 2 * 3600_000) });
    const old = await past.issueToken({ grantType: 'client_credentials', clientId: partner.client_id, bodySecret: partner.client_secret, usedBasic: false, ip: '127.0.0.9' });
    const res = await clinical(t.app, { token: old.access_token, apiKey: partner.api_key }, 'GET', '/clinical/v1/location');
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatch(/expired/);
  });

  it('stops a disabled client\'s tokens at once, and rotation refuses the old secret and tokens', async () => {
    const p = await createPartner(t, 'Rotating Co', ['North']);
    const token = await tokenFor(t.app, p);
    await t.services.partnerClients.setDisabled(p.client_id, true);
    expect((await clinical(t.app, { token, apiKey: p.api_key }, 'GET', '/clinical/v1/location')).statusCode).toBe(401);
    await t.services.partnerClients.setDisabled(p.client_id, false);
    expect((await clinical(t.app, { token, apiKey: p.api_key }, 'GET', '/clinical/v1/location')).statusCode).toBe(401);
    const fresh = await tokenFor(t.app, p);
    expect((await clinical(t.app, { token: fresh, apiKey: p.api_key }, 'GET', '/clinical/v1/location')).statusCode).toBe(200);
    const rotated = await t.services.partnerClients.rotateSecret(p.client_id);
    await expect(tokenFor(t.app, p)).rejects.toThrow(/401/);
    const newer = await tokenFor(t.app, { ...p, client_secret_base64: rotated.client_secret_base64 });
    const key = await t.services.partnerClients.rotateApiKey(p.client_id);
    expect((await clinical(t.app, { token: newer, apiKey: p.api_key }, 'GET', '/clinical/v1/location')).statusCode).toBe(401);
    expect((await clinical(t.app, { token: newer, apiKey: key.api_key }, 'GET', '/clinical/v1/location')).statusCode).toBe(200);
  });

  it('signs with ECP_JWT_SECRET when it is set: another key\'s tokens are refused', async () => {
    const configured = createOAuthService({ db: t.database.db, clients: t.services.partnerClients, jwtSecret: 'k'.repeat(40) });
    const other = await configured.issueToken({ grantType: 'client_credentials', clientId: partner.client_id, bodySecret: partner.client_secret, usedBasic: false, ip: '127.0.0.8' });
    expect(await configured.verify(other.access_token)).toMatchObject({ clientId: partner.client_id });
    const res = await clinical(t.app, { token: other.access_token, apiKey: partner.api_key }, 'GET', '/clinical/v1/location');
    expect(res.statusCode).toBe(401);
  });

  it('reads the client and its locations in one statement (issue 8), the locations sorted by name', async () => {
    const measure = statementCounter(t.database.pool);
    const token = await tokenFor(t.app, partner);
    const { result: res, statements } = await measure(() => clinical(t.app, { token, apiKey: partner.api_key }, 'GET', '/clinical/v1/location'));
    expect(res.json()).toEqual(['Evergreen Assisted Living', 'Evergreen Memory Care']);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/FROM partner_clients/);
    // A wrong Api-Key is refused by that same statement alone; a bad token before any statement.
    expect((await measure(() => clinical(t.app, { token, apiKey: narrow.api_key }, 'GET', '/clinical/v1/location'))).statements).toHaveLength(1);
    expect((await measure(() => clinical(t.app, { token: 'x.y.z', apiKey: partner.api_key }, 'GET', '/clinical/v1/location'))).statements).toHaveLength(0);
  });

  it('imports the JWT key once, not per token issued or verified (issue 8)', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    try {
      const service = createOAuthService({ db: t.database.db, clients: t.services.partnerClients, jwtSecret: 'j'.repeat(40) });
      for (let i = 0; i < 3; i++) {
        const issued = await service.issueToken({ grantType: 'client_credentials', clientId: partner.client_id, bodySecret: partner.client_secret, usedBasic: false, ip: '127.0.0.7' });
        expect(await service.verify(issued.access_token)).toMatchObject({ clientId: partner.client_id });
      }
      expect(await service.verify('x.y.z')).toBeUndefined();
      expect(importKey).toHaveBeenCalledTimes(1);
    } finally {
      importKey.mockRestore();
    }
  });

  it('answers 404 in the ECP shape for an unknown path', async () => {
    const token = await tokenFor(t.app, partner);
    const res = await clinical(t.app, { token, apiKey: partner.api_key }, 'GET', '/clinical/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ result: 'Error' });
  });
});
