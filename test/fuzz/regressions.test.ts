/**
 * Findings of the fuzzer (issue 8), kept as plain tests: values PostgreSQL refuses to store (a NUL character, for
 * one) are the client's mistake and answer 400/422 in the family's shape, never 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { clinical, createPartner, tokenFor } from '../support/ecp.ts';

let t: TestContext;
let admin: TestUser;
let ecp: { token: string; apiKey: string };

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'Regression Clinic', 'admin');
  const p = await createPartner(t, 'Regression Living', ['Regression Home']);
  ecp = { token: await tokenFor(t.app, p), apiKey: p.api_key };
});
afterAll(async () => {
  await t.close();
});

describe('a NUL character in the request', () => {
  it('in an ECP path id answers 400, not 500 (fuzzer: POST /clinical/v1/webhook/%00/deliveries/x/retry)', async () => {
    const res = await clinical(t.app, ecp, 'POST', '/clinical/v1/webhook/%00/deliveries/x/retry');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ result: 'Error' });
  });

  it('in an ECM body answers 422 in the errors shape', async () => {
    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: { first_name: 'Nul\u0000l', last_name: 'Byte', ecm_eligibility_information: { member_id: 'NUL-1' } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatch(/cannot be stored/);
  });

  it('in an ECP body answers 400', async () => {
    const res = await clinical(t.app, ecp, 'POST', '/clinical/v1/resident', { firstName: 'A\u0000', lastName: 'B', dateOfBirth: '1940-01-01', locationId: 'Regression Home' });
    expect(res.statusCode).toBe(400);
  });
});
