/**
 * `care codes import icd10cm <file> [--json]`: imports one fiscal year of CMS's ICD-10-CM distribution (the zip,
 * `icd10cm_order_YYYY.txt` or `icd10cm_codes_YYYY.txt`), replacing that year and keeping the others.
 */
import type { Command } from 'commander';
import type { RunWithServices } from '../cli.ts';
import { AppError } from '../../platform/errors.ts';
import { fiscalYearRange, type ImportResult, type Icd10cmService } from './service.ts';

/** Adds the `codes` command tree to `program`. */
export function registerCodeCommands(program: Command, run: RunWithServices<{ codes: Icd10cmService }>): void {
  const codes = program.command('codes').description('reference code sets (ICD-10-CM) that diagnoses are checked against');
  codes
    .command('import')
    .description("import one fiscal year of a code set from CMS's distribution; replaces that year, keeps the others")
    .argument('<set>', 'the code set: icd10cm')
    .argument('<file>', 'the zip as CMS publishes it, or icd10cm_order_YYYY.txt, or icd10cm_codes_YYYY.txt')
    .option('--json', 'print {"fiscalYear", "codeCount", "billableCount", "source", "seconds"} as JSON only')
    .action(async (set: string, file: string, o: { json?: boolean }) => {
      if (set !== 'icd10cm') throw new Error(`unknown code set "${set}" (known: icd10cm)`);
      await run(async (s) => {
        const started = performance.now();
        const r = await s.codes.importFile(file);
        const seconds = Math.round((performance.now() - started) / 100) / 10;
        const { from, to } = fiscalYearRange(r.fiscalYear);
        process.stdout.write(o.json
          ? JSON.stringify({ ...r, seconds }) + '\n'
          : `Imported ICD-10-CM FY${r.fiscalYear} (${from} to ${to}) from ${r.source}: ${r.codeCount} codes, ${r.billableCount} billable, in ${seconds} s.\n`);
      });
    });
}

/** The logger calls `importIcd10cmAtStart` makes (pino's shape). */
interface StartLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * `care serve` start-up: imports the code set shipped with the project (`bundledFile`, data/icd10cm/) and then
 * `configuredFile` (ICD10CM_FILE), each only when its fiscal year is not imported yet (idempotent: a later start
 * reads no codes), logging one line per import; then logs the loaded fiscal years, with a warning when the newest
 * is older than the year in effect or none is loaded (`codeSetStatus`).
 * @throws ValidationError when ICD10CM_FILE is missing or not CMS's layout (start-up then stops). A shipped file
 *   that is missing (a copy without data/) is only logged.
 */
export async function importIcd10cmAtStart(
  codes: Icd10cmService,
  files: { bundledFile?: string; configuredFile?: string },
  log: StartLog,
): Promise<void> {
  const imports: Array<[string, string, boolean]> = [];
  if (files.bundledFile) imports.push([files.bundledFile, 'the code set shipped in data/icd10cm', false]);
  if (files.configuredFile) imports.push([files.configuredFile, 'ICD10CM_FILE', true]);
  for (const [file, from, required] of imports) {
    const started = performance.now();
    let r: ImportResult | undefined;
    try {
      r = await codes.importIfMissing(file);
    } catch (err) {
      if (required) throw err;
      log.warn({ file }, `icd10cm: cannot import ${from}: ${err instanceof AppError ? err.messages.join('; ') : (err as Error).message}`);
      continue;
    }
    if (r) {
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      log.info({ ...r, seconds }, `icd10cm: imported FY${r.fiscalYear} from ${from} (${r.codeCount} codes, ${r.billableCount} billable)`);
    }
  }
  const status = await codes.status();
  const years = status.fiscalYears.map((y) => `FY${y}`).join(', ');
  if (status.fiscalYears.length) log.info({ fiscalYears: status.fiscalYears, currentFiscalYear: status.currentFiscalYear }, `icd10cm: code sets loaded: ${years}`);
  if (status.warning) log.warn({ fiscalYears: status.fiscalYears, currentFiscalYear: status.currentFiscalYear }, `icd10cm: ${status.warning}`);
}
