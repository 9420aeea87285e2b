/**
 * `care ecm import-mif <file> --org <name>`: the Member Information File import
 * from the shell, the same service call as `POST .../mifs` with a
 * progress bar on stderr. `--json` prints only the import record (the API's
 * `mif_import`) on stdout.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { systemContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import type { FileType } from './readers.ts';
import type { ImportService } from './service.ts';

/** Rejected rows printed in the text summary (all of them are in the import record). */
const SHOWN_ERRORS = 20;

export interface ImportMifCommand {
  file: string;
  org: string;
  fileType?: FileType;
  json?: boolean;
}

/**
 * Runs the import and prints its result. The file is read from the shell user's disk (not limited to the
 * clinic's drop folder `DATA_DIR/imports/<organization id>/`, which bounds only the API's `path` source).
 * @throws NotFoundError for an unknown organization; ValidationError for a file that cannot be read (nothing changed).
 */
export async function importMifCommand(
  services: { identity: Pick<IdentityService, 'findOrganizationByName'>; imports: ImportService },
  opts: ImportMifCommand,
  out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = { stdout: process.stdout, stderr: process.stderr },
): Promise<void> {
  const org = await services.identity.findOrganizationByName(opts.org);
  if (!org) throw new NotFoundError(`Organization "${opts.org}" not found`);
  let content: Buffer;
  try {
    content = await fs.readFile(opts.file);
  } catch (err) {
    throw new ValidationError([`Cannot read ${opts.file}: ${(err as Error).message}`]);
  }
  const filename = path.basename(opts.file);
  const bar = opts.json
    ? undefined
    : new cliProgress.SingleBar(
        { stream: out.stderr, format: `${filename} |{bar}| {percentage}% | {value}/{total} members`, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
  if (!opts.json) out.stderr.write(`Reading ${filename}...\n`);
  let started = false;
  try {
    const result = await services.imports.importMif(
      systemContext(org.id, 'care ecm import-mif'),
      { content, filename, file_type: opts.fileType },
      {
        onProgress: (done, total) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        },
      },
    );
    bar?.stop();
    if (opts.json) {
      out.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    const lines = [
      `Imported ${filename} into "${org.name}": ${result.created_count} created, ${result.updated_count} updated, ${result.rejected_count} rejected (MIF import #${result.id}).`,
    ];
    if (result.unknown_columns.length) lines.push(`Unknown columns (ignored): ${result.unknown_columns.join(', ')}`);
    if (result.errors.length) {
      lines.push('Rejected rows:');
      for (const e of result.errors.slice(0, SHOWN_ERRORS)) lines.push(`  row ${e.row}${e.member_id ? ` (${e.member_id})` : ''}: ${e.messages.join('; ')}`);
      if (result.errors.length > SHOWN_ERRORS) lines.push(`  ... and ${result.errors.length - SHOWN_ERRORS} more (GET /v1/admin/clinic/ecm/mifs/${result.id})`);
    }
    out.stdout.write(lines.join('\n') + '\n');
  } finally {
    if (started) bar?.stop();
  }
}
