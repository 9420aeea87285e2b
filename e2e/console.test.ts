/**
 * The care team console end to end: the real server (every service, the job
 * workers, a cloned PostgreSQL database with the demo clinic) listening on a
 * free port, the built console at /app, Debian's Chromium driven by
 * playwright-core. Telephony goes to a local Twilio-speaking peer (test/support)
 * whose signed status callbacks move an SMS to `delivered`, which the console's
 * polling shows. Screenshots land in e2e/artifacts/; page timings are printed, not asserted.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoSeeders } from '../src/demo.ts';
import { runDemoSeeders } from '../src/platform/demo.ts';
import { CONSOLE_DIST } from '../src/console.ts';
import { call, createTestContext, type TestContext } from '../test/support/app.ts';
import { ACCOUNT_SID, AUTH_TOKEN, startTwilioPeer, type TwilioPeer } from '../test/support/twilio-peer.ts';
import { ARTIFACTS, CHROMIUM, launchChromium, screenshot, seriousViolations, watchCsp } from './browser.ts';

const root = path.resolve(import.meta.dirname, '..');
const PUBLIC_URL = 'http://care.e2e.test';
const CLINIC_NUMBER = '+14155550142';

let t: TestContext;
let peer: TwilioPeer;
let browser: Browser;
let base: string;
let demo: Record<string, unknown>;
const timings: Record<string, number> = {};

beforeAll(async () => {
  if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) {
    // `npm install` builds the console (prepare); build here only when a checkout skipped it.
    const built = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run build failed: ${built.stderr}`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  peer = await startTwilioPeer();
  t = await createTestContext(
    { PUBLIC_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM_NUMBER: CLINIC_NUMBER, TWILIO_API_URL: peer.apiUrl },
    { workers: true },
  );
  const started = Date.now();
  demo = await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config);
  timings['demo data seeded (ms)'] = Date.now() - started;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  console.log(`console e2e timings (reported, not asserted): ${JSON.stringify(timings)}`);
  const step = async (name: string, fn: () => Promise<unknown> | undefined) => {
    const s = Date.now();
    await fn();
    if (Date.now() - s > 2000) console.log(`afterAll ${name}: ${Date.now() - s} ms`);
  };
  await step('browser', () => browser?.close());
  t?.app.server.closeAllConnections();
  await step('http', () => t?.app.close());
  await step('jobs', () => t?.jobs.stop(5_000));
  t?.mailer.close();
  await step('database', () => t?.database.close());
  await step('peer', () => peer?.close());
}, 120_000);

/**
 * Runs `fn` on a fresh page; on failure saves `failure-<name>.png` before rethrowing. Any Content-Security-Policy
 * violation, and any console document served without an enforced policy, fails the test.
 */
