/**
 * What the care team console needs from the API beyond the seeds: the clinic's
 * care team for every role, and the member list's acuity and lead-care-manager
 * filters on the clinic (non-admin) list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let admin: TestUser;
let coordinator: TestUser;
let provider: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'Team Clinic', 'admin', 'Ada Admin');
  coordinator = await createUser(t.services, 'Team Clinic', 'care_coordinator', 'Cora Coordinator');
  provider = await createUser(t.services, 'Team Clinic', 'provider', 'Dr. Pia');
  other = await createUser(t.services, 'Other Team Clinic', 'admin', 'Otto Other');
  const enrol = (member_id: string, first_name: string, acuity_level: string, olcm: number | null, ilcm: number | null) =>
    call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: { first_name, last_name: 'Member', ecm_eligibility_information: { member_id, acuity_level }, case_load: { provider_id: provider.id, olcm_user_id: olcm, ilcm_user_id: ilcm } },
    });
  for (const r of [
    await enrol('CT-1', 'Hana', 'high', coordinator.id, null),
    await enrol('CT-2', 'Ivo', 'low', coordinator.id, admin.id),
    await enrol('CT-3', 'Jun', 'high', null, admin.id),
  ]) expect(r.statusCode, r.body).toBe(201);
});
afterAll(() => t.close());

describe('GET /v1/clinic/ecm/care_team', () => {
  it('lists the clinic users with name, role and active flag for a coordinator, without contact details', async () => {
    const res = await call(t.app, coordinator, 'GET', '/v1/clinic/ecm/care_team?per_page=100');
    expect(res.statusCode).toBe(200);
    const team = res.json().care_team as Array<Record<string, unknown>>;
    expect(team.map((u) => u.name).sort()).toEqual(['Ada Admin', 'Cora Coordinator', 'Dr. Pia']);
    expect(team.find((u) => u.name === 'Dr. Pia')).toEqual({ id: provider.id, name: 'Dr. Pia', role: 'provider', active: true });
    expect(res.json().pagination).toMatchObject({ current_page: 1, total_count: 3 });
  });

  it('filters by role and never shows another clinic', async () => {
    const res = await call(t.app, provider, 'GET', '/v1/clinic/ecm/care_team?role=care_coordinator');
    expect(res.json().care_team.map((u: { id: number }) => u.id)).toEqual([coordinator.id]);
    const theirs = await call(t.app, other, 'GET', '/v1/clinic/ecm/care_team');
    expect(theirs.json().care_team.map((u: { name: string }) => u.name)).toEqual(['Otto Other']);
  });

  it('requires a token', async () => {
    expect((await call(t.app, null, 'GET', '/v1/clinic/ecm/care_team')).statusCode).toBe(401);
  });
});

describe('GET /v1/clinic/ecm/patients filters', () => {
  const ids = async (query: string) => {
    const res = await call(t.app, coordinator, 'GET', `/v1/clinic/ecm/patients?sort_by=member_id&sort_dir=ASC&${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().patients.map((p: { ecm_eligibility_information: { member_id: string } }) => p.ecm_eligibility_information.member_id);
  };

  it('filters by acuity level', async () => {
    expect(await ids('acuity_level=high')).toEqual(['CT-1', 'CT-3']);
  });

  it('filters by outreach and in-person lead care manager, combined with other filters', async () => {
    expect(await ids(`olcm_user_id=${coordinator.id}`)).toEqual(['CT-1', 'CT-2']);
    expect(await ids(`ilcm_user_id=${admin.id}`)).toEqual(['CT-2', 'CT-3']);
    expect(await ids(`ilcm_user_id=${admin.id}&acuity_level=high&provider_id=${provider.id}`)).toEqual(['CT-3']);
  });

  it('refuses an unknown acuity level with the API\'s sentence', async () => {
    const res = await call(t.app, coordinator, 'GET', '/v1/clinic/ecm/patients?acuity_level=extreme');
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.join(' ')).toMatch(/Acuity level/i);
  });
});
