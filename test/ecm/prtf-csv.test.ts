import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvRecord } from '../../src/ecm/prtf/columns.ts';

const records: Array<[string, Array<string | number>]> = [
  ['plain cells and numbers', ['MCP-9', 'Lopez', 0, 42, '']],
  ['a comma', ['1 Main St, Apt 2', 'x']],
  ['double quotes', ['Ana "Annie"', '"', '""']],
  ['line breaks', ['Lopez\nRuiz', 'a\r\nb', 'c\rd']],
  ['empty cells only', ['', '', '']],
  ['spaces, unicode and a leading equals sign stay as they are', [' lead', 'trail ', 'Peña', '=1+1', 'tab\there']],
  ['a single empty cell', ['']],
];

describe('csvRecord', () => {
  it.each(records)('writes %s as csv-stringify does', (_name, cells) => {
    expect(csvRecord(cells)).toBe(stringify([cells]));
  });

  it('reads back to the same cells', () => {
    for (const [, cells] of records) expect(parse(csvRecord(cells), { relax_column_count: true })[0]).toEqual(cells.map(String));
  });
});
