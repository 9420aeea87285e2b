import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { auditEvents } from '../../src/db/schema.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let admin: TestUser;
let coordinator: TestUser;
let provider: TestUser;
let otherAdmin: TestUser;
const ids: Record<string, number> = {};

async function enrol(user: TestUser, patient: Record<string, unknown>) {
  const res = await call(t.app, user, 'POST', '/v1/admin/clinic/ecm/patients', { patient });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().patient;
}

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'Sunrise ECM', 'admin', 'Ada Admin');
  coordinator = await createUser(t.services, 'Sunrise ECM', 'care_coordinator', 'Jane Coordinator');
  provider = await createUser(t.services, 'Sunrise ECM', 'provider', 'Dr. Smith');
  otherAdmin = await createUser(t.services, 'Other Clinic', 'admin');

  const john = await enrol(admin, {
    first_name: 'John', last_name: 'Doe', date_of_birth: '2010-05-15', gender: 'male',
    address: { street: '123 Main St', city: 'Los Angeles', state: 'CA', zip: '90001' },
    phone: '(805) 123-4567', email: 'john.doe@example.com', services: ['ecm', 'clinical'],
    ecm_eligibility_information: {
      member_id: 'MEM0000000001', cin: 'CIN123456', ecm_service_auth_id: 'AUTH123456', ecm_provider_name: 'Esteem Health PSC',
      ecm_npi: '1234567890', ecm_benefit_auth_eff_date: '2024-01-01', ecm_benefit_auth_end_date: '2024-12-31',
      acuity_level: 'high', member_record_status: 'new_member',
    },
    case_load: { provider_id: provider.id, olcm_user_id: coordinator.id, ilcm_user_id: admin.id },
  });
  ids.john = john.id;
  ids.johnny = (await enrol(admin, {
    first_name: 'Johnny', last_name: 'Appleseed', date_of_birth: '1980-01-01',
    ecm_eligibility_information: { member_id: 'MEM0000000002', acuity_level: 'low', member_record_status: 'continuing_member' },
  })).id;
  ids.mary = (await enrol(admin, {
    first_name: 'Mary', last_name: 'Major', date_of_birth: '1955-03-02',
    ecm_eligibility_information: { member_id: 'XJOHN-77', acuity_level: 'medium', member_record_status: 'pending_member' },
    case_load: { provider_id: provider.id },
  })).id;
  for (let i = 0; i < 27; i++) {
    await enrol(admin, {
      first_name: `Filler${String(i).padStart(2, '0')}`, last_name: 'Person',
      ecm_eligibility_information: { member_id: `FILL${i}`, member_record_status: i % 2 ? 'inactive_member' : 'terminated_member', acuity_level: 'low' },
    });
  }
  ids.other = (await enrol(otherAdmin, {
    first_name: 'John', last_name: 'Elsewhere', ecm_eligibility_information: { member_id: 'MEM0000000001' },
  })).id;
  await t.database.db.execute(sql`INSERT INTO ecm_authorizations (organization_id, patient_id, auth_no, auth_type, authorization_type, status, start_date, expiration_date)
    VALUES (${admin.organizationId}, ${ids.john}, 'AUTH0000000001', 'ES', 'Form I', 'Approved', '2024-01-01', '2024-12-31'),
           (${admin.organizationId}, ${ids.mary}, 'AUTH0000000009', 'ES', 'Form E', 'Pending', '2024-02-01', '2025-01-31')`);
});

afterAll(async () => {
  await t.close();
});

