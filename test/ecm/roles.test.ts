/**
 * The role x endpoint matrix (ARCHITECTURE.md, "Roles"): admin reaches every
 * endpoint; care_coordinator and provider every /v1/clinic/... one and none
 * under /v1/admin/...; nobody reaches anything without a token. Every ECM
 * operation in the OpenAPI document must be listed here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/platform/context.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
const users = {} as Record<Role, TestUser>;
let patientId: number;

type Access = 'admin' | 'everyone' | 'public';
const MATRIX: Array<[method: string, path: string, access: Access, body?: unknown]> = [
  ['POST', '/v1/auth/sign_in', 'public'],
  ['GET', '/v1/me', 'everyone'],
  ['GET', '/v1/clinic/ecm/patients', 'everyone'],
  ['GET', '/v1/clinic/ecm/patients/{id}', 'everyone'],
  ['GET', '/v1/admin/clinic/ecm/patients', 'admin'],
  ['POST', '/v1/admin/clinic/ecm/patients', 'admin', { patient: { first_name: 'M', last_name: 'X', ecm_eligibility_information: { member_id: 'MATRIX' } } }],
  ['GET', '/v1/admin/clinic/ecm/patients/{id}', 'admin'],
  ['PUT', '/v1/admin/clinic/ecm/patients/{id}', 'admin', { patient: { gender: 'other' } }],
  ['POST', '/v1/admin/clinic/ecm/patients/filter', 'admin', {}],
  ['GET', '/v1/admin/users', 'admin'],
  ['POST', '/v1/admin/users', 'admin', { user: { email: 'matrix@example.com', name: 'M', role: 'provider', password: 'password-123' } }],
  ['PUT', '/v1/admin/users/{id}', 'admin', { user: { name: 'Renamed' } }],
  ['GET', '/v1/admin/organization', 'admin'],
  ['PUT', '/v1/admin/organization', 'admin', { organization: {} }],
  ['GET', '/v1/admin/audit_events', 'admin'],
  ['DELETE', '/v1/auth/sign_out', 'everyone'],
];

beforeAll(async () => {
  t = await createTestContext();
  for (const role of ['admin', 'care_coordinator', 'provider'] as const) users[role] = await createUser(t.services, 'Matrix Clinic', role);
  const res = await call(t.app, users.admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: 'Pat', last_name: 'Matrix', ecm_eligibility_information: { member_id: 'M-1' } },
  });
  patientId = res.json().patient.id;
});
afterAll(() => t.close());

describe('role x endpoint matrix', () => {
  it('lists every ECM operation of the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(MATRIX.map(([m, p]) => `${m} ${p}`).sort());
  });

  for (const [method, path, access, body] of MATRIX) {
    if (access === 'public') continue;
    it(`${method} ${path}: ${access === 'admin' ? 'admin only' : 'every role'}`, async () => {
      const url = path.replace('{id}', path.includes('/users/') ? String(users.provider.id) : String(patientId));
      const anon = await call(t.app, null, method, url, body);
      expect(anon.statusCode).toBe(401);
      expect(anon.json()).toEqual({ errors: ['Invalid or missing token'] });
      for (const role of ['care_coordinator', 'provider', 'admin'] as const) {
        if (method === 'DELETE') users[role] = await createUser(t.services, 'Matrix Clinic', role); // sign_out spends the token
        const res = await call(t.app, users[role], method, url, body);
        if (access === 'admin' && role !== 'admin') {
          expect(res.statusCode, `${role}`).toBe(403);
          expect(res.json()).toEqual({ errors: ['Admin access required'] });
        } else {
          expect(res.statusCode, `${role}: ${res.body}`).toBeLessThan(300);
        }
      }
    });
  }
});
