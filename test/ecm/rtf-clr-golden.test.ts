/**
 * The RTF with the reporting data a care team entered through the API (Populations of Focus, homelessness, care
 * plan revisions, a care conference, assessments, a discontinuation, closed-loop referrals), in both layout
 * versions: every cell of every row is written out here (golden rows), so a change of a column, its order, its
 * format or where its value comes from fails. Eligibility (with the member's plan, which only the MIF writes) is
 * inserted with SQL.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRTF_CLR_COLUMNS, PRTF_COLUMNS, RTF_LAYOUTS, RTF_REFERRAL_STATUS, RTF_VALUE_SETS, defaultRtfLayout, rtfFormat, type RtfColumn } from '../../src/ecm/prtf/columns.ts';
import { dayIn } from '../../src/ecm/prtf/service.ts';
import { CLR_DATA_ELEMENTS, CLR_REFERRAL_STATUS_VALUES_FOUND, REFERRAL_STATUSES } from '../../src/ecm/reporting/dhcs-values.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let admin: TestUser;
let coord: TestUser;
const ids: Record<string, number> = {};
const PERIOD = { start_date: '2026-10-01', end_date: '2026-10-31' };
const mdy = (d: string) => `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`;
const url = (key: string, rest: string) => `/v1/clinic/ecm/patients/${ids[key]}/${rest}`;

async function sql(text: string, params: unknown[] = []) {
  return (await t.database.pool.query(text, params)).rows;
}

async function ok(user: TestUser, method: string, path: string, body?: unknown) {
  const res = await call(t.app, user, method, path, body);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

/** A member of plan `mcp` through the API, then the MIF-only eligibility fields with SQL. */
async function member(key: string, p: { first: string; last: string; cin: string; mcp: [string, string]; phone?: string; street?: string; status?: string }) {
  const body = await ok(admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: {
      first_name: p.first, last_name: p.last, phone: p.phone ?? null,
      ...(p.street ? { address: { street: p.street, city: 'Oxnard', state: 'CA', zip: '93030' } } : {}),
      ecm_eligibility_information: {
        member_id: `M-${key}`, cin: p.cin, ecm_npi: '1234567890', acuity_level: 'medium', member_record_status: p.status ?? 'continuing_member',
        ecm_benefit_auth_eff_date: '2026-01-01', ecm_benefit_auth_end_date: '2026-12-31',
      },
      case_load: { ilcm_user_id: coord.id },
    },
  });
  ids[key] = body.patient.id;
  await sql('UPDATE ecm_eligibility_informations SET mcp_id = $1, mcp_name = $2 WHERE patient_id = $3', [p.mcp[0], p.mcp[1], ids[key]]);
}

async function generate(body: Record<string, unknown>) {
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', body);
  expect(res.statusCode, res.body).toBe(201);
  const r = res.json().prtf_report;
  const u = new URL(r.url);
  const file = await t.app.inject({ method: 'GET', url: u.pathname + u.search });
  return { report: r, rows: parse(file.body) as string[][] };
}

const ONE: [string, string] = ['MCP-ONE', 'Plan One'];
const TWO: [string, string] = ['MCP-TWO', 'Plan Two'];

