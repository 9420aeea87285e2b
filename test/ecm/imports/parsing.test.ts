/** The pure parts of reading import files: dates, headers, status and form names, file types, data URIs. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { decodeDataUri, headerKey, mapColumns, parseDate, readSheet, resolveFileType } from '../../../src/ecm/imports/readers.ts';
import { authorizationTypeOf, memberRecordStatusOf, parseAuthorizationRow, parseMifRow } from '../../../src/ecm/imports/rows.ts';
import { fakeXls } from './files.ts';

describe('parseDate', () => {
  it.each([
    ['03-14-1961', '1961-03-14'],
    ['3/4/1961', '1961-03-04'],
    ['12-31-2025', '2025-12-31'],
    ['2025-12-31', '2025-12-31'],
    ['02-29-2024', '2024-02-29'],
    ['02-29-2025', undefined],
    ['13-01-2025', undefined],
    ['1961-31-02', undefined],
    ['31-12-2025', undefined],
    ['12-31-25', undefined],
    ['tomorrow', undefined],
    ['01-01-1800', undefined],
  ])('%s -> %s', (input, expected) => expect(parseDate(input)).toBe(expected));
});

describe('names', () => {
  it.each([
    ['Auth No', 'AUTH_NO'],
    [' auth_no ', 'AUTH_NO'],
    ['Auth No.', 'AUTH_NO'],
    ['member-id', 'MEMBER_ID'],
    ['ECM_Benefit_Auth_Eff_Date', 'ECM_BENEFIT_AUTH_EFF_DATE'],
  ])('header %j is %s', (input, expected) => expect(headerKey(input)).toBe(expected));

  it.each([
    ['new_member', 'new_member'],
    ['New Member', 'new_member'],
    ['CONTINUING', 'continuing_member'],
    ['pending-member', 'pending_member'],
    ['gone', undefined],
  ])('status %j is %s', (input, expected) => expect(memberRecordStatusOf(input)).toBe(expected));

  it.each([
    ['Form I', 'Form I'],
    ['form e', 'Form E'],
    ['W', 'Form W'],
    ['Form Z', undefined],
  ])('authorization type %j is %s', (input, expected) => expect(authorizationTypeOf(input)).toBe(expected));

  it('maps headers to known columns, reports unknown ones and refuses a column given twice', () => {
    expect(mapColumns(['member_id', 'Extra', '', 'DOB'], ['MEMBER_ID', 'DOB'] as const)).toEqual({ index: new Map([['MEMBER_ID', 0], ['DOB', 3]]), unknown: ['Extra'] });
    expect(() => mapColumns(['MEMBER_ID', 'Member Id'], ['MEMBER_ID'] as const)).toThrow('Column MEMBER_ID appears more than once');
  });
});

describe('file types and data URIs', () => {
  it('prefers the declared type, then the media type, then the extension, then the content', () => {
    const csv = Buffer.from('MEMBER_ID\n1\n');
    expect(resolveFileType(csv, { declared: 'xml', mime: 'text/csv' })).toBe('xml');
    expect(resolveFileType(csv, { mime: 'text/csv', filename: 'a.xml' })).toBe('csv');
    expect(resolveFileType(csv, { filename: 'a.XLSM' })).toBe('xlsm');
    expect(resolveFileType(Buffer.from('<Members/>'), {})).toBe('xml');
    expect(resolveFileType(Buffer.from('PK\u0003\u0004rest'), {})).toBe('xlsx');
    expect(resolveFileType(csv, {})).toBe('csv');
  });

  it('refuses XLS however it is named', () => {
    expect(() => resolveFileType(fakeXls(), {})).toThrow('XLS files are not supported; save the file as XLSX');
    expect(() => resolveFileType(Buffer.from('a'), { filename: 'old.xls' })).toThrow('XLS files are not supported; save the file as XLSX');
    expect(() => resolveFileType(Buffer.from('a'), { mime: 'application/vnd.ms-excel' })).toThrow('XLS files are not supported');
  });

  it('decodes data URIs with a name parameter, and bare base64', () => {
    expect(decodeDataUri('data:text/csv;name=my%20file.csv;base64,QUJD')).toEqual({ content: Buffer.from('ABC'), mime: 'text/csv', filename: 'my file.csv' });
    expect(decodeDataUri('QUJD')).toEqual({ content: Buffer.from('ABC'), mime: undefined, filename: undefined });
  });

  it('reads CSV in UTF-16 (Excel "Unicode text", tab-delimited) and Windows-1252', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('MEMBER_ID\tFIRST_NAME\r\nU-1\tJosé\r\n', 'utf16le')]);
    const limits = loadConfig({}).archiveLimits;
    expect(await readSheet(utf16, 'csv', 'Member', limits)).toEqual({ headers: ['MEMBER_ID', 'FIRST_NAME'], rows: [{ row: 2, cells: ['U-1', 'José'] }] });
    const cp1252 = Buffer.from('MEMBER_ID,FIRST_NAME\nW-1,Jos\xe9\n', 'latin1');
    expect((await readSheet(cp1252, 'csv', 'Member', limits)).rows[0].cells).toEqual(['W-1', 'José']);
  });
});

describe('parseAuthorizationRow', () => {
  const row = (values: Record<string, string>) => parseAuthorizationRow(2, (c) => values[c] ?? '');
  it('prefixes every message with "Validation failed: "', () => {
    expect(row({ Status: 'Maybe', 'Start Date': '02-01-2025', 'Expiration Date': '01-01-2025', 'Authorization Type': 'Form Q' })).toEqual({
      messages: [
        "Validation failed: Auth No can't be blank",
        'Validation failed: Authorization Type is not included in the list (Form I, Form E, Form C, Form D, Form W)',
        'Validation failed: Status is not included in the list (Approved, Pending, Denied, Terminated)',
        'Validation failed: Expiration Date must be on or after the Start Date',
      ],
    });
  });
  it('normalises status and form names', () => {
    expect(row({ 'Auth No': 'A1', Status: 'approved', 'Authorization Type': 'e', 'Start Date': '1/2/2025' })).toEqual({
      value: { row: 2, authNo: 'A1', memberId: null, authType: null, authorizationType: 'Form E', status: 'Approved', startDate: '2025-01-02', expirationDate: null },
    });
  });
});

describe('cell lengths', () => {
  const mif = (values: Record<string, string>) => parseMifRow(2, (c) => values[c] ?? '', '2025-06-01');
  it.each([
    ['FIRST_NAME', 100],
    ['LAST_NAME', 100],
    ['MEMBER_ID', 64],
    ['EMAIL', 254],
    ['ECM_PROVIDER_NAME', 200],
  ])('holds %s to the API limit of the field (%i characters)', (column, max) => {
    const at = mif({ MEMBER_ID: 'M1', [column]: column === 'EMAIL' ? `${'a'.repeat(max - 12)}@example.com` : 'a'.repeat(max) });
    expect(at).toHaveProperty('value');
    const over = mif({ MEMBER_ID: 'M1', [column]: 'a'.repeat(max + 1) });
    expect(over).toMatchObject({ messages: expect.arrayContaining([`${column} is too long (maximum is ${max} characters)`]) });
  });
  it('keeps 255 characters for columns that are not API fields', () => {
    expect(parseAuthorizationRow(2, (c) => (c === 'Auth No' ? 'A'.repeat(256) : ''))).toEqual({ messages: ['Validation failed: Auth No is too long (maximum is 255 characters)'] });
  });
});
