/**
 * PHI never reaches the logs (ARCHITECTURE.md, "Security"): the app logs at `trace` into a buffer, with the
 * production logger options, while requests carry a member's and a resident's name, date of birth, phone, e-mail
 * and message text in paths, query strings and bodies, including requests whose values the database refuses
 * (logged with the error) and a sign-in whose e-mail is too long to look up. None of those values may appear.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { clinical, createPartner, tokenFor } from '../support/ecp.ts';

const PHI = {
  first: 'Zyxwvutmember', last: 'Qloggington', dob: '1933-03-03', phone: '+18055550177', email: 'zyx.member@example.com', member: 'LOGMEM-4471',
  message: 'Hemoglobin Zyxwvut', resident: 'Zyxresident', residentDob: '1934-04-04',
};
/** The values, and the forms a phone takes in other places. */
const NEEDLES = [...Object.values(PHI), '5550177', '555-0177'];

let t: TestContext;
let admin: TestUser;
const lines: string[] = [];

beforeAll(async () => {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  t = await createTestContext({}, { log: { level: 'trace', stream } });
  admin = await createUser(t.services, 'Log Clinic', 'admin');
});
afterAll(async () => {
  await t?.close();
});

describe('logs', () => {
  it('carry no name, date of birth, phone, e-mail, member id or message of a request, answered or refused', async () => {
    const created = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: { first_name: PHI.first, last_name: PHI.last, date_of_birth: PHI.dob, phone: PHI.phone, email: PHI.email, ecm_eligibility_information: { member_id: PHI.member } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().patient.id as number;
    expect((await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients?search=${PHI.last}&per_page=5`)).statusCode).toBe(200);
    expect((await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients?search=${encodeURIComponent(PHI.phone)}`)).statusCode).toBe(200);
    expect((await call(t.app, admin, 'POST', `/v1/clinic/ecm/patients/${id}/activities`, { activity: { activity_type: 'task', message: PHI.message, assigned_to_id: admin.id } })).statusCode).toBe(201);
    // Values PostgreSQL refuses: the error is logged, and the driver's error carries the statement's parameters.
    expect((await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${id}`, { patient: { first_name: `${PHI.first}\u0000`, last_name: PHI.last, email: PHI.email } })).statusCode).toBe(422);
    expect((await call(t.app, null, 'POST', '/v1/auth/sign_in', { email: PHI.email, password: 'wrong password' })).statusCode).toBe(401);
    // An e-mail too long for its index (or refused as too long): logged as an error, if at all, without the value.
    const long = await call(t.app, null, 'POST', '/v1/auth/sign_in', { email: `${PHI.email}${'x'.repeat(9000)}`, password: 'wrong password' });
    expect(long.statusCode).toBeGreaterThanOrEqual(400);

    const p = await createPartner(t, 'Log Senior Living', ['Log Home']);
    const ecp = { token: await tokenFor(t.app, p), apiKey: p.api_key };
    const resident = { firstName: PHI.resident, lastName: PHI.last, dateOfBirth: PHI.residentDob, locationId: 'Log Home', phone: PHI.phone, email: PHI.email };
    expect((await clinical(t.app, ecp, 'POST', '/clinical/v1/resident', resident)).statusCode).toBe(200);
    expect((await clinical(t.app, ecp, 'POST', '/clinical/v1/resident', { ...resident, firstName: `${PHI.resident}\u0000` })).statusCode).toBe(400);
    expect((await clinical(t.app, ecp, 'POST', '/clinical/v1/resident/vital/pulse', { pulse: 70, timestamp: new Date().toISOString(), location: 'Log Home', loginName: 'nobody', firstName: PHI.resident, lastName: PHI.last, dateOfBirth: PHI.residentDob })).statusCode).toBe(400);

    // The logs were written (requests, and the refused values with their errors), and hold none of the values.
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.includes('value refused by the database'))).toBe(true);
    const found = NEEDLES.filter((n) => lines.some((l) => l.toLowerCase().includes(n.toLowerCase())));
    expect(found, lines.filter((l) => found.some((n) => l.toLowerCase().includes(n.toLowerCase()))).slice(0, 3).join('\n')).toEqual([]);
  });
});
