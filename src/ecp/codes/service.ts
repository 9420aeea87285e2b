/**
 * The ICD-10-CM code sets (CMS's yearly distribution, data/icd10cm/README.md) and the checks of diagnosis codes
 * against them (seed 000 "POST resident/diagnosis": the code "must precisely match an ICD-10 code").
 *
 * Every imported fiscal year is kept; a code is checked against the year its date falls in (FY N runs from
 * October 1 of N-1 to September 30 of N), or the latest imported year when that one is missing. With no year
 * imported, codes are checked for syntax only. Codes are stored undotted and upper-case; the wire shows them
 * dotted after the third character (`E11.9`).
 */
import type { Db, Executor } from '../../db/pool.ts';
import type { ArchiveLimits } from '../../platform/archive.ts';
import { ValidationError } from '../../platform/errors.ts';
import { identifyIcd10cmFile, readIcd10cm, type Icd10cmSource } from './icd10cm-file.ts';
import * as store from './store.ts';

/** Rows per INSERT statement. */
const INSERT_BATCH = 5000;
const SEARCH_LIMIT_MAX = 100;

/** ICD-10-CM syntax: a letter, a digit, a letter or digit; then up to 4 letters or digits, after an optional dot. */
const CODE_SYNTAX = /^([A-Z][0-9][A-Z0-9])(?:\.([A-Z0-9]{1,4})|([A-Z0-9]{0,4}))$/;
/** What a code-prefix search looks like (`E11`, `E11.`, `e119`). */
const CODE_PREFIX = /^[A-Z][0-9][A-Z0-9]?(?:\.?[A-Z0-9]{0,4})$/;

/** `E119` → `E11.9`; codes of 3 characters stay as they are. */
export function dottedCode(undotted: string): string {
  return undotted.length > 3 ? `${undotted.slice(0, 3)}.${undotted.slice(3)}` : undotted;
}

/**
 * The undotted, upper-case form of `input` (`' e11.9 '` → `E119`), or undefined when it is not ICD-10-CM syntax.
 */
export function normalizeCode(input: string): string | undefined {
  const m = CODE_SYNTAX.exec(input.trim().toUpperCase());
  return m ? m[1] + (m[2] ?? m[3] ?? '') : undefined;
}

/** The fiscal year `at` falls in, by its UTC calendar date: October 1 starts the next year's set. */
export function fiscalYearOf(at: Date): number {
  return at.getUTCMonth() >= 9 ? at.getUTCFullYear() + 1 : at.getUTCFullYear();
}

/** The dates a fiscal year's code set is in effect, `YYYY-MM-DD`. */
export function fiscalYearRange(fiscalYear: number): { from: string; to: string } {
  return { from: `${fiscalYear - 1}-10-01`, to: `${fiscalYear}-09-30` };
}

/** Where CMS publishes each year's code set ("Code Descriptions in Tabular Order"). */
export const CMS_ICD10CM_URL = 'https://www.cms.gov/medicare/coding-billing/icd-10-codes';

/** Which code sets are loaded, against the fiscal year in effect now. */
export interface CodeSetStatus {
  /** Imported fiscal years, oldest first. */
  fiscalYears: number[];
  /** The fiscal year in effect now (FY N starts October 1 of N-1). */
  currentFiscalYear: number;
  /** Set when no year is loaded, or when the newest loaded year is older than the current one: what to do. */
  warning?: string;
}

/**
 * The operator's view of the loaded code sets (start-up log, `/readyz`, README "ICD-10-CM"): the years, the year in
 * effect at `now` (by its UTC date) and, when a diagnosis would be checked against an older year than the one in
 * effect, a warning naming the command that imports the current year.
 */
export function codeSetStatus(fiscalYears: number[], now: Date): CodeSetStatus {
  const currentFiscalYear = fiscalYearOf(now);
  const how = `import it with \`care codes import icd10cm <zip>\` or ICD10CM_FILE (CMS publishes it at ${CMS_ICD10CM_URL})`;
  if (!fiscalYears.length) {
    return { fiscalYears, currentFiscalYear, warning: `no code set imported: diagnosis codes checked for syntax only; FY${currentFiscalYear} is current, ${how}` };
  }
  const newest = fiscalYears[fiscalYears.length - 1];
  if (newest >= currentFiscalYear) return { fiscalYears, currentFiscalYear };
  return {
    fiscalYears,
    currentFiscalYear,
    warning: `newest code set loaded is FY${newest}, but FY${currentFiscalYear} is in effect since ${fiscalYearRange(currentFiscalYear).from}: `
      + `diagnoses dated from then on are checked against FY${newest}; ${how}`,
  };
}

export interface ImportResult {
  fiscalYear: number;
  /** Codes imported: billable and header codes. */
  codeCount: number;
  billableCount: number;
  /** The text file the codes came from (`icd10cm_order_2026.txt`). */
  source: string;
}

export interface CheckedCode {
  /** Dotted: `E11.9`. */
  code: string;
  /** The code set's long description; null when checked for syntax only. */
  description: string | null;
  /** The fiscal year checked against; null when no code set is imported (syntax only). */
  fiscalYear: number | null;
}

export interface FoundCode {
  code: string;
  description: string;
  billable: boolean;
}

/**
 * The ICD-10-CM code sets. `archiveLimits` bounds what a CMS zip may inflate to (`ARCHIVE_*` settings); `clock`
 * says which fiscal year is in effect (`status`).
 */
