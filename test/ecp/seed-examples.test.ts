/**
 * Every example body of seed 000's REST section, replayed against its endpoint (ARCHITECTURE.md, "Replaying seed
 * examples": placeholder GUIDs and scrambled addresses substituted, the trailing comma of the vitals example
 * removed, everything else verbatim), and the documented error conditions answered `result: "Error"`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, insertEcpUser, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let creds: { token: string; apiKey: string };
let residentId: string;
let userId: string;

/** The seed's text with placeholders substituted, parsed. */
const seed = (text: string, subs: Record<string, string> = {}) => {
  let s = text;
  for (const [from, to] of Object.entries(subs)) s = s.split(from).join(to);
  return JSON.parse(s.replace(/,\s*}$/, ' }'));
};

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living']);
  userId = (await insertEcpUser(t, p, 'jbaum')).guid;
});
afterAll(() => t.close());

describe('seed 000 examples', () => {
  it('POST /token with the seed body (client_secret base64, scope)', async () => {
    const body = seed('{ "grant_type": "client_credentials", "client_id": "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX", "client_secret": "lkinawekiginawkeuifnalksdfnalkwuenfaukwefluaksdf", "scope": "location.read vital.read vital.write" }', {
      'XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX': p.client_id, lkinawekiginawkeuifnalksdfnalkwuenfaukwefluaksdf: p.client_secret_base64,
    });
    const res = await t.app.inject({ method: 'POST', url: '/token', payload: body });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String), scope: 'location.read vital.read vital.write' });
    // The rest of the examples need every scope.
    const all = await t.app.inject({ method: 'POST', url: '/token', payload: { ...body, scope: undefined } });
    creds = { token: all.json().access_token, apiKey: p.api_key };
  });

  it('GET /clinical/v1/location answers the bare array of names', async () => {
    const res = await clinical(t.app, creds, 'GET', '/clinical/v1/location');
    expect(res.json()).toEqual(['Evergreen Assisted Living']);
  });

  it('POST /clinical/v1/resident', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident', seed('{ "building": "West Wing", "codeStatus": "Full Code", "dateOfBirth": "1970-02-21", "email": "james@james.com", "firstName": "James", "gender": "Male", "lastName": "Baum", "livingWill": false, "locationId": "XXX12FF-XXXC-XXX2-843C-93AXXXX772F8", "middleName": "A", "moveInDate": "2025-01-05", "nickname": "Jim", "otherAdvancedDirectives": "This is a long text field.", "phone": "555-555-5555", "room": "1A", "suffix": "Sr." }', {
      'XXX12FF-XXXC-XXX2-843C-93AXXXX772F8': p.locations[0].locationId,
    }));
    expect(res.json()).toMatchObject({ result: 'Success', residentId: expect.any(String) });
    residentId = res.json().residentId;
  });

  it('POST /clinical/v1/resident/contact/', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/contact/', seed('{ "address": "123 Main St.", "billingContact": 1, "city": "Fake City", "email": "jamies@email.com", "firstName": "Jamie", "healthCarePoa": 1, "healthCarePoaActivated": 1, "lastName": "Tester", "locationId": "XXX12FF-XXXC-XXX2-843C-93AXXXX772F8", "notes": "This is a long text field for additional notes.", "phone": "555-555-5556", "phoneCell": "555-555-5557", "phoneWork": "555-555-5558", "preferredContactMethod": "Phone", "preferredContactTime": "Morning", "primaryContact": 1, "providesProducts": 1, "relationship": "Daughter", "residentId": "2CXXXXFB-4XXE-4XX0-8XX6-1ECB6XXXX173", "state": "WI", "stateAppointedGuardian": 0, "zip": 53120 }', {
      'XXX12FF-XXXC-XXX2-843C-93AXXXX772F8': p.locations[0].locationId, '2CXXXXFB-4XXE-4XX0-8XX6-1ECB6XXXX173': residentId,
    }));
    expect(res.json()).toMatchObject({ result: 'Success', contactId: expect.any(String) });
  });

  it('POST /clinical/v1/resident/vital/weight (name + date of birth of a second James Baum)', async () => {
    await clinical(t.app, creds, 'POST', '/clinical/v1/resident', { firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', locationId: p.locations[0].locationId });
    const text = '{ "weight": "180", "locationId": "XXX12FF-XXXC-XXX2-843C-93AXXXX772F8", "userId": "12314XX-XXXX-XXXX-XXXX-876XXXX888XX", "firstName": "James", "lastName": "Baum", "dateOfBirth": "1950-06-02", "timestamp": "2025-10-09T19:20:30+00:00", }';
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/weight', seed(text, {
      'XXX12FF-XXXC-XXX2-843C-93AXXXX772F8': p.locations[0].locationId, '12314XX-XXXX-XXXX-XXXX-876XXXX888XX': userId,
    }));
    expect(res.json()).toEqual({ result: 'Success' });
  });

  it('GET /clinical/v1/resident/vital/weight with the seed JSON body (page 10 of a short list is empty)', async () => {
    const res = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/weight', seed('{ "locationId": "XXX12FF-XXXC-XXX2-843C-93AXXXX772F8", "startingDateTime": "2025-01-05T19:20:30+00:00", "endingDateTime": "2025-01-10T19:20:30+00:00", "page": 10 }', {
      'XXX12FF-XXXC-XXX2-843C-93AXXXX772F8': p.locations[0].locationId,
    }));
    expect(res.json()).toEqual({ result: 'Success', numberOfResults: 0, data: [] });
  });

  it('GET /clinical/v1/resident/allergy with the seed JSON body', async () => {
    const res = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/allergy', seed('{ "location": "Evergreen Assisted Living", "page": 10 }'));
    expect(res.json()).toEqual({ result: 'Success', numberOfResults: 0, data: [] });
  });

  it('the vitals and diagnosis examples with their times offset-less or dates alone (read in the location\'s zone, America/Los_Angeles by default)', async () => {
    const subs = { 'XXX12FF-XXXC-XXX2-843C-93AXXXX772F8': p.locations[0].locationId, '12314XX-XXXX-XXXX-XXXX-876XXXX888XX': userId };
    for (const [weight, timestamp] of [['181', '2025-10-09T19:20:30'], ['182', '2025-10-09']]) {
      const text = `{ "weight": "${weight}", "locationId": "XXX12FF-XXXC-XXX2-843C-93AXXXX772F8", "userId": "12314XX-XXXX-XXXX-XXXX-876XXXX888XX", "firstName": "James", "lastName": "Baum", "dateOfBirth": "1950-06-02", "timestamp": "${timestamp}", }`;
      const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/weight', seed(text, subs));
      expect(res.json(), timestamp).toEqual({ result: 'Success' });
    }
    const list = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/weight', seed('{ "locationId": "XXX12FF-XXXC-XXX2-843C-93AXXXX772F8", "startingDateTime": "2025-10-09", "endingDateTime": "2025-10-09T19:20:30" }', subs));
    expect(list.json()).toMatchObject({ result: 'Success', numberOfResults: 3 });
    // October 9 is daylight time in Los Angeles (UTC-7); 180 is the example above, with its offset.
    expect(list.json().data.map((d: { weight: number; timestamp: string }) => [d.weight, d.timestamp])).toEqual([
      [182, '2025-10-09T07:00:00.000+00:00'], [180, '2025-10-09T19:20:30.000+00:00'], [181, '2025-10-10T02:20:30.000+00:00'],
    ]);
    const diagnosis = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/diagnosis', {
      diagnosis: 'Essential hypertension', location: 'Evergreen Assisted Living', loginName: 'jbaum', residentId, timestamp: '2014-03-12T13:37:27',
    });
    expect(diagnosis.json()).toEqual({ result: 'Success' });
    const diagnoses = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/diagnosis', { location: 'Evergreen Assisted Living', startingDateTime: '2014-03-12', endingDateTime: '2014-03-13' });
    expect(diagnoses.json().data.map((d: { timestamp: string }) => d.timestamp)).toEqual(['2014-03-12T20:37:27.000+00:00']);
  });

  it('answers the documented error conditions with result "Error"', async () => {
    const loc = p.locations[0].locationId;
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['POST', '/clinical/v1/resident', { firstName: 'No', locationId: loc }], // required fields missing
      ['POST', '/clinical/v1/resident', { firstName: 'A', lastName: 'B', dateOfBirth: '1950-01-01', locationId: 'Nowhere' }], // location invalid
      ['POST', '/clinical/v1/resident/contact/', { firstName: 'Jamie', lastName: 'Tester', locationId: loc, residentId }], // duplicate contact
      ['POST', '/clinical/v1/resident/vital/pulse', { pulse: 70, locationId: loc, userId, timestamp: '2025-10-09T19:20:30+00:00' }], // no resident identification
      ['POST', '/clinical/v1/resident/allergy', { allergy: 'Bees', location: 'Evergreen Assisted Living', firstName: 'James', lastName: 'Baum', dateOfBirth: '1970-02-22' }], // no match
      ['POST', '/clinical/v1/resident/allergy', { allergy: 'Bees', location: 'Evergreen Assisted Living' }], // neither triple nor pair
    ];
    for (const [method, url, body] of cases) {
      const res = await clinical(t.app, creds, method, url, body);
      expect(res.statusCode, `${url} ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ result: 'Error', error: expect.any(String) });
    }
  });

  it('the seed\'s resident, contact and weight come back through the FHIR door as US Core resources with LOINC and UCUM', async () => {
    const fhir = async (url: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/R4/${url}`, headers: { authorization: `Bearer ${creds.token}` } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    expect(await fhir(`Patient/${residentId}`)).toMatchObject({
      resourceType: 'Patient', id: residentId, gender: 'male', birthDate: '1970-02-21',
      name: [{ use: 'official', family: 'Baum', given: ['James', 'A'], suffix: ['Sr.'] }, { use: 'nickname', given: ['Jim'] }],
      telecom: [{ system: 'phone', value: '555-555-5555' }, { system: 'email', value: 'james@james.com' }],
    });
    const [related] = (await fhir(`RelatedPerson?patient=${residentId}`)).entry;
    expect(related.resource).toMatchObject({
      patient: { reference: `Patient/${residentId}` }, relationship: [{ text: 'Daughter' }], name: [{ family: 'Tester', given: ['Jamie'] }],
      address: [{ line: ['123 Main St.'], city: 'Fake City', state: 'WI', postalCode: '53120' }],
    });
    const weights = (await fhir('Observation?code=http://loinc.org|29463-7')).entry;
    // Other tests of this file add weights (offset-less timestamps): the seed's own reading is among them.
    expect(weights.map((e: { resource: Record<string, unknown> }) => e.resource)).toContainEqual(expect.objectContaining({
      status: 'final', effectiveDateTime: '2025-10-09T19:20:30.000Z',
      category: [expect.objectContaining({ coding: [expect.objectContaining({ code: 'vital-signs' })] })],
      code: expect.objectContaining({ coding: [expect.objectContaining({ system: 'http://loinc.org', code: '29463-7' })] }),
      valueQuantity: { value: 180, unit: 'lb', system: 'http://unitsofmeasure.org', code: '[lb_av]' },
    }));
  });
});
