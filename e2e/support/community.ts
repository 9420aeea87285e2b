/**
 * Shared harness of the community workspace's browser tests: the real server (every service, the job workers and the
 * webhook dispatcher, a cloned PostgreSQL database with the demo data) listening on a free port, the built console,
 * Debian's Chromium, and a local Standard Webhooks receiver subscribed as the demo company's partner; page sizes,
 * a page runner that fails on CSP violations and browser errors, axe and sideways-scroll checks, and sign-in.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoSeeders } from '../../src/demo.ts';
import { runDemoSeeders } from '../../src/platform/demo.ts';
import { CONSOLE_DIST } from '../../src/console.ts';
import { DEMO_COMPANY } from '../../src/ecp/clients/demo.ts';
import { DEMO_COMMUNITY_USERS } from '../../src/ecp/community/demo.ts';
import { createTestContext, type TestContext } from '../../test/support/app.ts';
import { clinical, tokenFor, type Partner } from '../../test/support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';
import { CHROMIUM, launchChromium, screenshot, seriousViolations, watchCsp } from '../browser.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
export const NURSE = DEMO_COMMUNITY_USERS.nurse;
export { DEMO_COMPANY };

export interface CommunityE2e {
  t: TestContext;
  rx: WebhookReceiver;
  browser: Browser;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** The demo partner (credentials for the partner API). */
  partner: Partner;
  /** The demo nurse's X-User-Token (for API set-up) and first allowed location's name. */
  nurseToken: string;
  nurseLocation: string;
  close(): Promise<void>;
}

/** Builds the console if needed, starts the server, the receiver and Chromium. */
export async function startCommunityE2e(): Promise<CommunityE2e> {
  if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) {
    const built = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run build failed: ${built.stderr}`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const rx = await startWebhookReceiver();
  const t = await createTestContext({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  const demo = await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config);
  const partner = demo.ecp_client as Partner;
  const sub = await clinical(t.app, { token: await tokenFor(t.app, partner), apiKey: partner.api_key }, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url('/evergreen') });
  expect(sub.statusCode, sub.body).toBe(200);
  rx.secrets.push(sub.json().secret);
  const signIn = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: DEMO_COMPANY, ...NURSE } });
  const nurseToken = signIn.json().token as string;
  const me = await t.app.inject({ method: 'GET', url: '/v1/community/me', headers: { 'x-user-token': nurseToken } });
  const nurseLocation = me.json().user.locationsAllowed[0].name as string;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  return {
    t, rx, browser, base, partner, nurseToken, nurseLocation,
    async close() {
      await browser.close();
      t.app.server.closeAllConnections();
      await t.services.webhooks.stopDispatcher();
      await t.app.close();
      await t.jobs.stop(5_000);
      t.mailer.close();
      await t.database.close();
      await rx.close();
    },
  };
}

export type Size = { name: string; viewport: { width: number; height: number }; touch: boolean };
export const DESKTOP: Size = { name: 'desktop', viewport: { width: 1360, height: 900 }, touch: false };
export const PHONE: Size = { name: 'phone', viewport: { width: 390, height: 844 }, touch: true };

/** Runs `fn` on a fresh page of `size` in the browser time zone `timezoneId`; CSP violations and browser errors fail it; a failure saves a screenshot named `failureName`. */
export async function withPage(
  browser: Browser, size: Size, failureName: string, fn: (page: Page, context: BrowserContext) => Promise<void>, timezoneId = 'America/Los_Angeles',
) {
  const context = await browser.newContext({ viewport: size.viewport, hasTouch: size.touch, isMobile: size.touch, timezoneId });
  const csp = await watchCsp(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
  // The console's own errors, not the browser's notes on refused requests (an expected 401 or 422).
  page.on('console', (msg) => msg.type() === 'error' && !msg.text().startsWith('Failed to load resource') && pageErrors.push(msg.text()));
  try {
    await fn(page, context);
    expect(await csp.violations(), `${size.name}: Content-Security-Policy violations`).toEqual([]);
    expect(pageErrors, `${size.name}: browser errors`).toEqual([]);
  } catch (err) {
    await screenshot(page, `${failureName}-${size.name}`).catch(() => undefined);
    if (pageErrors.length) (err as Error).message += `\nbrowser errors:\n${pageErrors.join('\n')}`;
    throw err;
  } finally {
    await context.close();
  }
}

/** axe-core finds no serious or critical violation on the page, once its CSS transitions have ended. */
export async function expectAccessible(page: Page, screen: string) {
  // A closing dialog fades out over ~200 ms: axe would measure its half-transparent title's contrast.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  const violations = await seriousViolations(page);
  expect(violations, `${screen}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** Nothing is wider than the viewport (no sideways scrolling). */
export async function expectNoSidewaysScroll(page: Page, screen: string) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `${screen}: page is ${scroll}px wide in a ${width}px viewport`).toBeLessThanOrEqual(width);
}

/** On a touch screen every visible button, field, tab and navigation link is at least 44 px tall (issue 19, WCAG 2.5.5). */
export async function expectTouchTargets(page: Page, screen: string) {
  const small = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('button, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea, [role=tab]')]
    // Not the hidden helpers (a textarea's autosize twin); a password field's input sits in its 44 px box.
    .filter((e) => e.offsetParent !== null && e.tabIndex >= 0 && e.getAttribute('aria-hidden') !== 'true')
    .map((e) => ({ e, height: ((e.parentElement?.closest('.mantine-Input-input') as HTMLElement | null) ?? e).getBoundingClientRect().height }))
    .filter(({ height }) => height > 0 && height < 43.5)
    .map(({ e, height }) => `${e.tagName.toLowerCase()} "${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 30)}" ${Math.round(height)}px`));
  expect(small, `${screen}: touch targets under 44 px`).toEqual([]);
}

/** Signs the demo nurse in on the sign-in page (`company` null: the remembered one). */
export async function signIn(page: Page, company: string | null) {
  if (company !== null) await page.getByLabel(/^Company/).fill(company);
  await page.getByLabel(/^Login name/).fill(NURSE.loginName);
  await page.locator('input[type=password]').fill(NURSE.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The webhook the receiver got after `count` earlier ones, parsed; its signature verified. */
export async function webhookAfter(rx: WebhookReceiver, count: number): Promise<Record<string, any>> {
  const got = await rx.waitFor(count + 1, { timeoutMs: 15_000 });
  expect(got[count].verifiedWith.length, 'signature').toBe(1);
  return JSON.parse(got[count].body);
}
