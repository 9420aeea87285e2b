/**
 * The Resident File's Vitals tab and the Care Plan tab's assessments in the browser (e2e/support/community.ts: the
 * real server with the demo data, Chromium, a subscribed Standard Webhooks receiver). The demo nurse opens a demo
 * resident (the location's zone set to America/New_York, the browser's America/Los_Angeles, so shown times prove the
 * location's zone), enters an implausible blood pressure and sees the API's sentence under the field, records the
 * seven vitals and sees them as the latest reading of each chart; a partner's weight sent through the partner API
 * shows in the weight chart; then completes the demo assessment: the level of care becomes Level 3, the receiver
 * gets `levelOfCare.update` (and nothing for the vitals), and the history lists it with the nurse and the time.
 * Desktop, then 390 × 844 with touch; axe-core on each screen. Screenshots: e2e/artifacts/community-vitals-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_COMPANY } from '../src/ecp/clients/demo.ts';
import { clinical, tokenFor } from '../test/support/ecp.ts';
import { screenshot } from './browser.ts';
import {
  DESKTOP, expectAccessible, expectNoSidewaysScroll, expectTouchTargets, NURSE, PHONE, signIn, startCommunityE2e, webhookAfter, withPage,
  type CommunityE2e, type Size,
} from './support/community.ts';

let w: CommunityE2e | undefined;
let residents: Array<{ residentId: string; firstName: string; lastName: string; locationId: string }>;

beforeAll(async () => {
  w = await startCommunityE2e();
  const signedIn = await w.t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: DEMO_COMPANY, ...NURSE } });
  const token = signedIn.json().token as string;
  const me = await w.t.app.inject({ method: 'GET', url: '/v1/community/me', headers: { 'x-user-token': token } });
  const location = me.json().user.locationsAllowed[0].locationId as string;
  await w.t.services.partnerClients.setLocationTimeZone(location, 'America/New_York');
  const list = await w.t.app.inject({ method: 'GET', url: `/v1/community/residents?locationId=${location}&per_page=2`, headers: { 'x-user-token': token } });
  residents = list.json().residents;
  expect(residents).toHaveLength(2);
}, 180_000);

afterAll(async () => {
  await w?.close();
}, 120_000);

/** The card of one vital's chart. */
const card = (page: Page, title: string) => page.locator('.mantine-Card-root').filter({ has: page.getByRole('heading', { name: title, level: 4 }) });

