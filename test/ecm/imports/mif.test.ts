/**
 * Member Information File import (issue 7): real CSV, tab-separated, XML and
 * XLSX files through `POST /v1/admin/clinic/ecm/mifs`, bad rows, bad files,
 * the `url` and `path` sources and their guards, the history endpoints, roles,
 * the audit row and the `care ecm import-mif` command.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, mifImports } from '../../../src/db/schema.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../../support/app.ts';
import { dataUri, delimited, fakeXls, MIME, workbook, xml } from './files.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HEADERS = [
  'MEMBER_ID', 'FIRST_NAME', 'LAST_NAME', 'DOB', 'GENDER', 'ADDRESS', 'CITY', 'STATE', 'ZIP', 'PHONE', 'EMAIL', 'CIN',
  'ECM_SERVICE_AUTH_ID', 'ECM_PROVIDER_NAME', 'ECM_NPI', 'ECM_BENEFIT_AUTH_EFF_DATE', 'ECM_BENEFIT_AUTH_END_DATE',
  'ACUITY_LEVEL', 'MEMBER_RECORD_STATUS', 'MCP_ID', 'MCP_NAME',
];

let t: TestContext;
let admin: TestUser;
let coordinator: TestUser;
let otherAdmin: TestUser;
let dataDir: string;
let server: http.Server;
let serverHits = 0;
let host: string;
const served = new Map<string, { type: string; body: Buffer | string }>();

function post(user: TestUser, mif: Record<string, unknown>) {
  return call(t.app, user, 'POST', '/v1/admin/clinic/ecm/mifs', { mif });
}

async function patientByMemberId(memberId: string, user = admin) {
  const list = await call(t.app, user, 'GET', `/v1/admin/clinic/ecm/patients?search=${encodeURIComponent(memberId)}&per_page=100`);
  const item = list.json().patients.find((p: { ecm_eligibility_information: { member_id: string } }) => p.ecm_eligibility_information.member_id === memberId);
  if (!item) return undefined;
  return (await call(t.app, user, 'GET', `/v1/admin/clinic/ecm/patients/${item.id}`)).json().patient;
}

/** The clinic's drop folder for the `path` source. */
const dropFolder = (user: TestUser) => path.join(dataDir, 'imports', String(user.organizationId));

async function counts() {
  const { rows } = await t.database.db.execute<{ patients: number; imports: number; histories: number }>(sql`
    SELECT (SELECT count(*)::int FROM patients) AS patients, (SELECT count(*)::int FROM mif_imports) AS imports,
      (SELECT count(*)::int FROM ecm_status_histories) AS histories`);
  return rows[0];
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    serverHits++;
    const file = served.get(req.url ?? '');
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-mif-'));
  t = await createTestContext({ DATA_DIR: dataDir, IMPORT_URL_HOSTS: host });
  admin = await createUser(t.services, 'MIF Clinic', 'admin', 'Ada Admin');
  fs.mkdirSync(dropFolder(admin), { recursive: true });
  coordinator = await createUser(t.services, 'MIF Clinic', 'care_coordinator');
  otherAdmin = await createUser(t.services, 'Other MIF Clinic', 'admin');
  await call(t.app, admin, 'PUT', '/v1/admin/organization', { organization: { mcp_id: 'MCP-42', mcp_name: 'Sunrise Health Plan' } });
});