beforeAll(async () => {
  t = await createTestContext({ PUBLIC_URL: 'https://care.example.com' });
  admin = await createUser(t.services, 'Clr Clinic', 'admin', 'Ada Admin');
  coord = await createUser(t.services, 'Clr Clinic', 'care_coordinator', 'Cal Coord', '+18055550111');
  await ok(admin, 'PUT', '/v1/admin/organization', {
    organization: { npi: '1234567890', tin: '95-1112223', phone: '(805) 555-0100', mcp_id: 'MCP-ORG', mcp_name: 'Org Default Plan', time_zone: 'America/Los_Angeles' },
  });

  // A complete member of plan one: every datum, a referral accepted then closed in the period.
  await member('full', { first: 'Ana', last: 'Lopez', cin: 'CIN-FULL', mcp: ONE, phone: '+18055550123', street: '1 Main St' });
  await ok(coord, 'PUT', url('full', 'member_attributes'), { member_attributes: { populations_of_focus: ['experiencing_homelessness', 'birth_equity'], homeless: true } });
  await ok(coord, 'POST', url('full', 'care_plan_revisions'), { care_plan_revision: { revised_on: '2026-09-01', summary: 'First plan' } });
  await ok(coord, 'POST', url('full', 'care_plan_revisions'), { care_plan_revision: { revised_on: '2026-10-15', summary: 'Housing goal' } });
  await ok(coord, 'POST', url('full', 'care_plan_revisions'), { care_plan_revision: { revised_on: '2026-11-02', summary: 'After the period' } });
  await ok(coord, 'POST', url('full', 'activities'), {
    activity: { activity_type: 'meeting', booked_at: '2026-10-12T17:00:00.000Z', occurred_at: '2026-10-12T17:00:00.000Z', status: 'complete', assigned_to_id: coord.id, meeting_kind: 'care_conference', subject: 'Care conference' },
  });
  await ok(coord, 'POST', url('full', 'activities'), { // a plain meeting is no care conference
    activity: { activity_type: 'meeting', booked_at: '2026-10-20T17:00:00.000Z', occurred_at: '2026-10-20T17:00:00.000Z', status: 'complete', assigned_to_id: coord.id, subject: 'Check-in' },
  });
  const a = await ok(coord, 'POST', url('full', 'assessments'), { assessment: { started_on: '2026-10-03', title: 'Comprehensive' } });
  await ok(coord, 'PUT', url('full', `assessments/${a.assessment.id}`), { assessment: { completed_on: '2026-10-20' } });
  const r = await ok(coord, 'POST', url('full', 'referrals'), { referral: { received_on: '2026-10-01', source: 'Plan One', service: 'ECM' } });
  await ok(coord, 'PUT', url('full', `referrals/${r.referral.id}`), { referral: { status: 'accepted', status_date: '2026-10-04' } });
  await ok(coord, 'PUT', url('full', `referrals/${r.referral.id}`), { referral: { status: 'closed', status_date: '2026-10-25', loop_closure_reason: 'Services Received' } });

  // Plan two: discontinued in the period, a declined referral, not homeless, no POF.
  await member('ended', { first: 'Bo', last: 'Baker', cin: 'CIN-END', mcp: TWO, phone: '+18055550124' });
  await ok(coord, 'PUT', url('ended', 'member_attributes'), { member_attributes: { populations_of_focus: [], homeless: false } });
  const d = await ok(coord, 'POST', url('ended', 'referrals'), { referral: { received_on: '2026-09-20', source: 'County Hospital', service: 'ECM' } });
  await ok(coord, 'PUT', url('ended', `referrals/${d.referral.id}`), { referral: { status: 'declined', status_date: '2026-10-05', loop_closure_reason: 'Member declined' } });
  await ok(admin, 'POST', `/v1/admin/clinic/ecm/patients/${ids.ended}/discontinuations`, {
    discontinuation: { discontinued_on: '2026-10-20', reason_code: 'GOALS-MET', reason: 'Member met all care plan goals' },
  });

  // Plan one: a referral still open from before the period (in the file), and a member whose only referral
  // closed before the period (no CLR elements).
  await member('open', { first: 'Cy', last: 'Chen', cin: 'CIN-OPEN', mcp: ONE });
  await ok(coord, 'POST', url('open', 'referrals'), { referral: { received_on: '2026-08-01', source: 'Plan One', service: 'Housing Navigation' } });
  await member('old', { first: 'Di', last: 'Diaz', cin: 'CIN-OLD', mcp: ONE });
  const o = await ok(coord, 'POST', url('old', 'referrals'), { referral: { received_on: '2026-08-01', source: 'Plan One', service: 'ECM' } });
  await ok(coord, 'PUT', url('old', `referrals/${o.referral.id}`), { referral: { status: 'closed', status_date: '2026-09-15', loop_closure_reason: 'Services Received' } });
});
afterAll(() => t.close());

const PRODUCED = () => mdy(dayIn('America/Los_Angeles', new Date()));

