/**
 * The role x endpoint matrix (ARCHITECTURE.md, "Roles"): admin reaches every
 * endpoint; care_coordinator and provider every /v1/clinic/... one and none
 * under /v1/admin/...; nobody reaches anything without a token. Every ECM
 * operation in the OpenAPI document must be listed here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/platform/context.ts';
import { unmatchedCommunications } from '../../src/db/schema.ts';
import { insertUnmatched } from '../../src/ecm/communications/store.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
const users = {} as Record<Role, TestUser>;
let patientId: number;
let activityId: number;
let eventId: number;

async function newTask(): Promise<number> {
  const res = await call(t.app, users.admin, 'POST', `/v1/clinic/ecm/patients/${patientId}/activities`, {
    activity: { activity_type: 'task', assigned_to_id: users.admin.id, message: 'matrix' },
  });
  return res.json().activity.id;
}

type Access = 'admin' | 'everyone' | 'public';
/** [method, documented path, access, body, URL to call (default: the path with the fixture ids)] */
const MATRIX: Array<[method: string, path: string, access: Access, body?: unknown, url?: () => Promise<string>]> = [
  ['POST', '/v1/auth/sign_in', 'public'],
  ['GET', '/v1/me', 'everyone'],
  ['GET', '/v1/clinic/ecm/patients', 'everyone'],
  ['GET', '/v1/clinic/ecm/patients/{id}', 'everyone'],
  ['GET', '/v1/clinic/ecm/care_team', 'everyone'],
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
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/activities', 'everyone'],
  ['POST', '/v1/clinic/ecm/patients/{patient_id}/activities', 'everyone', { activity: { activity_type: 'note', assigned_to_id: 0, body: 'n' } }],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/activities/{id}', 'everyone'],
  ['PUT', '/v1/clinic/ecm/patients/{patient_id}/activities/{id}', 'everyone', { activity: { subject: 'changed' } }],
  ['DELETE', '/v1/clinic/ecm/patients/{patient_id}/activities/{id}', 'everyone', undefined, async () => `/v1/clinic/ecm/patients/${patientId}/activities/${await newTask()}`],
  ['POST', '/v1/clinic/ecm/patients/{patient_id}/activities/{id}/comments', 'everyone', { comment: { body: 'hi' } }],
  ['GET', '/v1/clinic/ecm/activities', 'everyone'],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/events', 'everyone'],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/events/counts', 'everyone', undefined, async () => `/v1/clinic/ecm/patients/${patientId}/events/counts?start_date=2024-01-01&end_date=2030-12-31`],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/events/{id}', 'everyone', undefined, async () => `/v1/clinic/ecm/patients/${patientId}/events/${eventId}`],
  ['GET', '/v1/clinic/ecm/events/counts', 'everyone', undefined, async () => '/v1/clinic/ecm/events/counts?start_date=2024-01-01&end_date=2030-12-31'],
  ['GET', '/v1/clinic/ecm/communications/sandbox', 'everyone'],
  ['POST', '/v1/clinic/ecm/communications/patients/{patient_id}/sms', 'everyone', { sms: { phone_number: '+18055550142', body: 'matrix' } }],
  ['POST', '/v1/clinic/ecm/communications/patients/{patient_id}/call', 'everyone', { call: { phone_number: '+18055550142' } }],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/communications', 'everyone'],
  ['GET', '/v1/admin/clinic/ecm/communications/unmatched', 'admin'],
  ['POST', '/v1/admin/clinic/ecm/communications/unmatched/{id}/assign', 'admin', { patient_id: 0 }, async () => `/v1/admin/clinic/ecm/communications/unmatched/${unmatchedId}/assign`],
  ['POST', '/v1/admin/clinic/ecm/prtf_reports', 'admin', { start_date: '2026-10-01', end_date: '2026-10-31', provider_npi: '1234567890' }],
  ['GET', '/v1/admin/clinic/ecm/prtf_reports', 'admin'],
  ['GET', '/v1/admin/clinic/ecm/prtf_reports/{id}', 'admin', undefined, async () => {
    const list = await call(t.app, users.admin, 'GET', '/v1/admin/clinic/ecm/prtf_reports');
    return `/v1/admin/clinic/ecm/prtf_reports/${list.json().prtf_reports[0].id}`;
  }],
  ['POST', '/v1/admin/clinic/ecm/prtf_reports/{id}/submission', 'admin', { submission: {} }, async () => {
    const list = await call(t.app, users.admin, 'GET', '/v1/admin/clinic/ecm/prtf_reports');
    return `/v1/admin/clinic/ecm/prtf_reports/${list.json().prtf_reports[0].id}/submission`;
  }],
  // Signed download URLs carry their own credential (test/ecm/prtf-reports.test.ts).
  ['GET', '/v1/downloads/{public_id}', 'public'],
  ['GET', '/v1/admin/clinic/ecm/lead_care_managers', 'admin'],
  ['PUT', '/v1/admin/clinic/ecm/patients/{id}/case_load', 'admin', { olcm_user_id: null }],
  ['POST', '/v1/admin/clinic/ecm/mifs', 'admin', { mif: { file: `data:text/csv;base64,${Buffer.from('MEMBER_ID,FIRST_NAME,LAST_NAME\nM-MIF,Mif,Matrix\n').toString('base64')}` } }],
  ['GET', '/v1/admin/clinic/ecm/mifs', 'admin'],
  ['GET', '/v1/admin/clinic/ecm/mifs/{id}', 'admin', undefined, async () => {
    const list = await call(t.app, users.admin, 'GET', '/v1/admin/clinic/ecm/mifs');
    return `/v1/admin/clinic/ecm/mifs/${list.json().mif_imports[0].id}`;
  }],
  ['POST', '/v1/admin/clinic/ecm/authorizations', 'admin', { authorization: { file: `data:text/csv;base64,${Buffer.from('Auth No,Member ID,Status\nA-MATRIX,M-1,Approved\n').toString('base64')}` } }],
  ['GET', '/v1/clinic/ecm/dhcs_values', 'everyone'],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/member_attributes', 'everyone'],
  ['PUT', '/v1/clinic/ecm/patients/{patient_id}/member_attributes', 'everyone', { member_attributes: { homeless: true } }],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/care_plan_revisions', 'everyone'],
  ['POST', '/v1/clinic/ecm/patients/{patient_id}/care_plan_revisions', 'everyone', { care_plan_revision: { revised_on: '2026-10-01', summary: 'matrix' } }],
  ['PUT', '/v1/clinic/ecm/patients/{patient_id}/care_plan_revisions/{id}', 'everyone', { care_plan_revision: { summary: 'changed' } }, () => record('care_plan_revisions')],
  ['DELETE', '/v1/clinic/ecm/patients/{patient_id}/care_plan_revisions/{id}', 'everyone', undefined, () => record('care_plan_revisions')],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/assessments', 'everyone'],
  ['POST', '/v1/clinic/ecm/patients/{patient_id}/assessments', 'everyone', { assessment: { started_on: '2026-10-01' } }],
  ['PUT', '/v1/clinic/ecm/patients/{patient_id}/assessments/{id}', 'everyone', { assessment: { completed_on: '2026-10-02' } }, () => record('assessments')],
  ['DELETE', '/v1/clinic/ecm/patients/{patient_id}/assessments/{id}', 'everyone', undefined, () => record('assessments')],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/discontinuations', 'everyone'],
  ['POST', '/v1/admin/clinic/ecm/patients/{patient_id}/discontinuations', 'admin', { discontinuation: { discontinued_on: '2026-10-31', reason_code: 'X1', reason: 'matrix' } }],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/referrals', 'everyone'],
  ['POST', '/v1/clinic/ecm/patients/{patient_id}/referrals', 'everyone', { referral: { received_on: '2026-10-01', source: 'Plan', service: 'ECM' } }],
  ['GET', '/v1/clinic/ecm/patients/{patient_id}/referrals/{id}', 'everyone', undefined, () => record('referrals')],
  ['PUT', '/v1/clinic/ecm/patients/{patient_id}/referrals/{id}', 'everyone', { referral: { status: 'accepted', status_date: '2026-10-02' } }, () => record('referrals')],
  // Twilio webhooks authenticate with X-Twilio-Signature, not a user token (test/ecm/communications.test.ts).
  ['POST', '/v1/clinic/webhooks/twilio/sms', 'public'],
  ['POST', '/v1/clinic/webhooks/twilio/voice', 'public'],
  ['POST', '/v1/clinic/webhooks/twilio/sms_status', 'public'],
  ['POST', '/v1/clinic/webhooks/twilio/voice_status', 'public'],
  ['POST', '/v1/clinic/webhooks/twilio/voice_outbound/{id}', 'public'],
  ['POST', '/v1/clinic/webhooks/twilio/dial_status/{id}', 'public'],
];
let unmatchedId: number;

