import { isValidPhoneNumber } from 'libphonenumber-js';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeeders } from '../../src/demo.ts';
import { runDemoSeeders } from '../../src/platform/demo.ts';
import { buildApp } from '../../src/app.ts';
import { call, createTestContext, type TestContext } from '../support/app.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

describe('care demo', () => {
  it('seeds a realistic clinic once, and prints fresh working tokens every time', async () => {
    const first = await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config);
    expect(first).toMatchObject({ admin_email: 'admin@demo-clinic.example.com', password: expect.any(String) });
    const ids = first.patient_ids as number[];
    expect(ids.length).toBeGreaterThanOrEqual(200);

    const second = await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config);
    expect(second.patient_ids).toEqual(ids);
    expect(second.admin_token).not.toBe(first.admin_token);

    const admin = { token: second.admin_token as string };
    const coord = { token: second.coordinator_token as string };
    const all = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/patients?per_page=100&page=1')).json();
    expect(all.pagination.total_count).toBe(ids.length);
    expect((await call(t.app, coord, 'GET', '/v1/clinic/ecm/patients?assigned_to_me=true')).json().pagination.total_count).toBeGreaterThan(0);
    expect((await call(t.app, coord, 'GET', '/v1/admin/clinic/ecm/patients')).statusCode).toBe(403);

    const statuses = new Set<string>();
    const acuities = new Set<string>();
    const phones = new Set<string>();
    for (const id of ids) {
      const p = (await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients/${id}`)).json().patient;
      statuses.add(p.ecm_eligibility_information.member_record_status);
      acuities.add(p.ecm_eligibility_information.acuity_level);
      expect(p.phone).toMatch(/^\+1\d{3}55501\d\d$/);
      expect(isValidPhoneNumber(p.phone)).toBe(true);
      phones.add(p.phone);
      expect(p.address.street).toBeTruthy();
      expect(p.ecm_authorizations.length).toBeGreaterThan(0);
      expect(p.ecm_status_history.length).toBeGreaterThan(0);
      expect(p.case_load.olcm_name).toBeTruthy();
    }
    expect(phones.size).toBe(ids.length);
    expect([...statuses].sort()).toEqual(['continuing_member', 'inactive_member', 'new_member', 'pending_member', 'terminated_member']);
    expect([...acuities].sort()).toEqual(['high', 'low', 'medium']);
    const staff = (await call(t.app, admin, 'GET', '/v1/admin/users')).json().users;
    expect(new Set(staff.map((u: { role: string }) => u.role))).toEqual(new Set(['admin', 'care_coordinator', 'provider']));
    expect(staff.every((u: { phone: string | null }) => u.phone && isValidPhoneNumber(u.phone))).toBe(true);
  });

  it('gives the members a history of activities and events whose counts add up', async () => {
    const admin = { token: (await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config)).admin_token as string };
    const { rows } = await t.database.db.execute(sql`SELECT count(*)::int AS a, count(DISTINCT patient_id)::int AS p FROM activities`);
    expect(rows[0].p).toBeGreaterThanOrEqual(200);
    const types = await t.database.db.execute(sql`SELECT DISTINCT activity_type FROM activities ORDER BY 1`);
    expect(types.rows.map((r) => r.activity_type)).toEqual(['call', 'email', 'in_person_appointment', 'meeting', 'note', 'sms', 'task']);
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - 130 * 86_400_000).toISOString().slice(0, 10);
    const clinic = (await call(t.app, admin, 'GET', `/v1/clinic/ecm/events/counts?start_date=${start}&end_date=${today}`)).json().counts;
    expect(clinic.total).toBeGreaterThan(500);
    for (const k of ['telehealth_encounters', 'in_person_encounters', 'telehealth_outreach', 'in_person_outreach']) {
      expect(clinic.prtf_categories[k], k).toBeGreaterThan(0);
    }
    // The clinic's counts are the sum of its members' counts.
    const ids = (await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config)).patient_ids as number[];
    const sum = { total: 0, telehealth_encounters: 0, in_person_encounters: 0, telehealth_outreach: 0, in_person_outreach: 0 };
    for (const id of ids) {
      const c = (await call(t.app, admin, 'GET', `/v1/clinic/ecm/patients/${id}/events/counts?start_date=${start}&end_date=${today}`)).json().counts;
      sum.total += c.total;
      for (const k of Object.keys(c.prtf_categories) as Array<keyof typeof sum>) sum[k] += c.prtf_categories[k];
    }
    expect(sum).toEqual({ total: clinic.total, ...clinic.prtf_categories });
    const again = await t.database.db.execute(sql`SELECT count(*)::int AS a FROM activities`);
    expect(again.rows[0].a).toBe(rows[0].a);
  });

  it('answers /readyz 503 when the database does not answer', async () => {
    const app = await buildApp({ config: t.config, db: t.database.db, services: t.services, ping: () => Promise.reject(new Error('down')) });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    await app.close();
  });
});
