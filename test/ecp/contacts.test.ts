import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ecpContactResidents, ecpContacts } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let creds: { token: string; apiKey: string };
let residentId: string;

/** Seed 000's "POST resident/contact" example, verbatim but for the placeholder ids. */
const seedExample = (locationId: string, resident: string) => ({
  address: '123 Main St.', billingContact: 1, city: 'Fake City', email: 'jamies@email.com', firstName: 'Jamie', healthCarePoa: 1,
  healthCarePoaActivated: 1, lastName: 'Tester', locationId, notes: 'This is a long text field for additional notes.', phone: '555-555-5556',
  phoneCell: '555-555-5557', phoneWork: '555-555-5558', preferredContactMethod: 'Phone', preferredContactTime: 'Morning', primaryContact: 1,
  providesProducts: 1, relationship: 'Daughter', residentId: resident, state: 'WI', stateAppointedGuardian: 0, zip: 53120,
});

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident', { firstName: 'James', lastName: 'Baum', dateOfBirth: '1970-02-21', locationId: p.locations[0].locationId });
  residentId = res.json().residentId;
});
afterAll(() => t.close());

describe('POST /clinical/v1/resident/contact/', () => {
  it('replays the seed example (1/0 booleans, numeric zip, trailing slash)', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact/', seedExample(p.locations[0].locationId, residentId));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 'Success', contactId: expect.stringMatching(/^[0-9A-F-]{36}$/) });
    const [row] = await t.database.db.select().from(ecpContacts).innerJoin(ecpContactResidents, eq(ecpContactResidents.contactId, ecpContacts.id))
      .where(eq(ecpContacts.guid, res.json().contactId));
    expect(row.ecp_contacts).toMatchObject({ zip: '53120', preferredContactMethod: 'Phone' });
    expect(row.ecp_contact_residents).toMatchObject({ billingContact: true, stateAppointedGuardian: false, relationship: 'Daughter' });
  });

  it('answers an Error with the existing contactId for the same name, in any case', async () => {
    const first = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact', { ...seedExample(p.locations[0].locationId, residentId), firstName: 'Kim', lastName: 'Lee' });
    const again = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact', { ...seedExample(p.locations[0].locationId, residentId), firstName: 'KIM', lastName: 'lee' });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ result: 'Error', error: 'A contact with this first and last name already exists for this resident', contactId: first.json().contactId });
  });

  it('refuses a resident of another location, bad enums and long fields, naming the field', async () => {
    const other = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact', seedExample(p.locations[1].locationId, residentId));
    expect(other.json()).toEqual({ result: 'Error', error: 'residentId is invalid: no resident with this id at this location' });
    const bad = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact', { ...seedExample(p.locations[0].locationId, residentId), preferredContactMethod: 'Fax' });
    expect(bad.json().error).toBe('preferredContactMethod must be one of: Phone, Text, Email');
    const long = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact', { ...seedExample(p.locations[0].locationId, residentId), state: 'WIS' });
    expect(long.json().error).toBe('state must be at most 2 characters');
    const scope = await clinical(t.app, { token: await tokenFor(t.app, p, 'resident.write'), apiKey: p.api_key }, 'POST', '/clinical/v1/resident/contact', seedExample(p.locations[0].locationId, residentId));
    expect(scope.statusCode).toBe(403);
  });
});
