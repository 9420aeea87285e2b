/**
 * Lead care managers (issue 7): `GET /v1/admin/clinic/ecm/lead_care_managers`
 * and `PUT /v1/admin/clinic/ecm/patients/{id}/case_load`.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../../src/db/schema.ts';
import { systemContext } from '../../../src/platform/context.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../../support/app.ts';

let t: TestContext;
let admin: TestUser;
let ann: TestUser;
let bob: TestUser;
let gone: TestUser;
let provider: TestUser;
let otherCoordinator: TestUser;
const patients: number[] = [];

async function enrol(memberId: string, caseLoad: Record<string, number | null> = {}) {
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: 'Lead', last_name: memberId, ecm_eligibility_information: { member_id: memberId }, case_load: caseLoad },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().patient.id as number;
}

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'Lead Clinic', 'admin', 'Zed Admin');
  ann = await createUser(t.services, 'Lead Clinic', 'care_coordinator', 'Ann Coordinator', '805-555-0111');
  bob = await createUser(t.services, 'Lead Clinic', 'care_coordinator', 'Bob Coordinator');
  gone = await createUser(t.services, 'Lead Clinic', 'care_coordinator', 'Cy Gone');
  provider = await createUser(t.services, 'Lead Clinic', 'provider', 'Dr. Pat');
  otherCoordinator = await createUser(t.services, 'Other Lead Clinic', 'care_coordinator', 'Al Elsewhere');
  patients.push(await enrol('L-1', { olcm_user_id: ann.id, ilcm_user_id: ann.id }));
  patients.push(await enrol('L-2', { olcm_user_id: ann.id, ilcm_user_id: admin.id }));
  patients.push(await enrol('L-3', { olcm_user_id: gone.id }));
  await t.services.identity.updateUser(systemContext(admin.organizationId, 'test'), gone.id, { active: false });
});

afterAll(() => t.close());

describe('GET /v1/admin/clinic/ecm/lead_care_managers', () => {
  it('lists the clinic\'s active care coordinators and admins by name, with how many members each leads', async () => {
    const res = await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/lead_care_managers');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      lead_care_managers: [
        { id: ann.id, name: 'Ann Coordinator', email: ann.email, phone: '+18055550111', role: 'care_coordinator', olcm_count: 2, ilcm_count: 1, members_count: 2 },
        { id: bob.id, name: 'Bob Coordinator', email: bob.email, phone: null, role: 'care_coordinator', olcm_count: 0, ilcm_count: 0, members_count: 0 },
        { id: admin.id, name: 'Zed Admin', email: admin.email, phone: null, role: 'admin', olcm_count: 0, ilcm_count: 1, members_count: 1 },
      ],
      pagination: { current_page: 1, total_pages: 1, total_count: 3, per_page: 25 },
    });
    const page2 = await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/lead_care_managers?per_page=2&page=2');
    expect(page2.json().lead_care_managers.map((u: { id: number }) => u.id)).toEqual([admin.id]);
  });

  it('answers 403 to care coordinators', async () => {
    const res = await call(t.app, ann, 'GET', '/v1/admin/clinic/ecm/lead_care_managers');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ errors: ['Admin access required'] });
  });
});

describe('PUT /v1/admin/clinic/ecm/patients/{id}/case_load', () => {
  it('sets provider, OLCM and ILCM and answers the patient detail', async () => {
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${patients[2]}/case_load`, {
      provider_id: provider.id, olcm_user_id: bob.id, ilcm_user_id: ann.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().patient).toMatchObject({
      id: patients[2],
      ecm_eligibility_information: { member_id: 'L-3' },
      case_load: {
        id: expect.any(Number), provider_id: provider.id, provider_name: 'Dr. Pat', olcm_user_id: bob.id, olcm_name: 'Bob Coordinator',
        ilcm_user_id: ann.id, ilcm_name: 'Ann Coordinator',
      },
    });
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'update'), eq(auditEvents.actorId, String(admin.id))));
    expect(audit).toMatchObject({ entityType: 'patient', entityIds: [String(patients[2])] });
    const list = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/lead_care_managers')).json().lead_care_managers;
    expect(list.find((u: { id: number }) => u.id === bob.id)).toMatchObject({ olcm_count: 1, members_count: 1 });
  });

  it('leaves omitted fields as they are, clears null ones, and takes the fields inside case_load too', async () => {
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${patients[2]}/case_load`, { case_load: { ilcm_user_id: null } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().patient.case_load).toMatchObject({ provider_id: provider.id, olcm_user_id: bob.id, ilcm_user_id: null, ilcm_name: null });
    const flat = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${patients[2]}/case_load`, { olcm_user_id: admin.id, case_load: { olcm_user_id: ann.id } });
    expect(flat.json().patient.case_load).toMatchObject({ provider_id: provider.id, olcm_user_id: ann.id });
  });

  it('refuses users who are inactive or of another clinic, with every reason at once', async () => {
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${patients[0]}/case_load`, {
      provider_id: 999_999, olcm_user_id: gone.id, ilcm_user_id: otherCoordinator.id,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      errors: [
        'Validation failed: Provider must be an active user of the clinic',
        'Validation failed: OLCM user must be an active user of the clinic',
        'Validation failed: ILCM user must be an active user of the clinic',
      ],
    });
    const bad = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${patients[0]}/case_load`, { olcm_user_id: 'ann' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: ['Validation failed: OLCM user must be a whole number'] });
    const detail = await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients/${patients[0]}`);
    expect(detail.json().patient.case_load).toMatchObject({ olcm_user_id: ann.id, ilcm_user_id: ann.id });
  });

  it('answers 404 for an unknown or another clinic\'s member and 403 to coordinators', async () => {
    const other = await createUser(t.services, 'Other Lead Clinic', 'admin');
    expect((await call(t.app, other, 'PUT', `/v1/admin/clinic/ecm/patients/${patients[0]}/case_load`, { olcm_user_id: null })).json()).toEqual({ errors: ['Patient not found'] });
    expect((await call(t.app, admin, 'PUT', '/v1/admin/clinic/ecm/patients/0/case_load', {})).statusCode).toBe(404);
    const res = await call(t.app, ann, 'PUT', `/v1/admin/clinic/ecm/patients/${patients[0]}/case_load`, { olcm_user_id: bob.id });
    expect(res.statusCode).toBe(403);
  });
});