async function withPage(name: string, fn: (page: Page, context: BrowserContext) => Promise<void>, phone = false) {
  const context = await browser.newContext({
    viewport: phone ? { width: 390, height: 844 } : { width: 1360, height: 900 }, hasTouch: phone, isMobile: phone, acceptDownloads: true, timezoneId: 'America/New_York',
  });
  const csp = await watchCsp(context);
  const unprotected: string[] = [];
  context.on('response', (res) => {
    if (res.request().resourceType() !== 'document' || !new URL(res.url()).pathname.startsWith('/app')) return;
    const headers = res.headers();
    if (!headers['content-security-policy'] || headers['content-security-policy-report-only']) unprotected.push(res.url());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
  page.on('console', (msg) => msg.type() === 'error' && pageErrors.push(msg.text()));
  try {
    await fn(page, context);
    expect(await csp.violations(), `${name}: Content-Security-Policy violations`).toEqual([]);
    expect(unprotected, `${name}: console documents without an enforced Content-Security-Policy`).toEqual([]);
  } catch (err) {
    await screenshot(page, `failure-${name}`).catch(() => undefined);
    if (pageErrors.length) (err as Error).message += `\nbrowser errors:\n${pageErrors.join('\n')}`;
    throw err;
  } finally {
    await context.close();
  }
}

async function signIn(page: Page, email: string) {
  await page.getByLabel('Email').fill(email);
  await page.locator('input[type=password]').fill(String(demo.password));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function expectAccessible(page: Page, screen: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${screen}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** Picks `option` in the Mantine Select labelled `label`. */
async function choose(page: Page, label: string, option: string) {
  // A required field's label ends with Mantine's asterisk.
  await page.getByLabel(new RegExp(`^${label}\\s*\\*?$`)).first().click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('care team console', () => {
  it('serves the app shell at /app with caching headers, and the API stays where it is', async () => {
    const shell = await fetch(`${base}/app/members/12?status=new_member`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('cache-control')).toBe('no-cache');
    expect(shell.headers.get('content-security-policy')).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
    expect(shell.headers.get('content-security-policy-report-only')).toBeNull();
    expect(shell.headers.get('x-content-type-options')).toBe('nosniff');
    expect(shell.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await shell.text();
    const asset = html.match(/\/app\/assets\/[\w.-]+\.js/)![0];
    const js = await fetch(base + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/app/assets/missing-0000.js`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("does a coordinator's day: find a member, log a call and a task, complete the task, text the member and see it delivered", async () => {
    await withPage('coordinator', async (page) => {
    const coordinatorEmail = String(demo.coordinator_email);
    const coordinator = { token: String(demo.coordinator_token) };
    const mine = (await call(t.app, coordinator, 'GET', '/v1/clinic/ecm/patients?assigned_to_me=true&per_page=1&sort_by=name')).json().patients[0];
    const member = mine.name as string;

    let mark = Date.now();
    await page.goto(`${base}/app`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    timings['first screen interactive (ms)'] = Date.now() - mark;
    await expectAccessible(page, 'sign in');
    await screenshot(page, '01-sign-in');

    // A wrong password shows the API's message.
    await page.getByLabel('Email').fill(coordinatorEmail);
    await page.locator('input[type=password]').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await signIn(page, coordinatorEmail);
    expect(await page.evaluate(() => window.location.href)).not.toContain(String(demo.coordinator_token));
    // Coordinators see no admin screens.
    await expect(page.getByRole('link', { name: 'Users' }).count()).resolves.toBe(0);
    await page.getByText(/\d+ members/).waitFor();
    await expectAccessible(page, 'members');
    await screenshot(page, '02-members');

    // Find the member by name; the filter is in the URL.
    await page.getByLabel('Search').fill(member.split(' ')[0]);
    await page.waitForURL(/search=/);
    await choose(page, 'Case load', 'Assigned to me');
    await page.waitForURL(/mine=1/);
    mark = Date.now();
    await page.getByRole('link', { name: member }).first().click();
    await page.getByRole('heading', { name: member, level: 2 }).waitFor();
    await page.getByRole('list', { name: 'Timeline' }).or(page.getByText('Nothing logged for this member yet.')).first().waitFor();
    timings['member page after navigation (ms)'] = Date.now() - mark;
    await expectAccessible(page, 'member');
    await screenshot(page, '03-member');

    // Client-side validation in the API's words, then a call note.
    await page.getByRole('button', { name: 'Log task' }).click();
    await page.getByText("Message can't be blank").waitFor();
    await choose(page, 'Type', 'Call');
    await choose(page, 'Outcome', 'Reached');
    await page.getByLabel('Duration (minutes)').fill('12');
    await page.getByLabel('Notes').fill('E2E call: reviewed medications with the member');
    await page.getByRole('button', { name: 'Log call' }).click();
    // In the timeline, not in the form: React mirrors a textarea's value into its text, so an unscoped getByText
    // matches the field as soon as it is typed, before the request is answered.
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('E2E call: reviewed medications with the member').waitFor();
    await page.getByRole('listitem').filter({ hasText: 'E2E call: reviewed medications' }).getByText('PRTF: Telehealth encounter').waitFor();

    // A task, then complete it from My work.
    await choose(page, 'Type', 'Task');
    await page.getByLabel('Subject').fill('E2E follow-up');
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Call the pharmacy about the refill');
    await page.getByRole('button', { name: 'Log task' }).click();
    await timeline.getByText('Call the pharmacy about the refill').waitFor();
    await page.getByRole('link', { name: 'My work' }).click();
    const complete = page.getByRole('button', { name: `Complete E2E follow-up for ${member}` });
    await complete.waitFor();
    await expectAccessible(page, 'my work');
    await screenshot(page, '04-my-work');
    await complete.click();
    await complete.waitFor({ state: 'detached' });

    // Text the member; Twilio (the peer) accepts it, its signed callbacks report sent, then delivered.
    await page.goBack();
    await page.getByRole('heading', { name: member, level: 2 }).waitFor();
    await timeline.getByText('Call the pharmacy about the refill').waitFor();
    const text = 'Hi from the care team: your refill is ready at the pharmacy.';
    await page.getByLabel('Text message').fill(text);
    await page.getByText(`${text.length}/160 characters · 1 segment`).waitFor();
    await page.getByRole('button', { name: 'Send SMS' }).click();
    await page.getByRole('list', { name: 'Conversation' }).getByText(text).waitFor();
    const sent = (await call(t.app, coordinator, 'GET', `/v1/clinic/ecm/patients/${mine.id}/communications`)).json().communications[0];
    expect(sent).toMatchObject({ type: 'sms', body: text, status: 'queued' });
    for (const status of ['sent', 'delivered']) {
      const cb = await peer.callback(t.app, PUBLIC_URL, `/v1/clinic/webhooks/twilio/sms_status?text_message_id=${sent.id}`, { MessageSid: sent.twilio_sid, MessageStatus: status, AccountSid: ACCOUNT_SID });
      expect(cb.statusCode).toBeLessThan(300);
    }
    await page.getByTestId(`comm-sms-${sent.id}`).getByText('delivered').waitFor();
    await screenshot(page, '05-sms-delivered');

    // The DHCS reporting tab is editable: a care plan revision, added through the ECM API, shows in its table.
    await page.getByRole('tab', { name: 'DHCS reporting' }).click();
    await page.getByRole('button', { name: 'Add revision' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Summary/).fill('E2E revision: housing goal added');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'E2E revision: housing goal added' }).waitFor();
    const revisions = (await call(t.app, coordinator, 'GET', `/v1/clinic/ecm/patients/${mine.id}/care_plan_revisions`)).json().care_plan_revisions;
    expect(revisions.map((r: { summary: string }) => r.summary)).toContain('E2E revision: housing goal added');
    await expectAccessible(page, 'member reporting');
    await screenshot(page, '05b-member-reporting');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    });
  }, 120_000);

  it("does an admin's month end: counts and charts, a PRTF generated and downloaded, a MIF with a bad row, users and the audit log", async () => {
    await withPage('admin', async (page) => {
    await page.goto(`${base}/app/reports`);
    // Keyboard only: the email field has focus, Tab moves on, Enter submits.
    await page.getByLabel('Email').waitFor();
    await page.keyboard.type(String(demo.admin_email));
    await page.keyboard.press('Tab');
    await page.keyboard.type(String(demo.password));
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByText(/\d+ events in all/).waitFor();
    await expectAccessible(page, 'reports');
    await screenshot(page, '06-reports');

    await choose(page, 'Format', 'CSV');
    await page.getByRole('button', { name: 'Generate PRTF' }).click();
    const link = page.getByRole('status').getByRole('link', { name: /Download PRTF_/ }).first();
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = path.join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(file);
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv.split('\n').length).toBeGreaterThan(1);

    await page.getByRole('link', { name: 'Imports' }).click();
    const mif = 'MEMBER_ID,FIRST_NAME,LAST_NAME,PHONE\r\nE2E-MIF-1,Nia,Okafor,(916) 555-0133\r\nE2E-MIF-2,Bad,Phone,12\r\n';
    await page.locator('input[type=file]').setInputFiles({ name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(mif) });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByTestId('import-rejected').getByText('1').waitFor();
    await expect(page.getByTestId('import-created').textContent()).resolves.toContain('1');
    await page.getByRole('table').filter({ hasText: 'Rejected rows' }).getByText('E2E-MIF-2').waitFor();
    await expectAccessible(page, 'imports');
    await screenshot(page, '07-imports');

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('cell', { name: 'Maria Lopez', exact: true }).waitFor();
    await expectAccessible(page, 'users');
    await screenshot(page, '08-users');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText(/\d+ events/).first().waitFor();
    await expectAccessible(page, 'audit log');
    await screenshot(page, '09-audit');

    // The clinic's reporting day, for the monthly PRTF run.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('textbox', { name: 'Reporting day' }).fill('12');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Reporting day saved.').waitFor();
    expect((await call(t.app, { token: String(demo.admin_token) }, 'GET', '/v1/admin/organization')).json().organization.reporting_day).toBe(12);
    await expectAccessible(page, 'settings');
    });
  }, 120_000);

  it('fits a 390 px phone: the header keeps Sign out in view, members are cards, nothing scrolls sideways', async () => {
    await withPage('phone', async (page) => {
      await page.goto(`${base}/app`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await signIn(page, String(demo.coordinator_email));
      await page.getByText(/\d+ members/).waitFor();
      await page.getByRole('list', { name: 'Members' }).waitFor();
      await expect(page.getByRole('table').count()).resolves.toBe(0);
      const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
      expect(signOut && signOut.x + signOut.width, 'Sign out inside the viewport').toBeLessThanOrEqual(390);
      const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
      expect(scroll, `members: ${scroll}px wide in a ${width}px viewport`).toBeLessThanOrEqual(width);
      await expectAccessible(page, 'members on a phone');
      await screenshot(page, '10-members-phone');
    }, true);
  }, 120_000);
});
