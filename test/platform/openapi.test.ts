import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicalRoutes } from '../../src/ecp/routes.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { fiscalYearOf } from '../../src/ecp/codes/service.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and documents every ECM operation with its success, 401 and error schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.UserToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-User-Token' });
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        if (path.startsWith('/v1/clinic/webhooks/twilio/') || path.startsWith('/v1/downloads/')) {
          // Signed (by Twilio, or a download URL), not a user token: 403 for a bad signature.
          expect(op.responses['403'], `${method} ${path} 403`).toBeDefined();
          continue;
        }
        const codes = Object.keys(op.responses ?? {});
        expect(codes.some((c) => c.startsWith('2')), `${method} ${path} success`).toBe(true);
        expect(op.summary, `${method} ${path} summary`).toBeTruthy();
        expect(op.responses['400'], `${method} ${path} 400`).toBeDefined();
        if (path === '/v1/auth/sign_in' || path === '/v1/community/auth/sign_in') {
          expect(op.security, `${method} ${path} security`).toEqual([]);
        } else {
          const scheme = path.startsWith('/v1/community/') ? 'CommunityUserToken' : 'UserToken';
          expect(op.security, `${method} ${path} security`).toEqual([{ [scheme]: [] }]);
          expect(op.responses['401'].content['application/json'].schema.properties.errors.type).toBe('array');
        }
        if (path.startsWith('/v1/admin/')) expect(op.responses['403'], `${method} ${path} 403`).toBeDefined();
        if (path.includes('{id}')) expect(op.responses['404'], `${method} ${path} 404`).toBeDefined();
      }
    }
  });

  it('names every operation by a unique camelCase operationId and declares the security of each', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const schemes = doc.components.securitySchemes as Record<string, unknown>;
    const problems: string[] = [];
    const seen = new Map<string, string>();
    let count = 0;
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        count += 1;
        const where = `${method.toUpperCase()} ${path}`;
        const id = op.operationId as string | undefined;
        if (!id) problems.push(`${where} has no operationId: add one to its route schema (verb + noun, e.g. createResidentVital)`);
        else if (!/^[a-z][a-zA-Z0-9]*$/.test(id)) problems.push(`${where}: operationId "${id}" is not camelCase`);
        else if (seen.has(id)) problems.push(`${where}: operationId "${id}" is already ${seen.get(id)}`);
        else seen.set(id, where);
        if (!Array.isArray(op.security)) problems.push(`${where} declares no security (a public operation declares security: [])`);
        for (const name of (op.security ?? []).flatMap((r: Record<string, unknown>) => Object.keys(r))) {
          if (!schemes[name]) problems.push(`${where}: security scheme ${name} is not in components.securitySchemes`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(90);
  });

  it('declares the public operations: open, Twilio-signed, or client credentials at the token endpoint', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const security = (path: string, method = 'post') => doc.paths[path][method].security;
    for (const path of ['/healthz', '/readyz', '/v1/downloads/{public_id}']) expect(security(path, 'get'), path).toEqual([]);
    expect(security('/v1/auth/sign_in')).toEqual([]);
    expect(security('/token')).toEqual([{}, { ClientBasic: [] }]);
    expect(doc.components.securitySchemes.ClientBasic).toMatchObject({ type: 'http', scheme: 'basic' });
    const twilio = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/clinic/webhooks/twilio/'));
    expect(twilio).toHaveLength(6);
    for (const path of twilio) expect(security(path), path).toEqual([{ TwilioSignature: [] }]);
    expect(doc.components.securitySchemes.TwilioSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Twilio-Signature', description: expect.stringContaining('HMAC-SHA1') });
    expect(doc.info.license).toEqual({ name: 'Proprietary: all rights reserved', identifier: 'LicenseRef-Proprietary' });
  });

  it('refuses at start-up a /clinical/v1 route that declares security besides its scope (one place decides it)', async () => {
    const app = Fastify();
    void app.register(async (tree) => {
      await clinicalRoutes(tree, t.services);
      tree.get('/extra', { config: { scope: 'vital.read' }, schema: { operationId: 'getExtra', security: [] } }, async () => ({}));
    });
    await expect(app.ready()).rejects.toThrow('GET /extra: a route with a scope takes its OpenAPI security from the scope');
    await app.close().catch(() => {});
  });

  it('serves the interactive reference at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/html/);
    expect(res.body).toContain('/openapi.json');
  });

  it('answers /healthz and /readyz', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    // The template database holds the shipped FY2026 code set; a later year in effect is a warning, not unreadiness.
    const current = fiscalYearOf(new Date());
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready', icd10cm: { fiscal_years: [2026], current_fiscal_year: current },
      ...(current > 2026 ? { checks: { icd10cm: expect.stringMatching(/^newest code set loaded is FY2026, but FY\d{4} is in effect/) } } : {}),
    });
  });
});
