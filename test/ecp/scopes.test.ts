/**
 * The scope matrix of issue 5: every `/clinical/v1` operation in the OpenAPI document, called with a token that
 * has its scope, one without it, an expired token, and another client's Api-Key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';
import { ECP_SCOPES } from '../../src/ecp/scopes.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let now = new Date();
let ops: Array<{ method: string; path: string; scope: string | undefined }>;

beforeAll(async () => {
  t = await createTestContext({}, { clock: () => now });
  p = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living']);
  other = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living']);
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  ops = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>)) {
    if (!path.startsWith('/clinical/v1')) continue;
    for (const [method, op] of Object.entries(item)) {
      const scope = op.security?.[0]?.PartnerBearer?.[0];
      ops.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, '00000000-0000-0000-0000-000000000000'), scope });
    }
  }
});
afterAll(() => t.close());

describe('scope matrix over every /clinical/v1 operation', () => {
  it('documents a scope for every operation but the code search, and only known scopes', () => {
    expect(ops.length).toBeGreaterThan(25);
    for (const op of ops) {
      if (op.path.startsWith('/clinical/v1/codes/')) continue;
      expect(op.scope, `${op.method} ${op.path}`).toBeDefined();
      expect(ECP_SCOPES, `${op.method} ${op.path}`).toContain(op.scope);
    }
  });

  it('passes authorization with the scope, 403 naming the scope without it, 401 expired, 401 with another client\'s Api-Key', async () => {
    for (const op of ops) {
      const label = `${op.method} ${op.path}`;
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : {};
      if (op.scope) {
        const withScope = await clinical(t.app, { token: await tokenFor(t.app, p, op.scope), apiKey: p.api_key }, op.method, op.path, body);
        expect([200, 400], `${label} with ${op.scope}: ${withScope.body}`).toContain(withScope.statusCode);
        expect(withScope.json().result ?? 'bare array', label).not.toBeUndefined();
        const otherScope = op.scope === 'location.read' ? 'vital.read' : 'location.read';
        const without = await clinical(t.app, { token: await tokenFor(t.app, p, otherScope), apiKey: p.api_key }, op.method, op.path, body);
        expect(without.statusCode, label).toBe(403);
        expect(without.json()).toEqual({ result: 'Error', error: `This token lacks the scope ${op.scope}` });
      } else {
        const any = await clinical(t.app, { token: await tokenFor(t.app, p, 'location.read'), apiKey: p.api_key }, op.method, op.path, body);
        expect([200, 400], `${label}: ${any.body}`).toContain(any.statusCode);
      }
      const token = await tokenFor(t.app, p);
      const wrongKey = await clinical(t.app, { token, apiKey: other.api_key }, op.method, op.path, body);
      expect(wrongKey.statusCode, label).toBe(401);
      expect(wrongKey.json().result).toBe('Error');
      const noHeaders = await clinical(t.app, {}, op.method, op.path, body);
      expect(noHeaders.statusCode, label).toBe(401);
      const issued = now;
      now = new Date(issued.getTime() + 3601_000);
      const expired = await clinical(t.app, { token, apiKey: p.api_key }, op.method, op.path, body);
      now = issued;
      expect(expired.statusCode, label).toBe(401);
      expect(expired.json().error, label).toMatch(/expired/);
    }
  });
});
