/**
 * The browser side of the end-to-end tests: Debian's Chromium driven by
 * playwright-core (no browser download), screenshots as artifacts, axe-core
 * accessibility checks, Content-Security-Policy violation capture and timing marks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);

/** Headless Chromium with the flags DEVELOPERS.md lists; playwright gives it a fresh user-data dir. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; summary?: string }>;
}

let axeSource: string | undefined;

/** axe-core's serious and critical violations on the current page (WCAG 2.1 A and AA rules). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: `addScriptTag` would insert an inline <script>, which the console's
  // Content-Security-Policy rightly refuses.
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, summary: (n as { failureSummary?: string }).failureSummary })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Records every Content-Security-Policy violation in `context`'s pages: the `securitypolicyviolation` events of each
 * document (through an init script, which the policy does not govern) and Chromium's console reports of refused
 * loads. `violations()` lists both; the e2e tests fail when it is not empty.
 */
export async function watchCsp(context: BrowserContext): Promise<{ violations: () => Promise<string[]> }> {
  const reported: string[] = [];
  await context.exposeBinding('__reportCspViolation', (_source, text: string) => void reported.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
      report(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
    });
  });
  context.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) reported.push(msg.text());
  });
  return { violations: async () => [...reported] };
}
