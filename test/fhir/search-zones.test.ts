/**
 * FHIR search dates without an offset are read in each location's time zone (src/fhir/search.ts `zonedDateRanges`),
 * as the ECP API reads an offset-less timestamp: `date=2026-11-20` is that day at the community. A client reaching
 * locations in two zones gets one range per zone, merged into one keyset page (`pageAcrossGroups`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import type { Bundle, Condition, Observation, Patient } from '@medplum/fhirtypes';
import { ecpLocations, ecpResidents } from '../../src/db/schema.ts';
import { dateRange, pageAcrossGroups, zonedDateRanges } from '../../src/fhir/search.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let creds: { token: string; apiKey: string };
let west: string;
let east: string;
const WEST = 'Ocean View (Los Angeles)';
const EAST = 'Harbor House (New York)';
/** 2026-11-20 07:30 UTC: 2026-11-19 23:30 in Los Angeles (UTC-8), 2026-11-20 02:30 in New York (UTC-5). */
const AT = '2026-11-20T07:30:00.000Z';

async function get(path: string) {
  const res = await t.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${creds.token}` } });
  return { status: res.statusCode, body: res.json() as Bundle };
}
const ids = (b: Bundle) => (b.entry ?? []).map((e) => e.resource!.id);
const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, 'Coast to Coast Living', [WEST, EAST]);
  await t.database.db.update(ecpLocations).set({ timeZone: 'America/Los_Angeles' }).where(eq(ecpLocations.name, WEST));
  await t.database.db.update(ecpLocations).set({ timeZone: 'America/New_York' }).where(eq(ecpLocations.name, EAST));
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  await insertEcpUser(t, p, 'nurse.zones');
  west = await createResident(t.app, creds, { firstName: 'Wes', lastName: 'West', dateOfBirth: '1940-01-01', locationId: WEST });
  east = await createResident(t.app, creds, { firstName: 'Eve', lastName: 'East', dateOfBirth: '1940-01-01', locationId: EAST });
  for (const [residentId, locationId] of [[west, WEST], [east, EAST]]) {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/pulse', { pulse: 70, locationId, loginName: 'nurse.zones', residentId, timestamp: AT });
    expect(res.statusCode, res.body).toBe(200);
    const dx = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/diagnosis', { loginName: 'nurse.zones', diagnosis: 'Zone test', timestamp: AT, locationId, residentId });
    expect(dx.statusCode, dx.body).toBe(200);
  }
});
afterAll(() => t.close());

describe('date ranges in a time zone', () => {
  it('reads a date, a month and an offset-less dateTime as wall-clock time in the zone; a value with an offset as given', () => {
    expect(dateRange('date', '2026-11-20', 'America/Los_Angeles')).toEqual({ from: new Date('2026-11-20T08:00:00.000Z'), to: new Date('2026-11-21T07:59:59.999Z') });
    // The day the clocks go back is 25 hours long there.
    expect(dateRange('date', '2026-11-01', 'America/Los_Angeles')).toEqual({ from: new Date('2026-11-01T07:00:00.000Z'), to: new Date('2026-11-02T07:59:59.999Z') });
    expect(dateRange('date', 'ge2026-11', 'America/New_York')).toEqual({ from: new Date('2026-11-01T04:00:00.000Z') });
    expect(dateRange('date', 'lt2026-11-20T10:00', 'America/New_York')).toEqual({ to: new Date('2026-11-20T14:59:59.999Z') });
    expect(dateRange('date', 'ge2026-11-20T10:00:00Z', 'America/New_York')).toEqual({ from: new Date('2026-11-20T10:00:00.000Z') });
    expect(dateRange('date', '2026-11-20')).toEqual({ from: new Date('2026-11-20T00:00:00.000Z'), to: new Date('2026-11-20T23:59:59.999Z') });
    expect(() => dateRange('date', '2026-02-30', 'America/New_York')).toThrow(/not a valid date/);
  });

  it('splits by zone only when a value has no offset', () => {
    const locations = [{ id: 1, zone: 'America/Los_Angeles' }, { id: 2, zone: 'America/New_York' }, { id: 3, zone: 'America/Los_Angeles' }];
    expect(zonedDateRanges('date', ['ge2026-11-20T00:00:00Z'], locations)).toEqual([{ locationIds: [1, 2, 3], from: new Date('2026-11-20T00:00:00.000Z') }]);
    expect(zonedDateRanges('date', undefined, locations)).toEqual([{ locationIds: [1, 2, 3] }]);
    expect(zonedDateRanges('date', ['2026-11-20'], locations)).toEqual([
      { locationIds: [1, 3], from: new Date('2026-11-20T08:00:00.000Z'), to: new Date('2026-11-21T07:59:59.999Z') },
      { locationIds: [2], from: new Date('2026-11-20T05:00:00.000Z'), to: new Date('2026-11-21T04:59:59.999Z') },
    ]);
  });

  it('merges the groups\' pages by key and cuts at the count', async () => {
    const pages: Record<number, { rows: number[]; more: boolean }> = { 1: { rows: [2, 5], more: true }, 2: { rows: [3, 4], more: false } };
    const page = await pageAcrossGroups([{ locationIds: [1] }, { locationIds: [2] }], 2, async (g) => pages[g.locationIds[0]], (n) => n);
    expect(page).toEqual({ rows: [2, 3], more: true });
  });
});

describe('FHIR searches with offset-less dates', () => {
  it('Observation date=2026-11-20 finds the New York reading (02:30 there) but not the Los Angeles one (the 19th there)', async () => {
    const day20 = await get('/fhir/R4/Observation?date=2026-11-20');
    expect(day20.status).toBe(200);
    expect((day20.body.entry ?? []).map((e) => (e.resource as Observation).subject?.reference)).toEqual([`Patient/${east}`]);
    const day19 = await get('/fhir/R4/Observation?date=2026-11-19');
    expect((day19.body.entry ?? []).map((e) => (e.resource as Observation).subject?.reference)).toEqual([`Patient/${west}`]);
    // With an offset the instant decides, wherever the location is.
    const utc = await get(`/fhir/R4/Observation?date=${encodeURIComponent('ge2026-11-20T07:00:00Z')}&date=${encodeURIComponent('le2026-11-20T08:00:00Z')}`);
    expect(ids(utc.body)).toHaveLength(2);
  });

  it('Condition recorded-date is read the same way', async () => {
    const day20 = await get('/fhir/R4/Condition?recorded-date=2026-11-20');
    expect((day20.body.entry ?? []).map((e) => (e.resource as Condition).subject?.reference)).toEqual([`Patient/${east}`]);
  });

  it('Patient _lastUpdated uses each resident\'s location zone', async () => {
    await t.database.db.update(ecpResidents).set({ updatedAt: new Date(AT) }).where(inArray(ecpResidents.guid, [west, east]));
    const day20 = await get('/fhir/R4/Patient?_lastUpdated=2026-11-20');
    expect((day20.body.entry ?? []).map((e) => (e.resource as Patient).id)).toEqual([east]);
  });

  it('pages across the two zones with _count=1: each reading once, in id order, then no next link', async () => {
    const first = await get('/fhir/R4/Observation?date=ge2026-11-19&_count=1');
    expect(ids(first.body)).toHaveLength(1);
    const next = first.body.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toBeDefined();
    const second = await get(local(next!));
    expect(ids(second.body)).toHaveLength(1);
    expect(second.body.link?.find((l) => l.relation === 'next')).toBeUndefined();
    const all = await get('/fhir/R4/Observation?date=ge2026-11-19');
    expect([...ids(first.body), ...ids(second.body)]).toEqual(ids(all.body));
    expect(ids(all.body)).toHaveLength(2);
  });
});
