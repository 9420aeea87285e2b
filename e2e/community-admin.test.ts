/**
 * The community workspace's System Admin screens end to end: the real server (every service, the job workers and the
 * webhook dispatcher, a cloned database with the demo data) listening on a free port, the built console at
 * /app/community, Debian's Chromium driven by playwright-core, and a local Standard Webhooks receiver subscribed by the
 * demo company and by a second company, Maple Senior Living. The demo System Admin creates a user in User Logins and
 * sets their password; that user signs in and must choose their own before anything else (desktop and 390 × 844 with
 * touch). Then a transfer: the demo admin offers a resident to Maple by its company ID, Maple's System Admin accepts
 * it into Maple Grove, and the receiver gets `resident.delete` for Evergreen and `resident.create` for Maple with the
 * same residentId. axe-core on every screen; screenshots in e2e/artifacts/ (community-admin-*.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { ecpUsers } from '../src/db/schema.ts';
import { systemContext } from '../src/platform/context.ts';
import { DEMO_COMPANY } from '../src/ecp/clients/demo.ts';
import { DEMO_COMMUNITY_USERS } from '../src/ecp/community/demo.ts';
import type { TestContext } from '../test/support/app.ts';
import { clinical, createPartner, insertEcpUser, tokenFor, type Partner } from '../test/support/ecp.ts';
import type { WebhookReceiver } from '../test/support/webhook-receiver.ts';
import { screenshot } from './browser.ts';
import {
  DESKTOP, expectAccessible, expectNoSidewaysScroll, expectTouchTargets, PHONE, startCommunityE2e, withPage as withSharedPage, type CommunityE2e, type Size,
} from './support/community.ts';

const ADMIN = DEMO_COMMUNITY_USERS.admin;
const MAPLE = 'Maple Senior Living';
const MAPLE_ADMIN = { loginName: 'mapleadmin', password: 'maple-admin-password-1' };

let e2e: CommunityE2e | undefined;
let t: TestContext;
let rx: WebhookReceiver;
let browser: Browser;
let base: string;
let maple: Partner;
let mapleCompanyId: string;
let resident: { residentId: string; name: string };
let adminLocation: string;

async function subscribe(partner: Partner, hookPath: string) {
  const sub = await clinical(t.app, { token: await tokenFor(t.app, partner), apiKey: partner.api_key }, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url(hookPath) });
  expect(sub.statusCode, sub.body).toBe(200);
  rx.secrets.push(sub.json().secret);
}

beforeAll(async () => {
  // The demo company's partner is subscribed at /evergreen by the shared world.
  e2e = await startCommunityE2e();
  ({ t, rx, browser, base } = e2e);
  maple = await createPartner(t, MAPLE, ['Maple Grove']);
  await subscribe(maple, '/maple');
  const row = await insertEcpUser(t, maple, MAPLE_ADMIN.loginName);
  await t.database.db.update(ecpUsers).set({ systemAdmin: true, email: 'admin@maple.example' }).where(eq(ecpUsers.id, row.id));
  await t.services.communityAuth.setPassword(systemContext(0, 'e2e'), MAPLE, MAPLE_ADMIN.loginName, MAPLE_ADMIN.password, { mustChange: false });
  const mapleToken = (await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: MAPLE, ...MAPLE_ADMIN } })).json().token;
  mapleCompanyId = (await t.app.inject({ method: 'GET', url: '/v1/community/me', headers: { 'x-user-token': mapleToken } })).json().company.companyId;
  const adminToken = (await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: DEMO_COMPANY, ...ADMIN } })).json().token;
  adminLocation = (await t.app.inject({ method: 'GET', url: '/v1/community/me', headers: { 'x-user-token': adminToken } })).json().user.locationsAllowed[0].name;
  const first = (await t.app.inject({ method: 'GET', url: '/v1/community/residents?per_page=1', headers: { 'x-user-token': adminToken } })).json().residents[0];
  resident = { residentId: first.residentId, name: `${first.firstName} ${first.lastName}` };
}, 180_000);

afterAll(async () => {
  await e2e?.close();
}, 120_000);

/** Runs `fn` on a fresh page of `size` in a New York browser (the demo locations are in Los Angeles time). */
function withPage(size: Size, fn: (page: Page) => Promise<void>) {
  return withSharedPage(browser, size, 'community-admin-failure', fn, 'America/New_York');
}

