/**
 * `care ecp clients ...` output (the command tree of `src/ecp/cli.ts`, run in-process over this file's database):
 * partners only ever see GUIDs (`companyId` of every webhook payload, `locationId`), so the operator is shown the
 * same ones and never an internal row id.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerEcpCommands } from '../../src/ecp/cli.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, tokenFor } from '../support/ecp.ts';

let t: TestContext;

beforeAll(async () => {
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true' });
});
afterAll(() => t.close());

/** Runs `care <args>` through the ECP command tree; returns what it printed on stdout. */
async function care(args: string[]): Promise<string> {
  const program = new Command('care').exitOverride();
  registerEcpCommands(program, (fn) => fn(t.services));
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
/** Keys whose values are internal row ids (numbers) rather than what partners see. */
const internalIds = (o: unknown): string[] => Object.entries(o as Record<string, unknown>).filter(([k, v]) => typeof v === 'number' || /(^|_)id$/.test(k) && k !== 'client_id').map(([k]) => k);

describe('care ecp clients', () => {
  it('create --json prints the company GUID (companyId, as in webhook payloads), never the internal company number', async () => {
    const printed = JSON.parse(await care(['ecp', 'clients', 'create', '--company', 'Guid Senior Living', '--locations', 'Guid House', '--json']));
    expect(Object.keys(printed).sort()).toEqual(['api_key', 'client_id', 'client_secret', 'client_secret_base64', 'companyId', 'locations']);
    expect(printed.companyId).toMatch(GUID);
    expect(printed).not.toHaveProperty('company_id');
    expect(internalIds(printed)).toEqual([]);
    expect(printed.locations).toEqual([{ locationId: expect.stringMatching(GUID), name: 'Guid House' }]);

    // The GUID is the one partners receive: the subscription (and every payload) carries the same companyId.
    const creds = { token: await tokenFor(t.app, printed), apiKey: printed.api_key };
    const sub = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: 'http://127.0.0.1:9/hook', eventNames: ['resident.create'] });
    expect(sub.json(), sub.body).toMatchObject({ result: 'Success' });
    const listed = await clinical(t.app, creds, 'GET', '/clinical/v1/webhook');
    expect(listed.json().data[0].companyId).toBe(printed.companyId);
  });

  it('prints the GUID in the human output too', async () => {
    const out = await care(['ecp', 'clients', 'create', '--company', 'Guid Senior Living', '--locations', 'Guid House']);
    const [{ guid }] = (await t.database.pool.query<{ guid: string }>(
      `SELECT c.guid FROM ecp_companies c JOIN organizations o ON o.id = c.organization_id WHERE o.name = 'Guid Senior Living'`,
    )).rows;
    expect(out).toContain(`(companyId ${guid})`);
    expect(out).not.toMatch(/company \d+/);
  });

  it('disable, enable, rotate-secret and rotate-api-key print no internal id', async () => {
    const { client_id: clientId } = JSON.parse(await care(['ecp', 'clients', 'create', '--company', 'Guid Senior Living', '--locations', 'Guid House', '--json']));
    for (const cmd of ['disable', 'enable', 'rotate-secret', 'rotate-api-key']) {
      const printed = JSON.parse(await care(['ecp', 'clients', cmd, clientId, '--json']));
      expect(printed.client_id, cmd).toBe(clientId);
      expect(internalIds(printed), cmd).toEqual([]);
    }
  });

  it('create --jwks and set-jwks check the keys as the workspace\'s Integrations page does (jose: public RS384/ES384 only)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'care-jwks-'));
    const file = async (name: string, jwks: unknown) => {
      const f = path.join(dir, name);
      await writeFile(f, JSON.stringify(jwks));
      return f;
    };
    const p256 = await file('p256.json', { keys: [{ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)), kid: 'p256' }] });
    await expect(care(['ecp', 'clients', 'create', '--company', 'Guid Senior Living', '--locations', 'Guid House', '--jwks', p256, '--json'])).rejects.toThrow(/P-384/);
    const p384 = await file('p384.json', { keys: [{ ...(await exportJWK((await generateKeyPair('ES384', { extractable: true })).publicKey)), kid: 'p384' }] });
    const created = JSON.parse(await care(['ecp', 'clients', 'create', '--company', 'Guid Senior Living', '--locations', 'Guid House', '--jwks', p384, '--json']));
    const org = (await t.services.identity.findOrganizationByName('Guid Senior Living'))!.id;
    expect((await t.services.partnerClients.companyClient(org, created.client_id))?.jwksKeyIds).toEqual(['p384']);
    await expect(care(['ecp', 'clients', 'set-jwks', created.client_id, p256, '--json'])).rejects.toThrow(/P-384/);
    await rm(dir, { recursive: true, force: true });
  });
});
