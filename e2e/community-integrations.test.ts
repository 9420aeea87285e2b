/**
 * The community workspace's Integrations page and Audit log end to end: the real server (every service, the job
 * workers and the webhook dispatcher, a cloned database with the demo data) listening on a free port, the built
 * console, Debian's Chromium driven by playwright-core, and a local Standard Webhooks receiver. The demo System Admin
 * creates a partner client (its secret works at /token), registers a JWK Set (pasted on desktop, uploaded as a file on
 * the phone), subscribes the receiver and sends a test event that arrives signed; the delivery log shows it delivered;
 * the Audit log lists the changes. A nurse sees neither page. Desktop and 390 × 844 with touch, axe on every screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { exportJWK, generateKeyPair } from 'jose';
import { DEMO_COMPANY } from '../src/ecp/clients/demo.ts';
import { DEMO_COMMUNITY_USERS } from '../src/ecp/community/demo.ts';
import type { TestContext } from '../test/support/app.ts';
import type { WebhookReceiver } from '../test/support/webhook-receiver.ts';
import { screenshot } from './browser.ts';
import {
  DESKTOP, expectAccessible, expectNoSidewaysScroll, expectTouchTargets, PHONE, startCommunityE2e, withPage, type CommunityE2e, type Size,
} from './support/community.ts';

const ADMIN = DEMO_COMMUNITY_USERS.admin;
const NURSE = DEMO_COMMUNITY_USERS.nurse;

let e2e: CommunityE2e | undefined;
let t: TestContext;
let rx: WebhookReceiver;
let browser: Browser;
let base: string;

beforeAll(async () => {
  e2e = await startCommunityE2e();
  ({ t, rx, browser, base } = e2e);
}, 180_000);

afterAll(async () => {
  await e2e?.close();
}, 120_000);

async function signIn(page: Page, who: { loginName: string; password: string }) {
  await page.goto(`${base}/app/community`);
  await page.getByLabel(/^Company/).fill(DEMO_COMPANY);
  await page.getByLabel(/^Login name/).fill(who.loginName);
  await page.locator('input[type=password]').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A fresh ES384 public JWK Set with key id `kid`. */
async function jwksOf(kid: string): Promise<string> {
  const { publicKey } = await generateKeyPair('ES384', { extractable: true });
  return JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' }] });
}

async function openNav(page: Page, size: Size, name: string) {
  if (size === PHONE) await page.getByRole('button', { name: 'Toggle navigation' }).click();
  await page.getByRole('navigation', { name: 'Community navigation' }).getByRole('link', { name }).click();
}

