/**
 * Reading import files (Member Information Files and authorization files) into
 * one neutral shape, a `Sheet`: the header row and the data rows as text cells.
 *
 * - CSV: header row required; comma or tab delimited (detected from the header
 *   line); UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.
 * - XML: one element per row (`<Member>` for a MIF), anywhere below the root;
 *   its child elements are the columns.
 * - XLSX and XLSM: read with exceljs; the first worksheet, headers in row 1. The archive is opened within the
 *   archive limits first (`openArchive`): exceljs only ever sees entries the central directory lists, inflated
 *   and counted by the platform.
 * - XLS (the binary Excel format) is refused: no maintained parser reads it.
 *
 * Anything that keeps the file from being read is a ValidationError (422) with a
 * sentence saying what to fix; problems of single rows are the importer's business.
 */
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { openArchive, type Archive, type ArchiveLimits } from '../../platform/archive.ts';
import { ValidationError } from '../../platform/errors.ts';

export const FILE_TYPES = ['csv', 'xml', 'xlsx', 'xlsm', 'xls'] as const;
export type FileType = (typeof FILE_TYPES)[number];

export const XLS_NOT_SUPPORTED = 'XLS files are not supported; save the file as XLSX';

/** Most data rows read from one file (a compressed workbook can hold far more than its size suggests). */
export const MAX_ROWS = 500_000;
const TOO_MANY_ROWS = `The file has more than ${MAX_ROWS} rows; split it into smaller files`;

/** A file's rows: `cells[i]` belongs to `headers[i]`; `row` is the row number a person sees (header = row 1). */
export interface Sheet {
  headers: string[];
  rows: Array<{ row: number; cells: string[] }>;
}

const MIME_TYPES: Record<string, FileType> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'text/plain': 'csv',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.ms-excel.sheet.macroenabled.12': 'xlsm',
  'application/vnd.ms-excel': 'xls',
};

const EXTENSIONS: Record<string, FileType> = { csv: 'csv', tsv: 'csv', txt: 'csv', xml: 'xml', xlsx: 'xlsx', xlsm: 'xlsm', xls: 'xls' };

const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE2_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** What the bytes are, from their first bytes: a zip (XLSX/XLSM), an OLE2 compound file (XLS), XML, or other text. */
function sniff(content: Buffer): 'zip' | 'ole2' | 'xml' | 'text' {
  if (content.subarray(0, 4).equals(ZIP_SIGNATURE)) return 'zip';
  if (content.subarray(0, 8).equals(OLE2_SIGNATURE)) return 'ole2';
  const head = decodeText(content.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<') ? 'xml' : 'text';
}

/** A data URI's parts: `data:<mime>[;name=<filename>];base64,<data>`. A bare base64 string is accepted too. */
export function decodeDataUri(value: string): { content: Buffer; mime?: string; filename?: string } {
  let data = value.trim();
  let mime: string | undefined;
  let filename: string | undefined;
  const m = /^data:([^,]*?),/i.exec(data);
  if (m) {
    const params = m[1].split(';').map((p) => p.trim());
    if (!params.some((p) => p.toLowerCase() === 'base64')) throw new ValidationError(['File must be base64 encoded (data:<type>;base64,...)']);
    mime = params[0]?.toLowerCase() || undefined;
    const name = params.find((p) => /^name=/i.test(p));
    if (name) filename = decodeURIComponent(name.slice(5));
    data = data.slice(m[0].length);
  }
  data = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1) throw new ValidationError(['File is not valid base64']);
  const content = Buffer.from(data, 'base64');
  if (content.length === 0) throw new ValidationError(['The file is empty']);
  return { content, mime, filename };
}

/**
 * The file's type: `declared` when given, else from the data URI's media type, the file name's
 * extension, and finally the content itself. XLS, declared or detected, is refused.
 * @throws ValidationError `XLS files are not supported; save the file as XLSX`.
 */
