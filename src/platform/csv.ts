/**
 * Writing CSV that spreadsheet software opens safely. A cell starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return is read by Excel, LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)`, DDE payloads
 * such as `-cmd|' /C calc'!A0`), so such cells get a leading `'`, as OWASP's "CSV Injection" page recommends.
 * Numbers and phone numbers (`-2`, `+44 20 7946 0958`) are kept as they are: plans read these files by machine,
 * and text made only of digits, spaces, dots, dashes and parentheses cannot call anything.
 * Every CSV the platform writes goes through `toCsv`.
 */
import { stringify } from 'csv-stringify/sync';
import { sql, type SQL } from 'drizzle-orm';

const FORMULA_START = /^[=+\-@\t\r]/;
/** An optional sign, then digits, spaces, dots, dashes and parentheses, with at least one digit. */
const NUMBER_OR_PHONE = /^[+-]?[0-9 ().-]*[0-9][0-9 ().-]*$/;

/**
 * One cell's text, safe to open in a spreadsheet: `'` + `value` when it starts with `=`, `+`, `-`, `@`, tab or
 * carriage return and is not a number or phone number; `value` unchanged otherwise.
 * Source: OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection).
 */
export function neutralizeCsvCell(value: string): string {
  return FORMULA_START.test(value) && !NUMBER_OR_PHONE.test(value) ? `'${value}` : value;
}

/**
 * Rows as CSV text (csv-stringify: RFC 4180 quoting, `\n` line ends), every string and number cell passed
 * through `neutralizeCsvCell`; null and undefined cells are empty.
 */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return stringify(rows as unknown[][], {
    cast: {
      string: (v) => neutralizeCsvCell(v),
      number: (v) => neutralizeCsvCell(String(v)),
    },
  });
}

/**
 * `neutralizeCsvCell` as an SQL expression over the text expression `value` (null stays null), for CSV that
 * PostgreSQL writes itself (`COPY ... (FORMAT csv)`): the same two patterns, as PostgreSQL regular expressions.
 */
export function neutralizedCsvCellSql(value: SQL): SQL {
  return sql`CASE WHEN ${value} ~ ${FORMULA_START.source} AND ${value} !~ ${NUMBER_OR_PHONE.source} THEN '''' || ${value} ELSE ${value} END`;
}