describe('GET /v1/admin/clinic/ecm/patients (seed 001 "List ECM Patients")', () => {
  it('replays the seed example: page=1&per_page=25&search=John', async () => {
    const res = await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?page=1&per_page=25&search=John');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.pagination).toEqual({ current_page: 1, total_pages: 1, total_count: 3, per_page: 25 });
    const names = body.patients.map((p: { name: string }) => p.name);
    expect(names).toEqual(['John Doe', 'Johnny Appleseed', 'Mary Major'].sort((a, b) => a.split(' ')[1].localeCompare(b.split(' ')[1])));
    const john = body.patients.find((p: { id: number }) => p.id === ids.john);
    expect(john).toEqual({
      id: ids.john,
      name: 'John Doe',
      date_of_birth: '2010-05-15',
      ecm_eligibility_information: {
        id: expect.any(Number), member_id: 'MEM0000000001', cin: 'CIN123456', ecm_service_auth_id: 'AUTH123456',
        ecm_provider_name: 'Esteem Health PSC', ecm_benefit_auth_eff_date: '2024-01-01', ecm_benefit_auth_end_date: '2024-12-31',
        acuity_level: 'high', member_record_status: 'new_member',
      },
      case_load: {
        provider_id: provider.id, provider_name: 'Dr. Smith', olcm_user_id: coordinator.id, olcm_name: 'Jane Coordinator',
        ilcm_user_id: admin.id, ilcm_name: 'Ada Admin',
      },
    });
  });

  it('searches case-insensitively on name or member_id, never across clinics', async () => {
    const byMember = await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?search=mem000000000');
    expect(byMember.json().patients.map((p: { id: number }) => p.id).sort()).toEqual([ids.john, ids.johnny].sort());
    const literal = await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?search=%25');
    expect(literal.json().pagination.total_count).toBe(0);
    const other = await call(t.app, otherAdmin, 'GET', '/v1/admin/clinic/ecm/patients?search=john');
    expect(other.json().patients.map((p: { id: number }) => p.id)).toEqual([ids.other]);
  });

  it('filters by status and provider_id', async () => {
    const res = await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients?status=pending_member&provider_id=${provider.id}`);
    expect(res.json().patients.map((p: { id: number }) => p.id)).toEqual([ids.mary]);
  });

  it('pages: defaults, past the last page, per_page over 100', async () => {
    const first = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients')).json();
    expect(first.pagination).toEqual({ current_page: 1, total_pages: 2, total_count: 30, per_page: 25 });
    expect(first.patients).toHaveLength(25);
    const second = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?page=2')).json();
    expect(second.patients).toHaveLength(5);
    const ids1 = new Set(first.patients.map((p: { id: number }) => p.id));
    expect(second.patients.every((p: { id: number }) => !ids1.has(p.id))).toBe(true);
    const past = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?page=9')).json();
    expect(past).toEqual({ patients: [], pagination: { current_page: 9, total_pages: 2, total_count: 30, per_page: 25 } });
    const big = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?per_page=500')).json();
    expect(big.pagination.per_page).toBe(100);
    expect(big.patients).toHaveLength(30);
    const viaPageSize = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?page_size=7')).json();
    expect(viaPageSize.pagination.per_page).toBe(7);
  });

  it('rejects page 0 and an unknown status with 422 sentences', async () => {
    const res = await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?page=0&status=alive');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ['Page must be greater than or equal to 1', 'Status is not included in the list'] });
  });

  it('answers 403 Admin access required to coordinators and providers, 401 without a token', async () => {
    for (const u of [coordinator, provider]) {
      const res = await call(t.app, u, 'GET', '/v1/admin/clinic/ecm/patients');
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ errors: ['Admin access required'] });
    }
    const anon = await call(t.app, null, 'GET', '/v1/admin/clinic/ecm/patients');
    expect(anon.statusCode).toBe(401);
    expect(anon.json()).toEqual({ errors: ['Invalid or missing token'] });
  });
});

describe('GET /v1/admin/clinic/ecm/patients/{id} (seed 001 "Get ECM Patient Details")', () => {
  it('returns every field of the seed example', async () => {
    const res = await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients/${ids.john}`);
    expect(res.statusCode).toBe(200);
    const p = res.json().patient;
    expect(Object.keys(p).sort()).toEqual([
      'activities_count', 'address', 'case_load', 'created_at', 'date_of_birth', 'ecm_authorizations', 'ecm_eligibility_information',
      'ecm_status_history', 'email', 'first_name', 'gender', 'id', 'last_activity_at', 'last_name', 'name', 'phone', 'services', 'updated_at',
    ]);
    expect(p).toMatchObject({
      id: ids.john, name: 'John Doe', first_name: 'John', last_name: 'Doe', date_of_birth: '2010-05-15', gender: 'male',
      address: { street: '123 Main St', city: 'Los Angeles', state: 'CA', zip: '90001' },
      phone: '+18051234567', email: 'john.doe@example.com', services: ['ecm', 'clinical'],
      ecm_eligibility_information: { member_id: 'MEM0000000001', ecm_npi: '1234567890', acuity_level: 'high', member_record_status: 'new_member' },
      case_load: { id: expect.any(Number), provider_id: provider.id, provider_name: 'Dr. Smith', olcm_name: 'Jane Coordinator', ilcm_name: 'Ada Admin' },
      ecm_authorizations: [{ id: expect.any(Number), auth_no: 'AUTH0000000001', auth_type: 'ES', authorization_type: 'Form I', status: 'Approved', start_date: '2024-01-01', expiration_date: '2024-12-31' }],
      ecm_status_history: [{ id: expect.any(Number), status: 'new_member', changed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), changed_by: 'Ada Admin' }],
      activities_count: 0,
      last_activity_at: null,
    });
    expect(p.ecm_eligibility_information.created_at).toMatch(/\.\d{3}Z$/);
  });

  it('answers 404 Patient not found for an unknown id, a malformed id and another clinic\'s member', async () => {
    for (const path of ['999999', 'abc', String(ids.other)]) {
      const res = await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients/${path}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: ['Patient not found'] });
    }
  });
});