export function createIcd10cmService({ db, archiveLimits, clock = () => new Date() }: { db: Db; archiveLimits: ArchiveLimits; clock?: () => Date }) {
  async function loadedYears(tx: Executor = db): Promise<number[]> {
    return store.loadedYears(tx);
  }

  async function load(source: Icd10cmSource, onlyIfMissing: boolean): Promise<ImportResult | undefined> {
    const entries = await readIcd10cm(source, archiveLimits);
    return db.transaction(async (tx) => {
      // One import at a time (several processes may start with ICD10CM_FILE at once).
      await store.lockImports(tx);
      if (onlyIfMissing && (await store.codeSetExists(tx, source.fiscalYear))) return undefined;
      // The codes go with their set (ON DELETE CASCADE).
      await store.replaceCodeSet(tx, { fiscalYear: source.fiscalYear, source: source.name, codeCount: entries.length });
      for (let i = 0; i < entries.length; i += INSERT_BATCH) await store.insertCodes(tx, source.fiscalYear, entries.slice(i, i + INSERT_BATCH));
      return {
        fiscalYear: source.fiscalYear,
        codeCount: entries.length,
        billableCount: entries.filter((e) => e.billable).length,
        source: source.name,
      };
    });
  }

  return {
    /**
     * Imports one year of CMS's distribution: the zip, or a bare `icd10cm_order_YYYY.txt` (preferred: billable
     * and header codes, short and long titles) or `icd10cm_codes_YYYY.txt` (billable codes only; the short
     * description is the long one). The fiscal year comes from the file name. Replaces that year's codes in one
     * transaction and keeps every other year.
     * @returns `{fiscalYear, codeCount, billableCount, source}`.
     * @throws ValidationError for a missing file, a name or layout that is not CMS's (naming the line).
     */
    async importFile(file: string): Promise<ImportResult> {
      return (await load(await identifyIcd10cmFile(file, archiveLimits), false))!;
    },

    /**
     * `importFile` unless the file's fiscal year is imported already (what `care serve` does with ICD10CM_FILE).
     * @returns the import's result, or undefined when the year was there (the file's codes are then not read).
     */
    async importIfMissing(file: string): Promise<ImportResult | undefined> {
      const source = await identifyIcd10cmFile(file, archiveLimits);
      if ((await loadedYears()).includes(source.fiscalYear)) return undefined;
      return load(source, true);
    },

    /** The imported fiscal years, oldest first (empty: codes are checked for syntax only). */
    loadedYears: () => loadedYears(),

    /** `codeSetStatus` of the imported years at the clock's now. */
    status: async (): Promise<CodeSetStatus> => codeSetStatus(await loadedYears(), clock()),

    /**
     * Checks a diagnosis code: `E11.9` or `E119`, any case, surrounding blanks ignored. Against the code set of
     * the fiscal year `at` falls in (by its UTC date), or the latest imported year when that one is missing;
     * syntax only when no year is imported.
     * @returns `{code: "E11.9", description, fiscalYear}` (description and fiscalYear null in syntax-only mode).
     * @throws ValidationError for bad syntax, a code not in the set (`code E11.99 is not an ICD-10-CM code (FY2026)`),
     *   or a header code that is not billable.
     */
    async check(input: string, at: Date): Promise<CheckedCode> {
      const code = normalizeCode(input);
      if (!code) {
        throw new ValidationError([
          `code ${input.trim()} is not ICD-10-CM syntax: a letter, a digit and a letter or digit, then up to 4 letters or digits after an optional dot (E11.9)`,
        ]);
      }
      const years = await loadedYears();
      if (!years.length) return { code: dottedCode(code), description: null, fiscalYear: null };
      const wanted = fiscalYearOf(at);
      const fiscalYear = years.includes(wanted) ? wanted : years[years.length - 1];
      const row = await store.codeOf(db, fiscalYear, code);
      if (!row) throw new ValidationError([`code ${dottedCode(code)} is not an ICD-10-CM code (FY${fiscalYear})`]);
      if (!row.billable) {
        const more = await store.billableCodesUnder(db, fiscalYear, code, 3);
        const examples = more.length ? ` such as ${more.map((m) => dottedCode(m)).join(', ')}` : '';
        throw new ValidationError([
          `code ${dottedCode(code)} (${row.longDescription}) is a category header, not a billable ICD-10-CM code (FY${fiscalYear}): use a more specific code${examples}`,
        ]);
      }
      return { code: dottedCode(code), description: row.longDescription, fiscalYear };
    },

    /**
     * Searches the latest imported year: by code prefix (`E11`, `E11.6`, `e116`) when `text` looks like a code,
     * else by words of the long description (every word, any case). Billable codes first, then by code.
     * @param limit 1..100 results.
     * @returns `{fiscalYear (null: nothing imported), data: [{code (dotted), description, billable}]}`.
     */
    async search(text: string, limit: number): Promise<{ fiscalYear: number | null; data: FoundCode[] }> {
      const years = await loadedYears();
      if (!years.length) return { fiscalYear: null, data: [] };
      const fiscalYear = years[years.length - 1];
      const q = text.trim();
      const upper = q.toUpperCase();
      let search: store.CodeSearch;
      if (CODE_PREFIX.test(upper)) {
        search = { prefix: upper.replace('.', '') };
      } else {
        const words = q.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
        if (!words.length) return { fiscalYear, data: [] };
        search = { words };
      }
      const rows = await store.searchCodes(db, fiscalYear, search, Math.min(Math.max(1, Math.trunc(limit)), SEARCH_LIMIT_MAX));
      return { fiscalYear, data: rows.map((r) => ({ ...r, code: dottedCode(r.code) })) };
    },
  };
}

export type Icd10cmService = ReturnType<typeof createIcd10cmService>;
