import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ecpResidents } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let creds: { token: string; apiKey: string };

/** Seed 000's "POST resident" example, verbatim but for the placeholder locationId. */
const seedExample = (locationId: string) => ({
  building: 'West Wing', codeStatus: 'Full Code', dateOfBirth: '1970-02-21', email: 'james@james.com', firstName: 'James', gender: 'Male',
  lastName: 'Baum', livingWill: false, locationId, middleName: 'A', moveInDate: '2025-01-05', nickname: 'Jim',
  otherAdvancedDirectives: 'This is a long text field.', phone: '555-555-5555', room: '1A', suffix: 'Sr.',
});

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  other = await createPartner(t, 'Sunset Homes', ['Sunset Villa']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
});
afterAll(() => t.close());

describe('POST /clinical/v1/resident', () => {
  it('replays the seed example and returns an upper-case GUID', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident', seedExample(p.locations[0].locationId));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 'Success', residentId: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/) });
    const [row] = await t.database.db.select().from(ecpResidents).where(eq(ecpResidents.guid, res.json().residentId));
    expect(row).toMatchObject({ firstName: 'James', lastName: 'Baum', codeStatus: 'Full Code', status: 'Active', statusDescription: 'Active Resident' });
  });

  it('accepts the location by name, and a future move-in date makes the resident Inactive, Awaiting Move-In', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident', { ...seedExample('Evergreen Memory Care'), moveInDate: '2099-01-01' });
    expect(res.statusCode).toBe(200);
    const [row] = await t.database.db.select().from(ecpResidents).where(eq(ecpResidents.guid, res.json().residentId));
    expect(row).toMatchObject({ status: 'Inactive', statusDescription: 'Awaiting Move-In' });
  });

  it('answers 400 "location is invalid" for another company\'s location, the same as an unknown one', async () => {
    for (const loc of [other.locations[0].locationId, 'Sunset Villa', '00000000-0000-0000-0000-000000000000']) {
      const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident', seedExample(loc));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ result: 'Error', error: 'location is invalid' });
    }
  });

  it('names the field for missing, too long, wrong enum and malformed date values', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ firstName: undefined }, /firstName is required/],
      [{ lastName: 'x'.repeat(31) }, /lastName must be at most 30 characters/],
      [{ gender: 'Unknown' }, /gender must be one of: Male, Female, Other/],
      [{ codeStatus: 'DNR (Do Not Resuscitate)' }, /codeStatus must be one of: Full Code, DNR/],
      [{ dateOfBirth: '02/21/1970' }, /dateOfBirth must be a date in YYYY-MM-DD format/],
      [{ middleName: 'AB' }, /middleName must be at most 1 characters/],
      [{ dateOfBirth: '2999-01-01' }, /dateOfBirth cannot be in the future/],
    ];
    for (const [change, message] of cases) {
      const body = { ...seedExample(p.locations[0].locationId), ...change };
      const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident', JSON.parse(JSON.stringify(body)));
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.json().result).toBe('Error');
      expect(res.json().error).toMatch(message);
    }
    const malformed = await t.app.inject({
      method: 'POST', url: '/clinical/v1/resident', payload: '{"firstName": ',
      headers: { 'content-type': 'application/json', 'auth-bearer': `Bearer ${creds.token}`, authorization: `Api-Key ${creds.apiKey}` },
    });
    expect(malformed.json()).toEqual({ result: 'Error', error: 'The request body is not valid JSON' });
  });

  it('needs resident.write', async () => {
    const token = await tokenFor(t.app, p, 'location.read');
    const res = await clinical(t.app, { token, apiKey: p.api_key }, 'POST', '/clinical/v1/resident', seedExample(p.locations[0].locationId));
    expect(res.statusCode).toBe(403);
  });
});