/** The golden rows, by column name, of the October 2026 file. */
function golden(): Record<string, Partial<Record<RtfColumn, string>>> {
  const header: Partial<Record<RtfColumn, string>> = {
    'Member ECM Status': 'Continuing Member', 'Member Acuity Level': 'Medium', 'ECM Enrollment Start Date': '01/01/2026', 'ECM Enrollment End Date': '12/31/2026',
    'ECM Lead Care Manager Name': 'Cal Coord', 'ECM Lead Care Manager Phone Number': '805-555-0111',
    'In Person': '0', 'Telephonic/Video': '0', 'Member Information Return Transmission File Production Date': PRODUCED(),
    'Member Information File Reporting Period': '10/01/2026 - 10/31/2026', 'ECM Provider Name': 'Clr Clinic',
    'ECM Provider National Provider Identifier (NPI)': '1234567890', 'ECM Provider Tax ID Number (TIN)': '95-1112223', 'ECM Provider Phone Number': '805-555-0100',
    'In-Person Encounters': '0', 'Telehealth Encounters': '0', 'In-Person Outreach': '0', 'Telehealth Outreach': '0',
    'Member POF Indicator': 'N', 'Member New Address Indicator': 'N', 'Member New Phone Number Indicator': 'N',
  };
  return {
    full: {
      ...header, 'Primary Payer (MCP) Identifier': 'MCP-ONE', 'MCP Name': 'Plan One', 'Member Client Index Number (CIN)': 'CIN-FULL', 'Member Last Name': 'Lopez', 'Member First Name': 'Ana',
      'Member Homelessness Indicator': 'Y', 'Member Residential Address': '1 Main St', 'Member Residential City': 'Oxnard', 'Member Residential State': 'CA', 'Member Residential Zip': '93030',
      'Member Phone Number': '805-555-0123', 'Member POF Indicator': 'Y',
      'Member POF': 'Birth Equity Population of Focus;Individuals and Families Experiencing Homelessness',
      'Date of Latest Care Plan Revision': '10/15/2026', 'Date of Most Recent Care Conference': '10/12/2026',
      'Date Assessment Started': '10/03/2026', 'Date of Most Recent Completed Assessment': '10/20/2026',
      'Date of Most Recent Encounter with Member': '10/20/2026', 'In Person': '2', 'In-Person Encounters': '2', // both meetings are in-person encounters
      'Referral Status': 'Closed', 'Date of Referral Status Update': '10/25/2026', 'Reason for Referral Loop Closure': 'Services Received',
    },
    ended: {
      ...header, 'Primary Payer (MCP) Identifier': 'MCP-TWO', 'MCP Name': 'Plan Two', 'Member Client Index Number (CIN)': 'CIN-END', 'Member Last Name': 'Baker', 'Member First Name': 'Bo',
      'Member Homelessness Indicator': 'N', 'Member Phone Number': '805-555-0124', 'Member ECM Status': 'Terminated Member',
      'Discontinuation Date': '10/20/2026', 'Discontinuation Reason Code': 'GOALS-MET', 'Discontinuation Reason': 'Member met all care plan goals',
      'Referral Status': 'Declined', 'Date of Referral Status Update': '10/05/2026', 'Reason for Referral Loop Closure': 'Member declined',
    },
    open: {
      ...header, 'Primary Payer (MCP) Identifier': 'MCP-ONE', 'MCP Name': 'Plan One', 'Member Client Index Number (CIN)': 'CIN-OPEN', 'Member Last Name': 'Chen', 'Member First Name': 'Cy',
      'Referral Status': 'Received', 'Date of Referral Status Update': '08/01/2026',
    },
    old: {
      ...header, 'Primary Payer (MCP) Identifier': 'MCP-ONE', 'MCP Name': 'Plan One', 'Member Client Index Number (CIN)': 'CIN-OLD', 'Member Last Name': 'Diaz', 'Member First Name': 'Di',
    },
  };
}

const cells = (columns: readonly RtfColumn[], v: Partial<Record<RtfColumn, string>>) => columns.map((c) => v[c] ?? '');

