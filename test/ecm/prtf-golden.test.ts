/**
 * The whole PRTF output of a small clinic whose every row is known: which members are in the file, each
 * member's cells, and the Outreach Tracker sheet. Rows are written with SQL so that each edge case (time-zone
 * day bounds, cancelled and future events, tasks, eligibility overlap, the lead care manager fallback, repeated
 * terminations, another clinic's rows) is exactly what the test says; a change of the report's rules or of its
 * query's meaning fails here.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTF_COLUMNS, PRTF_COLUMNS } from '../../src/ecm/prtf/columns.ts';
import { OUTREACH_ATTEMPT_METHODS } from '../../src/ecm/reporting/dhcs-values.ts';
import { dayIn } from '../../src/ecm/prtf/service.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let admin: TestUser;
let other: TestUser;
const ids: Record<string, number> = {};

const col = (name: (typeof PRTF_COLUMNS)[number]) => PRTF_COLUMNS.indexOf(name);
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const mdy = (d: string) => `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`;

async function sql(text: string, params: unknown[] = []) {
  return (await t.database.pool.query(text, params)).rows;
}

/** A member: patient, eligibility and (optionally) case load. */
async function member(key: string, org: number, p: {
  first: string; last: string; cin: string | null; memberId: string; npi?: string; status?: string; acuity?: string | null;
  eff?: string | null; end?: string | null; street?: string | null; phone?: string | null; ilcm?: number | null; olcm?: number | null;
}) {
  const [{ id }] = await sql(
    `INSERT INTO patients (organization_id, first_name, last_name, address_street, address_city, address_state, address_zip, phone)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [org, p.first, p.last, p.street ?? null, p.street ? 'Oxnard' : null, p.street ? 'CA' : null, p.street ? '93030' : null, p.phone ?? null],
  );
  await sql(
    `INSERT INTO ecm_eligibility_informations (organization_id, patient_id, member_id, cin, ecm_npi, member_record_status, acuity_level, ecm_benefit_auth_eff_date, ecm_benefit_auth_end_date, mcp_id, mcp_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [org, id, p.memberId, p.cin, p.npi ?? '1234567890', p.status ?? 'continuing_member', p.acuity === undefined ? 'low' : p.acuity, p.eff ?? null, p.end ?? null,
      key === 'full' ? 'MCP-OWN' : null, key === 'full' ? 'Own Plan' : null],
  );
  if (p.ilcm !== undefined || p.olcm !== undefined) {
    await sql(`INSERT INTO case_loads (organization_id, patient_id, ilcm_user_id, olcm_user_id) VALUES ($1, $2, $3, $4)`, [org, id, p.ilcm ?? null, p.olcm ?? null]);
  }
  ids[key] = id;
  return id;
}

/** An activity and its event. `category` null for tasks and anything the PRTF does not count. */
async function event(key: string, org: number, e: {
  type: 'call' | 'sms' | 'email' | 'appointment' | 'meeting' | 'task'; at: string; category: string | null; status?: string; modality?: string | null; duration?: number | null;
}) {
  const user = (await sql('SELECT id FROM users WHERE organization_id = $1 ORDER BY id LIMIT 1', [org]))[0].id;
  const activityType = e.type === 'appointment' ? 'in_person_appointment' : e.type;
  const status = e.status ?? 'complete';
  const [{ id }] = await sql(
    `INSERT INTO activities (organization_id, patient_id, activity_type, status, occurred_at, duration, modality, assigned_to_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [org, ids[key], activityType, status, e.at, e.duration ?? null, e.modality ?? null, user],
  );
  await sql(
    `INSERT INTO ecm_events (organization_id, patient_id, activity_id, event_type, status, occurred_at, duration, prtf_category)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [org, ids[key], id, e.type, status, e.at, e.duration ?? null, e.category],
  );
}

async function inbound(key: string, org: number, at: string) {
  await sql(
    `INSERT INTO text_messages (organization_id, patient_id, direction, from_number, to_number, body, status, created_at)
     VALUES ($1, $2, 'inbound', '+18055550123', '+18055550100', 'ok', 'received', $3)`,
    [org, ids[key], at],
  );
}

async function generate(user: TestUser, body: Record<string, unknown>) {
  const res = await call(t.app, user, 'POST', '/v1/admin/clinic/ecm/prtf_reports', body);
  expect(res.statusCode, res.body).toBe(201);
  const r = res.json().prtf_report;
  const u = new URL(r.url);
  const file = await t.app.inject({ method: 'GET', url: u.pathname + u.search });
  return { report: r, file };
}

beforeAll(async () => {
  t = await createTestContext({ PUBLIC_URL: 'https://care.example.com' });
  admin = await createUser(t.services, 'Golden Clinic', 'admin', 'Gia Admin');
  const ilcm = await createUser(t.services, 'Golden Clinic', 'care_coordinator', 'Ivy Inner', '+18055550111');
  const olcm = await createUser(t.services, 'Golden Clinic', 'care_coordinator', 'Otto Outer');
  other = await createUser(t.services, 'Other Clinic', 'admin', 'Oscar Other');
  await call(t.app, admin, 'PUT', '/v1/admin/organization', {
    organization: { npi: '1234567890', tin: '95-1112223', phone: '(805) 555-0100', mcp_id: 'MCP-G', mcp_name: 'Golden Plan', time_zone: 'America/Los_Angeles' },
  });
  const g = admin.organizationId;
  const o = other.organizationId;

  // In the file through eligibility and events; every counted category, and the day bounds in Los Angeles time.
  await member('full', g, { first: 'Ana, "Annie"', last: 'Lopez\nRuiz', cin: 'CIN-FULL', memberId: 'M-FULL', status: 'new_member', acuity: 'high', eff: '2025-01-01', end: '2025-12-31', street: '1 Main St, Apt 2', phone: '+18055550123', ilcm: ilcm.id, olcm: olcm.id });
  await event('full', g, { type: 'appointment', at: '2025-03-05T17:00:00Z', category: 'in_person_encounter', modality: 'in_person', duration: 50 });
  await event('full', g, { type: 'meeting', at: '2025-03-06T17:00:00Z', category: 'telehealth_encounter', modality: 'video', duration: 30 });
  await event('full', g, { type: 'appointment', at: '2025-03-07T17:00:00Z', category: 'in_person_outreach', modality: 'in_person' });
  await event('full', g, { type: 'call', at: '2025-03-08T17:00:00Z', category: 'telehealth_outreach', duration: 2 });
  await event('full', g, { type: 'sms', at: '2025-03-09T17:00:00Z', category: 'telehealth_outreach', duration: 1 });
  await inbound('full', g, '2025-03-12T16:00:00Z'); // 71 hours after the SMS: reached
  await event('full', g, { type: 'email', at: '2025-03-13T17:00:00Z', category: 'telehealth_outreach' }); // no reply after it
  await event('full', g, { type: 'call', at: '2025-03-11T17:00:00Z', category: 'telehealth_encounter', status: 'cancelled' }); // cancelled: not counted
  await event('full', g, { type: 'task', at: '2025-03-12T17:00:00Z', category: null });
  await event('full', g, { type: 'call', at: '2025-03-01T07:30:00Z', category: 'telehealth_encounter', duration: 4 }); // Feb 28, 23:30 in LA: before the period
  await event('full', g, { type: 'call', at: '2025-04-01T06:30:00Z', category: 'telehealth_encounter', duration: 7 }); // Mar 31, 23:30 in LA: in it, the latest encounter
  await event('full', g, { type: 'appointment', at: '2025-04-10T17:00:00Z', category: 'in_person_encounter', modality: 'in_person' }); // after the period

  // In the file through eligibility alone (no events in the period); no CIN (member id instead); the outer LCM as
  // lead when there is no inner one; an encounter before the period is still its most recent one.
  await member('eligible', g, { first: 'Bo', last: 'Baker', cin: null, memberId: 'M-ELIG', acuity: null, eff: '2025-03-31', end: null, olcm: olcm.id });
  await event('eligible', g, { type: 'meeting', at: '2025-01-15T18:00:00Z', category: 'in_person_encounter', modality: 'in_person' });

  // Eligibility ended before the period, but an outreach in it: in the file. Terminated twice: the latest termination.
  await member('terminated', g, { first: 'Cy', last: 'Chen', cin: 'CIN-TERM', memberId: 'M-TERM', status: 'terminated_member', acuity: 'medium', eff: '2024-01-01', end: '2025-02-28' });
  await event('terminated', g, { type: 'call', at: '2025-03-20T17:00:00Z', category: 'telehealth_outreach', duration: 3 });
  for (const [status, at] of [['terminated_member', '2025-02-01T12:00:00Z'], ['continuing_member', '2025-02-15T12:00:00Z'], ['terminated_member', '2025-03-10T05:00:00Z']]) {
    await sql(`INSERT INTO ecm_status_histories (organization_id, patient_id, status, changed_at, changed_by) VALUES ($1, $2, $3, $4, 'test')`, [g, ids.terminated, status, at]);
  }

  // Only a task in the period (no eligibility overlap): in the file with zero counts.
  await member('task', g, { first: 'Di', last: 'Diaz', cin: 'CIN-TASK', memberId: 'M-TASK', eff: '2024-01-01', end: '2024-12-31' });
  await event('task', g, { type: 'task', at: '2025-03-15T17:00:00Z', category: null });

  // Not in the file: only cancelled events; eligibility before the period; no start date; another clinic's member.
  await member('cancelled', g, { first: 'Ed', last: 'Evans', cin: 'CIN-CANC', memberId: 'M-CANC', eff: '2024-01-01', end: '2024-12-31' });
  await event('cancelled', g, { type: 'appointment', at: '2025-03-15T17:00:00Z', category: 'in_person_encounter', status: 'cancelled', modality: 'in_person' });
  await member('lapsed', g, { first: 'Fay', last: 'Fox', cin: 'CIN-LAPS', memberId: 'M-LAPS', eff: '2024-01-01', end: '2025-02-28' });
  await member('nostart', g, { first: 'Gus', last: 'Gray', cin: 'CIN-NOST', memberId: 'M-NOST', eff: null, end: '2025-12-31' });
  await member('foreign', o, { first: 'Hal', last: 'Hill', cin: 'CIN-FORE', memberId: 'M-FORE', eff: '2025-01-01', end: '2025-12-31' });
  await event('foreign', o, { type: 'call', at: '2025-03-15T17:00:00Z', category: 'telehealth_encounter' });

  // Another provider's member: in the clinic's file, not in the file for provider_npi 1234567890.
  await member('npi2', g, { first: 'Ike', last: 'Ito', cin: 'CIN-NPI2', memberId: 'M-NPI2', npi: '2222222222', eff: '2025-01-01', end: '2025-12-31' });
  await event('npi2', g, { type: 'appointment', at: '2025-03-18T17:00:00Z', category: 'telehealth_encounter', modality: 'phone', duration: 20 });

  // A period that runs past today: a future event puts the member in the file but is not counted.
  await member('future', g, { first: 'Jo', last: 'Jones', cin: 'CIN-FUTR', memberId: 'M-FUTR', eff: '2020-01-01', end: '2020-12-31' });
  await event('future', g, { type: 'appointment', at: new Date(Date.now() + 2 * 86_400_000).toISOString(), category: 'in_person_encounter', modality: 'in_person' });
  await event('future', g, { type: 'call', at: new Date(Date.now() - 3_600_000).toISOString(), category: 'telehealth_outreach', duration: 5 });
});
afterAll(() => t.close());

const PRODUCED = () => mdy(dayIn('America/Los_Angeles', new Date()));

/** The expected row of a member: the cells that vary, on top of the clinic's header cells. */
function row(cells: Partial<Record<(typeof PRTF_COLUMNS)[number], string>>, period = '03/01/2025 - 03/31/2025', provider = 'Golden Clinic'): string[] {
  const out: string[] = PRTF_COLUMNS.map(() => '');
  const base: Partial<Record<(typeof PRTF_COLUMNS)[number], string>> = {
    'Primary Payer (MCP) Identifier': 'MCP-G',
    'MCP Name': 'Golden Plan',
    'Member ECM Status': 'Continuing Member',
    'Member Acuity Level': 'Low',
    'Member POF Indicator': 'N', 'Member New Address Indicator': 'N', 'Member New Phone Number Indicator': 'N',
    'In Person': '0',
    'Telephonic/Video': '0',
    'Member Information Return Transmission File Production Date': PRODUCED(),
    'Member Information File Reporting Period': period,
    'ECM Provider Name': provider,
    'ECM Provider National Provider Identifier (NPI)': '1234567890',
    'ECM Provider Tax ID Number (TIN)': '95-1112223',
    'ECM Provider Phone Number': '805-555-0100',
    'In-Person Encounters': '0',
    'Telehealth Encounters': '0',
    'In-Person Outreach': '0',
    'Telehealth Outreach': '0',
  };
  for (const [k, v] of Object.entries({ ...base, ...cells })) out[col(k as (typeof PRTF_COLUMNS)[number])] = v!;
  return out;
}

const counts = (ipe: number, the: number, ipo: number, tho: number) => ({
  'In Person': String(ipe), 'Telephonic/Video': String(the),
  'In-Person Encounters': String(ipe), 'Telehealth Encounters': String(the), 'In-Person Outreach': String(ipo), 'Telehealth Outreach': String(tho),
});

describe('PRTF output of a clinic with edge cases', () => {
  const march = () => [
    row({
      'Primary Payer (MCP) Identifier': 'MCP-OWN', 'MCP Name': 'Own Plan', 'Member Client Index Number (CIN)': 'CIN-FULL', 'Member Last Name': 'Lopez\nRuiz', 'Member First Name': 'Ana, "Annie"',
      'Member Residential Address': '1 Main St, Apt 2', 'Member Residential City': 'Oxnard', 'Member Residential State': 'CA', 'Member Residential Zip': '93030',
      'Member Phone Number': '805-555-0123', 'Member ECM Status': 'New Member', 'Member Acuity Level': 'High',
      'ECM Enrollment Start Date': '01/01/2025', 'ECM Enrollment End Date': '12/31/2025', 'Date of Most Recent Encounter with Member': '03/31/2025',
      'ECM Lead Care Manager Name': 'Ivy Inner', 'ECM Lead Care Manager Phone Number': '805-555-0111', 'ECM Lead Care Manager Email': expect.stringMatching(/^care_coordinator-/) as unknown as string,
      ...counts(1, 2, 1, 3),
    }),
    row({
      'Member Client Index Number (CIN)': 'M-ELIG', 'Member Last Name': 'Baker', 'Member First Name': 'Bo', 'Member Acuity Level': '',
      'ECM Enrollment Start Date': '03/31/2025', 'Date of Most Recent Encounter with Member': '01/15/2025',
      'ECM Lead Care Manager Name': 'Otto Outer', 'ECM Lead Care Manager Email': expect.stringMatching(/^care_coordinator-/) as unknown as string,
    }),
    row({
      'Member Client Index Number (CIN)': 'CIN-TERM', 'Member Last Name': 'Chen', 'Member First Name': 'Cy', 'Member ECM Status': 'Terminated Member', 'Member Acuity Level': 'Medium',
      'ECM Enrollment Start Date': '01/01/2024', 'ECM Enrollment End Date': '02/28/2025', 'Discontinuation Date': '03/09/2025', ...counts(0, 0, 0, 1),
    }),
    row({ 'Member Client Index Number (CIN)': 'CIN-TASK', 'Member Last Name': 'Diaz', 'Member First Name': 'Di', 'ECM Enrollment Start Date': '01/01/2024', 'ECM Enrollment End Date': '12/31/2024' }),
    row({
      'Member Client Index Number (CIN)': 'CIN-NPI2', 'Member Last Name': 'Ito', 'Member First Name': 'Ike', 'ECM Enrollment Start Date': '01/01/2025', 'ECM Enrollment End Date': '12/31/2025',
      'Date of Most Recent Encounter with Member': '03/18/2025', ...counts(0, 1, 0, 0),
    }),
  ];

  it('writes exactly the expected CSV rows, in member order, and audits the exported members', async () => {
    const { report, file } = await generate(admin, { start_date: '2025-03-01', end_date: '2025-03-31' });
    const rows: string[][] = parse(file.body);
    expect(rows[0]).toEqual([...PRTF_COLUMNS]);
    expect(rows.slice(1)).toEqual(march());
    expect(report.patient_count).toBe(5);
    const [audit] = await sql(`SELECT action, entity_type, entity_ids FROM audit_events WHERE organization_id = $1 AND action = 'export' ORDER BY id DESC LIMIT 1`, [admin.organizationId]);
    expect(audit).toMatchObject({ action: 'export', entity_type: 'patient' });
    expect(audit.entity_ids.map(Number)).toEqual([ids.full, ids.eligible, ids.terminated, ids.task, ids.npi2]);
  });

  it('keeps only the provider\'s members with provider_npi', async () => {
    const { report, file } = await generate(admin, { start_date: '2025-03-01', end_date: '2025-03-31', provider_npi: '1234567890', provider_name: 'Golden ECM' });
    const rows: string[][] = parse(file.body);
    expect(rows.slice(1)).toEqual(march().filter((r) => r[col('Member Client Index Number (CIN)')] !== 'CIN-NPI2').map((r) => {
      const c = [...r];
      c[col('ECM Provider Name')] = 'Golden ECM';
      return c;
    }));
    expect(report.patient_count).toBe(4);
  });

  it('puts a member with only a future event in the period in the file without counting it', async () => {
    const start = day(-5);
    const end = day(5);
    const { file } = await generate(admin, { start_date: start, end_date: end, layout_version: 'rtf-2023' });
    const rows: string[][] = parse(file.body);
    const future = rows.find((r) => r[col('Member Client Index Number (CIN)')] === 'CIN-FUTR');
    expect(future).toEqual(row({
      'Member Client Index Number (CIN)': 'CIN-FUTR', 'Member Last Name': 'Jones', 'Member First Name': 'Jo', 'ECM Enrollment Start Date': '01/01/2020', 'ECM Enrollment End Date': '12/31/2020',
      ...counts(0, 0, 0, 1),
    }, `${mdy(start)} - ${mdy(end)}`));
    expect(rows.slice(1).map((r) => r[col('Member Client Index Number (CIN)')])).toEqual(['M-ELIG', 'CIN-FUTR']);
  });

  it('writes the Outreach Tracker File (CSV): one row per outreach attempt, in member and time order, encounters left out', async () => {
    const { report } = await generate(admin, { start_date: '2025-03-01', end_date: '2025-03-31' });
    expect(report.otf_filename).toMatch(/^OTF_1234567890_032025_\d{8}\.csv$/);
    const u = new URL(report.otf_url);
    const rows: string[][] = parse((await t.app.inject({ method: 'GET', url: u.pathname + u.search })).body);
    expect(rows[0]).toEqual([...OTF_COLUMNS]);
    const clinic = ['Golden Clinic', '1234567890', '95-1112223'];
    expect(rows.slice(1)).toEqual([
      ['MCP-OWN', 'Own Plan', ...clinic, 'Lopez\nRuiz', 'Ana, "Annie"', 'CIN-FULL', 'ECM', '03/07/2025', 'In-person', 'N', ''],
      ['MCP-OWN', 'Own Plan', ...clinic, 'Lopez\nRuiz', 'Ana, "Annie"', 'CIN-FULL', 'ECM', '03/08/2025', 'Phone call', 'N', '2'],
      ['MCP-OWN', 'Own Plan', ...clinic, 'Lopez\nRuiz', 'Ana, "Annie"', 'CIN-FULL', 'ECM', '03/09/2025', 'Text', 'Y', '1'],
      ['MCP-OWN', 'Own Plan', ...clinic, 'Lopez\nRuiz', 'Ana, "Annie"', 'CIN-FULL', 'ECM', '03/13/2025', 'Email', 'N', ''],
      ['MCP-G', 'Golden Plan', ...clinic, 'Chen', 'Cy', 'CIN-TERM', 'ECM', '03/20/2025', 'Phone call', 'N', '3'],
    ]);
    for (const r of rows.slice(1)) expect(OUTREACH_ATTEMPT_METHODS.map((m) => m.label)).toContain(r[OTF_COLUMNS.indexOf('Outreach Attempt Method')]);
  });

  it('writes the XLSX RTF as one sheet and the OTF as its own workbook', async () => {
    const { report, file } = await generate(admin, { start_date: '2025-03-01', end_date: '2025-03-31', format: 'xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['RTF']);
    expect(wb.getWorksheet('RTF')!.rowCount).toBe(6);
    const u = new URL(report.otf_url);
    const otf = new ExcelJS.Workbook();
    await otf.xlsx.load((await t.app.inject({ method: 'GET', url: u.pathname + u.search })).rawPayload as unknown as ArrayBuffer);
    expect(otf.getWorksheet('Outreach Tracker')!.rowCount).toBe(6);
  });

  it('never shows another clinic\'s members', async () => {
    const { report, file } = await generate(other, { start_date: '2025-03-01', end_date: '2025-03-31', provider_npi: '1234567890' });
    const rows: string[][] = parse(file.body);
    expect(rows.slice(1).map((r) => r[col('Member Client Index Number (CIN)')])).toEqual(['CIN-FORE']);
    expect(report.patient_count).toBe(1);
  });
});
