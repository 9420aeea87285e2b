/**
 * ECP access tokens must carry `exp`, `iat`, `iss` and `aud` with our values: tokens signed with the real key
 * (the `ecp-jwt` signing key in Postgres) but missing a claim, or naming another issuer or audience, are 401.
 */
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/ecp/oauth/service.ts';
import { signingKey } from '../../src/platform/storage.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let partner: Partner;
let key: Uint8Array;

beforeAll(async () => {
  t = await createTestContext();
  partner = await createPartner(t, 'Claims Senior Living', ['Claims Assisted Living']);
  await tokenFor(t.app, partner);
  key = new Uint8Array(await signingKey(t.database.db, 'ecp-jwt'));
});
afterAll(() => t.close());

type Claims = { iss?: string; aud?: string; iat?: number; exp?: number };

/** A token signed with the server's key, carrying the partner's subject and scopes and exactly `claims`. */
async function signed(claims: Claims): Promise<string> {
  return new SignJWT({ scope: 'location.read', org: 0, ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(partner.client_id).sign(key);
}

function complete(): Required<Claims> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: now, exp: now + 3600 };
}

const locations = (token: string) => clinical(t.app, { token, apiKey: partner.api_key }, 'GET', '/clinical/v1/location');

describe('ECP access token claims', () => {
  it('issues tokens with exp, iat, iss and aud, living 3600 s', async () => {
    const claims = decodeJwt(await tokenFor(t.app, partner));
    expect(claims).toMatchObject({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, sub: partner.client_id, iat: expect.any(Number), exp: expect.any(Number) });
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('accepts a token signed with the key that carries every claim (the control for the cases below)', async () => {
    const res = await locations(await signed(complete()));
    expect(res.statusCode, res.body).toBe(200);
  });

  it.each(['exp', 'iat', 'iss', 'aud'] as const)('answers 401 to a token without %s', async (claim) => {
    const claims: Claims = complete();
    delete claims[claim];
    const res = await locations(await signed(claims));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ result: 'Error', error: 'The bearer token is not valid' });
  });

  it.each([
    ['another issuer', { iss: 'https://issuer.example.com' }],
    ['another audience', { aud: 'fhir' }],
    ['an issue time in the future', { iat: Math.floor(Date.now() / 1000) + 600 }],
  ])('answers 401 to a token with %s', async (_, change) => {
    const res = await locations(await signed({ ...complete(), ...change }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ result: 'Error', error: 'The bearer token is not valid' });
  });

  it('answers 401 "expired" to a token whose exp has passed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await locations(await signed({ ...complete(), iat: now - 7200, exp: now - 3600 }));
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatch(/expired/);
  });
});
