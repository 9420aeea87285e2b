import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
        if (path !== '/v1/auth/sign_in') {
          expect(op.security, `${method} ${path} security`).toEqual([{ UserToken: [] }]);
          expect(op.responses['401'].content['application/json'].schema.properties.errors.type).toBe('array');
        }
        if (path.startsWith('/v1/admin/')) expect(op.responses['403'], `${method} ${path} 403`).toBeDefined();
        if (path.includes('{id}')) expect(op.responses['404'], `${method} ${path} 404`).toBeDefined();
      }
    }
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