async function vitalsAndAssessment(page: Page, size: Size, resident: (typeof residents)[number]) {
  const { base, rx, partner } = w!;
  const name = `${resident.firstName} ${resident.lastName}`;
  await page.goto(`${base}/app/community/residents/${resident.residentId}`);
  await page.getByRole('heading', { name, level: 2 }).waitFor();

  // Vitals: the API's plausibility sentence under the field it names.
  await page.getByRole('tab', { name: 'Vitals' }).click();
  await page.getByRole('heading', { name: 'Record vitals' }).waitFor();
  await card(page, 'Blood pressure (mmHg)').getByRole('img').waitFor(); // the demo's month of readings
  await expect(page.getByText('Times in America/New York.').count()).resolves.toBe(1);
  await page.getByLabel('Systolic (mmHg)').fill('80');
  await page.getByLabel('Diastolic (mmHg)').fill('90');
  await page.getByLabel('Temperature (°F)').fill('37');
  await page.getByRole('button', { name: 'Save vitals' }).click();
  await page.getByText('systolic must be greater than diastolic').waitFor();
  await page.getByText('temperature must be between 85 and 110 (degrees Fahrenheit)').waitFor();
  await expect(page.getByLabel('Systolic (mmHg)').getAttribute('aria-invalid')).resolves.toBe('true');
  await expectAccessible(page, `${size.name} vitals with errors`);

  const values: Array<[string, string]> = [
    ['Systolic (mmHg)', '132'], ['Diastolic (mmHg)', '84'], ['Pulse (/min)', '76'], ['Respirations (/min)', '18'], ['Temperature (°F)', '98.4'],
    ['Weight (lb)', '151.2'], ['Blood oxygen (%)', '96'], ['Blood sugar (mg/dL)', '118'],
  ];
  for (const [label, value] of values) await page.getByLabel(label).fill(value);
  const before = rx.received.length;
  await page.getByRole('button', { name: 'Save vitals' }).click();
  await page.getByText('7 readings saved.').waitFor();
  // Each chart's latest reading is the one just taken, in the location's zone (EST), by the nurse.
  for (const [title, printed] of [['Blood pressure (mmHg)', '132/84 mmHg'], ['Pulse (/min)', '76 /min'], ['Temperature (°F)', '98.4 °F'], ['Blood oxygen (%)', '96 %'], ['Blood sugar (mg/dL)', '118 mg/dL']]) {
    await card(page, title).getByText(new RegExp(`Latest: ${printed.replace(/[/()]/g, '\\$&')}, .* E[SD]T, by Maria Garcia`)).waitFor();
  }
  await expect(card(page, 'Blood pressure (mmHg)').locator('.recharts-line').count()).resolves.toBe(2);
  await expectAccessible(page, `${size.name} vitals`);
  if (size === PHONE) await expectNoSidewaysScroll(page, 'vitals');
  if (size === PHONE) await expectTouchTargets(page, 'vitals');
  await screenshot(page, `community-vitals-01-vitals-${size.name}`);

  // A partner's reading is charted too.
  const creds = { token: await tokenFor(w!.t.app, partner), apiKey: partner.api_key };
  const posted = await clinical(w!.t.app, creds, 'POST', '/clinical/v1/resident/vital/weight', {
    weight: 149, locationId: resident.locationId, loginName: 'jbaum', residentId: resident.residentId, timestamp: new Date().toISOString(),
  });
  expect(posted.statusCode, posted.body).toBe(200);
  await page.reload();
  await page.getByRole('tab', { name: 'Vitals' }).click();
  await card(page, 'Weight (lb)').getByText(/Latest: 149 lb, .* by James Baum/).waitFor();

  // Care Plan: the demo assessment, all "Hands-on help" (5 × 2 = 10 points): Level 3.
  await page.getByRole('tab', { name: 'Care Plan' }).click();
  await page.getByRole('heading', { name: 'Complete an assessment' }).waitFor();
  for (const question of ['Bathing', 'Dressing', 'Mobility and transfers', 'Medication management', 'Cognition and memory']) {
    await page.getByRole('radiogroup', { name: question }).getByRole('radio', { name: /^Hands-on help/ }).check();
  }
  await page.getByText('Score so far: 10').waitFor();
  await expectAccessible(page, `${size.name} care plan assessment`);
  await page.getByRole('button', { name: 'Complete assessment' }).click();
  await page.getByText('Assessment saved: the level of care is now Level 3, $2,100.00 Monthly.').waitFor();
  await expect(page.getByRole('textbox', { name: /^Level of care/ }).inputValue()).resolves.toBe('Level 3');
  const care = await webhookAfter(rx, before);
  expect(care).toMatchObject({ eventName: 'levelOfCare.update', data: { levelOfCare: { residentId: resident.residentId, name: 'Level 3', amount: 2100, amountFrequency: 'Monthly' } } });
  const entry = page.getByRole('list', { name: 'Assessment history' }).getByRole('listitem').first();
  await entry.getByText(/E[SD]T$/).waitFor();
  await entry.getByText('By Maria Garcia (mgarcia)').waitFor();
  await entry.getByText('Evergreen Care Needs Assessment: score 10').waitFor();
  await expectAccessible(page, `${size.name} care plan history`);
  if (size === PHONE) await expectNoSidewaysScroll(page, 'care plan');
  if (size === PHONE) await expectTouchTargets(page, 'care plan');
  await screenshot(page, `community-vitals-02-care-plan-${size.name}`);
}

describe('community Vitals and Care Plan assessments', () => {
  it('a nurse records vitals and sees the charts, completes an assessment and sees the level of care and the history: desktop', async () => {
    await withPage(w!.browser, DESKTOP, 'community-vitals-failure', async (page) => {
      await page.goto(`${w!.base}/app/community`);
      await signIn(page, DEMO_COMPANY);
      await vitalsAndAssessment(page, DESKTOP, residents[0]);
    });
  }, 120_000);

  it('the same at 390 × 844 with touch', async () => {
    await withPage(w!.browser, PHONE, 'community-vitals-failure', async (page) => {
      await page.goto(`${w!.base}/app/community`);
      await signIn(page, DEMO_COMPANY);
      await vitalsAndAssessment(page, PHONE, residents[1]);
    });
  }, 120_000);
});
