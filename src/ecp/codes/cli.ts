/**
 * `care codes import icd10cm <file> [--json]`: imports one fiscal year of CMS's ICD-10-CM distribution (the zip,
 * `icd10cm_order_YYYY.txt` or `icd10cm_codes_YYYY.txt`), replacing that year and keeping the others.
 */
import type { Command } from 'commander';
import type { RunWithServices } from '../cli.ts';
import { fiscalYearRange, type Icd10cmService } from './service.ts';

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
 * `care serve` start-up: imports `file` (ICD10CM_FILE) when its fiscal year is not imported yet, logging one
 * line; then, when no year is imported at all, logs that diagnosis codes are checked for syntax only.
 * @throws ValidationError when the file is missing or not CMS's layout (start-up then stops).
 */
export async function importIcd10cmAtStart(codes: Icd10cmService, file: string | undefined, log: StartLog): Promise<void> {
  if (file) {
    const started = performance.now();
    const r = await codes.importIfMissing(file);
    if (r) {
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      log.info({ ...r, seconds }, `icd10cm: imported FY${r.fiscalYear} from ICD10CM_FILE (${r.codeCount} codes, ${r.billableCount} billable)`);
    }
  }
  const years = await codes.loadedYears();
  if (!years.length) {
    log.warn({}, 'icd10cm: no code set imported, diagnosis codes are checked for syntax only (set ICD10CM_FILE or run `care codes import icd10cm <file>`)');
  }
}