export function resolveFileType(content: Buffer, hints: { declared?: FileType; mime?: string; filename?: string | null }): FileType {
  const kind = sniff(content);
  if (kind === 'ole2') throw new ValidationError([XLS_NOT_SUPPORTED]);
  const ext = hints.filename?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  const type =
    hints.declared ??
    (hints.mime ? MIME_TYPES[hints.mime] : undefined) ??
    (ext ? EXTENSIONS[ext] : undefined) ??
    (kind === 'zip' ? 'xlsx' : kind === 'xml' ? 'xml' : 'csv');
  if (type === 'xls') throw new ValidationError([XLS_NOT_SUPPORTED]);
  return type;
}

/** UTF-16 (by BOM), else UTF-8 when the bytes are valid UTF-8, else Windows-1252 (Excel's "CSV" on Windows). */
function decodeText(content: Buffer): string {
  if (content[0] === 0xff && content[1] === 0xfe) return new TextDecoder('utf-16le').decode(content.subarray(2));
  if (content[0] === 0xfe && content[1] === 0xff) return new TextDecoder('utf-16be').decode(content.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('windows-1252').decode(content);
  }
}

function unreadable(type: FileType, reason: string): ValidationError {
  return new ValidationError([`The file could not be read as ${type.toUpperCase()}: ${reason}`]);
}

async function readCsv(content: Buffer): Promise<Sheet> {
  if (sniff(content) === 'zip') throw unreadable('csv', 'it is a zip archive (an XLSX workbook?); send it with file_type xlsx');
  const text = decodeText(content);
  if (text.includes('\u0000')) throw unreadable('csv', 'it contains binary data');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  let records: Array<{ record: string[]; info: { lines: number } }>;
  // The parsers load on first use: a server that never imports a file never pays their start-up.
  const { parse: parseCsv } = await import('csv-parse/sync');
  try {
    records = parseCsv(text, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw unreadable('csv', (err as Error).message);
  }
  if (records.length === 0) throw new ValidationError(['The file is empty']);
  if (records.length > MAX_ROWS + 1) throw new ValidationError([TOO_MANY_ROWS]);
  const [head, ...rest] = records;
  return {
    headers: head.record,
    rows: rest
      .filter((r) => r.record.some((c) => c !== ''))
      .map((r) => ({ row: r.info.lines, cells: r.record })),
  };
}

/** Text of an XML element's parsed value (elements with attributes or children keep their text only). */
function xmlText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return xmlText(v[0]);
  if (typeof v === 'object') return xmlText((v as Record<string, unknown>)['#text']);
  return String(v).trim();
}

/** Depth-first search for the first array of `<rowElement>` elements (names compared case-insensitively). */
function findRows(node: unknown, rowElement: string): Array<Record<string, unknown>> | undefined {
  if (!node || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key.toLowerCase() === rowElement.toLowerCase() && Array.isArray(value)) {
      return value.map((v) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {}));
    }
  }
  for (const value of Object.values(node as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) {
      const found = findRows(item, rowElement);
      if (found) return found;
    }
  }
  return undefined;
}

async function readXml(content: Buffer, rowElement: string): Promise<Sheet> {
  const kind = sniff(content);
  if (kind === 'zip') throw unreadable('xml', 'it is a zip archive (an XLSX workbook?); send it with file_type xlsx');
  const text = decodeText(content);
  const { XMLParser, XMLValidator } = await import('fast-xml-parser');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw unreadable('xml', `${valid.err.msg} (line ${valid.err.line})`);
  let doc: unknown;
  try {
    const parser = new XMLParser({
      ignoreAttributes: true,
      parseTagValue: false,
      trimValues: true,
      isArray: (name) => name.toLowerCase() === rowElement.toLowerCase(),
    });
    doc = parser.parse(text);
  } catch (err) {
    throw unreadable('xml', (err as Error).message);
  }
  const elements = findRows(doc, rowElement);
  if (!elements || elements.length === 0) throw new ValidationError([`The file has no <${rowElement}> elements`]);
  if (elements.length > MAX_ROWS) throw new ValidationError([TOO_MANY_ROWS]);
  // Columns are the child element names of every row (compared as headers are: `Member_Id` = `MEMBER_ID`).
  const headers: string[] = [];
  const index = new Map<string, number>();
  for (const el of elements) {
    for (const name of Object.keys(el)) {
      const key = headerKey(name);
      if (name === '#text' || index.has(key)) continue;
      index.set(key, headers.length);
      headers.push(name);
    }
  }
  return {
    headers,
    rows: elements.map((el, i) => {
      const cells = new Array<string>(headers.length).fill('');
      for (const [name, value] of Object.entries(el)) {
        const at = index.get(headerKey(name));
        if (at !== undefined) cells[at] = xmlText(value);
      }
      return { row: i + 1, cells };
    }),
  };
}