describe('PUT /v1/admin/clinic/ecm/patients/{id} (seed 001 "Update ECM Patient")', () => {
  it('replays the seed example and appends the status change to the history', async () => {
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.john}`, {
      patient: { ecm_eligibility_information: { acuity_level: 'high', member_record_status: 'continuing_member' } },
    });
    expect(res.statusCode).toBe(200);
    const p = res.json().patient;
    expect(p.ecm_eligibility_information.member_record_status).toBe('continuing_member');
    expect(p.ecm_status_history.map((h: { status: string; changed_by: string }) => [h.status, h.changed_by])).toEqual([
      ['new_member', 'Ada Admin'],
      ['continuing_member', 'Ada Admin'],
    ]);
    // The same status again adds nothing.
    const again = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.john}`, {
      patient: { ecm_eligibility_information: { member_record_status: 'continuing_member' } },
    });
    expect(again.json().patient.ecm_status_history).toHaveLength(2);
  });

  it('changes names, date of birth and contact fields, normalising the phone to E.164', async () => {
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.johnny}`, {
      patient: { first_name: 'Jonathan', date_of_birth: '1981-02-03', phone: '805-555-0142', email: 'jon@example.com', address: { city: 'Ventura' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().patient).toMatchObject({
      name: 'Jonathan Appleseed', date_of_birth: '1981-02-03', phone: '+18055550142', email: 'jon@example.com',
      address: { street: null, city: 'Ventura', state: null, zip: null },
    });
  });

  it('takes JSON null as null (never coerced to 0 or ""): clearing a case load role', async () => {
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.john}`, { patient: { case_load: { ilcm_user_id: null }, gender: null } });
    expect(res.statusCode).toBe(200);
    expect(res.json().patient.case_load).toMatchObject({ provider_id: provider.id, ilcm_user_id: null, ilcm_name: null });
    expect(res.json().patient.gender).toBeNull();
    await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.john}`, { patient: { case_load: { ilcm_user_id: admin.id }, gender: 'male' } });
  });

  it('answers 422 with one prefixed message per problem and changes nothing', async () => {
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.mary}`, {
      patient: { date_of_birth: '1955-02-30', ecm_eligibility_information: { acuity_level: 'extreme', member_record_status: 'gone' } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      'Validation failed: Date of birth must be a valid date (YYYY-MM-DD)',
      'Validation failed: Acuity level is not included in the list',
      'Validation failed: Member record status is not included in the list',
    ]);
    const bad = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.mary}`, {
      patient: { first_name: 'Maria', phone: 'call me maybe', ecm_eligibility_information: { member_id: ' ' } },
    });
    expect(bad.json().errors).toEqual(["Validation failed: Member ID can't be blank", 'Validation failed: Phone is not a valid phone number']);
    const unchanged = await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients/${ids.mary}`);
    expect(unchanged.json().patient.first_name).toBe('Mary');
  });

  it('answers 400 for malformed JSON, 404 for another clinic\'s member, 403 for a coordinator', async () => {
    const malformed = await t.app.inject({
      method: 'PUT', url: `/v1/admin/clinic/ecm/patients/${ids.mary}`,
      headers: { 'x-user-token': admin.token, 'content-type': 'application/json' }, payload: '{"patient": {',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ errors: ['Malformed JSON body'] });
    const cross = await call(t.app, otherAdmin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.mary}`, { patient: { first_name: 'X' } });
    expect(cross.statusCode).toBe(404);
    const coord = await call(t.app, coordinator, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.mary}`, { patient: { first_name: 'X' } });
    expect(coord.statusCode).toBe(403);
  });
});

