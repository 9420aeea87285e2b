/**
 * Reading CMS's yearly ICD-10-CM distribution ("Code Descriptions in Tabular Order", data/icd10cm/README.md):
 * the zip as CMS publishes it, or one of its two text files on its own.
 *
 * - `icd10cm_order_YYYY.txt`: order number (columns 1-5), code (7-13), billable flag (15: 1 billable,
 *   0 header), short title (17-76), long title (78 on). Preferred: it has the header codes too.
 * - `icd10cm_codes_YYYY.txt`: billable codes only, the code padded to 8 characters, then the long title.
 *
 * Codes are undotted and upper-case in both. The fiscal year is the `YYYY` of the file name (FY YYYY runs
 * from October 1 of YYYY-1 to September 30 of YYYY). Either text file may also be gzip-compressed
 * (`icd10cm_order_2026.txt.gz`, the form the project ships in `data/icd10cm/`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ARCHIVE_TOO_LARGE, ArchiveTooLargeError, openArchive, type ArchiveLimits } from '../../platform/archive.ts';
import { ValidationError } from '../../platform/errors.ts';

export type Icd10cmLayout = 'order' | 'codes';

/** One parsed line. */
export interface Icd10cmEntry {
  code: string;
  billable: boolean;
  shortDescription: string;
  longDescription: string;
}

/** Where the codes of a file are: a bare text file, or an entry of a zip. */
export interface Icd10cmSource {
  file: string;
  /** The text file's name (the zip entry's base name for a zip). */
  name: string;
  layout: Icd10cmLayout;
  fiscalYear: number;
  /** The zip entry's full name; undefined for a bare text file. */
  zipEntry?: string;
  /** True for a gzip-compressed text file (`.txt.gz`). */
  gzip?: boolean;
}

const NAME = /^icd10cm_(order|codes)_(\d{4})\.txt(\.gz)?$/i;
const gunzip = promisify(zlib.gunzip);
/** Columns 1-16 of an order line: order number, code (padded to 7), billable flag. */
const ORDER_PREFIX = /^\d{5} ([A-Z0-9]{3,7}) *([01]) \S/;
const CODES_LINE = /^([A-Z0-9]{3,7}) +(\S.*)$/;

function nameInfo(name: string): { layout: Icd10cmLayout; fiscalYear: number; gzip: boolean } | undefined {
  const m = NAME.exec(path.basename(name));
  return m ? { layout: m[1].toLowerCase() as Icd10cmLayout, fiscalYear: Number(m[2]), gzip: Boolean(m[3]) } : undefined;
}

const EXPECTED = 'expected CMS\'s icd10cm_order_YYYY.txt or icd10cm_codes_YYYY.txt (optionally gzipped, .txt.gz), or the zip that holds them';

/**
 * The operator's sentence for a zip over an archive limit (the CLI prints it; `care serve` stops with it),
 * naming the entry, the limit and the settings that hold the limits.
 */
function tooLarge(base: string, err: ArchiveTooLargeError): ValidationError {
  return new ValidationError([
    `${base}: ${ARCHIVE_TOO_LARGE} (${err.detail}; limits: ARCHIVE_MAX_UNCOMPRESSED_BYTES, ARCHIVE_MAX_ENTRY_BYTES, ARCHIVE_MAX_RATIO)`,
  ]);
}

/** The names of a zip's entries, read from its central directory only, after its sizes passed `limits`. */
async function zipEntryNames(file: string, limits: ArchiveLimits): Promise<string[]> {
  const archive = await openArchive(file, limits);
  archive.close();
  return archive.entries.map((e) => e.name);
}

/** The bytes of one zip entry, inflated within `limits`. */
async function readZipEntry(file: string, entryName: string, limits: ArchiveLimits): Promise<Buffer> {
  const archive = await openArchive(file, limits);
  try {
    const entry = archive.entries.find((e) => e.name === entryName);
    if (!entry) throw new Error(`${entryName} is missing from ${file}`);
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.open(entry)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    archive.close();
  }
}

/**
 * Identifies `file` without reading its codes: its layout and fiscal year, from the file name (for a zip, the
 * name of the order file inside it, else of the codes file). A zip's central directory is checked against `limits`.
 * @throws ValidationError for a missing file, a name that is not CMS's, a zip without either file, or a zip over
 *   the archive limits (`<file>: The file is too large once uncompressed (...)`).
 */
