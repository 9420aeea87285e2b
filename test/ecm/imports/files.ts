/**
 * Real import files built in the tests: CSV and tab-separated text, XML, and
 * XLSX/XLSM workbooks written with exceljs; and the data-URI wrapping the API takes.
 */
import ExcelJS from 'exceljs';

export const MIME = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  xml: 'text/xml',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xlsm: 'application/vnd.ms-excel.sheet.macroEnabled.12',
  xls: 'application/vnd.ms-excel',
} as const;

/** `data:<mime>;base64,<content>`. */
export function dataUri(mime: string, content: Buffer | string): string {
  return `data:${mime};base64,${Buffer.from(content).toString('base64')}`;
}

function quote(v: string, delimiter: string): string {
  return /["\n\r]/.test(v) || v.includes(delimiter) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Delimited text: a header row, then the rows (missing keys are blank cells). */
export function delimited(headers: string[], rows: Array<Record<string, string>>, delimiter = ','): string {
  const lines = [headers.join(delimiter), ...rows.map((r) => headers.map((h) => quote(r[h] ?? '', delimiter)).join(delimiter))];
  return lines.join('\r\n') + '\r\n';
}

/** `<Members><Member><MEMBER_ID>..</MEMBER_ID>..</Member>..</Members>` (`element` per row). */
export function xml(rows: Array<Record<string, string>>, element = 'Member', root = 'Members'): string {
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = rows.map((r) => `  <${element}>${Object.entries(r).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('')}</${element}>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>\n${body}\n</${root}>\n`;
}

/** A workbook with the headers in row 1; cell values may be strings, numbers or Dates (written as date cells). */
export async function workbook(headers: string[], rows: Array<Record<string, string | number | Date>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  ws.addRow(headers);
  for (const r of rows) ws.addRow(headers.map((h) => r[h] ?? null));
  ws.columns.forEach((c, i) => {
    if (rows.some((r) => r[headers[i]] instanceof Date)) c.numFmt = 'mm-dd-yyyy';
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The first bytes of an OLE2 compound file (what a legacy .xls is), then filler. */
export function fakeXls(): Buffer {
  return Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504, 0)]);
}
