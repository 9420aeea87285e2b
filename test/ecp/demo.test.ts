import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeeders } from '../../src/demo.ts';
import { runDemoSeeders } from '../../src/platform/demo.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let out: Record<string, unknown>;

beforeAll(async () => {
  t = await createTestContext();
  out = await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config);
});
afterAll(() => t.close());

describe('care demo: the ECP company', () => {
  it('prints credentials with which a partner reads locations, vitals and allergies and records a reading', async () => {
    const p = out.ecp_client as Partner;
    // What `care demo --json` prints is what partners see: the company GUID, no internal row id.
    expect(p.companyId).toMatch(/^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$/);
    expect(p).not.toHaveProperty('company_id');
    const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
    expect((await clinical(t.app, creds, 'GET', '/clinical/v1/location')).json()).toEqual(['Evergreen Assisted Living', 'Evergreen Memory Care']);
    const bp = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/blood-pressure', { location: 'Evergreen Assisted Living' });
    expect(bp.json().numberOfResults).toBe(12 * 30);
    expect(bp.json().data).toHaveLength(100);
    const allergies = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/allergy', { location: 'Evergreen Assisted Living' });
    expect(allergies.json().numberOfResults).toBeGreaterThan(0);
    const first = bp.json().data[0];
    const rec = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/pulse', {
      pulse: 71, location: 'Evergreen Assisted Living', loginName: (out.ecp_staff as string[])[0], residentId: first.residentId, timestamp: new Date().toISOString(),
    });
    expect(rec.json(), rec.body).toEqual({ result: 'Success' });
  });

  it('has one assessment template whose score sets Level 1, 2 or 3', async () => {
    const p = out.ecp_client as Partner;
    const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
    const templates = (await clinical(t.app, creds, 'GET', '/clinical/v1/resident/assessment/template')).json().data;
    expect(templates.map((x: { name: string }) => x.name)).toEqual(['Evergreen Care Needs Assessment']);
    const [resident] = (await clinical(t.app, creds, 'GET', '/clinical/v1/resident', { location: 'Evergreen Memory Care' })).json().data;
    const answers = templates[0].questions.map((q: { questionId: string }, i: number) => ({ questionId: q.questionId, answer: i < 3 ? 'Hands-on help' : 'Cueing' }));
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/assessment', {
      residentId: resident.residentId, templateId: templates[0].templateId, loginName: (out.ecp_staff as string[])[0], answers,
    });
    expect(res.json(), res.body).toMatchObject({ result: 'Success', score: 8, levelOfCare: { name: 'Level 2', amount: 1500, amountFrequency: 'Monthly' } });
  });

  it('prints a demo System Admin and a demo nurse who sign in to the community workspace', async () => {
    const signIn = (u: unknown) => t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: out.community_company, ...(u as object) } });
    const admin = await signIn(out.community_admin);
    expect(admin.statusCode, admin.body).toBe(200);
    expect(admin.json().user).toMatchObject({ systemAdmin: true, mustChangePassword: false });
    const nurse = await signIn(out.community_nurse);
    expect(nurse.statusCode, nurse.body).toBe(200);
    expect(nurse.json().user).toMatchObject({ systemAdmin: false, role: 'Nursing', mustChangePassword: false });
    const list = await t.app.inject({ method: 'GET', url: '/v1/community/residents', headers: { 'x-user-token': nurse.json().token } });
    expect(list.json().pagination.total_count).toBeGreaterThan(0);
  });

  it('is idempotent: a second run rotates the credentials and adds no data', async () => {
    const again = await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config);
    const p = again.ecp_client as Partner;
    expect(p.client_id).toBe((out.ecp_client as Partner).client_id);
    expect(p.companyId).toBe((out.ecp_client as Partner).companyId);
    expect(p).not.toHaveProperty('company_id');
    const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
    const bp = await clinical(t.app, creds, 'GET', '/clinical/v1/resident/vital/blood-pressure', { location: 'Evergreen Assisted Living' });
    expect(bp.json().numberOfResults).toBe(12 * 30);
    expect((await clinical(t.app, creds, 'GET', '/clinical/v1/resident/assessment/template')).json().data).toHaveLength(1);
  });
});