afterAll(async () => {
  await t.close();
  server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('POST /v1/admin/clinic/ecm/mifs', () => {
  it('imports a CSV: members with eligibility, an empty case load and a status-history entry by MIF Import', async () => {
    const csv = delimited(HEADERS, [
      {
        MEMBER_ID: 'MIF-001', FIRST_NAME: 'Maria', LAST_NAME: 'Lopez', DOB: '03-14-1961', GENDER: 'F', ADDRESS: '12 Oak St', CITY: 'Fresno',
        STATE: 'ca', ZIP: '93701', PHONE: '(805) 555-0101', EMAIL: 'maria@example.com', ECM_SERVICE_AUTH_ID: 'SA-1',
        ECM_PROVIDER_NAME: 'Esteem Health PSC', ECM_NPI: '1234567890', ECM_BENEFIT_AUTH_EFF_DATE: '01-01-2025',
        ECM_BENEFIT_AUTH_END_DATE: '12-31-2025', ACUITY_LEVEL: 'High',
      },
      { MEMBER_ID: 'MIF-002', FIRST_NAME: 'Sam', LAST_NAME: 'Ng', CIN: '91234567A', MCP_ID: 'MCP-7', MCP_NAME: 'Other Plan' },
    ]);
    const res = await post(admin, { file: dataUri(MIME.csv, csv), filename: 'members.csv' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({
      message: 'Member information file imported successfully',
      mif_import: {
        id: expect.any(Number), source: 'file', file_type: 'csv', filename: 'members.csv', created_count: 2, updated_count: 0,
        rejected_count: 0, unknown_columns: [], errors: [], created_by_user_id: admin.id, created_at: expect.stringMatching(/\.\d{3}Z$/),
      },
    });
    const maria = await patientByMemberId('MIF-001');
    expect(maria).toMatchObject({
      first_name: 'Maria', last_name: 'Lopez', date_of_birth: '1961-03-14', gender: 'female', phone: '+18055550101', email: 'maria@example.com',
      address: { street: '12 Oak St', city: 'Fresno', state: 'CA', zip: '93701' },
      ecm_eligibility_information: {
        member_id: 'MIF-001', cin: 'MIF-001', ecm_service_auth_id: 'SA-1', ecm_provider_name: 'Esteem Health PSC', ecm_npi: '1234567890',
        ecm_benefit_auth_eff_date: '2025-01-01', ecm_benefit_auth_end_date: '2025-12-31', acuity_level: 'high', member_record_status: 'new_member',
      },
      case_load: { id: expect.any(Number), provider_id: null, olcm_user_id: null, ilcm_user_id: null },
      ecm_status_history: [{ id: expect.any(Number), status: 'new_member', changed_at: expect.any(String), changed_by: 'MIF Import' }],
    });
    const sam = await patientByMemberId('MIF-002');
    expect(sam.ecm_eligibility_information.cin).toBe('91234567A');
    const mcp = await t.database.db.execute<{ member_id: string; mcp_id: string; mcp_name: string }>(sql`
      SELECT member_id, mcp_id, mcp_name FROM ecm_eligibility_informations WHERE member_id IN ('MIF-001', 'MIF-002') ORDER BY member_id`);
    expect(mcp.rows).toEqual([
      { member_id: 'MIF-001', mcp_id: 'MCP-42', mcp_name: 'Sunrise Health Plan' },
      { member_id: 'MIF-002', mcp_id: 'MCP-7', mcp_name: 'Other Plan' },
    ]);
    const [audit] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'import'), eq(auditEvents.actorId, String(admin.id))));
    expect(audit).toMatchObject({ entityType: 'patient', actorName: 'Ada Admin' });
    expect(audit.entityIds.sort()).toEqual([String(maria.id), String(sam.id)].sort());
  });

  it('rejects bad rows with their row numbers and reasons while the valid rows import; unknown columns are reported', async () => {
    const csv = delimited([...HEADERS, 'PCP_NAME', 'Notes'], [
      { MEMBER_ID: 'BAD-OK-1', FIRST_NAME: 'Valid', LAST_NAME: 'Row', PCP_NAME: 'Dr. X' },
      { MEMBER_ID: '', FIRST_NAME: 'No', LAST_NAME: 'Id' },
      { MEMBER_ID: 'BAD-2', FIRST_NAME: 'Bad', LAST_NAME: 'Data', DOB: '1961-31-02', PHONE: 'call me', ACUITY_LEVEL: 'extreme', ECM_NPI: '12' },
      { MEMBER_ID: 'BAD-3', FIRST_NAME: 'Future', LAST_NAME: 'Born', DOB: '01-01-2999', GENDER: 'robot', MEMBER_RECORD_STATUS: 'gone' },
      { MEMBER_ID: 'BAD-4', LAST_NAME: 'Nameless' },
      { MEMBER_ID: 'BAD-OK-1', FIRST_NAME: 'Twice', LAST_NAME: 'Listed' },
      { MEMBER_ID: 'BAD-5', FIRST_NAME: 'Dates', LAST_NAME: 'Reversed', ECM_BENEFIT_AUTH_EFF_DATE: '06-01-2025', ECM_BENEFIT_AUTH_END_DATE: '05-01-2025' },
      { MEMBER_ID: 'BAD-OK-2', FIRST_NAME: 'Also', LAST_NAME: 'Valid', DOB: '2/3/1970', MEMBER_RECORD_STATUS: 'Pending Member' },
    ]);
    const res = await post(admin, { file: dataUri(MIME.csv, csv) });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json().mif_import;
    expect(body).toMatchObject({ created_count: 2, updated_count: 0, rejected_count: 6, unknown_columns: ['PCP_NAME', 'Notes'] });
    expect(body.errors).toEqual([
      { row: 3, member_id: null, messages: ["MEMBER_ID can't be blank"] },
      { row: 4, member_id: 'BAD-2', messages: ['DOB must be a date (MM-DD-YYYY)', 'PHONE is not a valid phone number', 'ECM_NPI must be 10 digits', 'ACUITY_LEVEL is not included in the list (low, medium, high)'] },
      { row: 5, member_id: 'BAD-3', messages: ["DOB can't be in the future", 'GENDER is not included in the list (M, F, male, female, other, unknown)', 'MEMBER_RECORD_STATUS is not included in the list (new_member, continuing_member, pending_member, terminated_member, inactive_member)'] },
      { row: 6, member_id: 'BAD-4', messages: ["FIRST_NAME can't be blank for a new member"] },
      { row: 7, member_id: 'BAD-OK-1', messages: ['MEMBER_ID appears more than once in the file (first at row 2)'] },
      { row: 8, member_id: 'BAD-5', messages: ['ECM_BENEFIT_AUTH_END_DATE must be on or after ECM_BENEFIT_AUTH_EFF_DATE'] },
    ]);
    expect(await patientByMemberId('BAD-2')).toBeUndefined();
    const also = await patientByMemberId('BAD-OK-2');
    expect(also).toMatchObject({ date_of_birth: '1970-02-03', ecm_eligibility_information: { member_record_status: 'pending_member' } });
    expect(also.ecm_status_history).toEqual([expect.objectContaining({ status: 'pending_member', changed_by: 'MIF Import' })]);
  });

  it('updates members matched on MEMBER_ID from a tab-delimited file with lower-case headers; blank cells keep values; a new status is recorded', async () => {
    const before = await patientByMemberId('MIF-001');
    const tsv = delimited(['member_id', 'first_name', 'last_name', 'Phone', 'acuity_level', 'member_record_status', 'ecm_benefit_auth_end_date'], [
      { member_id: 'MIF-001', first_name: 'María', Phone: '805.555.0199', acuity_level: 'low', member_record_status: 'continuing_member', ecm_benefit_auth_end_date: '06-30-2026' },
      { member_id: 'MIF-003', first_name: 'Tab', last_name: 'Person' },
    ], '\t');
    const res = await post(admin, { file: dataUri(MIME.tsv, tsv) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().mif_import).toMatchObject({ file_type: 'csv', created_count: 1, updated_count: 1, rejected_count: 0, unknown_columns: [] });
    const after = await patientByMemberId('MIF-001');
    expect(after.id).toBe(before.id);
    expect(after).toMatchObject({
      first_name: 'María', last_name: 'Lopez', date_of_birth: '1961-03-14', phone: '+18055550199', email: 'maria@example.com',
      ecm_eligibility_information: { cin: 'MIF-001', acuity_level: 'low', member_record_status: 'continuing_member', ecm_benefit_auth_eff_date: '2025-01-01', ecm_benefit_auth_end_date: '2026-06-30' },
    });
    expect(after.ecm_status_history.map((h: { status: string; changed_by: string }) => [h.status, h.changed_by])).toEqual([
      ['new_member', 'MIF Import'],
      ['continuing_member', 'MIF Import'],
    ]);
    // The same status again writes no history entry.
    await post(admin, { file: dataUri(MIME.tsv, tsv) });
    expect((await patientByMemberId('MIF-001')).ecm_status_history).toHaveLength(2);
  });

  it('takes the status from the latest writer: an admin PUT after a MIF, then a MIF after the PUT', async () => {
    const p = await patientByMemberId('MIF-002');
    await call(t.app, admin, 'PUT', `/v1/admin/clinic/ecm/patients/${p.id}`, { patient: { ecm_eligibility_information: { member_record_status: 'inactive_member' } } });
    await post(admin, { file: dataUri(MIME.csv, delimited(['MEMBER_ID', 'MEMBER_RECORD_STATUS'], [{ MEMBER_ID: 'MIF-002', MEMBER_RECORD_STATUS: 'continuing' }])) });
    const after = await patientByMemberId('MIF-002');
    expect(after.ecm_eligibility_information.member_record_status).toBe('continuing_member');
    expect(after.ecm_status_history.map((h: { status: string; changed_by: string }) => [h.status, h.changed_by])).toEqual([
      ['new_member', 'MIF Import'],
      ['inactive_member', 'Ada Admin'],
      ['continuing_member', 'MIF Import'],
    ]);
  });

  it('reads XML with one <Member> element per member, child elements named as the CSV headers', async () => {
    const file = xml([
      { MEMBER_ID: 'XML-1', FIRST_NAME: 'Xavier', LAST_NAME: 'Ml', DOB: '07-04-1976', PHONE: '8055550142', ZIP: '93701-1234' },
      { Member_Id: 'XML-2', First_Name: 'Ada & Co', Last_Name: 'Lovelace', Extra: 'x' },
      { MEMBER_ID: 'XML-3', FIRST_NAME: 'No', LAST_NAME: 'Good', DOB: 'yesterday' },
    ]);
    const res = await post(admin, { file: dataUri(MIME.xml, file) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().mif_import).toMatchObject({
      file_type: 'xml', created_count: 2, rejected_count: 1, unknown_columns: ['Extra'],
      errors: [{ row: 3, member_id: 'XML-3', messages: ['DOB must be a date (MM-DD-YYYY)'] }],
    });
    expect(await patientByMemberId('XML-1')).toMatchObject({ date_of_birth: '1976-07-04', phone: '+18055550142', address: { zip: '93701-1234' } });
    expect((await patientByMemberId('XML-2')).first_name).toBe('Ada & Co');
  });

  it('reads XLSX written by exceljs: headers in row 1, date cells and number cells', async () => {
    const file = await workbook(['Member_ID', 'First_Name', 'Last_Name', 'DOB', 'Phone', 'ECM_NPI', 'Acuity_Level'], [
      { Member_ID: 'XL-1', First_Name: 'Excel', Last_Name: 'Sheet', DOB: new Date(Date.UTC(1980, 4, 17)), Phone: 8055550177, ECM_NPI: 1234567890, Acuity_Level: 'medium' },
      { Member_ID: 'XL-2', First_Name: 'Text', Last_Name: 'Date', DOB: '12-25-1990' },
      { Member_ID: 'XL-3', First_Name: 'Bad', Last_Name: 'Phone', Phone: '123' },
    ]);
    const res = await post(admin, { file: dataUri(MIME.xlsx, file) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().mif_import).toMatchObject({
      file_type: 'xlsx', created_count: 2, rejected_count: 1, errors: [{ row: 4, member_id: 'XL-3', messages: ['PHONE is not a valid phone number'] }],
    });
    expect(await patientByMemberId('XL-1')).toMatchObject({
      date_of_birth: '1980-05-17', phone: '+18055550177', ecm_eligibility_information: { ecm_npi: '1234567890', acuity_level: 'medium' },
    });
    expect((await patientByMemberId('XL-2')).date_of_birth).toBe('1990-12-25');
  });

  it('answers 422 and changes nothing for a file that cannot be read', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ file: dataUri(MIME.csv, 'MEMBER_ID,FIRST_NAME\n"unclosed,quote\n') }, 'The file could not be read as CSV: '],
      [{ file: dataUri(MIME.csv, 'FIRST_NAME,LAST_NAME\nA,B\n') }, 'The file has no MEMBER_ID column'],
      [{ file: dataUri(MIME.csv, 'MEMBER_ID,FIRST_NAME\n') }, 'The file has no member rows'],
      [{ file: dataUri(MIME.xml, '<Members><Member><MEMBER_ID>1</Member></Members>') }, 'The file could not be read as XML: '],
      [{ file: dataUri(MIME.xml, '<Patients><Patient><MEMBER_ID>1</MEMBER_ID></Patient></Patients>') }, 'The file has no <Member> elements'],
      [{ file: dataUri(MIME.xlsx, 'MEMBER_ID,FIRST_NAME\nA,B\n') }, 'The file could not be read as XLSX: it is not an Excel workbook'],
      [{ file: dataUri(MIME.xlsx, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100, 7)])) }, 'The file could not be read as XLSX: '],
      [{ file: dataUri(MIME.csv, await workbook(['MEMBER_ID'], [{ MEMBER_ID: 'Z' }])), file_type: 'csv' }, 'The file could not be read as CSV: it is a zip archive'],
      [{ file: dataUri(MIME.csv, 'MEMBER_ID\nZ-1\n'), file_type: 'xml' }, 'The file could not be read as XML: '],
      [{ file: dataUri(MIME.xls, fakeXls()) }, 'XLS files are not supported; save the file as XLSX'],
      [{ file: dataUri('application/octet-stream', fakeXls()), file_type: 'csv' }, 'XLS files are not supported; save the file as XLSX'],
      [{ file: 'data:text/csv;base64,%%%not-base64' }, 'File is not valid base64'],
      [{ file: 'data:text/csv;base64,' }, 'The file is empty'],
      [{ file: 'data:text/csv,MEMBER_ID' }, 'File must be base64 encoded (data:<type>;base64,...)'],
      [{ file: dataUri(MIME.csv, Buffer.from([0x4d, 0x00, 0x01, 0x02, 0x00])) }, 'The file could not be read as CSV: it contains binary data'],
      [{}, 'One of file, url or path is required'],
      [{ file: dataUri(MIME.csv, 'MEMBER_ID\nA\n'), path: 'x.csv' }, 'Give only one of file, url or path (got file, path)'],
    ];
    for (const [mif, message] of cases) {
      const res = await post(admin, mif);
      expect(res.statusCode, `${message}: ${res.body}`).toBe(422);
      expect(res.json().errors[0], message).toContain(message);
    }
    const bad = await post(admin, { file: dataUri(MIME.csv, 'MEMBER_ID\nA\n'), file_type: 'pdf' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: ['File type is not included in the list'] });
    expect(await counts()).toEqual(before);
  });

  it('detects the file type from the content when the data URI and file_type say nothing', async () => {
    const res = await post(admin, { file: dataUri('application/octet-stream', await workbook(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME'], [{ MEMBER_ID: 'DET-1', FIRST_NAME: 'De', LAST_NAME: 'Tected' }])) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().mif_import).toMatchObject({ file_type: 'xlsx', created_count: 1 });
    const bare = await post(admin, { file: Buffer.from(xml([{ MEMBER_ID: 'DET-2', FIRST_NAME: 'Bare', LAST_NAME: 'Base64' }])).toString('base64') });
    expect(bare.json().mif_import).toMatchObject({ file_type: 'xml', created_count: 1 });
  });
});

describe('url and path sources', () => {
  it('downloads a url on an allowed host (IMPORT_URL_HOSTS)', async () => {
    served.set('/exports/members.csv', { type: 'text/csv', body: delimited(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME'], [{ MEMBER_ID: 'URL-1', FIRST_NAME: 'Url', LAST_NAME: 'Person' }]) });
    const res = await post(admin, { url: `http://${host}/exports/members.csv` });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().mif_import).toMatchObject({ source: 'url', filename: 'members.csv', file_type: 'csv', created_count: 1 });
  });

  it('refuses a url on a host that is not allowed, without calling it', async () => {
    const hits = serverHits;
    for (const url of [`http://localhost:${host.split(':')[1]}/exports/members.csv`, 'http://169.254.169.254/latest/meta-data', 'file:///etc/passwd', 'not a url']) {
      const res = await post(admin, { url });
      expect(res.statusCode, url).toBe(422);
      expect(res.json()).toEqual({ errors: ['Url must be an http(s) URL on a host allowed for imports (IMPORT_URL_HOSTS)'] });
    }
    expect(serverHits).toBe(hits);
    const missing = await post(admin, { url: `http://${host}/nothing.csv` });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0]).toMatch(/^The file could not be downloaded: .* answered HTTP 404$/);
  });

  it('reads a path relative to the clinic\'s own drop folder DATA_DIR/imports/<organization id>/', async () => {
    const file = path.join(dropFolder(admin), 'nightly', 'mif.csv');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, delimited(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME'], [{ MEMBER_ID: 'PATH-1', FIRST_NAME: 'Path', LAST_NAME: 'Person' }]));
    const rel = await post(admin, { path: 'nightly/mif.csv' });
    expect(rel.statusCode, rel.body).toBe(201);
    expect(rel.json().mif_import).toMatchObject({ source: 'path', filename: 'mif.csv', created_count: 1 });
    // A link that stays inside the folder is followed.
    fs.symlinkSync(file, path.join(dropFolder(admin), 'latest.csv'));
    const linked = await post(admin, { path: './latest.csv' });
    expect(linked.json().mif_import).toMatchObject({ filename: 'mif.csv', updated_count: 1 });
  });

  it('reaches nothing outside the clinic\'s folder, and answers one sentence for whatever it cannot read', async () => {
    const neighbour = await createUser(t.services, 'Neighbour Clinic', 'admin');
    const other = dropFolder(neighbour);
    fs.mkdirSync(other, { recursive: true });
    fs.writeFileSync(path.join(other, 'theirs.csv'), 'MEMBER_ID,FIRST_NAME,LAST_NAME\nTHEIRS,T,T\n');
    fs.writeFileSync(path.join(dataDir, 'secret.csv'), 'MEMBER_ID,FIRST_NAME,LAST_NAME\nSECRET,S,S\n');
    fs.writeFileSync(path.join(dropFolder(admin), 'mine.csv'), 'MEMBER_ID,FIRST_NAME,LAST_NAME\nMINE,M,M\n');
    fs.symlinkSync(path.join(other, 'theirs.csv'), path.join(dropFolder(admin), 'theirs-link.csv'));
    fs.symlinkSync(other, path.join(dropFolder(admin), 'their-folder'));
    fs.symlinkSync(path.join(dataDir, 'secret.csv'), path.join(dropFolder(admin), 'secret-link.csv'));
    const sentence = `Path must name a file in the clinic's import folder (DATA_DIR/imports/${admin.organizationId}/)`;
    const unreachable = [
      `../${neighbour.organizationId}/theirs.csv`, path.join(other, 'theirs.csv'), '../../secret.csv', path.join(dataDir, 'secret.csv'),
      path.join(dropFolder(admin), 'mine.csv'), 'nightly/../../secret.csv', '..\\secret.csv', '/etc/passwd', 'C:\\secret.csv',
      'theirs-link.csv', 'their-folder/theirs.csv', 'secret-link.csv', 'nope.csv', 'theirs.csv', 'nightly', '.', 'mine.csv\u0000.txt',
    ];
    for (const p of unreachable) {
      const res = await post(admin, { path: p });
      expect(res.statusCode, p).toBe(422);
      expect(res.json(), p).toEqual({ errors: [sentence] });
    }
    expect((await post(admin, { path: '' })).json()).toEqual({ errors: ['One of file, url or path is required'] });
    // The other clinic reads its own file; neither reads the other's.
    const theirs = await post(neighbour, { path: 'theirs.csv' });
    expect(theirs.statusCode, theirs.body).toBe(201);
    expect((await post(neighbour, { path: 'mine.csv' })).json()).toEqual({ errors: [`Path must name a file in the clinic's import folder (DATA_DIR/imports/${neighbour.organizationId}/)`] });
    expect(await patientByMemberId('SECRET')).toBeUndefined();
    expect(await patientByMemberId('THEIRS')).toBeUndefined();
  });

  it('answers the same sentence when the clinic has no folder yet', async () => {
    const newcomer = await createUser(t.services, 'Folderless Clinic', 'admin');
    const res = await post(newcomer, { path: 'mif.csv' });
    expect(res.json()).toEqual({ errors: [`Path must name a file in the clinic's import folder (DATA_DIR/imports/${newcomer.organizationId}/)`] });
  });
});

describe('import history and roles', () => {
  it('lists the imports newest first and shows one with its rejected rows; another clinic sees none', async () => {
    const list = await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/mifs?per_page=2');
    expect(list.statusCode).toBe(200);
    const body = list.json();
    expect(body.pagination).toMatchObject({ current_page: 1, per_page: 2, total_count: expect.any(Number) });
    expect(body.mif_imports).toHaveLength(2);
    expect(body.mif_imports[0].id).toBeGreaterThan(body.mif_imports[1].id);
    expect(body.mif_imports[0]).not.toHaveProperty('errors');
    const [withErrors] = await t.database.db.select().from(mifImports).where(eq(mifImports.rejectedCount, 6));
    const one = await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/mifs/${withErrors.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json().mif_import).toMatchObject({ id: withErrors.id, rejected_count: 6, unknown_columns: ['PCP_NAME', 'Notes'] });
    expect(one.json().mif_import.errors).toHaveLength(6);
    expect((await call(t.app, otherAdmin, 'GET', `/v1/admin/clinic/ecm/mifs/${withErrors.id}`)).json()).toEqual({ errors: ['MIF import not found'] });
    expect((await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/mifs/abc')).statusCode).toBe(404);
    expect((await call(t.app, otherAdmin, 'GET', '/v1/admin/clinic/ecm/mifs')).json().mif_imports).toEqual([]);
  });

  it('answers 403 to care coordinators', async () => {
    const file = dataUri(MIME.csv, 'MEMBER_ID,FIRST_NAME,LAST_NAME\nCOORD-1,C,D\n');
    for (const [method, url, body] of [['POST', '/v1/admin/clinic/ecm/mifs', { mif: { file } }], ['GET', '/v1/admin/clinic/ecm/mifs'], ['GET', '/v1/admin/clinic/ecm/mifs/1']] as const) {
      const res = await call(t.app, coordinator, method, url, body);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ errors: ['Admin access required'] });
    }
    expect(await patientByMemberId('COORD-1')).toBeUndefined();
  });
});

describe('a 50,000-member file', () => {
  it('imports and re-imports 50,000 members in one request each (times printed; the figures belong to bench/)', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => ({
      MEMBER_ID: `BIG${String(i).padStart(6, '0')}`, FIRST_NAME: `First${i}`, LAST_NAME: `Last${i % 977}`, DOB: `0${(i % 9) + 1}-1${i % 10}-19${50 + (i % 50)}`,
      GENDER: i % 2 ? 'M' : 'F', ADDRESS: `${i} Main St`, CITY: 'Fresno', STATE: 'CA', ZIP: '93701', PHONE: `805555${String(i % 10_000).padStart(4, '0')}`,
      EMAIL: `m${i}@example.com`, ECM_PROVIDER_NAME: 'Esteem Health PSC', ECM_BENEFIT_AUTH_EFF_DATE: '01-01-2025', ECM_BENEFIT_AUTH_END_DATE: '12-31-2025',
      ACUITY_LEVEL: ['low', 'medium', 'high'][i % 3], MCP_ID: 'MCP-42', MCP_NAME: 'Sunrise Health Plan',
    }));
    const file = dataUri(MIME.csv, delimited(HEADERS, rows));
    const started = Date.now();
    const res = await post(admin, { file });
    const firstMs = Date.now() - started;
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    expect(res.json().mif_import).toMatchObject({ created_count: 50_000, updated_count: 0, rejected_count: 0 });
    const again = Date.now();
    const res2 = await post(admin, { file });
    const secondMs = Date.now() - again;
    expect(res2.json().mif_import).toMatchObject({ created_count: 0, updated_count: 50_000, rejected_count: 0 });
    console.info(`50,000-member MIF: create ${firstMs} ms, update ${secondMs} ms`);
    const [{ n }] = await t.database.db.select({ n: count() }).from(auditEvents).where(sql`${auditEvents.action} = 'import' AND cardinality(${auditEvents.entityIds}) = 50000`);
    expect(n).toBe(2);
    const { rows: [c] } = await t.database.db.execute<{ cl: number; h: number }>(sql`
      SELECT (SELECT count(*)::int FROM case_loads c JOIN ecm_eligibility_informations e USING (patient_id) WHERE e.member_id LIKE 'BIG%') AS cl,
        (SELECT count(*)::int FROM ecm_status_histories h JOIN ecm_eligibility_informations e USING (patient_id) WHERE e.member_id LIKE 'BIG%') AS h`);
    expect(c).toEqual({ cl: 50_000, h: 50_000 });
  }, 90_000);
});

describe('care ecm import-mif', () => {
  it('imports a file from the shell and prints the JSON result with --json', () => {
    const file = path.join(dataDir, 'cli-members.csv');
    fs.writeFileSync(file, delimited(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME', 'DOB'], [
      { MEMBER_ID: 'CLI-1', FIRST_NAME: 'Shell', LAST_NAME: 'User' },
      { MEMBER_ID: 'CLI-2', FIRST_NAME: 'Bad', LAST_NAME: 'Date', DOB: '13-45-2000' },
    ]));
    const env = { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'error' };
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/care.js'), 'ecm', 'import-mif', file, '--org', 'MIF Clinic', '--json'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      source: 'cli', filename: 'cli-members.csv', created_count: 1, rejected_count: 1, created_by_user_id: null,
      errors: [{ row: 3, member_id: 'CLI-2', messages: ['DOB must be a date (MM-DD-YYYY)'] }],
    });
    const unknown = spawnSync(process.execPath, [path.join(ROOT, 'bin/care.js'), 'ecm', 'import-mif', file, '--org', 'Nowhere'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('Organization "Nowhere" not found');
  }, 60_000);
});