/** A date cell as `YYYY-MM-DD` (exceljs gives dates as UTC midnights). */
function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return isoDate(v);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('').trim();
    if ('result' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text).trim();
    return '';
  }
  return String(v).trim();
}

/** An end of central directory record with no entries: where unzipper, exceljs's zip parser, stops reading. */
const END_OF_CENTRAL_DIRECTORY = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);

/**
 * The archive's entries as an uncompressed ("stored") zip stream, for exceljs. exceljs's streaming reader walks
 * local file headers (unzipper), which a crafted file can make disagree with the central directory (an entry the
 * directory does not list, sizes that differ), so it is given only what `openArchive` listed and checked, each
 * entry inflated once and counted on the way.
 */
async function* storedZip(archive: Archive): AsyncGenerator<Buffer> {
  for (const entry of archive.entries) {
    if (entry.isDirectory) continue;
    const name = Buffer.from(entry.name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0); // local file header
    header.writeUInt16LE(10, 4); // version needed: 1.0, stored
    header.writeUInt16LE(0x0800, 6); // UTF-8 name; sizes in this header (no data descriptor)
    header.writeUInt32LE(entry.crc32, 14);
    header.writeUInt32LE(entry.uncompressedSize, 18); // stored: compressed size = size
    header.writeUInt32LE(entry.uncompressedSize, 22);
    header.writeUInt16LE(name.length, 26);
    yield Buffer.concat([header, name]);
    yield* await archive.open(entry);
  }
  yield END_OF_CENTRAL_DIRECTORY;
}

/**
 * The failure of the stream exceljs reads. exceljs waits for its zip stream forever when the stream it reads from
 * fails (a pipe does not forward errors), so each wait on exceljs is guarded: it rejects as soon as the stream
 * fails. (A race against one long-lived promise would keep every awaited row reachable until it settles.)
 */
function failureLatch() {
  let failure: Error | undefined;
  const waiting = new Set<(err: Error) => void>();
  return {
    fail(err: Error) {
      failure ??= err;
      for (const reject of waiting) reject(failure);
    },
    /** `iterable`'s values until it ends, or until the latch fails. */
    async *guard<T>(iterable: AsyncIterable<T>): AsyncGenerator<T> {
      const it = iterable[Symbol.asyncIterator]();
      let ended = false;
      try {
        for (;;) {
          if (failure) throw failure;
          const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
            waiting.add(reject);
            it.next().then(resolve, reject).finally(() => waiting.delete(reject));
          });
          if (next.done) {
            ended = true;
            return;
          }
          yield next.value;
        }
      } finally {
        // Not awaited: after a failure exceljs may never settle.
        if (!ended) void it.return?.()?.catch(() => {});
      }
    },
  };
}

/**
 * The first worksheet, read with exceljs's streaming reader: rows are visited once and not kept as cell
 * objects, so a 50,000-row workbook stays within a few hundred MB (the in-memory `Workbook.load` takes GBs).
 * @throws ArchiveTooLargeError (422 `The file is too large once uncompressed`) over an archive limit.
 */