describe('RTF layout versions', () => {
  it('keeps the versions as a table: rtf-2023 as before, rtf-clr-2025-07 adds the three CLR elements after the discontinuation fields', () => {
    expect(RTF_LAYOUTS.map((l) => [l.version, l.defaultFrom])).toEqual([['rtf-2023', '0000-01-01'], ['rtf-clr-2025-07', '2025-07-01']]);
    expect(PRTF_CLR_COLUMNS.filter((c) => !(PRTF_COLUMNS as readonly string[]).includes(c))).toEqual([...CLR_DATA_ELEMENTS]);
    expect(PRTF_CLR_COLUMNS.indexOf('Referral Status')).toBe(PRTF_CLR_COLUMNS.indexOf('Discontinuation Reason') + 1);
    expect(defaultRtfLayout('2025-06-30').version).toBe('rtf-2023');
    expect(defaultRtfLayout('2025-07-01').version).toBe('rtf-clr-2025-07');
    expect(rtfFormat('Date of Referral Status Update')).toBe('date');
    expect(rtfFormat('Member POF Indicator')).toBe('indicator');
  });

  it('checks its value sets against the DHCS module: every referral status has an RTF spelling, DHCS-confirmed ones as DHCS spells them', () => {
    expect(Object.keys(RTF_REFERRAL_STATUS).sort()).toEqual(REFERRAL_STATUSES.map((s) => s.key).sort());
    for (const v of CLR_REFERRAL_STATUS_VALUES_FOUND) expect(RTF_VALUE_SETS['Referral Status']).toContain(v);
    for (const s of REFERRAL_STATUSES) if (s.dhcsStatus) expect(RTF_REFERRAL_STATUS[s.key]).toBe(s.dhcsStatus);
  });
});

describe('RTF with the reporting data', () => {
  it('uses the CLR layout for a period from July 2025 and fills every column from the care team\'s data (golden rows)', async () => {
    const { report, rows } = await generate(PERIOD);
    expect(report.layout_version).toBe('rtf-clr-2025-07');
    expect(rows[0]).toEqual([...PRTF_CLR_COLUMNS]);
    const g = golden();
    expect(rows.slice(1)).toEqual(['full', 'ended', 'open', 'old'].map((k) => cells(PRTF_CLR_COLUMNS, g[k]).map((c, i) =>
      PRTF_CLR_COLUMNS[i] === 'ECM Lead Care Manager Email' ? expect.stringMatching(/^care_coordinator-/) : c)));
  });

  it('writes the same data in the rtf-2023 layout when asked, without the CLR elements', async () => {
    const { report, rows } = await generate({ ...PERIOD, layout_version: 'rtf-2023' });
    expect(report.layout_version).toBe('rtf-2023');
    expect(rows[0]).toEqual([...PRTF_COLUMNS]);
    const g = golden();
    expect(rows.slice(1)).toEqual(['full', 'ended', 'open', 'old'].map((k) => cells(PRTF_COLUMNS, g[k]).map((c, i) =>
      PRTF_COLUMNS[i] === 'ECM Lead Care Manager Email' ? expect.stringMatching(/^care_coordinator-/) : c)));
  });

  it('refuses an unknown layout version', async () => {
    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { ...PERIOD, layout_version: 'rtf-1999' });
    expect(res.statusCode).toBe(422);
  });
});

const CIN = PRTF_CLR_COLUMNS.indexOf('Member Client Index Number (CIN)');
const cinsOf = (rows: string[][]) => rows.slice(1).map((r) => r[CIN]);

