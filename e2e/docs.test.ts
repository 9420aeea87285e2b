/**
 * The API reference at /docs: served whole by this server under a nonce-based Content-Security-Policy, rendered by
 * Debian's Chromium with no policy violation and no request to another host, and with none of the features that
 * send the API description to Scalar's services.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import helmet from '@fastify/helmet';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsContentSecurityPolicy, docsRoutes } from '../src/docs.ts';
import { createTestContext, type TestContext } from '../test/support/app.ts';
import { CHROMIUM, launchChromium } from './browser.ts';

let t: TestContext;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  t = await createTestContext({ PUBLIC_URL: 'https://api.care.example' });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  t?.app.server.closeAllConnections();
  await t?.close();
});

/** The nonce of a `script-src` directive. */
const nonceOf = (csp: string) => /script-src[^;]*'nonce-([^']+)'/.exec(csp)?.[1];

describe('/docs', () => {
  it('answers a page that loads nothing from other hosts, whose inline scripts carry the response\'s CSP nonce', async () => {
    const bare = await t.app.inject('/docs');
    expect([bare.statusCode, bare.headers.location]).toEqual([301, '/docs/']);
    const first = await t.app.inject('/docs/');
    expect(first.statusCode).toBe(200);
    const csp = String(first.headers['content-security-policy']);
    const nonce = nonceOf(csp);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/api\.care\.example/);
    const scripts = [...first.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(first.body).toMatch(/<script src="js\/no-eval.js"[^>]*><\/script>\s*<script src="js\/scalar.js"/);
    expect(first.body.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) ?? []).toEqual([]);
    // Off: Scalar's fonts, telemetry, "Open API Client", "Ask AI", "Generate MCP" and the developer toolbar ("Deploy").
    expect(first.body).toMatch(/"withDefaultFonts": false[\s\S]*"telemetry": false[\s\S]*"hideClientButton": true[\s\S]*"agent": \{\s*"disabled": true[\s\S]*"mcp": \{\s*"disabled": true[\s\S]*"showDeveloperTools": "never"/);

    const second = await t.app.inject('/docs/');
    expect(second.statusCode).toBe(200);
    expect(nonceOf(String(second.headers['content-security-policy']))).not.toBe(nonce);
    for (const file of ['/docs/js/scalar.js', '/docs/js/no-eval.js']) {
      const js = await t.app.inject(file);
      expect([js.statusCode, js.headers['content-type']]).toEqual([200, 'application/javascript; charset=utf-8']);
    }
  });

  it('keeps its own policy under a site-wide helmet policy', async () => {
    const app = Fastify();
    await app.register(helmet);
    app.get('/openapi.json', async () => ({ openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: {} }));
    await app.register(docsRoutes, { openApiUrl: '/openapi.json', title: 'x', publicUrl: 'http://localhost:3000' });
    const page = await app.inject('/docs/');
    // One policy, ours: two would both be enforced, and helmet's would block the boot script.
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toBe(docsContentSecurityPolicy(nonceOf(csp)!, 'http://localhost:3000'));
    expect(page.body).toContain(`nonce="${nonceOf(csp)}"`);
    expect((await app.inject('/openapi.json')).headers['content-security-policy']).not.toContain('nonce-');
    await app.close();
  });

  it('renders in Chromium with no CSP violation and no request to another host', async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    browser = await launchChromium();
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    // Requests in flight and the time of the last start or end: the page has settled when none is in flight and
    // nothing moved for a second. Counted here rather than with playwright's `networkidle`, a lifecycle event of
    // the main frame that, behind a Cross-Origin-Opener-Policy, was sometimes never reported though the page loaded.
    let inFlight = 0;
    let lastMove = Date.now();
    page.on('request', (r) => {
      requests.push(r.url());
      inFlight++;
      lastMove = Date.now();
    });
    const done = () => {
      inFlight--;
      lastMove = Date.now();
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => void problems.push(String(e)));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        ((window as unknown as { violations?: string[] }).violations ??= []).push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
      });
    });
    await page.goto(`${base}/docs/`);
    await page.getByRole('heading', { name: 'Care Platform API' }).first().waitFor({ timeout: 60_000 });
    await page.getByText('Process is alive').first().waitFor({ timeout: 30_000 });
    // The in-page API client, which calls this API (not Scalar's hosted one).
    await page.getByRole('button', { name: /Test Request/i }).first().click();
    await page.getByRole('button', { name: /^Send/i }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await expect.poll(() => inFlight === 0 && Date.now() - lastMove > 1_000, { timeout: 30_000, interval: 200 }).toBe(true);
    const violations = await page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? []);
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
    const offHost = requests.filter((u) => !u.startsWith(`${base}/`) && !/^(data|blob):/.test(u));
    expect(offHost).toEqual([]);
    expect(requests).toContain(`${base}/openapi.json`);
    // None of the buttons that send the API description to Scalar's services.
    for (const label of [/Ask AI/i, /Generate MCP/i, /Deploy/i, /Open API Client/i]) expect(await page.getByText(label).count()).toBe(0);
    await page.close();
  }, 120_000);
});
