/**
 * Seed 000's "Always Specified: Yes" rule, checked over every field its webhook object tables mark so (root JSON,
 * resident, diet, allergy, levelOfCare, contact, contact.residents, user): the tables are read from the seed itself,
 * every one of the 12 events is produced from the most minimal requests the API accepts, delivered to a local
 * receiver, and no always-specified field is ever missing or null. The one documented exception is the resident's
 * `gender`, never invented (docs/decisions.md): present, null when not given.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const SEEDS = path.resolve(import.meta.dirname, '../../../shared/seeds');
const SEED_000 = path.join(SEEDS, fs.readdirSync(SEEDS).find((f) => f.startsWith('000_'))!);

/** Fields seed 000 marks "Always Specified: Yes" that stay null when not given, each with its reason in docs/decisions.md. */
const DOCUMENTED_EXCEPTIONS = new Set(['resident.gender']);

/**
 * The seed's object tables with an "Always Specified" column: table name ("root JSON", "resident", "contact.residents")
 * → the keys marked Yes. A row may wrap over several lines; the published page scrambled the `email` key into its
 * type ("String | Resident's email | No").
 */
function alwaysSpecifiedTables(text: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  const lines = text.split(/\r?\n/);
  let table: string | undefined;
  let rows: Array<{ key: string; text: string }> = [];
  const flush = () => {
    if (!table) return;
    const yes = rows.filter((r) => [...r.text.matchAll(/(?:^|\|)\s*(Yes|No)\s*\|/g)].at(-1)?.[1] === 'Yes').map((r) => r.key);
    tables.set(table, yes);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === 'Sample Payloads') break;
    const heading = /^(root JSON|(\w+(?:\.\w+)?) (?:Object|Array)):$/.exec(line);
    if (heading) {
      flush();
      table = heading[2] ?? heading[1];
      rows = [];
      continue;
    }
    if (!table || /^Key \| Value Data Type \| Description \| Always Specified \|$/.test(line)) continue;
    const row = /^([A-Za-z]+) \| (.*)$/.exec(line);
    if (row && /^(String|Boolean|Float|Object|Array)/.test(row[2])) rows.push({ key: row[1], text: line });
    else if (row && row[1] === 'String') rows.push({ key: 'email', text: line });
    else if (rows.length) rows[rows.length - 1].text += ' ' + line;
  }
  flush();
  return tables;
}

const TABLES = alwaysSpecifiedTables(fs.readFileSync(SEED_000, 'utf8'));

let t: TestContext;
let rx: WebhookReceiver;
let p: Partner;
let creds: { token: string; apiKey: string };
const LOC = 'Minimal Manor';

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  p = await createPartner(t, 'Minimal Senior Living', [LOC]);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const res = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url('/all') });
  expect(res.statusCode, res.body).toBe(200);
  rx.secrets.push(res.json().secret);
});
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

