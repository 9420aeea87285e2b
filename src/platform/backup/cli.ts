/**
 * The `care db backup` and `care db restore` commands' bodies: a progress bar on stderr (when it is a terminal),
 * the result on stdout (`--json`: one JSON object).
 */
import cliProgress from 'cli-progress';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import { writeBackup } from './backup.ts';
import { restoreBackup } from './restore.ts';

function bar(what: string, unit: string) {
  return new cliProgress.SingleBar(
    { stream: process.stderr, format: `${what} |{bar}| {percentage}% | {value}/{total} ${unit} | {rows} rows`, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
}

const MB = 1024 * 1024;

/** Writes a backup to `out`; prints `{"file", "bytes", "tables", "rows", "migrations", "seconds"}` with `json`. */
export async function backupCommand(opts: { connectionString: string; out: string; key: Buffer | undefined; platformVersion: string; json?: boolean }): Promise<void> {
  const progress = bar('backup', 'MB (estimate)');
  let started = false;
  const result = await writeBackup({
    ...opts,
    onProgress: (p) => {
      if (!started) progress.start(Math.max(1, Math.round(p.totalBytes / MB)), 0, { rows: 0 });
      started = true;
      progress.setTotal(Math.max(Math.round(p.bytes / MB), Math.round(p.totalBytes / MB), 1));
      progress.update(Math.round(p.bytes / MB), { rows: p.rows });
    },
  }).finally(() => progress.stop());
  const out = { file: result.file, bytes: result.bytes, tables: result.tables, rows: result.rows, migrations: result.migrations, seconds: result.seconds };
  if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
  else {
    process.stdout.write(
      `Backed up ${result.rows} rows of ${result.tables} tables (schema: ${result.migrations} migrations) to ${result.file}: ` +
        `${(result.bytes / MB).toFixed(1)} MB in ${result.seconds.toFixed(1)} s${opts.key ? ', encrypted' : ' (not encrypted: set BACKUP_ENCRYPTION_KEY)'}.\n`,
    );
  }
}

/** Restores `file` into the empty database; prints `{"file", "tables", "rows", "migrations", "seconds", "created_at"}` with `json`. */
export async function restoreCommand(opts: { connectionString: string; file: string; key: Buffer | undefined; migrations: MigrationMeta[]; json?: boolean }): Promise<void> {
  const progress = bar('restore', 'MB');
  let started = false;
  const result = await restoreBackup({
    ...opts,
    onProgress: (p) => {
      if (!started) progress.start(Math.max(1, Math.round(p.totalBytes / MB)), 0, { rows: 0 });
      started = true;
      progress.update(Math.round(p.bytes / MB), { rows: p.rows });
    },
  }).finally(() => progress.stop());
  if (opts.json) {
    process.stdout.write(JSON.stringify({ file: result.file, tables: result.tables, rows: result.rows, migrations: result.migrations, seconds: result.seconds, created_at: result.createdAt }) + '\n');
  } else {
    process.stdout.write(
      `Restored ${result.rows} rows of ${result.tables} tables from the backup of ${result.createdAt} (platform ${result.platformVersion}, ${result.migrations} migrations) ` +
        `in ${result.seconds.toFixed(1)} s. Start the server: pending migrations of this version apply on top.\n`,
    );
  }
}
