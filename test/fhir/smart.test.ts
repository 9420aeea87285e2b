/**
 * SMART Backend Services client authentication (`private_key_jwt`, RFC 7523) at `POST /token`, over real HTTP: a
 * client with a registered JWK Set and a generated key pair gets a token from a signed assertion and reads the FHIR
 * door with it; a replayed `jti`, a wrong `aud`, an expired assertion, one expiring more than five minutes ahead, an
 * unknown key, an algorithm outside RS384/ES384 and a client without keys are refused (401 invalid_client). SMART
 * system scopes are narrowed to what the client holds and open the FHIR door, not /clinical/v1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, type Partner } from '../support/ecp.ts';

let t: TestContext;
let base: string;
let tokenUrl: string;
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
let client: Partner;
let keyless: Partner;

async function jwk(key: CryptoKey, kid: string, alg: string): Promise<JWK> {
  return { ...(await exportJWK(key)), kid, alg, use: 'sig' };
}

/** A client assertion; `over` changes claims (`aud`, `exp` in seconds from now, `jti`), the key, kid or algorithm. */
async function assertion(clientId: string, over: { aud?: string; exp?: number; jti?: string; key?: CryptoKey; kid?: string; alg?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: over.alg ?? 'RS384', kid: over.kid ?? 'rsa-1', typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(over.aud ?? tokenUrl)
    .setExpirationTime(now + (over.exp ?? 240))
    .setJti(over.jti ?? randomUUID())
    .sign(over.key ?? rsa.privateKey);
}

async function token(form: Record<string, string>) {
  const res = await fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() as Record<string, string> };
}

const form = (clientAssertion: string, extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion, ...extra,
});

beforeAll(async () => {
  t = await createTestContext();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  tokenUrl = `${t.config.publicUrl}/token`;
  rsa = await generateKeyPair('RS384', { extractable: true });
  ec = await generateKeyPair('ES384', { extractable: true });
  client = await createPartner(t, 'Aspen Living', ['Aspen House']);
  await t.services.partnerClients.setJwks(client.client_id, { keys: [await jwk(rsa.publicKey, 'rsa-1', 'RS384'), await jwk(ec.publicKey, 'ec-1', 'ES384')] });
  keyless = await createPartner(t, 'Aspen Living', ['Aspen House']);
});
afterAll(() => t.close());

describe('private_key_jwt at /token', () => {
  it('issues a token for an RS384 or ES384 assertion (client_id optional) that opens the FHIR door', async () => {
    const res = await token(form(await assertion(client.client_id), { client_id: client.client_id, scope: 'resident.read' }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'resident.read' });
    const patients = await fetch(`${base}/fhir/R4/Patient`, { headers: { authorization: `Bearer ${res.body.access_token}` } });
    expect(patients.status).toBe(200);
    const ecToken = await token(form(await assertion(client.client_id, { key: ec.privateKey, kid: 'ec-1', alg: 'ES384' })));
    expect(ecToken.status, JSON.stringify(ecToken.body)).toBe(200);
  });

  it('refuses a replayed jti', async () => {
    const signed = await assertion(client.client_id, { jti: 'once-only' });
    expect((await token(form(signed))).status).toBe(200);
    const again = await token(form(await assertion(client.client_id, { jti: 'once-only' })));
    expect(again).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(again.body.error_description).toMatch(/jti was already used/);
  });

  it('refuses a wrong aud, an expired assertion, one living over five minutes, an unknown key, HS256, and a client without keys', async () => {
    const other = await generateKeyPair('RS384', { extractable: true });
    const cases: Array<[string, string, RegExp]> = [
      ['wrong aud', await assertion(client.client_id, { aud: 'https://elsewhere.example/token' }), /aud/],
      ['expired', await assertion(client.client_id, { exp: -120 }), /expired/],
      ['too long', await assertion(client.client_id, { exp: 3600 }), /five minutes/],
      ['unknown key', await assertion(client.client_id, { key: other.privateKey }), /not a valid signed JWT|registered key/],
      ['unknown kid', await assertion(client.client_id, { kid: 'nope' }), /registered key/],
      ['HS256', await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setIssuer(client.client_id).setSubject(client.client_id)
        .setAudience(tokenUrl).setExpirationTime('2m').setJti(randomUUID()).sign(new TextEncoder().encode('x'.repeat(48))), /./],
      ['no keys', await assertion(keyless.client_id), /no registered public keys/],
    ];
    for (const [what, signed, reason] of cases) {
      const res = await token(form(signed));
      expect(res.status, what).toBe(401);
      expect(res.body.error, what).toBe('invalid_client');
      expect(res.body.error_description, what).toMatch(reason);
    }
  });

  it('refuses an assertion with a secret too, and a wrong assertion type', async () => {
    expect((await token(form(await assertion(client.client_id), { client_id: client.client_id, client_secret: client.client_secret }))).body.error).toBe('invalid_request');
    expect((await token({ ...form(await assertion(client.client_id)), client_assertion_type: 'urn:other' })).body.error).toBe('invalid_request');
  });

  it('refuses a JWKS holding a private key', async () => {
    const privateJwk = { ...(await exportJWK(rsa.privateKey)), kid: 'p' };
    await expect(t.services.partnerClients.setJwks(client.client_id, { keys: [privateJwk] })).rejects.toThrow(/private key/);
  });
});

describe('SMART system scopes at /token', () => {
  let narrow: Partner;
  beforeAll(async () => {
    narrow = await createPartner(t, 'Aspen Living', ['Aspen House'], 'resident.read vital.read');
  });
  const secretToken = (scope: string) => token({ grant_type: 'client_credentials', client_id: narrow.client_id, client_secret: narrow.client_secret, scope });

  it('narrows system/*.rs to the resource types the client\'s grants cover, and says so in scope', async () => {
    const res = await secretToken('system/*.rs');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.scope).toBe('system/Patient.rs system/Observation.rs system/RelatedPerson.rs');
    const fhir = (path: string) => fetch(`${base}/fhir/R4/${path}`, { headers: { authorization: `Bearer ${res.body.access_token}` } }).then((r) => r.status);
    expect(await fhir('Patient')).toBe(200);
    expect(await fhir('Observation')).toBe(200);
    expect(await fhir('Condition')).toBe(403);
    // A SMART-only token opens the FHIR door, not /clinical/v1 (whose routes need the seed's scopes).
    const rest = await clinical(t.app, { token: res.body.access_token, apiKey: narrow.api_key }, 'GET', '/clinical/v1/resident');
    expect(rest.statusCode).toBe(403);
  });

  it('narrows write permissions to read and search, keeps seed scopes, and refuses what cannot be granted at all', async () => {
    expect((await secretToken('resident.read system/Observation.cruds')).body.scope).toBe('resident.read system/Observation.rs');
    expect((await secretToken('system/Condition.rs system/Patient.read')).body.scope).toBe('system/Patient.rs');
    expect(await secretToken('system/Condition.rs')).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(await secretToken('diagnosis.read system/Patient.rs')).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });
});
