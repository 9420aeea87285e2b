/** The one rule every CSV cell the platform writes goes through (OWASP "CSV Injection"). */
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlinedSql } from '../../src/db/pool.ts';
import { neutralizeCsvCell, neutralizedCsvCellSql, toCsv } from '../../src/platform/csv.ts';
import { createTestContext, type TestContext } from '../support/app.ts';

const CASES: Array<[string, string]> = [
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
];

describe('neutralizeCsvCell', () => {
  it.each(CASES)('%j -> %j', (input, expected) => expect(neutralizeCsvCell(input)).toBe(expected));
});

describe('neutralizedCsvCellSql (the same rule where PostgreSQL writes the CSV)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t.close());

  it('gives what neutralizeCsvCell gives for every case, bound or written in as a literal (COPY), and keeps null', async () => {
    const inputs = CASES.map(([input]) => input);
    const bound = await t.database.db.execute<{ out: string | null }>(
      sql`SELECT ${neutralizedCsvCellSql(sql`u.v`)} AS out FROM unnest(${sql.param([...inputs, null])}::text[]) WITH ORDINALITY AS u(v, n) ORDER BY u.n`);
    expect(bound.rows.map((r) => r.out)).toEqual([...CASES.map(([, expected]) => expected), null]);
    for (const [input, expected] of CASES) {
      const { rows } = await t.database.pool.query(inlinedSql(sql`SELECT ${neutralizedCsvCellSql(sql`${input}::text`)} AS out`));
      expect(rows[0].out).toBe(expected);
    }
  });
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
