/**
 * The console's security headers (`src/console.ts`, `@fastify/helmet`): a Content-Security-Policy without inline
 * script and with `frame-ancestors 'none'`, `nosniff`, `no-referrer`, HSTS only when PUBLIC_URL is https; the
 * API gets the same headers without a CSP, and `/docs` keeps its own. The built console must have no inline script
 * for that policy to hold (the browser tests in e2e/ fail on any violation).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIST } from '../src/console.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from './support/app.ts';

let http: TestContext;
let https: TestContext;
let user: TestUser;

beforeAll(async () => {
  http = await createTestContext({ PUBLIC_URL: 'http://localhost:3000' });
  https = await createTestContext({ PUBLIC_URL: 'https://care.example.org' });
  user = await createUser(http.services, 'Header Clinic', 'care_coordinator');
});
afterAll(async () => {
  await http?.close();
  await https?.close();
});

/** The CSP as a map of directive to its sources. */
function directives(header: string | string[] | number | undefined): Record<string, string[]> {
  expect(typeof header).toBe('string');
  return Object.fromEntries(String(header).split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name, sources]));
}

describe('the console at /app', () => {
  it('is built without inline script', () => {
    const html = fs.readFileSync(path.join(CONSOLE_DIST, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it.each(['/app', '/app/members/12?status=new_member', '/app/index.html'])('serves %s with the CSP and security headers', async (url) => {
    const res = await http.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    const csp = directives(res.headers['content-security-policy']);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['script-src-attr']).toEqual(["'none'"]);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp).not.toHaveProperty('upgrade-insecure-requests');
    expect(res.headers['content-security-policy-report-only']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('puts the headers on assets too', async () => {
    const asset = fs.readdirSync(path.join(CONSOLE_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await http.app.inject({ method: 'GET', url: `/app/assets/${asset}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('adds HSTS and upgrade-insecure-requests when PUBLIC_URL is https', async () => {
    const res = await https.app.inject({ method: 'GET', url: '/app' });
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d{8,}/);
    expect(directives(res.headers['content-security-policy'])).toHaveProperty('upgrade-insecure-requests');
  });
});

describe('other responses', () => {
  it('gives the API nosniff and no-referrer, and no CSP; HSTS only with an https PUBLIC_URL', async () => {
    const res = await call(http.app, user, 'GET', '/v1/me');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
    for (const url of ['/healthz', '/clinical/v1/location', '/token']) {
      const r = await https.app.inject({ method: url === '/token' ? 'POST' : 'GET', url });
      expect(r.headers['strict-transport-security'], url).toMatch(/^max-age=/);
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('leaves the API reference at /docs its own policy, not the console\'s', async () => {
    const app = (await http.app.inject({ method: 'GET', url: '/app' })).headers['content-security-policy'];
    const docs = await http.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).not.toBe(app);
  });
});
