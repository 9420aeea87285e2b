/**
 * Helpers of the community workspace's browser tests (e2e/community*.test.ts): the two sizes, a fresh page per size
 * that fails on Content-Security-Policy violations and browser errors (and saves a screenshot on failure), the axe
 * check, and the no-sideways-scrolling check.
 */
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { screenshot, seriousViolations, watchCsp } from '../browser.ts';

export type Size = { name: string; viewport: { width: number; height: number }; touch: boolean };
export const DESKTOP: Size = { name: 'desktop', viewport: { width: 1360, height: 900 }, touch: false };
export const PHONE: Size = { name: 'phone', viewport: { width: 390, height: 844 }, touch: true };

/**
 * Runs `fn` on a fresh page of `size` in `browser`; CSP violations and browser errors fail it; a failure saves the
 * screenshot `<prefix>-failure-<size>`.
 */
export async function withPage(browser: Browser, size: Size, fn: (page: Page, context: BrowserContext) => Promise<void>, prefix = 'community') {
  const context = await browser.newContext({ viewport: size.viewport, hasTouch: size.touch, isMobile: size.touch, timezoneId: 'America/Los_Angeles' });
  const csp = await watchCsp(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
  // The console's own errors, not the browser's notes on refused requests (the wrong password's 401 is expected).
  page.on('console', (msg) => msg.type() === 'error' && !msg.text().startsWith('Failed to load resource') && pageErrors.push(msg.text()));
  try {
    await fn(page, context);
    expect(await csp.violations(), `${size.name}: Content-Security-Policy violations`).toEqual([]);
    expect(pageErrors, `${size.name}: browser errors`).toEqual([]);
  } catch (err) {
    await screenshot(page, `${prefix}-failure-${size.name}`).catch(() => undefined);
    if (pageErrors.length) (err as Error).message += `\nbrowser errors:\n${pageErrors.join('\n')}`;
    throw err;
  } finally {
    await context.close();
  }
}

/** axe-core finds no serious or critical violation on the page. */
export async function expectAccessible(page: Page, screen: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${screen}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** Nothing is wider than the viewport (no sideways scrolling). */
export async function expectNoSidewaysScroll(page: Page, screen: string) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `${screen}: page is ${scroll}px wide in a ${width}px viewport`).toBeLessThanOrEqual(width);
}
