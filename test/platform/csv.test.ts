/** The one rule every CSV cell the platform writes goes through (OWASP "CSV Injection"). */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutralizeCsvCell, toCsv } from '../../src/platform/csv.ts';

describe('neutralizeCsvCell', () => {
  it.each([
    // formulas and payloads: prefixed with '
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ["-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tfoo', "'\tfoo"],
    ['\rfoo', "'\rfoo"],
    ['+A1', "'+A1"],
    ['-', "'-"],
    ['+1 805 555 0123 ext 4', "'+1 805 555 0123 ext 4"],
    ['\t123', "'\t123"],
    ['-1+1', "'-1+1"],
    // numbers and phone numbers: kept, plans read them by machine
    ['+1', '+1'],
    ['-1', '-1'],
    ['-2', '-2'],
    ['-2.5', '-2.5'],
    ['+44 20 7946 0958', '+44 20 7946 0958'],
    ['+1 (805) 555-0123', '+1 (805) 555-0123'],
    ['(555) 123-4567', '(555) 123-4567'],
    // text that does not start like a formula: untouched
    ['', ''],
    ['Lopez', 'Lopez'],
    ['a=1', 'a=1'],
    [' =1+1', ' =1+1'],
    ["'=1+1", "'=1+1"],
    ['805-555-0123', '805-555-0123'],
  ])('%j -> %j', (input, expected) => expect(neutralizeCsvCell(input)).toBe(expected));
});

describe('toCsv', () => {
  it('neutralises every string cell, keeps numbers, quotes as RFC 4180 says', () => {
    const text = toCsv([
      ['Name', 'Count'],
      ['=HYPERLINK("http://x","y")', 3],
      ['Ana, "Annie"', -2],
      [null, undefined],
    ]);
    expect(text).toBe(`Name,Count\n"'=HYPERLINK(""http://x"",""y"")",3\n"Ana, ""Annie""",-2\n,\n`);
    expect(parse(text)).toEqual([['Name', 'Count'], [`'=HYPERLINK("http://x","y")`, '3'], ['Ana, "Annie"', '-2'], ['', '']]);
  });
});