async function readWorkbook(content: Buffer, type: FileType, limits: ArchiveLimits): Promise<Sheet> {
  if (sniff(content) !== 'zip') throw unreadable(type, 'it is not an Excel workbook');
  let archive: Archive;
  try {
    archive = await openArchive(content, limits);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw unreadable(type, (err as Error).message);
  }
  let headers: string[] | undefined;
  const rows: Sheet['rows'] = [];
  const latch = failureLatch();
  const input = Readable.from(storedZip(archive)).on('error', (err) => latch.fail(err));
  try {
    const { default: Excel } = await import('exceljs');
    const reader = new Excel.stream.xlsx.WorkbookReader(input, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    for await (const worksheet of latch.guard(reader)) {
      for await (const row of latch.guard(worksheet)) {
        if (!headers) {
          if (row.number !== 1) throw new ValidationError(['The first row must hold the column names']);
          headers = Array.from({ length: row.cellCount }, (_, i) => cellText(row.getCell(i + 1).value));
          continue;
        }
        const cells = headers.map((_, i) => cellText(row.getCell(i + 1).value));
        if (cells.some((c) => c !== '')) rows.push({ row: row.number, cells });
        if (rows.length > MAX_ROWS) throw new ValidationError([TOO_MANY_ROWS]);
      }
      break; // the first worksheet only
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw unreadable(type, (err as Error).message);
  } finally {
    input.destroy();
    archive.close();
  }
  if (!headers) throw new ValidationError(['The file is empty']);
  if (headers.every((h) => h === '')) throw new ValidationError(['The first row must hold the column names']);
  return { headers, rows };
}

/**
 * Reads `content` as `type`.
 * @param rowElement the XML element holding one row (`Member` for a MIF).
 * @param limits what an XLSX/XLSM archive may inflate to (the `ARCHIVE_*` settings).
 * @throws ValidationError (422) naming why the file cannot be read; XLS is always refused; an archive over a limit
 *   is `The file is too large once uncompressed`.
 */
export async function readSheet(content: Buffer, type: FileType, rowElement: string, limits: ArchiveLimits): Promise<Sheet> {
  if (content.length === 0) throw new ValidationError(['The file is empty']);
  if (type === 'xls' || sniff(content) === 'ole2') throw new ValidationError([XLS_NOT_SUPPORTED]);
  if (type === 'csv') return readCsv(content);
  if (type === 'xml') return readXml(content, rowElement);
  return readWorkbook(content, type, limits);
}

/** A header as a lookup key: upper case, runs of spaces, dashes and punctuation as one `_` (`Auth No.` -> `AUTH_NO`). */
export function headerKey(header: string): string {
  return header.trim().toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/**
 * Maps the file's headers onto the known columns (compared with `headerKey`).
 * @returns the index of each known column present and the headers that are not known (as written in the file).
 * @throws ValidationError when a known column appears twice.
 */
export function mapColumns<K extends string>(headers: string[], known: readonly K[], label: (k: K) => string = (k) => k): { index: Map<K, number>; unknown: string[] } {
  const byKey = new Map(known.map((k) => [headerKey(k), k]));
  const index = new Map<K, number>();
  const unknown: string[] = [];
  const duplicates: string[] = [];
  headers.forEach((h, i) => {
    const key = headerKey(h);
    if (key === '') return;
    const k = byKey.get(key);
    if (!k) unknown.push(h.trim());
    else if (index.has(k)) duplicates.push(label(k));
    else index.set(k, i);
  });
  if (duplicates.length) throw new ValidationError(duplicates.map((d) => `Column ${d} appears more than once`));
  return { index, unknown };
}

/**
 * A date cell as `YYYY-MM-DD`: `MM-DD-YYYY` (the MIF format), `MM/DD/YYYY`, or `YYYY-MM-DD` (what a
 * spreadsheet's date cells read as). Undefined when it is not a real calendar date.
 */
export function parseDate(value: string): string | undefined {
  let y: number, m: number, d: number;
  let match = /^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$/.exec(value);
  if (match) [m, d, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value))) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1900) return undefined;
  return date.toISOString().slice(0, 10);
}
