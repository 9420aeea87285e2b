/**
 * Authorization import (issue 7): XLSX, XLSM and CSV files through
 * `POST /v1/admin/clinic/ecm/authorizations`, rejected rows, refused files (XLS
 * among them), the member statuses the authorizations set with their history
 * entries, the three writers of `member_record_status`, and the daily expiry.
 */
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, authorizationFiles, ecmAuthorizations } from '../../../src/db/schema.ts';
import { AUTHORIZATION_EXPIRY_CRON, AUTHORIZATION_EXPIRY_QUEUE, authorizationExpiryJob, importJobs } from '../../../src/ecm/imports/jobs.ts';
import { todayIn } from '../../../src/ecm/imports/service.ts';
import { systemContext } from '../../../src/platform/context.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../../support/app.ts';
import { dataUri, delimited, fakeXls, MIME, workbook, xml } from './files.ts';

const HEADERS = ['Auth No', 'Member ID', 'Auth Type', 'Authorization Type', 'Status', 'Start Date', 'Expiration Date'];

let t: TestContext;
let admin: TestUser;
let coordinator: TestUser;
let now = new Date();
let today: string;
const ids: Record<string, number> = {};

/** `today` plus `n` days, YYYY-MM-DD. */
function day(n: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
/** `today` plus `n` days as the files write it, MM-DD-YYYY. */
function us(n: number): string {
  const [y, m, d] = day(n).split('-');
  return `${m}-${d}-${y}`;
}
/** `today` plus `n` days as a spreadsheet date cell. */
function cell(n: number): Date {
  return new Date(`${day(n)}T00:00:00Z`);
}

function post(authorization: Record<string, unknown>, user = admin) {
  return call(t.app, user, 'POST', '/v1/admin/clinic/ecm/authorizations', { authorization });
}

async function detail(key: string) {
  return t.services.patients.getPatient(systemContext(admin.organizationId, 'test'), ids[key]);
}

async function history(key: string) {
  return (await detail(key)).ecm_status_history.map((h) => [h.status, h.changed_by]);
}

beforeAll(async () => {
  t = await createTestContext({}, { clock: () => now });
  admin = await createUser(t.services, 'Auth Clinic', 'admin', 'Ada Admin');
  coordinator = await createUser(t.services, 'Auth Clinic', 'care_coordinator');
  today = todayIn('America/Los_Angeles', now);
  const members = [
    ['M1', 'pending_member'], ['M2', 'new_member'], ['M3', 'new_member'], ['M4', 'continuing_member'], ['M5', 'new_member'],
    ['E1', 'pending_member'], ['E2', 'new_member'], ['E3', 'new_member'], ['W1', 'new_member'],
  ];
  const csv = delimited(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME', 'MEMBER_RECORD_STATUS'], members.map(([id, status]) => ({ MEMBER_ID: id, FIRST_NAME: 'Auth', LAST_NAME: id, MEMBER_RECORD_STATUS: status })));
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/mifs', { mif: { file: dataUri(MIME.csv, csv) } });
  expect(res.json().mif_import.created_count).toBe(members.length);
  const { rows } = await t.database.db.execute<{ member_id: string; patient_id: number }>(sql`SELECT member_id, patient_id FROM ecm_eligibility_informations`);
  for (const r of rows) ids[r.member_id] = r.patient_id;
});

afterAll(() => t.close());

describe('POST /v1/admin/clinic/ecm/authorizations', () => {
  it('imports an XLSX: creates authorizations, rejects bad rows, and sets each member\'s status with an Authorization Import entry', async () => {
    const file = await workbook(HEADERS, [
      { 'Auth No': 'A-100', 'Member ID': 'M1', 'Auth Type': 'ES', 'Authorization Type': 'Form I', Status: 'Approved', 'Start Date': cell(-30), 'Expiration Date': cell(335) },
      { 'Auth No': 'A-200', 'Member ID': 'M2', 'Auth Type': 'ES', 'Authorization Type': 'Form I', Status: 'Approved', 'Start Date': cell(-400), 'Expiration Date': cell(-36) },
      { 'Auth No': 'A-201', 'Member ID': 'M2', 'Auth Type': 'ES', 'Authorization Type': 'Form C', Status: 'Approved', 'Start Date': cell(-35), 'Expiration Date': cell(330) },
      { 'Auth No': 'A-300', 'Member ID': 'M3', 'Authorization Type': 'E', Status: 'pending' },
      { 'Auth No': '', 'Member ID': 'M3', Status: 'Approved' },
      { 'Auth No': 'A-400', 'Member ID': 'M4', 'Authorization Type': 'Form D', Status: 'Denied', 'Start Date': cell(-1) },
      { 'Auth No': 'A-500', 'Member ID': 'M5', Status: 'Approved', 'Start Date': cell(-60), 'Expiration Date': cell(300) },
      { 'Auth No': 'A-501', 'Member ID': 'M5', Status: 'Terminated', 'Start Date': cell(-5), 'Expiration Date': cell(300) },
      { 'Auth No': 'A-900', 'Member ID': 'NOBODY', Status: 'Approved' },
      { 'Auth No': 'A-901', 'Member ID': 'M1', Status: 'Maybe', 'Authorization Type': 'Form Z' },
      { 'Auth No': 'A-902', 'Member ID': 'M1', Status: 'Approved', 'Start Date': '02-30-2025' },
      { 'Auth No': 'A-903', 'Member ID': 'M1', Status: 'Approved', 'Start Date': cell(10), 'Expiration Date': cell(5) },
      { 'Auth No': 'A-100', 'Member ID': 'M1', Status: 'Denied' },
      { 'Auth No': 'A-904', Status: 'Approved' },
      { 'Auth No': 'A-905', 'Member ID': 'M1' },
    ]);
    const res = await post({ file: dataUri(MIME.xlsx, file) });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      message: 'Authorization data imported successfully',
      imported_count: 7,
      updated_count: 0,
      rejected_count: 8,
      authorization_file_id: expect.any(Number),
      errors: [
        { row: 6, messages: ["Validation failed: Auth No can't be blank"] },
        { row: 10, messages: ['Validation failed: Member ID does not match a member of the clinic'] },
        { row: 11, messages: ['Validation failed: Authorization Type is not included in the list (Form I, Form E, Form C, Form D, Form W)', 'Validation failed: Status is not included in the list (Approved, Pending, Denied, Terminated)'] },
        { row: 12, messages: ['Validation failed: Start Date must be a date (MM-DD-YYYY)'] },
        { row: 13, messages: ['Validation failed: Expiration Date must be on or after the Start Date'] },
        { row: 14, messages: ['Validation failed: Auth No appears more than once in the file (first at row 2)'] },
        { row: 15, messages: ["Validation failed: Member ID can't be blank"] },
        { row: 16, messages: ["Validation failed: Status can't be blank"] },
      ],
    });
    expect(await history('M1')).toEqual([['pending_member', 'MIF Import'], ['new_member', 'Authorization Import']]);
    expect(await history('M2')).toEqual([['new_member', 'MIF Import'], ['continuing_member', 'Authorization Import']]);
    expect(await history('M3')).toEqual([['new_member', 'MIF Import'], ['pending_member', 'Authorization Import']]);
    expect(await history('M4')).toEqual([['continuing_member', 'MIF Import'], ['terminated_member', 'Authorization Import']]);
    // A newer termination while an approval is still in force: the approval decides (no change).
    expect(await history('M5')).toEqual([['new_member', 'MIF Import']]);
    const m1 = await detail('M1');
    expect(m1.ecm_authorizations).toEqual([
      { id: expect.any(Number), auth_no: 'A-100', auth_type: 'ES', authorization_type: 'Form I', status: 'Approved', start_date: day(-30), expiration_date: day(335) },
    ]);
    const entry = (await detail('M1')).ecm_status_history[1];
    expect(entry.changed_at).toMatch(/\.\d{3}Z$/);
    const [file_] = await t.database.db.select().from(authorizationFiles).where(eq(authorizationFiles.id, body.authorization_file_id));
    expect(file_).toMatchObject({ source: 'file', fileType: 'xlsx', importedCount: 7, rejectedCount: 8, createdByUserId: admin.id });
    const audits = await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'import'));
    expect(audits.at(-1)!.entityIds.sort()).toEqual(['M1', 'M2', 'M3', 'M4', 'M5'].map((k) => String(ids[k])).sort());
  });

  it('updates by Auth No from an XLSM (other header spellings); blank cells keep values; the status follows', async () => {
    const file = await workbook(['AUTH_NO', 'member id', 'STATUS', 'start_date', 'Expiration_Date'], [
      { AUTH_NO: 'A-300', STATUS: 'Approved', start_date: us(-2), Expiration_Date: us(360) },
      { AUTH_NO: 'A-W1', 'member id': 'W1', STATUS: 'Approved', start_date: us(-10), Expiration_Date: us(100) },
    ]);
    const res = await post({ file: dataUri(MIME.xlsm, file) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported_count: 1, updated_count: 1, rejected_count: 0, errors: [] });
    const m3 = await detail('M3');
    expect(m3.ecm_authorizations).toEqual([expect.objectContaining({ auth_no: 'A-300', authorization_type: 'Form E', status: 'Approved', start_date: day(-2), expiration_date: day(360) })]);
    expect(await history('M3')).toEqual([['new_member', 'MIF Import'], ['pending_member', 'Authorization Import'], ['new_member', 'Authorization Import']]);
    const [row] = await t.database.db.select().from(authorizationFiles).where(eq(authorizationFiles.id, res.json().authorization_file_id));
    expect(row.fileType).toBe('xlsm');
  });

  it('reads CSV (tab-separated) with the same reader as the MIF', async () => {
    const tsv = delimited(HEADERS, [{ 'Auth No': 'A-401', 'Member ID': 'M4', 'Authorization Type': 'Form W', Status: 'Approved', 'Start Date': us(0), 'Expiration Date': us(200) }], '\t');
    const res = await post({ file: dataUri(MIME.csv, tsv) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported_count: 1, rejected_count: 0 });
    // M4 was terminated (denied); an approval after a denial only is still a first approval.
    expect((await detail('M4')).ecm_eligibility_information.member_record_status).toBe('new_member');
  });

  it('reads XML with one <Authorization> element each', async () => {
    const file = xml([{ Auth_No: 'A-502', Member_ID: 'M5', Status: 'Pending', Start_Date: us(400) }], 'Authorization', 'Authorizations');
    const res = await post({ file: dataUri(MIME.xml, file) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported_count: 1, rejected_count: 0 });
    expect((await detail('M5')).ecm_authorizations.map((a) => a.auth_no)).toContain('A-502');
  });

  it('answers 422 for XLS and for files that cannot be read, and changes nothing', async () => {
    const [before] = await t.database.db.select({ files: count() }).from(authorizationFiles);
    const [authsBefore] = await t.database.db.select({ n: count() }).from(ecmAuthorizations);
    const xls = 'XLS files are not supported; save the file as XLSX';
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ file: dataUri(MIME.xls, fakeXls()) }, xls],
      [{ file: dataUri('application/octet-stream', fakeXls()) }, xls],
      [{ file: dataUri(MIME.xlsx, fakeXls()) }, xls],
      [{ file: dataUri('application/octet-stream', 'Auth No\nA-1\n'), filename: 'legacy.xls' }, xls],
      [{ file: dataUri(MIME.csv, 'Auth No\nA-1\n'), file_type: 'xls' }, xls],
      [{ file: dataUri(MIME.xlsx, 'not a workbook') }, 'The file could not be read as XLSX: it is not an Excel workbook'],
      [{ file: dataUri(MIME.xlsm, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 1)])) }, 'The file could not be read as XLSM: '],
      [{ file: dataUri(MIME.xlsx, await workbook(['Member ID', 'Status'], [{ 'Member ID': 'M1', Status: 'Approved' }])) }, 'The file has no Auth No column'],
      [{ file: dataUri(MIME.csv, 'Auth No,Status\n') }, 'The file has no authorization rows'],
      [{}, 'One of file, url or path is required'],
      [{ url: 'https://example.com/auths.xlsx' }, 'Url must be an http(s) URL on a host allowed for imports (IMPORT_URL_HOSTS)'],
      [{ path: '../../etc/passwd' }, 'Path must name a file in the clinic\'s import folder (DATA_DIR/imports/'],
    ];
    for (const [authorization, message] of cases) {
      const res = await post(authorization);
      expect(res.statusCode, `${message}: ${res.body}`).toBe(422);
      expect(res.json().errors[0]).toContain(message);
    }
    expect((await t.database.db.select({ files: count() }).from(authorizationFiles))[0]).toEqual(before);
    expect((await t.database.db.select({ n: count() }).from(ecmAuthorizations))[0]).toEqual(authsBefore);
  });

  it('answers 403 to care coordinators', async () => {
    const res = await post({ file: dataUri(MIME.csv, 'Auth No,Member ID,Status\nA-C,M1,Pending\n') }, coordinator);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ errors: ['Admin access required'] });
    expect(await t.database.db.select().from(ecmAuthorizations).where(eq(ecmAuthorizations.authNo, 'A-C'))).toEqual([]);
  });
});

