/**
 * The community workspace end to end: the real server (every service, the job workers and the webhook dispatcher,
 * a cloned PostgreSQL database with the demo data) listening on a free port, the built console at /app/community,
 * Debian's Chromium driven by playwright-core, and a local Standard Webhooks receiver subscribed as the demo
 * company's partner. The demo nurse signs in (the page remembers the company), adds a resident (the receiver gets
 * `resident.create`), finds them, changes in the Resident File their building (General tab, `resident.update`), diet
 * (Diet tab, `diet.update`), level of care (Care Plan tab, `levelOfCare.update`) and allergies (Allergies tab,
 * `allergy.update`), discharges them (`resident.delete`) and reactivates them (`resident.create`, same residentId);
 * then the same at 390 × 844 with touch. Screenshots land in e2e/artifacts/ (community-*.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from './browser.ts';
import {
  DEMO_COMPANY, DESKTOP, expectAccessible, expectNoSidewaysScroll, expectTouchTargets, NURSE, PHONE, signIn, startCommunityE2e, webhookAfter, withPage as withPageOf,
  type CommunityE2e, type Size,
} from './support/community.ts';

let e2e: CommunityE2e;
let base: string;
let nurseLocation: string;

beforeAll(async () => {
  e2e = await startCommunityE2e();
  ({ base, nurseLocation } = e2e);
}, 180_000);

afterAll(async () => {
  await e2e?.close();
}, 120_000);

const withPage = (size: Size, fn: (page: Page) => Promise<void>) => withPageOf(e2e.browser, size, 'community-failure', fn);
const webhook = (count: number) => webhookAfter(e2e.rx, count);

/** Adds, finds, discharges and reactivates one resident; each action's event reaches the receiver. */
async function residentDay(page: Page, size: Size, firstName: string) {
  const main = page.getByRole('main');
  await main.getByRole('link', { name: 'Add New Resident' }).click();
  await page.getByRole('heading', { name: 'Add New Resident' }).waitFor();
  await expectAccessible(page, `${size.name} add new resident`);
  if (size === PHONE) await expectNoSidewaysScroll(page, 'add new resident');
  if (size === PHONE) await expectTouchTargets(page, 'add new resident');
  await screenshot(page, `community-02-add-resident-${size.name}`);
  // The API's validation, worded as the API words it.
  await page.getByRole('button', { name: 'Add resident' }).click();
  await page.getByText("First name can't be blank").waitFor();
  await page.getByLabel(/^First name/).fill(firstName);
  await page.getByLabel(/^Last name/).fill('Tester');
  await page.getByLabel(/^Date of birth/).fill('1941-01-01');
  await page.getByLabel(/^Location/).selectOption({ label: nurseLocation });
  await page.getByLabel(/^Room/).fill(size === PHONE ? '318' : '317');
  await page.getByLabel(/^Code status/).selectOption('DNR');
  const before = e2e.rx.received.length;
  await page.getByRole('button', { name: 'Add resident' }).click();
  await page.getByText(`${firstName} Tester was added.`).waitFor();
  const create = await webhook(before);
  expect(create).toMatchObject({ eventName: 'resident.create', data: { resident: { firstName, lastName: 'Tester', room: size === PHONE ? '318' : '317', codeStatus: 'DNR (Do Not Resuscitate)', status: 'Active' } } });
  const residentId = create.data.resident.residentId as string;

  // Find by room; the Resident File's General tab changes the building (resident.update).
  await page.getByLabel('Search').fill(size === PHONE ? '318' : '317');
  await page.waitForURL(/search=31/);
  await page.getByRole('link', { name: `${firstName} Tester` }).click();
  await page.getByRole('heading', { name: `${firstName} Tester`, level: 2 }).waitFor();
  await expect(page.getByLabel(/^Code status/).inputValue()).resolves.toBe('DNR');
  await expectAccessible(page, `${size.name} resident file`);
  if (size === PHONE) await expectNoSidewaysScroll(page, 'resident file');
  if (size === PHONE) await expectTouchTargets(page, 'resident file');
  await screenshot(page, `community-04-resident-file-${size.name}`);
  await page.getByLabel(/^Building/).fill('North Wing');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  const update = await webhook(before + 1);
  expect(update).toMatchObject({ eventName: 'resident.update', data: { resident: { residentId, building: 'North Wing', room: size === PHONE ? '318' : '317' } } });

  // The Diet tab (diet.update).
  await page.getByRole('tab', { name: 'Diet' }).click();
  await page.getByRole('checkbox', { name: 'Gluten-Free' }).check();
  await page.getByLabel(/^Food texture/).selectOption('Pureed');
  await page.getByLabel(/^Special diet orders/).fill('1500 Calorie');
  await expectAccessible(page, `${size.name} diet`);
  await page.getByRole('button', { name: 'Save diet' }).click();
  await page.getByText('Diet saved.').waitFor();
  const diet = await webhook(before + 2);
  expect(diet).toMatchObject({ eventName: 'diet.update', data: { diet: { residentId, dietPlans: ['Gluten-Free'], foodTexture: 'Pureed', specialDietOrders: ['1500 Calorie'] } } });

  // The Care Plan tab: the level of care set by hand (levelOfCare.update).
  await page.getByRole('tab', { name: 'Care Plan' }).click();
  await page.getByRole('textbox', { name: /^Level of care/ }).fill('Level 2');
  await page.getByLabel(/^Amount/).fill('1250');
  await page.getByLabel(/^Charged/).selectOption('Monthly');
  await expectAccessible(page, `${size.name} care plan`);
  await page.getByRole('button', { name: 'Save level of care' }).click();
  await page.getByText('Level of care saved.').waitFor();
  const care = await webhook(before + 3);
  expect(care).toMatchObject({ eventName: 'levelOfCare.update', data: { levelOfCare: { residentId, name: 'Level 2', amount: 1250, amountFrequency: 'Monthly' } } });

  // The Allergies tab: the whole list (allergy.update).
  await page.getByRole('tab', { name: 'Allergies' }).click();
  await page.getByText('No known allergies.').waitFor();
  for (const a of ['Peanuts', 'Latex']) {
    await page.getByRole('textbox', { name: 'Allergy' }).fill(a);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
  }
  await page.getByRole('button', { name: 'Remove Latex' }).click();
  await expectAccessible(page, `${size.name} allergies`);
  await page.getByRole('button', { name: 'Save allergies' }).click();
  await page.getByText('Allergies saved.').waitFor();
  const allergy = await webhook(before + 4);
  expect(allergy).toMatchObject({ eventName: 'allergy.update', data: { allergy: { residentId, allergies: ['Peanuts'] } } });
  await page.goBack();

  // Discharge (with confirmation), find among the discharged, reactivate.
  await page.getByRole('button', { name: `Discharge ${firstName} Tester` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Discharge' }).click();
  await page.getByText(`${firstName} Tester was discharged.`).waitFor();
  const del = await webhook(before + 5);
  expect(del).toMatchObject({ eventName: 'resident.delete', data: { resident: { residentId, statusDescription: 'Discharged' } } });
  await page.getByText('Discharged', { exact: true }).first().click();
  await page.waitForURL(/status=discharged/);
  await page.getByRole('button', { name: `Reactivate ${firstName} Tester` }).click();
  await page.getByText(`${firstName} Tester was reactivated.`).waitFor();
  const again = await webhook(before + 6);
  expect(again).toMatchObject({ eventName: 'resident.create', data: { resident: { residentId, status: 'Active' } } });
}

describe('community workspace', () => {
  it('a nurse signs in (the company is remembered), adds a resident, edits the Resident File, discharges and reactivates them: desktop', async () => {
    await withPage(DESKTOP, async (page) => {
      await page.goto(`${base}/app/community`);
      await page.getByRole('heading', { name: 'Community workspace' }).waitFor();
      await expectAccessible(page, 'sign in');
      await screenshot(page, 'community-01-sign-in-desktop');
      // A wrong password shows the API's message.
      await page.getByLabel(/^Company/).fill(DEMO_COMPANY);
      await page.getByLabel(/^Login name/).fill(NURSE.loginName);
      await page.locator('input[type=password]').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('Invalid company, login name or password').waitFor();
      await signIn(page, DEMO_COMPANY);
      await page.getByText(/\d+ residents/).waitFor();
      await expectAccessible(page, 'residents');
      await screenshot(page, 'community-03-residents-desktop');

      await residentDay(page, DESKTOP, 'Desmond');

      // Signing out forgets the session, not the company.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      await page.reload();
      await expect(page.getByLabel(/^Company/).inputValue()).resolves.toBe(DEMO_COMPANY);
      await signIn(page, null);
    });
  }, 120_000);

  it('the same at 390 × 844 with touch: cards, one-column form, no sideways scrolling', async () => {
    await withPage(PHONE, async (page) => {
      await page.goto(`${base}/app/community/residents`);
      await page.getByRole('heading', { name: 'Community workspace' }).waitFor();
      await expectNoSidewaysScroll(page, 'sign in');
      await expectTouchTargets(page, 'sign in');
      await signIn(page, DEMO_COMPANY);
      await page.getByText(/\d+ residents/).waitFor();
      await page.getByRole('list', { name: 'Residents' }).waitFor();
      await expect(page.getByRole('table').count()).resolves.toBe(0);
      await expectNoSidewaysScroll(page, 'residents');
      await expectTouchTargets(page, 'residents');
      await expectAccessible(page, 'phone residents');
      await screenshot(page, 'community-03-residents-phone');
      await residentDay(page, PHONE, 'Phoebe');
    });
  }, 120_000);
});