describe('POST /v1/admin/clinic/ecm/patients/filter (seed 001 "Filter ECM Patients")', () => {
  it('replays the seed example', async () => {
    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients/filter', {
      search: 'John', filters: { status: 'new_member', acuity_level: 'high', provider_id: provider.id }, sort_by: 'created_at', sort_dir: 'DESC', page: 1, per_page: 25,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ patients: [], pagination: { current_page: 1, total_count: 0, per_page: 25 } });
    const mary = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients/filter', {
      search: 'john', filters: { status: 'pending_member', acuity_level: 'medium', provider_id: provider.id },
    });
    expect(mary.json().patients.map((p: { id: number }) => p.id)).toEqual([ids.mary]);
  });

  it('filters by OLCM, ILCM and authorization status', async () => {
    const f = async (filters: Record<string, unknown>) =>
      (await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients/filter', { filters })).json().patients.map((p: { id: number }) => p.id);
    expect(await f({ olcm_user_id: coordinator.id })).toEqual([ids.john]);
    expect(await f({ ilcm_user_id: admin.id })).toEqual([ids.john]);
    expect(await f({ authorization_status: 'Pending' })).toEqual([ids.mary]);
    expect(await f({ authorization_status: 'Approved', ilcm_user_id: coordinator.id })).toEqual([]);
  });

  it('sorts by every documented field in both directions, case-insensitively', async () => {
    const list = async (sort_by: string, sort_dir: string) =>
      (await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients/filter', { sort_by, sort_dir, per_page: 100 })).json().patients;
    const byName = (await list('name', 'asc')).map((p: { name: string }) => p.name);
    const lastNames = byName.map((n: string) => n.split(' ')[1]);
    expect(lastNames).toEqual([...lastNames].sort());
    expect(byName[0]).toMatch(/Appleseed$/);
    const dob = (await list('date_of_birth', 'desc')).map((p: { date_of_birth: string | null }) => p.date_of_birth);
    expect(dob.slice(0, 3)).toEqual(['2010-05-15', '1981-02-03', '1955-03-02']);
    expect(dob.at(-1)).toBeNull(); // nulls last
    const acuity = (await list('acuity_level', 'DESC')).map((p: { ecm_eligibility_information: { acuity_level: string } }) => p.ecm_eligibility_information.acuity_level);
    expect(acuity.slice(0, 2)).toEqual(['high', 'medium']);
    const memberIds = (await list('member_id', 'Asc')).map((p: { ecm_eligibility_information: { member_id: string } }) => p.ecm_eligibility_information.member_id);
    expect(memberIds).toEqual([...memberIds].sort());
    for (const field of ['id', 'first_name', 'last_name', 'member_record_status', 'ecm_benefit_auth_eff_date', 'ecm_benefit_auth_end_date', 'activities_count', 'last_activity_at', 'created_at', 'updated_at']) {
      const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients/filter', { sort_by: field, sort_dir: 'desc' });
      expect(res.statusCode, field).toBe(200);
    }
  });

  it('rejects an unknown sort field or direction with 422', async () => {
    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients/filter', { sort_by: 'ssn', sort_dir: 'sideways' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ['Sort by is not included in the list', 'Sort direction is invalid'] });
  });
});

