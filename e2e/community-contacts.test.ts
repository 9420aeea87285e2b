/**
 * The Resident File's Contacts and Diagnoses tabs and discharge end to end (the real server with its workers, the
 * built console, Chromium, and a local Standard Webhooks receiver subscribed as the demo company's partner): the demo
 * nurse adds a contact to one resident (`contact.create`), links that contact to a second resident with the second's
 * own relationship and flags (`contact.update` listing both), is refused a category header in the ICD-10-CM picker
 * with the codes service's sentence and adds a billable diagnosis picked from it, discharges the second resident from
 * the Resident File (`resident.delete`) and reactivates them from the Discharged Residents list (`resident.create`,
 * same residentId); at desktop size and at 390 × 844 with touch, with axe-core on each screen. Screenshots land in
 * e2e/artifacts/ (community-contacts-*.png, community-diagnoses-*.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from './browser.ts';
import {
  DEMO_COMPANY, DESKTOP, expectAccessible, expectNoSidewaysScroll, expectTouchTargets, PHONE, signIn, startCommunityE2e, withPage, type CommunityE2e, type Size,
} from './support/community.ts';

let e2e: CommunityE2e;

beforeAll(async () => {
  e2e = await startCommunityE2e();
}, 180_000);

afterAll(async () => {
  await e2e?.close();
}, 120_000);

const seen = new Set<number>();
/** The first webhook not yet taken that `match` accepts (signature verified), waiting up to 15 s. */
async function event(what: string, match: (e: Record<string, any>) => boolean): Promise<Record<string, any>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    for (const [i, r] of e2e.rx.received.entries()) {
      if (seen.has(i)) continue;
      const body = JSON.parse(r.body);
      if (!match(body)) continue;
      seen.add(i);
      expect(r.verifiedWith.length, `${what}: signature`).toBe(1);
      return body;
    }
    if (Date.now() > deadline) throw new Error(`${what}: no such webhook among ${e2e.rx.received.length} received`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A resident added through the workspace's API as the demo nurse. @returns its residentId. */
async function addResident(firstName: string, lastName: string): Promise<string> {
  const res = await e2e.t.app.inject({
    method: 'POST', url: '/v1/community/residents', headers: { 'x-user-token': e2e.nurseToken },
    payload: { firstName, lastName, dateOfBirth: '1940-02-02', locationId: e2e.nurseLocation },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().resident.residentId;
}

/** Finds a resident on the Residents screen by last name and opens their Resident File. */
async function openResident(page: Page, name: string) {
  await page.goto(`${e2e.base}/app/community/residents?search=${encodeURIComponent(name.split(' ')[1])}`);
  await page.getByRole('link', { name }).first().click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
}

async function residentFileDay(page: Page, size: Size, tag: string) {
  const first = { firstName: `${tag}ora`, lastName: `Contactson${tag}` };
  const second = { firstName: `${tag}ale`, lastName: `Linkerton${tag}` };
  const firstId = await addResident(first.firstName, first.lastName);
  const secondId = await addResident(second.firstName, second.lastName);
  const firstName = `${first.firstName} ${first.lastName}`;
  const secondName = `${second.firstName} ${second.lastName}`;
  const kin = { firstName: `${tag}armen`, lastName: 'Kinsley' };
  const kinName = `${kin.firstName} ${kin.lastName}`;

  await page.goto(`${e2e.base}/app/community/residents`);
  await page.getByRole('heading', { name: 'Community workspace' }).waitFor();
  await signIn(page, DEMO_COMPANY);

  // Contacts tab of the first resident: Add contact (contact.create).
  await openResident(page, firstName);
  await page.getByRole('tab', { name: 'Contacts' }).click();
  await page.getByText('No contacts yet.').waitFor();
  await page.getByRole('button', { name: 'Add contact' }).click();
  const add = page.getByRole('dialog');
  await add.getByLabel(/^First name/).fill(kin.firstName);
  await add.getByLabel(/^Last name/).fill(kin.lastName);
  await add.getByLabel(/^Relationship/).fill('Daughter');
  await add.getByLabel(/^Phone/).fill('555-555-0188');
  await add.getByLabel(/^Preferred contact method/).selectOption('Text');
  await add.getByRole('checkbox', { name: 'Health care POA' }).check();
  await expectAccessible(page, `${size.name} add contact`);
  if (size === PHONE) await expectNoSidewaysScroll(page, 'add contact');
  if (size === PHONE) await expectTouchTargets(page, 'add contact');
  await add.getByRole('button', { name: 'Add contact' }).click();
  await page.getByText(`${kinName} was added.`).waitFor();
  const created = await event('contact.create', (e) => e.eventName === 'contact.create' && e.data.contact.firstName === kin.firstName);
  expect(created.data.contact).toMatchObject({ lastName: kin.lastName, phone: '555-555-0188', preferredContactMethod: 'Text', residents: [{ residentId: firstId, relationship: 'Daughter', healthCarePoa: true, primaryContact: false }] });
  const contactId = created.data.contact.contactId as string;
  await page.getByRole('list', { name: 'Contacts' }).getByText(kinName).waitFor();
  await expectAccessible(page, `${size.name} contacts`);
  if (size === PHONE) await expectNoSidewaysScroll(page, 'contacts');
  if (size === PHONE) await expectTouchTargets(page, 'contacts');
  await screenshot(page, `community-contacts-${size.name}`);

  // The second resident: Link existing contact, with their own relationship and flags (contact.update, both residents).
  await openResident(page, secondName);
  await page.getByRole('tab', { name: 'Contacts' }).click();
  await page.getByRole('button', { name: 'Link existing contact' }).click();
  const link = page.getByRole('dialog');
  await link.getByLabel(/^Search contacts by name/).fill(kin.firstName);
  await link.getByRole('button', { name: `Choose ${kinName}` }).click();
  await link.getByLabel(/^Relationship/).fill('Niece');
  await link.getByRole('checkbox', { name: 'Primary contact' }).check();
  await expectAccessible(page, `${size.name} link contact`);
  if (size === PHONE) await expectNoSidewaysScroll(page, 'link contact');
  if (size === PHONE) await expectTouchTargets(page, 'link contact');
  await link.getByRole('button', { name: 'Link contact' }).click();
  await page.getByText(`${kinName} is now a contact of ${secondName}.`).waitFor();
  const linked = await event('contact.update (link)', (e) => e.eventName === 'contact.update' && e.data.contact.contactId === contactId);
  expect(linked.data.contact.residents).toEqual([
    expect.objectContaining({ residentId: firstId, relationship: 'Daughter', healthCarePoa: true, primaryContact: false }),
    expect.objectContaining({ residentId: secondId, relationship: 'Niece', healthCarePoa: false, primaryContact: true }),
  ]);
  await page.getByText(`Also a contact of ${firstName} (Daughter)`).waitFor();

  // Diagnoses tab: a category header is refused with the codes service's sentence; a billable code picked is added.
  await page.getByRole('tab', { name: 'Diagnoses' }).click();
  await page.getByText('No diagnoses recorded.').waitFor();
  const code = page.getByRole('combobox', { name: 'ICD-10-CM code' });
  await code.fill('E11');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Add diagnosis' }).click();
  await page.getByRole('alert').getByText(/^code E11 \(Type 2 diabetes mellitus\) is a category header, not a billable ICD-10-CM code/).waitFor();
  await code.fill('diabetes without complications');
  const option = page.getByRole('option', { name: 'E11.9 Type 2 diabetes mellitus without complications' });
  await option.waitFor();
  await expectAccessible(page, `${size.name} diagnosis picker`);
  await option.click();
  await expect(code.inputValue()).resolves.toBe('E11.9 Type 2 diabetes mellitus without complications');
  await page.getByRole('button', { name: 'Add diagnosis' }).click();
  await page.getByRole('list', { name: 'Diagnoses' }).getByText('Type 2 diabetes mellitus without complications').waitFor();
  await expectAccessible(page, `${size.name} diagnoses`);
  if (size === PHONE) await expectNoSidewaysScroll(page, 'diagnoses');
  if (size === PHONE) await expectTouchTargets(page, 'diagnoses');
  await screenshot(page, `community-diagnoses-${size.name}`);

  // Discharge from the Resident File (resident.delete); reactivate from the Discharged Residents list (resident.create).
  await page.getByRole('button', { name: 'Discharge', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Discharge resident' }).click();
  await page.getByText('This resident is discharged').waitFor();
  const discharged = await event('resident.delete', (e) => e.eventName === 'resident.delete' && e.data.resident.residentId === secondId);
  expect(discharged.data.resident).toMatchObject({ status: 'Inactive', statusDescription: 'Discharged' });
  await page.getByRole('link', { name: 'Discharged Residents' }).click();
  await page.waitForURL(/status=discharged/);
  await page.getByRole('button', { name: `Reactivate ${secondName}` }).click();
  await page.getByText(`${secondName} was reactivated.`).waitFor();
  const again = await event('resident.create (reactivated)', (e) => e.eventName === 'resident.create' && e.data.resident.residentId === secondId);
  expect(again.data.resident).toMatchObject({ status: 'Active', statusDescription: 'Active Resident' });
}

describe('community Resident File: contacts, diagnoses, discharge', () => {
  it('a nurse adds a contact, links them to a second resident, adds a diagnosis through the picker, discharges and reactivates: desktop', async () => {
    await withPage(e2e.browser, DESKTOP, 'community-contacts-failure', (page) => residentFileDay(page, DESKTOP, 'D'));
  }, 90_000);

  it('the same at 390 × 844 with touch', async () => {
    await withPage(e2e.browser, PHONE, 'community-contacts-failure', (page) => residentFileDay(page, PHONE, 'P'));
  }, 90_000);
});