export async function identifyIcd10cmFile(file: string, limits: ArchiveLimits): Promise<Icd10cmSource> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new ValidationError([`ICD-10-CM file ${file} does not exist or is not a file`]);
  const base = path.basename(file);
  if (/\.zip$/i.test(base)) {
    let names: string[];
    try {
      names = await zipEntryNames(file, limits);
    } catch (err) {
      if (err instanceof ArchiveTooLargeError) throw tooLarge(base, err);
      throw new ValidationError([`${base} is not a readable zip file: ${(err as Error).message}`]);
    }
    const found = names.map((n) => ({ n, info: nameInfo(n) })).filter((x) => x.info && !x.info.gzip);
    const pick = found.find((x) => x.info!.layout === 'order') ?? found.find((x) => x.info!.layout === 'codes');
    if (!pick) throw new ValidationError([`${base} holds no icd10cm_order_YYYY.txt or icd10cm_codes_YYYY.txt (${EXPECTED})`]);
    const { layout, fiscalYear } = pick.info!;
    return { file, name: path.basename(pick.n), zipEntry: pick.n, layout, fiscalYear };
  }
  const info = nameInfo(base);
  if (!info) throw new ValidationError([`Cannot tell the layout and fiscal year of ${base}: ${EXPECTED}`]);
  const { layout, fiscalYear, gzip } = info;
  // The set's recorded source is the text file's name, compressed or not.
  return { file, name: gzip ? base.replace(/\.gz$/i, '') : base, layout, fiscalYear, ...(gzip ? { gzip } : {}) };
}

/**
 * Parses one file's text (`layout` as its name says). Blank lines are skipped.
 * @throws ValidationError naming the first line that does not fit the layout, or a code listed twice.
 */
export function parseIcd10cm(text: string, layout: Icd10cmLayout, name: string): Icd10cmEntry[] {
  const out: Icd10cmEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\s+$/, '');
    if (!line) continue;
    let entry: Icd10cmEntry;
    if (layout === 'order') {
      const m = ORDER_PREFIX.exec(line);
      if (!m || line[13] !== ' ' || line[15] !== ' ') {
        throw new ValidationError([`${name} line ${i + 1} does not fit the order file layout (order number, code, billable flag, short and long title)`]);
      }
      const short = line.slice(16, 76).trim();
      entry = { code: m[1], billable: m[2] === '1', shortDescription: short, longDescription: line.slice(77).trim() || short };
    } else {
      const m = CODES_LINE.exec(line);
      if (!m) throw new ValidationError([`${name} line ${i + 1} does not fit the codes file layout (code, then its description)`]);
      entry = { code: m[1], billable: true, shortDescription: m[2].trim(), longDescription: m[2].trim() };
    }
    if (seen.has(entry.code)) throw new ValidationError([`${name} line ${i + 1} lists code ${entry.code} a second time`]);
    seen.add(entry.code);
    out.push(entry);
  }
  if (!out.length) throw new ValidationError([`${name} holds no codes`]);
  return out;
}

/** A gzip file's bytes, inflated to at most `limits.maxEntryBytes`. */
async function readGzip(file: string, limits: ArchiveLimits): Promise<Buffer> {
  const compressed = await fs.readFile(file);
  try {
    return await gunzip(compressed, { maxOutputLength: limits.maxEntryBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new ArchiveTooLargeError(`${path.basename(file)} inflates past the ${Math.round(limits.maxEntryBytes / 1048576)} MiB an entry may hold`);
    }
    throw new ValidationError([`${path.basename(file)} is not a readable gzip file: ${(err as Error).message}`]);
  }
}

/**
 * Reads and parses the codes of an identified source; a zip entry or a gzip file is inflated within `limits`.
 * @throws ValidationError as `parseIcd10cm` does, or when the entry inflates past its declared size or the limits.
 */
export async function readIcd10cm(source: Icd10cmSource, limits: ArchiveLimits): Promise<Icd10cmEntry[]> {
  let bytes: Buffer;
  try {
    bytes = source.zipEntry
      ? await readZipEntry(source.file, source.zipEntry, limits)
      : source.gzip ? await readGzip(source.file, limits) : await fs.readFile(source.file);
  } catch (err) {
    if (err instanceof ArchiveTooLargeError) throw tooLarge(path.basename(source.file), err);
    throw err;
  }
  // CMS's files are ASCII; latin1 never fails on a stray byte.
  return parseIcd10cm(bytes.toString('latin1'), source.layout, source.name);
}