describe('POST /v1/admin/clinic/ecm/patients (enrol by hand)', () => {
  it('requires names and member_id, and keeps member_id unique within the clinic', async () => {
    const blank = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', { patient: { first_name: 'No' } });
    expect(blank.statusCode).toBe(422);
    expect(blank.json()).toEqual({ errors: ["Validation failed: Last name can't be blank", "Validation failed: Member ID can't be blank"] });
    const dup = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: { first_name: 'Dup', last_name: 'Licate', ecm_eligibility_information: { member_id: 'MEM0000000002' } },
    });
    expect(dup.statusCode).toBe(422);
    expect(dup.json()).toEqual({ errors: ['Validation failed: Member ID has already been taken'] });
  });

  it('refuses a case load naming another clinic\'s user', async () => {
    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: { first_name: 'A', last_name: 'B', ecm_eligibility_information: { member_id: 'NEW-1' }, case_load: { provider_id: otherAdmin.id } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual(['Validation failed: Provider must be an active user of the clinic']);
  });
});

describe('GET /v1/clinic/ecm/patients (care team, read-only)', () => {
  it('lets coordinators and providers list and read, with assigned_to_me', async () => {
    const mine = await call(t.app, coordinator, 'GET', '/v1/clinic/ecm/patients?assigned_to_me=true');
    expect(mine.statusCode).toBe(200);
    expect(mine.json().patients.map((p: { id: number }) => p.id)).toEqual([ids.john]);
    const prov = await call(t.app, provider, 'GET', '/v1/clinic/ecm/patients?assigned_to_me=true');
    expect(prov.json().patients.map((p: { id: number }) => p.id).sort()).toEqual([ids.john, ids.mary].sort());
    const detail = await call(t.app, provider, 'GET', `/v1/clinic/ecm/patients/${ids.mary}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().patient.name).toBe('Mary Major');
    const cross = await call(t.app, coordinator, 'GET', `/v1/clinic/ecm/patients/${ids.other}`);
    expect(cross.statusCode).toBe(404);
  });

  it('gives care teams no way to change a member', async () => {
    const res = await call(t.app, coordinator, 'PUT', `/v1/clinic/ecm/patients/${ids.mary}`, { patient: { first_name: 'X' } });
    expect(res.statusCode).toBe(404);
  });
});

describe('audit', () => {
  it('writes one row per list, read and update of patients, naming the records', async () => {
    const before = await t.database.db.select().from(auditEvents).where(eq(auditEvents.organizationId, admin.organizationId));
    await call(t.app, coordinator, 'GET', '/v1/clinic/ecm/patients?search=Major');
    await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients/${ids.mary}`);
    await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.mary}`, { patient: { gender: 'female' } });
    await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients/${ids.other}`); // 404: no row
    await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients/999999'); // 404: no row
    const after = await t.database.db.select().from(auditEvents).where(eq(auditEvents.organizationId, admin.organizationId));
    const added = after.filter((a) => !before.some((b) => b.id === a.id)).sort((a, b) => a.id - b.id);
    expect(added.map((a) => [a.action, a.entityType, a.entityIds, a.actorId])).toEqual([
      ['list', 'patient', [String(ids.mary)], String(coordinator.id)],
      ['read', 'patient', [String(ids.mary)], String(admin.id)],
      ['update', 'patient', [String(ids.mary)], String(admin.id)],
    ]);
    expect(added[0].ip).toBe('127.0.0.1');
    expect(added[0].requestId).toBeTruthy();

    const api = await call(t.app, admin, 'GET', `/v1/admin/audit_events?entity_type=patient&entity_id=${ids.mary}&per_page=3`);
    expect(api.statusCode).toBe(200);
    expect(api.json().audit_events.map((a: { action: string }) => a.action)).toEqual(['update', 'read', 'list']);
    const byActor = await call(t.app, admin, 'GET', `/v1/admin/audit_events?actor_id=${coordinator.id}&action=list`);
    expect(byActor.json().audit_events.every((a: { actor_id: string }) => a.actor_id === String(coordinator.id))).toBe(true);
    const other = await call(t.app, otherAdmin, 'GET', '/v1/admin/audit_events?entity_type=patient');
    expect(other.json().audit_events.every((a: { entity_ids: string[] }) => !a.entity_ids.includes(String(ids.mary)))).toBe(true);
  });
});
