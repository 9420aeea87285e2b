/**
 * ECP request timestamps without a UTC offset, and dates alone (seed 000 asks only for ISO 8601, and its own samples
 * carry no offset): read in the location's time zone (ARCHITECTURE.md, "Time zones"), its own when set with
 * `care ecp locations set-time-zone`, else its company's (America/Los_Angeles by default).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { ecpDiagnoses, ecpLocations, ecpResidents, ecpVitals } from '../../src/db/schema.ts';
import { parseInstantIn } from '../../src/platform/time.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';

const root = path.resolve(import.meta.dirname, '../..');
let t: TestContext;
let p: Partner;
let creds: { token: string; apiKey: string };
let westResident: string;
let chicagoResident: string;
const WEST = 'Lakeside West';
const CHICAGO = 'Lakeside Chicago';

/** The real `care` process on this file's database. */
function care(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'bin/care.js'), ...args], {
    cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test' },
  });
}

async function weightAt(location: string, residentId: string, timestamp: string, weight = 150) {
  const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/weight', { weight, location, loginName: 'nurse.kim', residentId, timestamp });
  expect(res.statusCode, res.body).toBe(200);
  const rows = await t.database.db.select().from(ecpVitals).where(and(eq(ecpVitals.vitalType, 'weight'), eq(ecpVitals.value, weight)));
  expect(rows).toHaveLength(1);
  return rows[0].recordedAt.toISOString();
}

async function diagnosisAt(location: string, residentId: string, timestamp: string, diagnosis: string) {
  const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/diagnosis', { diagnosis, location, loginName: 'nurse.kim', residentId, timestamp });
  expect(res.statusCode, res.body).toBe(200);
  const [row] = await t.database.db.select().from(ecpDiagnoses).where(eq(ecpDiagnoses.diagnosis, diagnosis));
  return row.recordedAt.toISOString();
}

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, 'Lakeside Senior Living', [WEST, CHICAGO]);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  await insertEcpUser(t, p, 'nurse.kim');
  westResident = await createResident(t.app, creds, { firstName: 'Wes', lastName: 'Coast', dateOfBirth: '1940-01-01', locationId: WEST });
  chicagoResident = await createResident(t.app, creds, { firstName: 'Chi', lastName: 'Town', dateOfBirth: '1941-01-01', locationId: CHICAGO });
});
afterAll(() => t.close());

const guidOf = (name: string) => p.locations.find((l) => l.name === name)!.locationId;

describe('a location without its own time zone', () => {
  it('reads an offset-less time and a date alone in its company\'s zone (America/Los_Angeles by default)', async () => {
    // 2025-01-07 is in standard time (UTC-8); 2014-03-12 in daylight time (UTC-7, from March 9).
    expect(await weightAt(WEST, westResident, '2025-01-07T19:20:30', 101)).toBe('2025-01-08T03:20:30.000Z');
    expect(await diagnosisAt(WEST, westResident, '2014-03-12', 'West date only')).toBe('2014-03-12T07:00:00.000Z');
    // With an offset, the offset rules.
    expect(await weightAt(WEST, westResident, '2025-01-07T19:20:30+00:00', 102)).toBe('2025-01-07T19:20:30.000Z');
    const [loc] = await t.database.db.select().from(ecpLocations).where(eq(ecpLocations.guid, guidOf(WEST)));
    expect(loc.timeZone).toBeNull();
  });
});

describe('care ecp locations set-time-zone', () => {
  it('sets a location to America/Chicago (any case), and its offset-less times are read there from the next request', async () => {
    const res = care(['ecp', 'locations', 'set-time-zone', guidOf(CHICAGO).toLowerCase(), 'america/chicago', '--json']);
    expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ locationId: guidOf(CHICAGO), name: CHICAGO, timeZone: 'America/Chicago' });
    const [loc] = await t.database.db.select().from(ecpLocations).where(eq(ecpLocations.guid, guidOf(CHICAGO)));
    expect(loc.timeZone).toBe('America/Chicago');

    // Same wall time, same date: Chicago is two hours ahead of Los Angeles.
    expect(await weightAt(CHICAGO, chicagoResident, '2025-01-07T19:20:30', 201)).toBe('2025-01-08T01:20:30.000Z');
    expect(await diagnosisAt(CHICAGO, chicagoResident, '2014-03-12', 'Chicago date only')).toBe('2014-03-12T05:00:00.000Z');
    expect(await weightAt(CHICAGO, chicagoResident, '2025-01-07T19:20:30.5Z', 202)).toBe('2025-01-07T19:20:30.500Z');
    // The other location keeps its company's zone.
    expect(await weightAt(WEST, westResident, '2025-01-07T19:20:30', 103)).toBe('2025-01-08T03:20:30.000Z');
  }, 60_000);

  it('refuses a name that is not an IANA time zone with a sentence, and changes nothing', async () => {
    const res = care(['ecp', 'locations', 'set-time-zone', guidOf(WEST), 'Mars/Olympus_Mons']);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe('care: "Mars/Olympus_Mons" is not an IANA time zone name; give one such as America/Chicago or America/Los_Angeles\n');
    // Intl takes UTC offsets as zones too; they are not IANA names.
    await expect(t.services.partnerClients.setLocationTimeZone(guidOf(WEST), '+05:00')).rejects.toThrow('"+05:00" is not an IANA time zone name');
    await expect(t.services.partnerClients.setLocationTimeZone('00000000-0000-0000-0000-000000000000', 'UTC')).rejects.toThrow('No location 00000000-0000-0000-0000-000000000000');
    const [loc] = await t.database.db.select().from(ecpLocations).where(eq(ecpLocations.guid, guidOf(WEST)));
    expect(loc.timeZone).toBeNull();
  }, 60_000);
});

