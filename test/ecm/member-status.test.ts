/**
 * The one status rule (src/ecm/patients/member-status.ts, `decideMemberStatus`) table-driven, then every writer of
 * `member_record_status` through the API or the job that runs it: enrolment, the admin's PUT, a MIF row, the
 * authorization import, the daily expiry and a discontinuation, each around a discontinuation in force.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideMemberStatus, type StatusProposal } from '../../src/ecm/patients/member-status.ts';
import { todayIn } from '../../src/ecm/imports/service.ts';
import { systemContext } from '../../src/platform/context.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { dataUri, delimited, MIME } from './imports/files.ts';

type Row = [title: string, proposal: StatusProposal, expected: string | null];
const D = '2026-10-31';

const TABLE: Row[] = [
  ['enrolment without a status: new_member', { writer: 'enrolment', proposed: null, current: null, discontinuedOn: null }, 'new_member'],
  ['enrolment with a status: that status', { writer: 'enrolment', proposed: 'pending_member', current: null, discontinuedOn: null }, 'pending_member'],
  ['discontinuation: terminated_member', { writer: 'discontinuation', proposed: null, current: 'continuing_member', discontinuedOn: null }, 'terminated_member'],
  ['discontinuation of a terminated member still writes its entry', { writer: 'discontinuation', proposed: null, current: 'terminated_member', discontinuedOn: null }, 'terminated_member'],
  ['staff: a different status', { writer: 'staff', proposed: 'inactive_member', current: 'new_member', discontinuedOn: null }, 'inactive_member'],
  ['staff: the same status writes nothing', { writer: 'staff', proposed: 'new_member', current: 'new_member', discontinuedOn: null }, null],
  ['staff: over a discontinuation (a person decided)', { writer: 'staff', proposed: 'continuing_member', current: 'terminated_member', discontinuedOn: D }, 'continuing_member'],
  ['mif: a different status', { writer: 'mif', proposed: 'continuing_member', current: 'new_member', discontinuedOn: null }, 'continuing_member'],
  ['mif: no status in the row', { writer: 'mif', proposed: null, current: 'new_member', discontinuedOn: null }, null],
  ['mif: nothing while discontinued', { writer: 'mif', proposed: 'new_member', current: 'terminated_member', discontinuedOn: D }, null],
  ['authorization: a different status', { writer: 'authorization', proposed: 'new_member', current: 'pending_member', discontinuedOn: null, authorizationStart: '2026-01-01' }, 'new_member'],
  ['authorization: starting before the discontinuation: nothing', { writer: 'authorization', proposed: 'continuing_member', current: 'terminated_member', discontinuedOn: D, authorizationStart: '2026-10-01' }, null],
  ['authorization: starting on the discontinuation day: nothing', { writer: 'authorization', proposed: 'continuing_member', current: 'terminated_member', discontinuedOn: D, authorizationStart: D }, null],
  ['authorization: undated while discontinued: nothing', { writer: 'authorization', proposed: 'pending_member', current: 'terminated_member', discontinuedOn: D, authorizationStart: null }, null],
  ['authorization: starting after the discontinuation re-opens', { writer: 'authorization', proposed: 'continuing_member', current: 'terminated_member', discontinuedOn: D, authorizationStart: '2026-11-15' }, 'continuing_member'],
  ['authorization: a pending one after it re-opens', { writer: 'authorization', proposed: 'pending_member', current: 'terminated_member', discontinuedOn: D, authorizationStart: '2026-11-15' }, 'pending_member'],
  ['expiry: terminates', { writer: 'expiry', proposed: 'terminated_member', current: 'new_member', discontinuedOn: null }, 'terminated_member'],
  ['expiry: nothing while discontinued', { writer: 'expiry', proposed: 'terminated_member', current: 'inactive_member', discontinuedOn: D }, null],
];

describe('decideMemberStatus', () => {
  it.each(TABLE)('%s', (_title, proposal, expected) => {
    expect(decideMemberStatus(proposal)).toBe(expected);
  });
});

let t: TestContext;
let admin: TestUser;
let now = new Date();
let today: string;

function day(n: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const us = (n: number) => {
  const [y, m, d] = day(n).split('-');
  return `${m}-${d}-${y}`;
};

async function enrol(memberId: string, status?: string) {
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: 'Stat', last_name: memberId, ecm_eligibility_information: { member_id: memberId, ...(status && { member_record_status: status }) } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().patient.id as number;
}
// Read through the services: once the test clock moves a day on, the admin's session has lapsed.
async function history(id: number) {
  const p = await t.services.patients.getPatient(systemContext(admin.organizationId, 'test'), id);
  return p.ecm_status_history.map((h) => [h.status, h.changed_by]);
}
async function discontinue(id: number, on: string) {
  const res = await call(t.app, admin, 'POST', `/v1/admin/clinic/ecm/patients/${id}/discontinuations`, { discontinuation: { discontinued_on: on, reason_code: 'MOVED', reason: 'Moved out of the county' } });
  expect(res.statusCode, res.body).toBe(201);
}
async function inForce(id: number) {
  return (await t.services.discontinuations.listDiscontinuations(systemContext(admin.organizationId, 'test'), id))[0]?.in_force ?? false;
}
async function importAuthorizations(rows: Array<Record<string, string>>) {
  const csv = delimited(['Auth No', 'Member ID', 'Status', 'Start Date', 'Expiration Date'], rows);
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/authorizations', { authorization: { file: dataUri(MIME.csv, csv) } });
  expect(res.json().rejected_count, res.body).toBe(0);
}
async function importMif(csv: string) {
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/mifs', { mif: { file: dataUri(MIME.csv, csv) } });
  expect(res.statusCode, res.body).toBe(201);
}

beforeAll(async () => {
  t = await createTestContext({}, { clock: () => now });
  admin = await createUser(t.services, 'Status Clinic', 'admin', 'Ada Admin');
  today = todayIn('America/Los_Angeles', now);
});
afterAll(() => t.close());

describe('every status writer goes through the rule', () => {
  it('enrolment: the given status or new_member, with the first history entry', async () => {
    expect(await history(await enrol('S-ENROL'))).toEqual([['new_member', 'Ada Admin']]);
    expect(await history(await enrol('S-ENROL-2', 'pending_member'))).toEqual([['pending_member', 'Ada Admin']]);
  });

  it('discontinuation then staff: the admin\'s status change wins and ends the discontinuation', async () => {
    const id = await enrol('S-STAFF');
    await discontinue(id, day(-1));
    expect(await inForce(id)).toBe(true);
    const res = await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${id}`, { patient: { ecm_eligibility_information: { member_record_status: 'continuing_member' } } });
    expect(res.statusCode).toBe(200);
    expect(await history(id)).toEqual([['new_member', 'Ada Admin'], ['terminated_member', 'Ada Admin'], ['continuing_member', 'Ada Admin']]);
    expect(await inForce(id)).toBe(false);
  });

  it('MIF: a row\'s status changes a member, but not one whose discontinuation is in force', async () => {
    const open = await enrol('S-MIF-OPEN');
    const ended = await enrol('S-MIF-ENDED');
    await discontinue(ended, day(-1));
    await importMif('MEMBER_ID,MEMBER_RECORD_STATUS\nS-MIF-OPEN,continuing_member\nS-MIF-ENDED,continuing_member\n');
    expect((await history(open)).at(-1)).toEqual(['continuing_member', 'MIF Import']);
    expect(await history(ended)).toEqual([['new_member', 'Ada Admin'], ['terminated_member', 'Ada Admin']]);
    expect(await inForce(ended)).toBe(true);
  });

  it('authorization import: an approval starting before the discontinuation changes nothing; one starting after re-opens the member', async () => {
    const id = await enrol('S-AUTH', 'pending_member');
    await discontinue(id, day(-10));
    await importAuthorizations([{ 'Auth No': 'S-A1', 'Member ID': 'S-AUTH', Status: 'Approved', 'Start Date': us(-30), 'Expiration Date': us(300) }]);
    expect(await history(id)).toEqual([['pending_member', 'Ada Admin'], ['terminated_member', 'Ada Admin']]);
    await importAuthorizations([{ 'Auth No': 'S-A2', 'Member ID': 'S-AUTH', Status: 'Approved', 'Start Date': us(-2), 'Expiration Date': us(360) }]);
    expect((await history(id)).at(-1)).toEqual(['continuing_member', 'Authorization Import']);
    expect(await inForce(id)).toBe(false);
  });

  it('expiry job: an approval that runs out terminates an open member once, and leaves a discontinued one as it is', async () => {
    const open = await enrol('S-EXP-OPEN');
    const ended = await enrol('S-EXP-ENDED');
    await importAuthorizations([
      { 'Auth No': 'S-E1', 'Member ID': 'S-EXP-OPEN', Status: 'Approved', 'Start Date': us(-364), 'Expiration Date': us(0) },
      { 'Auth No': 'S-E2', 'Member ID': 'S-EXP-ENDED', Status: 'Approved', 'Start Date': us(-364), 'Expiration Date': us(0) },
    ]);
    await discontinue(ended, day(0));
    const before = await history(ended);
    now = new Date(now.getTime() + 24 * 3600 * 1000);
    const changed = await t.services.imports.expireAuthorizations();
    expect(changed.get(admin.organizationId)).toEqual([open]);
    expect((await history(open)).at(-1)).toEqual(['terminated_member', 'Authorization Expired']);
    expect(await history(ended)).toEqual(before);
    expect(await inForce(ended)).toBe(true);
  });

  it('keeps the status and its history in step for every writer (one entry per change)', async () => {
    const { rows } = await t.database.db.execute<{ mismatched: number }>(sql`
      SELECT count(*)::int AS mismatched FROM ecm_eligibility_informations e
      WHERE e.member_record_status <> (SELECT h.status FROM ecm_status_histories h WHERE h.patient_id = e.patient_id ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)`);
    expect(rows[0].mismatched).toBe(0);
  });
});
