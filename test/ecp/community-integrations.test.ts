/**
 * The community workspace's Integrations page and Audit log over `app.inject` on a real database, with the webhook
 * dispatcher delivering to a local Standard Webhooks receiver: a System Admin creates a partner client (secret and
 * Api-Key shown once, stored hashed; the credentials get a token at /token), changes its scopes and locations,
 * disables and rotates it, registers a JWK Set (checked with jose: public RS384/ES384 keys only, bounded), subscribes a
 * callback URL for it (the outbound guard), sends a test event that arrives signed, reads the delivery log and retries;
 * and pages the company's audit log with filters. A nurse gets 403; another company's objects and locations outside
 * locationsAllowed are 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair } from 'jose';
import { ecpUsers, partnerClients } from '../../src/db/schema.ts';
import { hashToken } from '../../src/platform/crypto.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, createPartner, insertEcpUser, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let t: TestContext;
let rx: WebhookReceiver;
let p: Partner;
let other: Partner;
let admin: string;
let nurse: string;
let otherAdmin: string;
const COMPANY = 'Evergreen Senior Living';
const LOC_A = 'Evergreen Assisted Living';
const LOC_B = 'Evergreen Memory Care';
const LOC_C = 'Evergreen Hidden Wing';

async function signIn(company: string, loginName: string, password: string) {
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), company, loginName, password, { mustChange: false });
  const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company, loginName, password } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token as string;
}

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  p = await createPartner(t, COMPANY, [LOC_A, LOC_B, LOC_C]);
  other = await createPartner(t, 'Other Senior Living', ['Other Meadows']);
  // The admin is allowed A and B, not C.
  const a = await insertEcpUser(t, p, 'rpatel', { locationGuids: [p.locations[0].locationId, p.locations[1].locationId] });
  await t.database.db.update(ecpUsers).set({ systemAdmin: true }).where(eq(ecpUsers.id, a.id));
  await insertEcpUser(t, p, 'mgarcia');
  const o = await insertEcpUser(t, other, 'oadmin');
  await t.database.db.update(ecpUsers).set({ systemAdmin: true }).where(eq(ecpUsers.id, o.id));
  admin = await signIn(COMPANY, 'rpatel', 'admin-password-1');
  nurse = await signIn(COMPANY, 'mgarcia', 'nurse-password-1');
  otherAdmin = await signIn('Other Senior Living', 'oadmin', 'other-password-1');
}, 60_000);
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

function call(token: string, method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

const locA = () => p.locations.find((l) => l.name === LOC_A)!.locationId;
const locB = () => p.locations.find((l) => l.name === LOC_B)!.locationId;
const locC = () => p.locations.find((l) => l.name === LOC_C)!.locationId;

async function tokenStatus(clientId: string, secret: string) {
  const res = await t.app.inject({ method: 'POST', url: '/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret } });
  return res.statusCode;
}

async function createClient(body: Record<string, unknown> = { locationIds: [LOC_A] }) {
  const res = await call(admin, 'POST', '/v1/community/integrations/clients', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('System Admins only', () => {
  it('answers 403 in the documented shape to a nurse on every Integrations and Audit log route, 401 without a token', async () => {
    for (const [method, url] of [
      ['GET', '/v1/community/integrations/clients'], ['POST', '/v1/community/integrations/clients'], ['GET', '/v1/community/audit_events'],
      ['POST', '/v1/community/integrations/subscriptions/X/test'], ['PUT', `/v1/community/integrations/clients/${p.client_id}/jwks`],
    ]) {
      const res = await call(nurse, method, url, method === 'GET' ? undefined : {});
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toEqual({ errors: ['System Admin access required'] });
    }
    const anon = await t.app.inject({ method: 'GET', url: '/v1/community/integrations/clients' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json()).toEqual({ errors: ['Invalid or missing token'] });
  });
});

describe('partner clients', () => {
  it('creates a client whose secret and Api-Key are shown once and stored hashed, and lists the company\'s clients without them', async () => {
    const created = await createClient({ locationIds: [locA(), LOC_B], scopes: ['resident.read', 'webhook.read', 'webhook.write'] });
    expect(created.client).toMatchObject({ scopes: ['resident.read', 'webhook.read', 'webhook.write'], enabled: true, jwksKeyIds: [] });
    expect(created.client.locations.map((l: { name: string }) => l.name).sort()).toEqual([LOC_A, LOC_B]);
    expect(created.clientSecret).toMatch(/^[\w-]{43}$/);
    expect(Buffer.from(created.clientSecretBase64, 'base64').toString()).toBe(created.clientSecret);
    const [row] = await t.database.db.select().from(partnerClients).where(eq(partnerClients.clientId, created.client.clientId));
    expect(row.secretHash).toBe(hashToken(created.clientSecret));
    expect(row.apiKeyHash).toBe(hashToken(created.apiKey));
    expect(await tokenStatus(created.client.clientId, created.clientSecret)).toBe(200);

    const list = await call(admin, 'GET', '/v1/community/integrations/clients');
    expect(list.statusCode).toBe(200);
    const ids = list.json().clients.map((c: { clientId: string }) => c.clientId);
    expect(ids).toEqual(expect.arrayContaining([p.client_id, created.client.clientId]));
    expect(list.body).not.toContain(created.clientSecret);
    expect(list.body).not.toContain(created.apiKey);
    // The other company's admin sees none of them.
    const theirs = await call(otherAdmin, 'GET', '/v1/community/integrations/clients');
    expect(theirs.json().clients.map((c: { clientId: string }) => c.clientId)).toEqual([other.client_id]);
  });

  it('refuses a location outside the admin\'s locationsAllowed (404), an unknown scope and a missing location (422)', async () => {
    const hidden = await call(admin, 'POST', '/v1/community/integrations/clients', { locationIds: [locC()] });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toEqual({ errors: ['Location not found'] });
    const theirs = await call(admin, 'POST', '/v1/community/integrations/clients', { locationIds: [other.locations[0].locationId] });
    expect(theirs.statusCode).toBe(404);
    const scope = await call(admin, 'POST', '/v1/community/integrations/clients', { locationIds: [LOC_A], scopes: ['everything'] });
    expect(scope.statusCode).toBe(422);
    expect(scope.json().errors[0]).toMatch(/scopes/);
    const none = await call(admin, 'POST', '/v1/community/integrations/clients', { locationIds: [] });
    expect(none.statusCode).toBe(422);
  });

  it('changes scopes and locations, disables (tokens refused) and enables, rotates the secret and the Api-Key', async () => {
    const c = await createClient();
    const id = c.client.clientId;
    const changed = await call(admin, 'PUT', `/v1/community/integrations/clients/${id.toLowerCase()}`, { scopes: ['vital.read'], locationIds: [LOC_B] });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().client).toMatchObject({ clientId: id, scopes: ['vital.read'], locations: [{ locationId: locB(), name: LOC_B }] });

    expect((await call(admin, 'PUT', `/v1/community/integrations/clients/${id}`, { enabled: false })).json().client.enabled).toBe(false);
    expect(await tokenStatus(id, c.clientSecret)).toBe(401);
    expect((await call(admin, 'PUT', `/v1/community/integrations/clients/${id}`, { enabled: true })).json().client.enabled).toBe(true);
    expect(await tokenStatus(id, c.clientSecret)).toBe(200);

    const rotated = await call(admin, 'POST', `/v1/community/integrations/clients/${id}/rotate_secret`);
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().clientSecret).not.toBe(c.clientSecret);
    expect(await tokenStatus(id, c.clientSecret)).toBe(401);
    expect(await tokenStatus(id, rotated.json().clientSecret)).toBe(200);
    const key = await call(admin, 'POST', `/v1/community/integrations/clients/${id}/rotate_api_key`);
    expect(key.statusCode).toBe(200);
    const [row] = await t.database.db.select().from(partnerClients).where(eq(partnerClients.clientId, id));
    expect(row.apiKeyHash).toBe(hashToken(key.json().apiKey));
  });

  it('answers 404 for another company\'s client and a malformed id, and for a location outside locationsAllowed on change', async () => {
    for (const [method, suffix] of [['GET', ''], ['PUT', ''], ['POST', '/rotate_secret'], ['POST', '/rotate_api_key'], ['DELETE', '/jwks'], ['GET', '/subscriptions']]) {
      const res = await call(admin, method, `/v1/community/integrations/clients/${other.client_id}${suffix}`, method === 'PUT' ? {} : undefined);
      expect(res.statusCode, `${method} ${suffix}`).toBe(404);
      expect(res.json()).toEqual({ errors: ['Partner client not found'] });
    }
    expect((await call(admin, 'GET', `/v1/community/integrations/clients/${'x'.repeat(65)}`)).json()).toEqual({ errors: ['Partner client not found'] });
    const c = await createClient();
    expect((await call(admin, 'PUT', `/v1/community/integrations/clients/${c.client.clientId}`, { locationIds: [LOC_C] })).statusCode).toBe(404);
  });
});

describe('JWKS upload (SMART Backend Services)', () => {
  it('registers public RS384 and ES384 keys, then a token from a signed assertion works; removal leaves the secret only', async () => {
    const rsa = await generateKeyPair('RS384', { extractable: true });
    const ec = await generateKeyPair('ES384', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS384', use: 'sig' }, { ...(await exportJWK(ec.publicKey)), kid: 'ec-1' }] };
    const c = await createClient({ locationIds: [LOC_A], jwks });
    expect(c.client.jwksKeyIds).toEqual(['rsa-1', 'ec-1']);
    const c2 = await createClient();
    const set = await call(admin, 'PUT', `/v1/community/integrations/clients/${c2.client.clientId}/jwks`, { jwks: { keys: [jwks.keys[1]] } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().client.jwksKeyIds).toEqual(['ec-1']);
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'ES384', kid: 'ec-1' }).setIssuer(c2.client.clientId).setSubject(c2.client.clientId)
      .setAudience(`${t.config.publicUrl}/token`).setExpirationTime(now + 120).setJti(crypto.randomUUID()).sign(ec.privateKey);
    const tok = await t.app.inject({
      method: 'POST', url: '/token',
      payload: { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion },
    });
    expect(tok.statusCode, tok.body).toBe(200);
    const cleared = await call(admin, 'DELETE', `/v1/community/integrations/clients/${c2.client.clientId}/jwks`);
    expect(cleared.json().client.jwksKeyIds).toEqual([]);
  });

  it('refuses private keys, other algorithms and curves, short RSA keys, duplicate kids, garbage and oversized sets (422 naming the problem)', async () => {
    const c = await createClient();
    const url = `/v1/community/integrations/clients/${c.client.clientId}/jwks`;
    const rsa = await generateKeyPair('RS384', { extractable: true });
    const ec256 = await generateKeyPair('ES256', { extractable: true });
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pub = { ...(await exportJWK(rsa.publicKey)), kid: 'k' };
    const cases: Array<[unknown, RegExp]> = [
      [{ keys: [{ ...(await exportJWK(rsa.privateKey)), kid: 'p' }] }, /private key/],
      [{ keys: [{ ...pub, alg: 'RS256' }] }, /alg must be RS384/],
      [{ keys: [{ ...(await exportJWK(ec256.publicKey)), kid: 'e' }] }, /P-384/],
      [{ keys: [{ ...short.publicKey.export({ format: 'jwk' }), kid: 's' }] }, /2048 bits/],
      [{ keys: [pub, pub] }, /used twice/],
      [{ keys: [{ ...pub, kid: 'bad', e: '!!' }] }, /not a valid RSA public key/],
      [{ keys: [{ kty: 'RSA', kid: 'zero', n: 'A'.repeat(400), e: 'AQAB' }] }, /2048 bits/],
      [{ keys: [{ kty: 'EC', kid: 'off', crv: 'P-384', x: 'A'.repeat(64), y: 'A'.repeat(64) }] }, /not a valid EC public key/],
      [{ keys: [{ kty: 'oct', kid: 'h', k: 'c2VjcmV0' }] }, /private key|kty must be/],
      [{ keys: [{ ...pub }], padding: 'x'.repeat(17_000) }, /too large/],
    ];
    for (const [jwks, message] of cases) {
      const res = await call(admin, 'PUT', url, { jwks });
      expect(res.statusCode, JSON.stringify(jwks).slice(0, 80)).toBe(422);
      expect(res.json().errors.join(' ')).toMatch(message);
    }
    expect((await call(admin, 'PUT', url, { jwks: { keys: [] } })).statusCode).toBe(422);
    expect((await call(admin, 'PUT', url, { jwks: { keys: Array(11).fill(pub) } })).statusCode).toBe(422);
    const body = await call(admin, 'PUT', url, { jwks: { keys: [pub] } });
    expect(body.statusCode, body.body).toBe(200);
  });
});

describe('webhook subscriptions, deliveries and Send test event', () => {
  let clientId: string;
  let subscriptionId: string;
  let secret: string;

  it('subscribes a callback URL for a client (event names of the seed; the outbound guard), lists it, refuses bad input', async () => {
    const c = await createClient({ locationIds: [LOC_A] });
    clientId = c.client.clientId;
    const res = await call(admin, 'POST', `/v1/community/integrations/clients/${clientId}/subscriptions`, { callbackUrl: rx.url('/community'), eventNames: ['resident.create'] });
    expect(res.statusCode, res.body).toBe(201);
    ({ secret } = res.json());
    subscriptionId = res.json().subscription.subscriptionId;
    expect(secret).toMatch(/^whsec_/);
    expect(res.json().subscription).toMatchObject({ clientId, callbackUrl: rx.url('/community'), eventNames: ['resident.create'], enabled: true });
    const list = await call(admin, 'GET', `/v1/community/integrations/clients/${clientId}/subscriptions`);
    expect(list.json().subscriptions.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([subscriptionId]);
    expect(list.body).not.toContain(secret);

    const badEvent = await call(admin, 'POST', `/v1/community/integrations/clients/${clientId}/subscriptions`, { callbackUrl: rx.url('/x'), eventNames: ['resident.explode'] });
    expect(badEvent.statusCode).toBe(422);
    const badUrl = await call(admin, 'POST', `/v1/community/integrations/clients/${clientId}/subscriptions`, { callbackUrl: 'ftp://example.com/hook' });
    expect(badUrl.statusCode).toBe(422);
    expect(badUrl.json().errors).toEqual(['callbackUrl must use https']);
    const theirs = await call(admin, 'POST', `/v1/community/integrations/clients/${other.client_id}/subscriptions`, { callbackUrl: rx.url('/x') });
    expect(theirs.statusCode).toBe(404);
  });

  it('sends a signed test event that arrives at the receiver, shows it in the delivery log, and retries it', async () => {
    rx.secrets.push(secret);
    const before = rx.received.length;
    const sent = await call(admin, 'POST', `/v1/community/integrations/subscriptions/${subscriptionId}/test`);
    expect(sent.statusCode, sent.body).toBe(202);
    const { messageId } = sent.json();
    const got = await rx.waitFor(before + 1, { timeoutMs: 10_000 });
    const r = got[before];
    expect(r.path).toBe('/community');
    expect(r.headers['webhook-id']).toBe(messageId);
    expect(r.verifiedWith).toEqual([rx.secrets.indexOf(secret)]);
    const me = await call(admin, 'GET', '/v1/community/me');
    expect(JSON.parse(r.body)).toEqual({
      companyId: me.json().company.companyId,
      data: { test: { message: expect.any(String), subscriptionId } },
      dataFormat: 'JSON', eventName: 'webhook.test', eventTimestamp: sent.json().eventTimestamp, id: messageId, locationId: null, version: '1.0',
    });

    const log = await call(admin, 'GET', `/v1/community/integrations/subscriptions/${subscriptionId}/deliveries`);
    expect(log.statusCode).toBe(200);
    await expect.poll(async () => (await call(admin, 'GET', `/v1/community/integrations/subscriptions/${subscriptionId}/deliveries?status=succeeded`)).json().deliveries[0]?.attempts.length).toBe(1);
    const entry = (await call(admin, 'GET', `/v1/community/integrations/subscriptions/${subscriptionId}/deliveries`)).json();
    expect(entry.totalCount).toBe(1);
    expect(entry.timeZone).toBe('America/Los_Angeles');
    expect(entry.deliveries[0]).toMatchObject({ messageId, eventName: 'webhook.test', status: 'succeeded', attempts: [{ statusCode: 200 }] });

    const retry = await call(admin, 'POST', `/v1/community/integrations/subscriptions/${subscriptionId}/deliveries/${messageId}/retry`);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toEqual({ resent: 1 });
    const again = await rx.waitFor(before + 2, { timeoutMs: 10_000 });
    expect(again[before + 1].headers['webhook-id']).toBe(messageId);
    expect(again[before + 1].verifiedWith.length).toBe(1);
    // Replay since a time: the delivered message again only with includeSucceeded.
    const since = new Date(Date.now() - 3600_000).toISOString();
    expect((await call(admin, 'POST', `/v1/community/integrations/subscriptions/${subscriptionId}/replay`, { since })).json()).toEqual({ resent: 0 });
    await expect.poll(async () => (await call(admin, 'GET', `/v1/community/integrations/subscriptions/${subscriptionId}/deliveries?status=succeeded`)).json().deliveries[0]?.attempts.length).toBe(2);
    const replayed = await call(admin, 'POST', `/v1/community/integrations/subscriptions/${subscriptionId}/replay`, { since, includeSucceeded: true });
    expect(replayed.json()).toEqual({ resent: 1 });
    expect((await rx.waitFor(before + 3, { timeoutMs: 10_000 }))[before + 2].headers['webhook-id']).toBe(messageId);
    expect((await call(admin, 'POST', `/v1/community/integrations/subscriptions/${subscriptionId}/replay`, { since: 'yesterday' })).statusCode).toBe(422);
    // Only this subscription gets test events: the client's other subscriptions and the company's partner do not.
    expect(rx.received.filter((x) => x.path !== '/community')).toEqual([]);
  }, 30_000);

  it('answers 404 for another company\'s subscription and an unknown message, 422 for a disabled client\'s test', async () => {
    const theirSub = await call(otherAdmin, 'GET', '/v1/community/integrations/clients');
    expect(theirSub.statusCode).toBe(200);
    for (const [method, suffix] of [['POST', '/test'], ['GET', '/deliveries'], ['DELETE', ''], ['POST', '/replay']]) {
      const res = await call(otherAdmin, method, `/v1/community/integrations/subscriptions/${subscriptionId}${suffix}`, suffix === '/replay' ? { since: '2020-01-01T00:00:00Z' } : undefined);
      expect(res.statusCode, `${method} ${suffix}`).toBe(404);
      expect(res.json()).toEqual({ errors: ['Subscription not found'] });
    }
    const unknown = await call(admin, 'POST', `/v1/community/integrations/subscriptions/${subscriptionId}/deliveries/6F9619FF-8B86-D011-B42D-00C04FC964FF/retry`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ errors: ['Delivery not found'] });
    expect((await call(admin, 'GET', `/v1/community/integrations/subscriptions/${subscriptionId}/deliveries?status=nope`)).statusCode).toBe(422);
  });

  it('deletes the subscription (204; then 404)', async () => {
    const del = await call(admin, 'DELETE', `/v1/community/integrations/subscriptions/${subscriptionId}`);
    expect(del.statusCode).toBe(204);
    expect((await call(admin, 'DELETE', `/v1/community/integrations/subscriptions/${subscriptionId}`)).statusCode).toBe(404);
    expect((await call(admin, 'GET', `/v1/community/integrations/clients/${clientId}/subscriptions`)).json().subscriptions).toEqual([]);
  });
});

describe('audit log', () => {
  it('shows the company\'s rows newest first with who, action and object; filters by user, action and day; keyset pages', async () => {
    const res = await call(admin, 'GET', '/v1/community/audit_events?limit=5');
    expect(res.statusCode, res.body).toBe(200);
    const page1 = res.json();
    expect(page1.timeZone).toBe('America/Los_Angeles');
    expect(page1.auditEvents).toHaveLength(5);
    const all: Array<{ id: number; at: string }> = [...page1.auditEvents];
    let cursor = page1.nextCursor;
    while (cursor) {
      const next = (await call(admin, 'GET', `/v1/community/audit_events?limit=5&cursor=${cursor}`)).json();
      all.push(...next.auditEvents);
      cursor = next.nextCursor;
    }
    // Every row once, newest first.
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
    expect([...all].sort((a, b) => (a.at === b.at ? b.id - a.id : b.at.localeCompare(a.at)))).toEqual(all);
    const created = all.filter((a) => (a as unknown as { entityType: string }).entityType === 'partner_client');
    expect(created.length).toBeGreaterThan(0);
    expect(created[0]).toMatchObject({ actorType: 'ecp_user', actorName: 'rpatel Staff' });

    const byUser = (await call(admin, 'GET', '/v1/community/audit_events?user=rpatel&action=sign_in')).json();
    expect(byUser.auditEvents).toEqual([expect.objectContaining({ action: 'sign_in', entityType: 'session', entityIds: ['rpatel'] })]);
    const nurseRows = (await call(admin, 'GET', '/v1/community/audit_events?user=mgarcia')).json();
    expect(nurseRows.auditEvents.every((a: { actorName: string }) => a.actorName === 'mgarcia Staff')).toBe(true);
    // The other company's rows never show.
    expect(all.some((a) => (a as unknown as { actorName: string }).actorName === 'oadmin Staff')).toBe(false);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(new Date());
    const day = (await call(admin, 'GET', `/v1/community/audit_events?from=${today}&to=${today}&limit=100`)).json();
    expect(day.auditEvents.length).toBe(Math.min(all.length, 100));
    expect((await call(admin, 'GET', '/v1/community/audit_events?from=2001-01-01&to=2001-01-02')).json().auditEvents).toEqual([]);
  });

  it('refuses a malformed cursor, an unknown action, from after to (422)', async () => {
    for (const q of ['cursor=bm9wZQ', 'action=explode', 'from=2025-02-02&to=2025-02-01', 'from=yesterday']) {
      const res = await call(admin, 'GET', `/v1/community/audit_events?${q}`);
      expect(res.statusCode, q).toBe(422);
      expect(res.json().errors.length).toBeGreaterThan(0);
    }
  });
});