/** The System Admin's flow: client, JWKS, subscription, test event, delivery log, audit log. */
async function integrationsDay(page: Page, size: Size) {
  const check = async (screen: string) => {
    await expectAccessible(page, `${size.name} ${screen}`);
    if (size === PHONE) await expectNoSidewaysScroll(page, screen);
    if (size === PHONE) await expectTouchTargets(page, screen);
  };
  await signIn(page, ADMIN);
  await openNav(page, size, 'Integrations');
  await page.getByRole('heading', { name: 'Integrations' }).waitFor();
  await page.getByRole('list', { name: 'Partner clients' }).waitFor();
  await check('integrations');

  // A new client: the secret and Api-Key are shown once, and the secret gets a token.
  await page.getByRole('button', { name: 'New partner client' }).click();
  const form = page.getByRole('form', { name: 'New partner client' });
  await form.getByRole('checkbox').first().check();
  await form.getByRole('checkbox', { name: 'user.write' }).uncheck();
  await check('new partner client');
  await form.getByRole('button', { name: 'Create client' }).click();
  const clientId = await page.getByLabel('Client ID', { exact: true }).inputValue();
  const secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  expect(await page.getByLabel('Api-Key', { exact: true }).inputValue()).toMatch(/^[\w-]{43}$/);
  const token = await t.app.inject({ method: 'POST', url: '/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret } });
  expect(token.statusCode, token.body).toBe(200);
  expect(token.json().scope).not.toContain('user.write');
  await check('client created');
  await screenshot(page, `community-int-01-client-created-${size.name}`);
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('link', { name: `Client ${clientId}` }).click();
  await page.getByRole('heading', { name: `Client ${clientId}`, level: 2 }).waitFor();

  // The JWK Set: a private key is refused with the API's words; the public one is saved (pasted, or a file on the phone).
  const kid = `${size.name}-key`;
  await page.getByRole('textbox', { name: 'JWKS' }).fill('{"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]}');
  await page.getByRole('button', { name: 'Save keys' }).click();
  await page.getByRole('alert').getByText(/private key|kty must be/).waitFor();
  if (size === PHONE) {
    await page.locator('section[aria-labelledby="jwks-heading"] input[type=file]').setInputFiles({ name: 'jwks.json', mimeType: 'application/json', buffer: Buffer.from(await jwksOf(kid)) });
    await expect.poll(() => page.getByRole('textbox', { name: 'JWKS' }).inputValue()).toContain(kid);
  } else {
    await page.getByRole('textbox', { name: 'JWKS' }).fill(await jwksOf(kid));
  }
  await page.getByRole('button', { name: 'Save keys' }).click();
  await page.getByText('Public keys saved.').waitFor();
  await page.getByText(kid, { exact: true }).waitFor();

  // Subscribe the receiver; Send test event arrives, signed with the secret shown once.
  const hook = rx.url(`/integrations-${size.name}`);
  await page.getByLabel(/^Callback URL/).fill(hook);
  await page.getByRole('button', { name: 'Subscribe' }).click();
  rx.secrets.push(await page.getByLabel('Signing secret', { exact: true }).inputValue());
  await check('client and subscription');
  await screenshot(page, `community-int-02-client-${size.name}`);
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: `Send test event to ${hook}` }).click();
  await page.getByText(/^Test event .* queued\.$/).waitFor();
  const got = await rx.waitFor(1, { timeoutMs: 15_000, filter: (r) => r.path === `/integrations-${size.name}` });
  const arrived = got[got.length - 1];
  expect(arrived.verifiedWith.length, 'signature').toBe(1);
  expect(JSON.parse(arrived.body)).toMatchObject({ eventName: 'webhook.test', data: { test: { message: expect.any(String) } }, version: '1.0' });
  const log = page.getByRole('list', { name: 'Deliveries' });
  await log.getByText('succeeded').waitFor();
  await log.getByText(/1 attempt · last answered 200/).waitFor();
  await page.getByRole('button', { name: 'Replay failed (last 24 hours)' }).click();
  await page.getByText('0 failed deliveries queued again.').waitFor();
  await check('delivery log');
  await screenshot(page, `community-int-03-deliveries-${size.name}`);

  // The Audit log shows the admin's changes, filtered by action.
  await openNav(page, size, 'Audit log');
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await page.getByLabel('Action').selectOption('create');
  await page.waitForURL(/action=create/);
  const rows = page.getByRole('list', { name: 'Audit rows' });
  await rows.getByText('Webhook test event').first().waitFor();
  await rows.getByText('Partner client', { exact: true }).first().waitFor();
  await check('audit log');
  await screenshot(page, `community-int-04-audit-${size.name}`);
}

describe('community Integrations and Audit log', () => {
  it('a System Admin creates a partner client, uploads a JWKS, subscribes a local receiver and sends a test event that arrives: desktop', async () => {
    await withPage(browser, DESKTOP, 'community-int-failure', (page) => integrationsDay(page, DESKTOP));
  }, 120_000);

  it('the same at 390 × 844 with touch', async () => {
    await withPage(browser, PHONE, 'community-int-failure', (page) => integrationsDay(page, PHONE));
  }, 120_000);

  it('a nurse sees neither page', async () => {
    await withPage(browser, DESKTOP, 'community-int-failure', async (page) => {
      await signIn(page, NURSE);
      const nav = page.getByRole('navigation', { name: 'Community navigation' });
      await nav.getByRole('link', { name: 'Residents' }).waitFor();
      await expect(nav.getByRole('link', { name: 'Integrations' }).count()).resolves.toBe(0);
      await expect(nav.getByRole('link', { name: 'Audit log' }).count()).resolves.toBe(0);
      await page.goto(`${base}/app/community/integrations`);
      await page.getByText('This page does not exist.').waitFor();
    });
  }, 60_000);
});