describe('ranges, level of care and the unchanged shapes', () => {
  it('reads offset-less and date-only range bounds in the location\'s zone', async () => {
    // 2025-01-08T01:20:30Z (reading 201) is January 7, 19:20 in Chicago: inside "2025-01-07" .. "2025-01-08" there,
    // outside it in UTC.
    const list = async (query: Record<string, string>) => {
      const res = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/weight', { location: CHICAGO, ...query });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data.map((d: { weight: number }) => d.weight);
    };
    expect(await list({ startingDateTime: '2025-01-07', endingDateTime: '2025-01-08' })).toEqual([202, 201]);
    expect(await list({ startingDateTime: '2025-01-07T19:20:31', endingDateTime: '2025-01-08T00:00:00' })).toEqual([]);
    expect(await list({ startingDateTime: '2025-01-07T19:20:30', endingDateTime: '2025-01-07T19:20:30' })).toEqual([201]);
    const diagnoses = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/diagnosis', { location: CHICAGO, startingDateTime: '2014-03-12', endingDateTime: '2014-03-12T00:00:00' });
    expect(diagnoses.json().data.map((d: { diagnosis: string }) => d.diagnosis)).toEqual(['Chicago date only']);
    const backwards = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/diagnosis', { location: CHICAGO, startingDateTime: '2014-03-12T00:00:01', endingDateTime: '2014-03-12' });
    expect(backwards.json()).toEqual({ result: 'Error', error: 'endingDateTime must not be before startingDateTime' });
  });

  it('reads the seed\'s offset-less effectiveTimestamp in the resident\'s location\'s zone', async () => {
    const res = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident/level-of-care', {
      residentId: chicagoResident, name: 'Pro Max', amount: 1500, amountFrequency: 'Monthly', effectiveTimestamp: '2024-02-02T17:47:21.823',
    });
    expect(res.statusCode, res.body).toBe(200);
    const [row] = await t.database.db.select().from(ecpResidents).where(eq(ecpResidents.guid, chicagoResident));
    expect(row.levelOfCareEffectiveAt!.toISOString()).toBe('2024-02-02T23:47:21.823Z');
  });

  it('reads an assessment\'s offset-less completedTimestamp there too, and its level of care takes effect then', async () => {
    const org = (await t.services.identity.findOrganizationByName('Lakeside Senior Living'))!.id;
    const { templateId } = await t.services.residentAssessments.defineTemplate(systemContext(org, 'test'), org, {
      name: 'Zone Check', levels: [{ minScore: 0, maxScore: 10, name: 'Level Z' }],
    });
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/assessment', {
      residentId: chicagoResident, templateId, loginName: 'nurse.kim', score: 3, completedTimestamp: '2025-01-07T19:20:30',
    });
    expect(res.statusCode, res.body).toBe(200);
    const [row] = await t.database.db.select().from(ecpResidents).where(eq(ecpResidents.guid, chicagoResident));
    expect(row.levelOfCareEffectiveAt!.toISOString()).toBe('2025-01-08T01:20:30.000Z');
    const bad = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/assessment', {
      residentId: chicagoResident, templateId, loginName: 'nurse.kim', score: 3, completedTimestamp: '2025-02-30',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/^completedTimestamp must be an ISO 8601 date and time/);
  });

  it('still refuses what is not a date: 400 with the ECP sentence', async () => {
    for (const timestamp of ['2025-02-30', '2025-01-07T24:00:00', '2025-01-07T19:20:30 PM', '2025-W02-2', '19:20:30', '2025-01-07T23:59:60']) {
      const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/weight', { weight: 150, location: WEST, loginName: 'nurse.kim', residentId: westResident, timestamp });
      expect(res.statusCode, timestamp).toBe(400);
      expect(res.json(), timestamp).toEqual({
        result: 'Error',
        error: 'timestamp must be an ISO 8601 date and time (2025-05-05T13:37:27+00:00; without an offset, the location\'s time) or a date (YYYY-MM-DD)',
      });
    }
  });

  it('an offset-less future time is refused as in the future at the location', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/weight', { weight: 150, location: CHICAGO, loginName: 'nurse.kim', residentId: chicagoResident, timestamp: '2999-01-01' });
    expect(res.json()).toEqual({ result: 'Error', error: 'timestamp cannot be in the future' });
  });

  it('GET /location keeps the seed\'s shape: the bare array of names', async () => {
    const res = await clinical(t.app, creds, 'GET', '/clinical/v1/location');
    expect(res.json()).toEqual([CHICAGO, WEST]);
  });
});

describe('parseInstantIn (luxon)', () => {
  it('takes the later (standard time) instant of a repeated wall time and moves a skipped one forward', () => {
    expect(parseInstantIn('2025-11-02T01:30:00', 'America/Chicago')!.toISOString()).toBe('2025-11-02T07:30:00.000Z');
    expect(parseInstantIn('2025-03-09T02:30:00', 'America/Chicago')!.toISOString()).toBe('2025-03-09T08:30:00.000Z');
    expect(parseInstantIn('2025-05-05T13:37:27+0530', 'America/Chicago')!.toISOString()).toBe('2025-05-05T08:07:27.000Z');
    expect(parseInstantIn('2025-05-05T13:37', 'UTC')!.toISOString()).toBe('2025-05-05T13:37:00.000Z');
  });
});
