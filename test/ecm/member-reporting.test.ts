/**
 * The member data DHCS reporting needs, through the ECM API: Populations of Focus and homelessness, care plan
 * revisions, assessments, discontinuations, closed-loop referrals, care conferences (`meeting_kind`) and the DHCS
 * value lists. Each endpoint: success, validation errors (422), an unknown or another clinic's record (404), and its
 * audit row.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/db/schema.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let admin: TestUser;
let coordinator: TestUser;
let otherAdmin: TestUser;
let member: number;
let foreign: number;

async function enrol(user: TestUser, memberId: string) {
  const res = await call(t.app, user, 'POST', '/v1/admin/clinic/ecm/patients', { patient: { first_name: 'Rosa', last_name: memberId, ecm_eligibility_information: { member_id: memberId } } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().patient.id as number;
}

const url = (patientId: number, rest: string) => `/v1/clinic/ecm/patients/${patientId}/${rest}`;

async function audits(entityType: string, action: string) {
  return t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, entityType), eq(auditEvents.action, action)));
}

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'Reporting Clinic', 'admin', 'Ada Admin');
  coordinator = await createUser(t.services, 'Reporting Clinic', 'care_coordinator', 'Cora Coordinator');
  otherAdmin = await createUser(t.services, 'Elsewhere Clinic', 'admin');
  member = await enrol(admin, 'REP-1');
  foreign = await enrol(otherAdmin, 'ELSE-1');
});
afterAll(() => t.close());

describe('GET /v1/clinic/ecm/dhcs_values', () => {
  it('lists the DHCS value sets with their sources', async () => {
    const res = await call(t.app, coordinator, 'GET', '/v1/clinic/ecm/dhcs_values');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.populations_of_focus.values).toHaveLength(9);
    expect(body.populations_of_focus.source.url).toMatch(/^https:/);
    expect(body.referral_statuses.values.find((s: { key: string }) => s.key === 'declined').dhcs_status).toBe('Declined');
    expect(body.loop_closure_reasons.values).toEqual([{ value: 'Services Received' }]);
    expect(body.discontinuation_reason_codes.values).toEqual([]);
  });
});

describe('member attributes: Populations of Focus and homelessness', () => {
  it('starts empty, sets several POFs and homelessness, replaces the list, and audits reads and changes', async () => {
    const empty = await call(t.app, coordinator, 'GET', url(member, 'member_attributes'));
    expect(empty.json().member_attributes).toEqual({ patient_id: member, populations_of_focus: [], homeless: null, updated_at: null });
    const set = await call(t.app, coordinator, 'PUT', url(member, 'member_attributes'), {
      member_attributes: { populations_of_focus: ['serious_mental_health_sud', 'experiencing_homelessness'], homeless: true },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().member_attributes).toMatchObject({
      populations_of_focus: [
        { key: 'experiencing_homelessness', name: 'Individuals and Families Experiencing Homelessness', source: 'staff' },
        { key: 'serious_mental_health_sud', name: 'Individuals with Serious Mental Health and/or SUD Needs', source: 'staff' },
      ],
      homeless: true,
    });
    const replaced = await call(t.app, coordinator, 'PUT', url(member, 'member_attributes'), { member_attributes: { populations_of_focus: ['birth_equity'] } });
    expect(replaced.json().member_attributes).toMatchObject({ populations_of_focus: [{ key: 'birth_equity' }], homeless: true });
    expect((await audits('patient', 'update')).some((a) => a.entityIds.includes(String(member)))).toBe(true);
    expect((await audits('patient', 'read')).some((a) => a.entityIds.includes(String(member)))).toBe(true);
  });

  it('refuses an unknown POF (422) and another clinic\'s member (404)', async () => {
    const bad = await call(t.app, coordinator, 'PUT', url(member, 'member_attributes'), { member_attributes: { populations_of_focus: ['long_covid'] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatch(/is not included in the list/);
    for (const [method, body] of [['GET', undefined], ['PUT', { member_attributes: { homeless: false } }]] as const) {
      const res = await call(t.app, admin, method, url(foreign, 'member_attributes'), body);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: ['Patient not found'] });
    }
  });
});

describe('care plan revisions', () => {
  it('records revisions with date, author (default: the caller) and summary, lists them newest first, changes and deletes them', async () => {
    const first = await call(t.app, coordinator, 'POST', url(member, 'care_plan_revisions'), { care_plan_revision: { revised_on: '2026-09-01', summary: 'First plan' } });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().care_plan_revision).toMatchObject({ revised_on: '2026-09-01', author_user_id: coordinator.id, author_name: 'Cora Coordinator', summary: 'First plan' });
    const second = await call(t.app, coordinator, 'POST', url(member, 'care_plan_revisions'), { care_plan_revision: { revised_on: '2026-10-15', summary: 'Housing goal added', author_user_id: admin.id } });
    expect(second.json().care_plan_revision.author_name).toBe('Ada Admin');
    const list = await call(t.app, coordinator, 'GET', url(member, 'care_plan_revisions'));
    expect(list.json().care_plan_revisions.map((r: { revised_on: string }) => r.revised_on)).toEqual(['2026-10-15', '2026-09-01']);
    const id = first.json().care_plan_revision.id;
    const changed = await call(t.app, coordinator, 'PUT', url(member, `care_plan_revisions/${id}`), { care_plan_revision: { summary: 'First plan, signed' } });
    expect(changed.json().care_plan_revision).toMatchObject({ id, summary: 'First plan, signed', revised_on: '2026-09-01' });
    expect((await call(t.app, coordinator, 'DELETE', url(member, `care_plan_revisions/${id}`))).statusCode).toBe(204);
    expect((await call(t.app, coordinator, 'DELETE', url(member, `care_plan_revisions/${id}`))).json()).toEqual({ errors: ['Care plan revision not found'] });
    expect(await audits('care_plan_revision', 'create')).toHaveLength(2);
    expect(await audits('care_plan_revision', 'delete')).toHaveLength(1);
  });

  it('answers 422 with every problem and 404 for another clinic\'s member or revision', async () => {
    const bad = await call(t.app, coordinator, 'POST', url(member, 'care_plan_revisions'), { care_plan_revision: { summary: ' ', author_user_id: otherAdmin.id } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual(["Revised on can't be blank", "Summary can't be blank", 'Author user must be an active user of the clinic']);
    const theirs = await call(t.app, otherAdmin, 'POST', url(foreign, 'care_plan_revisions'), { care_plan_revision: { revised_on: '2026-10-01', summary: 'Theirs' } });
    const theirId = theirs.json().care_plan_revision.id;
    expect((await call(t.app, admin, 'GET', url(foreign, 'care_plan_revisions'))).json()).toEqual({ errors: ['Patient not found'] });
    expect((await call(t.app, admin, 'PUT', url(member, `care_plan_revisions/${theirId}`), { care_plan_revision: { summary: 'x' } })).statusCode).toBe(404);
    expect((await call(t.app, admin, 'DELETE', url(member, `care_plan_revisions/${theirId}`))).statusCode).toBe(404);
  });
});

describe('assessments', () => {
  it('records an assessment started, completes it, lists and deletes', async () => {
    const res = await call(t.app, coordinator, 'POST', url(member, 'assessments'), { assessment: { started_on: '2026-10-03', title: 'Comprehensive assessment' } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().assessment.id;
    expect(res.json().assessment).toMatchObject({ started_on: '2026-10-03', completed_on: null, assessed_by_user_id: coordinator.id, assessed_by_name: 'Cora Coordinator' });
    const done = await call(t.app, coordinator, 'PUT', url(member, `assessments/${id}`), { assessment: { completed_on: '2026-10-20' } });
    expect(done.json().assessment).toMatchObject({ started_on: '2026-10-03', completed_on: '2026-10-20', title: 'Comprehensive assessment' });
    expect((await call(t.app, coordinator, 'GET', url(member, 'assessments'))).json().assessments).toHaveLength(1);
    expect((await call(t.app, coordinator, 'DELETE', url(member, `assessments/${id}`))).statusCode).toBe(204);
  });

  it('refuses a completion before the start, a missing start and a foreign assessor (422), and other clinics\' records (404)', async () => {
    const bad = await call(t.app, coordinator, 'POST', url(member, 'assessments'), { assessment: { completed_on: '2026-10-01', assessed_by_user_id: otherAdmin.id } });
    expect(bad.json().errors).toEqual(["Started on can't be blank", 'Assessed by user must be an active user of the clinic']);
    const early = await call(t.app, coordinator, 'POST', url(member, 'assessments'), { assessment: { started_on: '2026-10-05', completed_on: '2026-10-01' } });
    expect(early.json().errors).toEqual(['Completed on must be on or after Started on']);
    const theirs = (await call(t.app, otherAdmin, 'POST', url(foreign, 'assessments'), { assessment: { started_on: '2026-10-01' } })).json().assessment.id;
    expect((await call(t.app, admin, 'PUT', url(member, `assessments/${theirs}`), { assessment: { completed_on: '2026-10-02' } })).json()).toEqual({ errors: ['Assessment not found'] });
    expect((await call(t.app, admin, 'GET', url(foreign, 'assessments'))).statusCode).toBe(404);
  });
});

describe('closed-loop referrals', () => {
  it('records a referral, moves it through its statuses with dates, and closes the loop with a reason', async () => {
    const res = await call(t.app, coordinator, 'POST', url(member, 'referrals'), { referral: { received_on: '2026-10-01', source: 'Partner Health Plan', service: 'ECM' } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().referral.id;
    expect(res.json().referral).toMatchObject({ status: 'received', status_date: '2026-10-01', open: true, loop_closure_reason: null, status_history: [{ status: 'received', status_date: '2026-10-01' }] });
    const noDate = await call(t.app, coordinator, 'PUT', url(member, `referrals/${id}`), { referral: { status: 'accepted' } });
    expect(noDate.json()).toEqual({ errors: ['Status date is required with a new status'] });
    await call(t.app, coordinator, 'PUT', url(member, `referrals/${id}`), { referral: { status: 'accepted', status_date: '2026-10-04' } });
    const noReason = await call(t.app, coordinator, 'PUT', url(member, `referrals/${id}`), { referral: { status: 'closed', status_date: '2026-10-20' } });
    expect(noReason.json()).toEqual({ errors: ["Loop closure reason can't be blank when the referral is closed"] });
    const closed = await call(t.app, coordinator, 'PUT', url(member, `referrals/${id}`), { referral: { status: 'closed', status_date: '2026-10-20', loop_closure_reason: 'Services Received' } });
    expect(closed.json().referral).toMatchObject({
      status: 'closed', status_date: '2026-10-20', open: false, loop_closure_reason: 'Services Received',
      status_history: [{ status: 'received' }, { status: 'accepted', status_date: '2026-10-04' }, { status: 'closed', status_date: '2026-10-20', loop_closure_reason: 'Services Received' }],
    });
    expect((await call(t.app, coordinator, 'GET', url(member, `referrals/${id}`))).json().referral.status).toBe('closed');
    expect((await call(t.app, coordinator, 'GET', url(member, 'referrals'))).json().referrals).toHaveLength(1);
    expect(await audits('referral', 'update')).toHaveLength(2);
  });

  it('answers 422 for a status date before receipt and a reason on an open referral, 404 for another clinic\'s', async () => {
    const bad = await call(t.app, coordinator, 'POST', url(member, 'referrals'), { referral: { received_on: '2026-10-10', status_date: '2026-10-01', loop_closure_reason: 'Services Received' } });
    expect(bad.json().errors).toEqual([
      "Source can't be blank", "Service can't be blank", 'Status date must be on or after Received on', 'Loop closure reason is only allowed for a declined or closed referral',
    ]);
    const theirs = (await call(t.app, otherAdmin, 'POST', url(foreign, 'referrals'), { referral: { received_on: '2026-10-01', source: 'Plan', service: 'ECM' } })).json().referral.id;
    expect((await call(t.app, admin, 'GET', url(member, `referrals/${theirs}`))).json()).toEqual({ errors: ['Referral not found'] });
    expect((await call(t.app, admin, 'PUT', url(foreign, `referrals/${theirs}`), { referral: { source: 'x' } })).json()).toEqual({ errors: ['Patient not found'] });
  });
});

describe('discontinuation', () => {
  it('ends ECM with date, code and reason, makes the member terminated_member with a history entry, and refuses a second one', async () => {
    const m = await enrol(admin, 'REP-DISC');
    const res = await call(t.app, admin, 'POST', `/v1/admin/clinic/ecm/patients/${m}/discontinuations`, {
      discontinuation: { discontinued_on: '2026-10-31', reason_code: 'GOALS-MET', reason: 'Member met all care plan goals' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().discontinuation).toMatchObject({ discontinued_on: '2026-10-31', reason_code: 'GOALS-MET', in_force: true, recorded_by_user_id: admin.id });
    const detail = (await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/patients/${m}`)).json().patient;
    expect(detail.ecm_eligibility_information.member_record_status).toBe('terminated_member');
    expect(detail.ecm_status_history.map((h: { status: string; changed_by: string }) => [h.status, h.changed_by])).toEqual([['new_member', 'Ada Admin'], ['terminated_member', 'Ada Admin']]);
    const again = await call(t.app, admin, 'POST', `/v1/admin/clinic/ecm/patients/${m}/discontinuations`, { discontinuation: { discontinued_on: '2026-11-01', reason_code: 'X', reason: 'again' } });
    expect(again.json()).toEqual({ errors: ['Member is already discontinued'] });
    expect((await call(t.app, coordinator, 'GET', url(m, 'discontinuations'))).json().discontinuations).toMatchObject([{ reason: 'Member met all care plan goals', in_force: true }]);
    expect(await audits('discontinuation', 'create')).toHaveLength(1);
  });

  it('answers 422 for a bad code or blank reason, 403 for a coordinator, 404 for another clinic\'s member', async () => {
    const bad = await call(t.app, admin, 'POST', `/v1/admin/clinic/ecm/patients/${member}/discontinuations`, { discontinuation: { discontinued_on: '2026-10-31', reason_code: 'no spaces!', reason: ' ' } });
    expect(bad.json().errors).toEqual(['Reason code must be 1 to 20 letters, digits, dots, dashes or underscores', "Reason can't be blank"]);
    const missing = await call(t.app, admin, 'POST', `/v1/admin/clinic/ecm/patients/${member}/discontinuations`, { discontinuation: {} });
    expect(missing.statusCode).toBe(422);
    const body = { discontinuation: { discontinued_on: '2026-10-31', reason_code: 'X', reason: 'r' } };
    expect((await call(t.app, coordinator, 'POST', `/v1/admin/clinic/ecm/patients/${member}/discontinuations`, body)).statusCode).toBe(403);
    expect((await call(t.app, admin, 'POST', `/v1/admin/clinic/ecm/patients/${foreign}/discontinuations`, body)).json()).toEqual({ errors: ['Patient not found'] });
    expect((await call(t.app, admin, 'GET', url(foreign, 'discontinuations'))).statusCode).toBe(404);
  });
});

describe('care conferences', () => {
  it('marks a meeting activity as a care conference, and refuses the kind on other types', async () => {
    const meeting = await call(t.app, coordinator, 'POST', url(member, 'activities'), {
      activity: { activity_type: 'meeting', booked_at: '2026-10-12T17:00:00.000Z', assigned_to_id: coordinator.id, meeting_kind: 'care_conference', subject: 'Care conference' },
    });
    expect(meeting.statusCode, meeting.body).toBe(201);
    expect(meeting.json().activity.meeting_kind).toBe('care_conference');
    const listed = (await call(t.app, coordinator, 'GET', url(member, 'activities'))).json().activities;
    expect(listed.find((a: { id: number }) => a.id === meeting.json().activity.id).meeting_kind).toBe('care_conference');
    const note = await call(t.app, coordinator, 'POST', url(member, 'activities'), { activity: { activity_type: 'note', body: 'n', assigned_to_id: coordinator.id, meeting_kind: 'care_conference' } });
    expect(note.json()).toEqual({ errors: ['Meeting kind is only allowed for meetings'] });
  });
});