describe('one file per plan', () => {
  it('generates one plan\'s file with mcp_id, and every plan\'s at once grouped by a batch id, with the MCP columns of the member\'s plan', async () => {
    const two = await generate({ ...PERIOD, mcp_id: 'MCP-TWO' });
    expect(two.report).toMatchObject({ mcp_id: 'MCP-TWO', batch_id: null, patient_count: 1 });
    expect(two.report.filename).toMatch(/^PRTF_1234567890_MCP-TWO_102026_\d{8}\.csv$/);
    expect(cinsOf(two.rows)).toEqual(['CIN-END']);

    const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { ...PERIOD, all_plans: true });
    expect(res.statusCode, res.body).toBe(201);
    const { batch_id: batchId, prtf_reports: reports } = res.json();
    expect(batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reports.map((r: { mcp_id: string; batch_id: string; patient_count: number }) => [r.mcp_id, r.batch_id, r.patient_count])).toEqual([
      ['MCP-ONE', batchId, 3], ['MCP-TWO', batchId, 1],
    ]);
    const one = parse((await t.app.inject({ method: 'GET', url: new URL(reports[0].url).pathname + new URL(reports[0].url).search })).body) as string[][];
    expect(cinsOf(one)).toEqual(['CIN-FULL', 'CIN-OPEN', 'CIN-OLD']);
    expect(new Set(one.slice(1).map((r) => `${r[0]}|${r[1]}`))).toEqual(new Set(['MCP-ONE|Plan One']));
    const listed = (await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/prtf_reports')).json().prtf_reports;
    expect(listed.filter((r: { batch_id: string | null }) => r.batch_id === batchId)).toHaveLength(2);

    const both = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { ...PERIOD, all_plans: true, mcp_id: 'MCP-ONE' });
    expect(both.json()).toEqual({ errors: ['Give mcp_id or all_plans, not both'] });
  });

  it('sets New Address / New Phone Number against the plan\'s last report marked submitted, which only an admin marks', async () => {
    const first = await generate({ ...PERIOD, mcp_id: 'MCP-ONE' });
    const submitUrl = `/v1/admin/clinic/ecm/prtf_reports/${first.report.id}/submission`;
    expect((await call(t.app, coord, 'POST', submitUrl, { submission: {} })).statusCode).toBe(403);
    const submitted = await call(t.app, admin, 'POST', submitUrl, { submission: {} });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json().prtf_report).toMatchObject({ submitted_on: dayIn('America/Los_Angeles', new Date()), submitted_by_user_id: admin.id });
    expect((await call(t.app, admin, 'POST', submitUrl, { submission: {} })).json()).toEqual({ errors: ['The report is already marked submitted'] });
    const [audit] = await sql(`SELECT action, entity_ids FROM audit_events WHERE entity_type = 'prtf_report' ORDER BY id DESC LIMIT 1`);
    expect(audit).toMatchObject({ action: 'update' });

    await ok(admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.full}`, { patient: { phone: '(805) 555-0999' } });
    await ok(admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.open}`, { patient: { address: { street: '9 New Rd', city: 'Ventura', state: 'CA', zip: '93001' } } });
    await ok(admin, 'PUT', `/v1/admin/clinic/ecm/patients/${ids.ended}`, { patient: { phone: '(805) 555-0888' } }); // plan two: never submitted
    const next = await generate({ ...PERIOD, mcp_id: 'MCP-ONE' });
    const indicators = next.rows.slice(1).map((r) => [r[CIN], r[PRTF_CLR_COLUMNS.indexOf('Member New Address Indicator')], r[PRTF_CLR_COLUMNS.indexOf('Member New Phone Number Indicator')]]);
    expect(indicators).toEqual([['CIN-FULL', 'N', 'Y'], ['CIN-OPEN', 'Y', 'N'], ['CIN-OLD', 'N', 'N']]);
    const two = await generate({ ...PERIOD, mcp_id: 'MCP-TWO' });
    expect(two.rows[1][PRTF_CLR_COLUMNS.indexOf('Member New Phone Number Indicator')]).toBe('N');
  });
});

describe('validation list', () => {
  it('lists per member the required fields still empty or invalid; a complete member has none', async () => {
    const { report } = await generate({ ...PERIOD, mcp_id: 'MCP-ONE' });
    expect(report.validation_summary).toEqual({ members_with_problems: 2 });
    const got = await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/prtf_reports/${report.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json().prtf_report.validation).toEqual([
      { patient_id: ids.open, member_id: 'M-open', problems: ['No Population of Focus', 'Homelessness indicator not set', 'No phone number'] },
      { patient_id: ids.old, member_id: 'M-old', problems: ['No Population of Focus', 'Homelessness indicator not set', 'No phone number', 'No residential address'] },
    ]);
    const ended = await generate({ ...PERIOD, mcp_id: 'MCP-TWO' });
    const detail = (await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/prtf_reports/${ended.report.id}`)).json().prtf_report;
    expect(detail.validation).toEqual([{ patient_id: ids.ended, member_id: 'M-ended', problems: ['No Population of Focus', 'No residential address'] }]);
  });
});
