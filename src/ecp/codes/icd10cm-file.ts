/**
 * Reading CMS's yearly ICD-10-CM distribution ("Code Descriptions in Tabular Order", data/icd10cm/README.md):
 * the zip as CMS publishes it, or one of its two text files on its own.
 *
 * - `icd10cm_order_YYYY.txt`: order number (columns 1-5), code (7-13), billable flag (15: 1 billable,
 *   0 header), short title (17-76), long title (78 on). Preferred: it has the header codes too.
 * - `icd10cm_codes_YYYY.txt`: billable codes only, the code padded to 8 characters, then the long title.
 *
 * Codes are undotted and upper-case in both. The fiscal year is the `YYYY` of the file name (FY YYYY runs
 * from October 1 of YYYY-1 to September 30 of YYYY).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type yauzl from 'yauzl';
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
}

const NAME = /^icd10cm_(order|codes)_(\d{4})\.txt$/i;
/** Columns 1-16 of an order line: order number, code (padded to 7), billable flag. */
const ORDER_PREFIX = /^\d{5} ([A-Z0-9]{3,7}) *([01]) \S/;
const CODES_LINE = /^([A-Z0-9]{3,7}) +(\S.*)$/;

function nameInfo(name: string): { layout: Icd10cmLayout; fiscalYear: number } | undefined {
  const m = NAME.exec(path.basename(name));
  return m ? { layout: m[1].toLowerCase() as Icd10cmLayout, fiscalYear: Number(m[2]) } : undefined;
}

const EXPECTED = 'expected CMS\'s icd10cm_order_YYYY.txt or icd10cm_codes_YYYY.txt, or the zip that holds them';

async function openZip(file: string): Promise<yauzl.ZipFile> {
  // Loaded on first use (a zip is read only when a code set is imported), not at every start (issue 8).
  const { default: unzip } = await import('yauzl');
  return new Promise((resolve, reject) => {
    unzip.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

/** The names of a zip's entries, read from its central directory only. */
async function zipEntryNames(file: string): Promise<string[]> {
  const zip = await openZip(file);
  return new Promise((resolve, reject) => {
    const names: string[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      names.push(e.fileName);
      zip.readEntry();
    });
    zip.on('end', () => {
      zip.close();
      resolve(names);
    });
    zip.on('error', (err) => {
      zip.close();
      reject(err);
    });
    zip.readEntry();
  });
}

/** The bytes of one zip entry. */
async function readZipEntry(file: string, entryName: string): Promise<Buffer> {
  const zip = await openZip(file);
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      zip.close();
      reject(err);
    };
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName !== entryName) return zip.readEntry();
      zip.openReadStream(e, (err, stream) => {
        if (err) return fail(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', fail);
        stream.on('end', () => {
          zip.close();
          resolve(Buffer.concat(chunks));
        });
      });
    });
    zip.on('end', () => fail(new Error(`${entryName} is missing from ${file}`)));
    zip.on('error', fail);
    zip.readEntry();
  });
}

/**
 * Identifies `file` without reading its codes: its layout and fiscal year, from the file name (for a zip, the
 * name of the order file inside it, else of the codes file).
 * @throws ValidationError for a missing file, a name that is not CMS's, or a zip without either file.
 */
export async function identifyIcd10cmFile(file: string): Promise<Icd10cmSource> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new ValidationError([`ICD-10-CM file ${file} does not exist or is not a file`]);
  const base = path.basename(file);
  if (/\.zip$/i.test(base)) {
    let names: string[];
    try {
      names = await zipEntryNames(file);
    } catch (err) {
      throw new ValidationError([`${base} is not a readable zip file: ${(err as Error).message}`]);
    }
    const found = names.map((n) => ({ n, info: nameInfo(n) })).filter((x) => x.info);
    const pick = found.find((x) => x.info!.layout === 'order') ?? found.find((x) => x.info!.layout === 'codes');
    if (!pick) throw new ValidationError([`${base} holds no icd10cm_order_YYYY.txt or icd10cm_codes_YYYY.txt (${EXPECTED})`]);
    return { file, name: path.basename(pick.n), zipEntry: pick.n, ...pick.info! };
  }
  const info = nameInfo(base);
  if (!info) throw new ValidationError([`Cannot tell the layout and fiscal year of ${base}: ${EXPECTED}`]);
  return { file, name: base, ...info };
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

/** Reads and parses the codes of an identified source. */
export async function readIcd10cm(source: Icd10cmSource): Promise<Icd10cmEntry[]> {
  const bytes = source.zipEntry ? await readZipEntry(source.file, source.zipEntry) : await fs.readFile(source.file);
  // CMS's files are ASCII; latin1 never fails on a stray byte.
  return parseIcd10cm(bytes.toString('latin1'), source.layout, source.name);
}