/** axe-core finds no serious or critical violation; on the phone, nothing scrolls sideways. */
async function check(page: Page, size: Size, screen: string) {
  await expectAccessible(page, `${size.name} ${screen}`);
  if (size === PHONE) {
    await expectNoSidewaysScroll(page, screen);
    await expectTouchTargets(page, screen);
  }
}

async function signIn(page: Page, company: string, who: { loginName: string; password: string }) {
  await page.getByLabel(/^Company/).fill(company);
  await page.getByLabel(/^Login name/).fill(who.loginName);
  await page.locator('input[type=password]').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

/** Opens a navigation entry (the burger first on a phone). */
async function open(page: Page, size: Size, entry: string) {
  if (size === PHONE) await page.getByRole('button', { name: 'Toggle navigation' }).click();
  await page.getByRole('navigation', { name: 'Community navigation' }).getByRole('link', { name: entry }).click();
}

/** The admin creates a user, sets their password; the user signs in and must change it first. */
async function newUserFlow(page: Page, size: Size, loginName: string) {
  await page.goto(`${base}/app/community`);
  await signIn(page, DEMO_COMPANY, ADMIN);
  await open(page, size, 'User Logins');
  await page.getByRole('heading', { name: 'User Logins' }).waitFor();
  await page.getByText(/of at most 3 active System Admins/).waitFor();
  await check(page, size, 'user logins');
  await screenshot(page, `community-admin-01-users-${size.name}`);

  const before = rx.received.length;
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/^Login name/).fill(loginName);
  await dialog.getByLabel(/^First name/).fill('Nina');
  await dialog.getByLabel(/^Last name/).fill(size === PHONE ? 'Phone' : 'Desk');
  await dialog.getByLabel(/^Role/).selectOption('Caregiver');
  await dialog.getByLabel(/^User group/).selectOption('Resident Assistant');
  await dialog.getByRole('checkbox', { name: adminLocation }).check();
  await check(page, size, 'new user form');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await page.getByText(`Nina ${size === PHONE ? 'Phone' : 'Desk'} was created.`).waitFor();
  const create = JSON.parse((await rx.waitFor(before + 1, { timeoutMs: 15_000 }))[before].body);
  expect(create).toMatchObject({ eventName: 'user.create', data: { user: { firstName: 'Nina', role: 'Caregiver' } } });

  const name = `Nina ${size === PHONE ? 'Phone' : 'Desk'}`;
  await page.getByRole('button', { name: `Set password for ${name}` }).click();
  await page.getByRole('dialog').getByLabel(/^New password/).fill('short');
  await page.getByRole('dialog').getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('alert').getByText(/password is too short/).waitFor();
  await page.getByRole('dialog').getByLabel(/^New password/).fill('given-password-1');
  await page.getByRole('dialog').getByRole('button', { name: 'Set password' }).click();
  await page.getByText(`The password of ${name} was set`).waitFor();
  await page.locator('text=Must change password >> visible=true').first().waitFor();
  await signOut(page);

  await signIn(page, DEMO_COMPANY, { loginName, password: 'given-password-1' });
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await check(page, size, 'must change password');
  // Not a System Admin: no admin entries.
  if (size === DESKTOP) await expect(page.getByRole('link', { name: 'User Logins' }).count()).resolves.toBe(0);
  await page.getByLabel(/^Current password/).fill('given-password-1');
  await page.getByLabel(/^New password/).fill('nina-own-password-1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText(/\d+ residents/).waitFor();
  await signOut(page);
}

describe('community System Admin screens', () => {
  it('desktop: a System Admin creates a user and sets their password; the user must change it; Location settings; a transfer offered and accepted', async () => {
    await withPage(DESKTOP, async (page) => {
      await newUserFlow(page, DESKTOP, 'ndesk');

      // Location settings: a validated IANA zone.
      await signIn(page, DEMO_COMPANY, ADMIN);
      await open(page, DESKTOP, 'Location settings');
      await page.getByRole('heading', { name: 'Location settings' }).waitFor();
      const zone = page.getByRole('combobox', { name: 'Time zone' }).first();
      await zone.fill('Mars/Olympus');
      await page.getByRole('button', { name: 'Save' }).first().click();
      await page.getByText(/is not an IANA time zone name/).waitFor();
      await zone.fill('America/Chicago');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Save' }).first().click();
      await page.getByText(/uses America\/Chicago/).waitFor();
      await check(page, DESKTOP, 'location settings');
      await screenshot(page, 'community-admin-02-locations-desktop');

      // Transfers: offer a resident to Maple by its company ID.
      await open(page, DESKTOP, 'Transfers');
      await page.getByRole('heading', { name: 'Transfers' }).waitFor();
      await page.getByRole('textbox', { name: /^Resident/ }).or(page.getByRole('combobox', { name: /^Resident/ })).first().fill(resident.name.split(' ')[1]);
      await page.getByRole('option', { name: new RegExp(`^${resident.name}`) }).first().click();
      await page.getByLabel(/^Receiving company ID/).fill(mapleCompanyId);
      await page.getByLabel(/^Note for the receiving company/).fill('Moving closer to family');
      await page.getByRole('button', { name: 'Offer transfer' }).click();
      await page.getByText(`${resident.name} was offered to ${MAPLE}.`).waitFor();
      await page.getByText('Sent', { exact: true }).click();
      await page.getByRole('button', { name: `Withdraw the offer of ${resident.name}` }).waitFor();
      await check(page, DESKTOP, 'transfers');
      await screenshot(page, 'community-admin-03-transfers-desktop');
      await signOut(page);

      // Maple's System Admin accepts it into Maple Grove.
      const before = rx.received.length;
      await signIn(page, MAPLE, MAPLE_ADMIN);
      await open(page, DESKTOP, 'Transfers');
      await page.getByText('“Moving closer to family”').waitFor();
      await page.getByRole('button', { name: `Accept ${resident.name}` }).click();
      await check(page, DESKTOP, 'accept transfer');
      await page.getByRole('dialog').getByRole('button', { name: 'Accept transfer' }).click();
      await page.getByText(`${resident.name} moved into Maple Grove.`).waitFor();
      // Times in the receiving location's zone (Maple's, America/Los_Angeles), not the browser's (America/New_York).
      await page.getByText('History', { exact: true }).click();
      await page.getByText(/^Offered .+ PST; accepted .+ PST into Maple Grove$/).waitFor();
      const got = (await rx.waitFor(before + 2, { timeoutMs: 15_000 })).slice(before).map((r) => ({ path: r.path, body: JSON.parse(r.body) }));
      expect(got.find((m) => m.body.eventName === 'resident.delete')).toMatchObject({ path: '/evergreen', body: { data: { resident: { residentId: resident.residentId } } } });
      expect(got.find((m) => m.body.eventName === 'resident.create')).toMatchObject({ path: '/maple', body: { locationId: maple.locations[0].locationId, data: { resident: { residentId: resident.residentId } } } });
      await open(page, DESKTOP, 'Residents');
      await page.getByRole('link', { name: resident.name }).waitFor();
    });
  }, 120_000);

  it('390 × 844 with touch: the same user flow, and the Transfers and CRM leads screens fit', async () => {
    await withPage(PHONE, async (page) => {
      await newUserFlow(page, PHONE, 'nphone');
      await signIn(page, DEMO_COMPANY, ADMIN);
      await open(page, PHONE, 'Transfers');
      await page.getByRole('heading', { name: 'Transfers' }).waitFor();
      await check(page, PHONE, 'transfers');
      await screenshot(page, 'community-admin-03-transfers-phone');
      await open(page, PHONE, 'CRM leads');
      await page.getByRole('heading', { name: 'CRM leads' }).waitFor();
      await check(page, PHONE, 'leads');
    });
  }, 120_000);
});