/** A new record of the member (`care_plan_revisions`, `assessments`, `referrals`), created by the admin: its URL. */
async function record(collection: string): Promise<string> {
  const base = `/v1/clinic/ecm/patients/${patientId}/${collection}`;
  const body = {
    care_plan_revisions: { care_plan_revision: { revised_on: '2026-10-01', summary: 'matrix' } },
    assessments: { assessment: { started_on: '2026-10-01' } },
    referrals: { referral: { received_on: '2026-10-01', source: 'Plan', service: 'ECM' } },
  }[collection];
  const res = await call(t.app, users.admin, 'POST', base, body);
  expect(res.statusCode, res.body).toBe(201);
  return `${base}/${(Object.values(res.json())[0] as { id: number }).id}`;
}

beforeAll(async () => {
  t = await createTestContext();
  for (const role of ['admin', 'care_coordinator', 'provider'] as const) users[role] = await createUser(t.services, 'Matrix Clinic', role);
  const res = await call(t.app, users.admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: 'Pat', last_name: 'Matrix', phone: '+18055550142', ecm_eligibility_information: { member_id: 'M-1' } },
  });
  patientId = res.json().patient.id;
  await call(t.app, users.admin, 'PUT', '/v1/admin/organization', { organization: { phone_numbers: ['+18055550100'] } });
  await insertUnmatched(t.database.db, { organizationId: users.admin.organizationId, channel: 'sms', fromNumber: '+18055550999', toNumber: '+18055550100', body: 'hi', twilioSid: 'SMmatrix' });
  unmatchedId = (await t.database.db.select().from(unmatchedCommunications))[0].id;
  activityId = await newTask();
  const detail = await call(t.app, users.admin, 'GET', `/v1/clinic/ecm/patients/${patientId}/activities/${activityId}`);
  eventId = detail.json().activity.event.id;
});
afterAll(() => t.close());

