/**
 * The MIF's DHCS reporting columns: MEMBER_POF (several Populations of Focus, by DHCS name or an earlier name,
 * separated by `;` or `|`) and MEMBER_HOMELESSNESS_INDICATOR (Y/N), through `POST /v1/admin/clinic/ecm/mifs`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../../support/app.ts';
import { dataUri, delimited, MIME } from './files.ts';

let t: TestContext;
let admin: TestUser;

async function importMif(headers: string[], rows: Array<Record<string, string>>) {
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/mifs', { mif: { file: dataUri(MIME.csv, delimited(headers, rows)) } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().mif_import;
}
async function attributesOf(memberId: string) {
  const list = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients/filter', { search: memberId });
  const id = list.json().patients[0].id;
  return (await call(t.app, admin, 'GET', `/v1/clinic/ecm/patients/${id}/member_attributes`)).json().member_attributes;
}
const keys = (a: { populations_of_focus: Array<{ key: string; source: string }> }) => a.populations_of_focus.map((p) => `${p.key}:${p.source}`);

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'MIF POF Clinic', 'admin');
});
afterAll(() => t.close());

describe('MIF Populations of Focus and homelessness', () => {
  it('reads several POFs (names, earlier names, any case) and the homelessness indicator for new members', async () => {
    const result = await importMif(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME', 'Member POF', 'Member Homelessness Indicator'], [
      { MEMBER_ID: 'POF-1', FIRST_NAME: 'Ana', LAST_NAME: 'One', 'Member POF': 'High Utilizers; birth equity population of focus', 'Member Homelessness Indicator': 'Y' },
      { MEMBER_ID: 'POF-2', FIRST_NAME: 'Ben', LAST_NAME: 'Two', 'Member POF': 'Individuals and Families Experiencing Homelessness|Individuals Transitioning from Incarceration', 'Member Homelessness Indicator': 'no' },
      { MEMBER_ID: 'POF-3', FIRST_NAME: 'Cy', LAST_NAME: 'Three' },
    ]);
    expect(result).toMatchObject({ created_count: 3, rejected_count: 0, unknown_columns: [] });
    const one = await attributesOf('POF-1');
    expect(keys(one)).toEqual(['avoidable_hospital_ed_utilization:mif', 'birth_equity:mif']);
    expect(one.homeless).toBe(true);
    const two = await attributesOf('POF-2');
    expect(keys(two)).toEqual(['experiencing_homelessness:mif', 'transitioning_from_incarceration:mif']);
    expect(two.homeless).toBe(false);
    expect(await attributesOf('POF-3')).toMatchObject({ populations_of_focus: [], homeless: null });
  });

  it('replaces the MIF\'s POFs on re-import, keeps what staff set, and leaves blank cells alone', async () => {
    const one = (await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients/filter', { search: 'POF-1' })).json().patients[0].id;
    await call(t.app, admin, 'PUT', `/v1/clinic/ecm/patients/${one}/member_attributes`, {
      member_attributes: { populations_of_focus: ['avoidable_hospital_ed_utilization', 'birth_equity', 'child_welfare'] },
    });
    await importMif(['MEMBER_ID', 'MEMBER_POF', 'MEMBER_HOMELESSNESS_INDICATOR'], [
      { MEMBER_ID: 'POF-1', MEMBER_POF: 'Individuals with Serious Mental Health and/or SUD Needs' },
      { MEMBER_ID: 'POF-2', MEMBER_POF: 'Adults Living in the Community and At Risk for LTC Institutionalization', MEMBER_HOMELESSNESS_INDICATOR: 'Y' },
    ]);
    const after = await attributesOf('POF-1');
    expect(keys(after)).toEqual(['avoidable_hospital_ed_utilization:staff', 'serious_mental_health_sud:mif', 'child_welfare:staff', 'birth_equity:staff']);
    expect(after.homeless).toBe(true);
    const two = await attributesOf('POF-2');
    expect(keys(two)).toEqual(['at_risk_ltc_institutionalization:mif']);
    expect(two.homeless).toBe(true);
  });

  it('rejects a row with an unknown POF or indicator and writes the others', async () => {
    const result = await importMif(['MEMBER_ID', 'FIRST_NAME', 'LAST_NAME', 'MEMBER_POF', 'MEMBER_HOMELESSNESS_INDICATOR'], [
      { MEMBER_ID: 'POF-BAD', FIRST_NAME: 'Dee', LAST_NAME: 'Bad', MEMBER_POF: 'Birth Equity; Long COVID', MEMBER_HOMELESSNESS_INDICATOR: 'maybe' },
      { MEMBER_ID: 'POF-OK', FIRST_NAME: 'Eve', LAST_NAME: 'Ok', MEMBER_POF: 'Children and Youth Involved in Child Welfare' },
    ]);
    expect(result).toMatchObject({ created_count: 1, rejected_count: 1 });
    const detail = (await call(t.app, admin, 'GET', `/v1/admin/clinic/ecm/mifs/${result.id}`)).json();
    expect(detail.mif_import.errors).toEqual([{
      row: 2, member_id: 'POF-BAD',
      messages: ['MEMBER_POF "Long COVID" is not an ECM Population of Focus (GET /v1/clinic/ecm/dhcs_values lists them)', 'MEMBER_HOMELESSNESS_INDICATOR must be Y or N'],
    }]);
    expect(keys(await attributesOf('POF-OK'))).toEqual(['child_welfare:mif']);
  });
});