async function ok(method: string, url: string, body: unknown) {
  const res = await clinical(t.app, creds, method, url, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

/** The objects of a payload that a seed table describes: table name → the objects (contact.residents: one per entry). */
function objectsOf(payload: Record<string, any>): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [['root JSON', payload]];
  for (const [name, obj] of Object.entries(payload.data as Record<string, Record<string, unknown>>)) {
    out.push([name, obj]);
    if (name === 'contact') for (const r of obj.residents as Array<Record<string, unknown>>) out.push(['contact.residents', r]);
  }
  return out;
}

describe('seed 000 "Always Specified: Yes"', () => {
  it('reads every object table of the seed, with the fields it marks Yes', () => {
    expect([...TABLES.keys()]).toEqual(['root JSON', 'resident', 'diet', 'allergy', 'levelOfCare', 'contact', 'contact.residents', 'user']);
    expect(TABLES.get('root JSON')).toEqual(['companyId', 'dataFormat', 'eventName', 'eventTimestamp', 'id', 'version']);
    expect(TABLES.get('resident')).toEqual(['dateOfBirth', 'firstName', 'gender', 'livingWill', 'residentId', 'status', 'statusDescription']);
    expect(TABLES.get('contact.residents')).toEqual(['billingContact', 'healthCarePoa', 'primaryContact', 'providesProducts', 'residentId', 'stateAppointedGuardian']);
    expect(TABLES.get('user')).toEqual(['chartingInitials', 'firstName', 'lastName', 'locationsAllowed', 'role', 'userId']);
  });

  it('never sends one of them null or missing in any of the 12 events, from the most minimal requests', async () => {
    // Only what each request requires: no gender, no livingWill, no contact flags, no user details.
    const { residentId } = await ok('POST', '/clinical/v1/resident', { firstName: 'Min', lastName: 'Imal', dateOfBirth: '1940-01-01', locationId: LOC });
    await ok('PUT', '/clinical/v1/resident', { residentId, room: '7', livingWill: true });
    await ok('PUT', '/clinical/v1/resident', { residentId, livingWill: null, gender: null });
    await ok('PUT', '/clinical/v1/resident/diet', { residentId, foodTexture: 'Pureed' });
    await ok('PUT', '/clinical/v1/resident/level-of-care', { residentId, name: 'Basic' });
    await ok('POST', '/clinical/v1/resident/allergy', { allergy: 'Latex', location: LOC, residentId });
    const { contactId } = await ok('POST', '/clinical/v1/resident/contact/', { firstName: 'Con', lastName: 'Tact', locationId: LOC, residentId });
    await ok('PUT', '/clinical/v1/resident/contact/', { contactId, city: 'Elkhorn' });
    await ok('DELETE', '/clinical/v1/resident/contact/', { contactId });
    await ok('POST', '/clinical/v1/user', { loginName: 'minuser', location: [LOC], firstName: 'Mia', lastName: 'User', userGroup: 'RN', role: 'Nursing' });
    await ok('PUT', '/clinical/v1/user', { loginName: 'minuser', title: 'Nurse' });
    await ok('PUT', '/clinical/v1/user', { loginName: 'minuser', active: false });
    await ok('DELETE', '/clinical/v1/resident', { residentId });

    const received = await rx.waitFor(13, { timeoutMs: 15_000 });
    const payloads = received.map((r) => JSON.parse(r.body) as Record<string, any>);
    expect(new Set(payloads.map((m) => m.eventName))).toEqual(new Set([
      'resident.create', 'resident.update', 'resident.delete', 'diet.update', 'levelOfCare.update', 'allergy.update',
      'contact.create', 'contact.update', 'contact.delete', 'user.create', 'user.update', 'user.delete',
    ]));

    const checked = new Set<string>();
    for (const payload of payloads) {
      for (const [table, obj] of objectsOf(payload)) {
        const keys = TABLES.get(table);
        expect(keys, `${payload.eventName}: no seed table ${table}`).toBeDefined();
        for (const key of keys!) {
          const where = `${payload.eventName} ${table}.${key}`;
          checked.add(`${table}.${key}`);
          expect(Object.hasOwn(obj, key), `${where} is missing`).toBe(true);
          if (DOCUMENTED_EXCEPTIONS.has(`${table}.${key}`)) continue;
          expect(obj[key], `${where} is null`).not.toBeNull();
        }
      }
    }
    // Every always-specified field of every table was in some payload.
    expect(checked.size).toBe([...TABLES.values()].reduce((n, keys) => n + keys.length, 0));
    // livingWill not given is false; cleared (null) is false again; gender not given stays null.
    const resident = (event: string) => payloads.filter((m) => m.eventName === event).map((m) => m.data.resident);
    expect(resident('resident.create')).toMatchObject([{ livingWill: false, gender: null }]);
    expect(resident('resident.update').map((r) => r.livingWill)).toEqual([true, false]);
  });
});