describe('role x endpoint matrix', () => {
  it('lists every ECM operation of the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/') && !path.startsWith('/v1/community/')) // the community door has its own tests
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(MATRIX.map(([m, p]) => `${m} ${p}`).sort());
  });

  for (const [method, path, access, rawBody, urlOf] of MATRIX) {
    if (access === 'public') continue;
    it(`${method} ${path}: ${access === 'admin' ? 'admin only' : 'every role'}`, async () => {
      const fixed = path.includes('{patient_id}')
        ? path.replace('{patient_id}', String(patientId)).replace('{id}', String(activityId))
        : path.replace('{id}', path.includes('/users/') ? String(users.provider.id) : String(patientId));
      const url = urlOf ? await urlOf() : fixed;
      // Bodies naming an assignee get the admin's id (0 is a placeholder).
      const body = rawBody && JSON.parse(JSON.stringify(rawBody).replace('"assigned_to_id":0', `"assigned_to_id":${users.admin.id}`).replace('"patient_id":0', `"patient_id":${patientId}`));
      const anon = await call(t.app, null, method, url, body);
      expect(anon.statusCode).toBe(401);
      expect(anon.json()).toEqual({ errors: ['Invalid or missing token'] });
      for (const role of ['care_coordinator', 'provider', 'admin'] as const) {
        // sign_out spends the token: use a throwaway user of the role.
        const who = path === '/v1/auth/sign_out' ? await createUser(t.services, 'Matrix Clinic', role) : users[role];
        const target = urlOf && method === 'DELETE' ? await urlOf() : url;
        const res = await call(t.app, who, method, target, body);
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