describe('member_record_status has three writers; the latest wins', () => {
  it('an admin PUT overrides the rule, and the next authorization import of the member applies the rule again', async () => {
    await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.M1}`, { patient: { ecm_eligibility_information: { member_record_status: 'inactive_member' } } });
    expect((await detail('M1')).ecm_eligibility_information.member_record_status).toBe('inactive_member');
    const csv = delimited(HEADERS, [{ 'Auth No': 'A-101', 'Member ID': 'M1', Status: 'Pending', 'Start Date': us(300) }]);
    await post({ file: dataUri(MIME.csv, csv) });
    expect(await history('M1')).toEqual([
      ['pending_member', 'MIF Import'],
      ['new_member', 'Authorization Import'],
      ['inactive_member', 'Ada Admin'],
      ['pending_member', 'Authorization Import'],
    ]);
    await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/mifs', { mif: { file: dataUri(MIME.csv, 'MEMBER_ID,MEMBER_RECORD_STATUS\nM1,continuing_member\n') } });
    expect((await history('M1')).at(-1)).toEqual(['continuing_member', 'MIF Import']);
  });
});

describe('daily authorization expiry', () => {
  it('terminates a member whose last approval expired without renewal (Authorization Expired), once', async () => {
    // E1: approval ends today; E2: ends today but renewed; E3: expired long ago, then the admin set a status after that.
    const csv = delimited(HEADERS, [
      { 'Auth No': 'E-1', 'Member ID': 'E1', Status: 'Approved', 'Start Date': us(-364), 'Expiration Date': us(0) },
      { 'Auth No': 'E-2', 'Member ID': 'E2', Status: 'Approved', 'Start Date': us(-364), 'Expiration Date': us(0) },
      { 'Auth No': 'E-2R', 'Member ID': 'E2', Status: 'Approved', 'Start Date': us(1), 'Expiration Date': us(365) },
      { 'Auth No': 'E-3', 'Member ID': 'E3', Status: 'Approved', 'Start Date': us(-400), 'Expiration Date': us(-10) },
    ]);
    expect((await post({ file: dataUri(MIME.csv, csv) })).json()).toMatchObject({ imported_count: 4, rejected_count: 0 });
    expect(await history('E1')).toEqual([['pending_member', 'MIF Import'], ['new_member', 'Authorization Import']]);
    expect(await history('E3')).toEqual([['new_member', 'MIF Import'], ['terminated_member', 'Authorization Import']]);
    await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.E3}`, { patient: { ecm_eligibility_information: { member_record_status: 'continuing_member' } } });

    // Nothing has expired yet today.
    expect(await t.services.imports.expireAuthorizations()).toEqual(new Map());

    // The next day, in the clinic's time zone.
    now = new Date(now.getTime() + 24 * 3600 * 1000);
    const job = importJobs(t.services.imports).find((j) => j.name === AUTHORIZATION_EXPIRY_QUEUE)!;
    await job.handler({}, { id: 'test', retryCount: 0, retryLimit: 0 });
    expect(await history('E1')).toEqual([['pending_member', 'MIF Import'], ['new_member', 'Authorization Import'], ['terminated_member', 'Authorization Expired']]);
    const e1 = await detail('E1');
    expect(e1.ecm_eligibility_information.member_record_status).toBe('terminated_member');
    expect(e1.ecm_status_history.at(-1)!.changed_at).toMatch(/\.\d{3}Z$/);
    expect((await detail('E2')).ecm_eligibility_information.member_record_status).toBe('continuing_member');
    expect((await history('E3')).at(-1)).toEqual(['continuing_member', 'Ada Admin']);
    const [audit] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.actorName, 'Authorization Expired'));
    expect(audit).toMatchObject({ actorType: 'system', action: 'update', entityType: 'patient', entityIds: [String(ids.E1)] });

    // Running again changes nothing.
    expect(await t.services.imports.expireAuthorizations()).toEqual(new Map());
    expect(await history('E1')).toHaveLength(3);
  });

  it('is scheduled through pg-boss', async () => {
    await t.jobs.schedule(authorizationExpiryJob(t.services.imports), AUTHORIZATION_EXPIRY_CRON);
    const { rows } = await t.database.db.execute<{ name: string; cron: string }>(sql`SELECT name, cron FROM job_queue.schedule`);
    expect(rows).toEqual([{ name: AUTHORIZATION_EXPIRY_QUEUE, cron: AUTHORIZATION_EXPIRY_CRON }]);
  });
});
