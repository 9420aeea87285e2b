/**
 * Scheduled backups, run by the workers: a frequent tick (`BACKUP_TICK_CRON`) writes a backup when the newest good
 * one is older than the interval, or retries after `RETRY_MINUTES` when the last attempt failed. Each attempt is
 * recorded in `backups` and a failure is logged at error level; the newest `keep` files are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Db } from '../../db/pool.ts';
import { writeBackup } from './backup.ts';
import { insertBackup, newestAttempt, newestSucceeded } from './store.ts';

/** Every 15 minutes: the interval is counted from the last good backup, so a tick finer than it costs one query. */
export const BACKUP_TICK_CRON = '*/15 * * * *';
export const BACKUP_QUEUE = 'platform.backup';
const RETRY_MINUTES = 15;
/** Held for the whole backup, so several worker processes never write two at once. */
const BACKUP_LOCK_KEY = 7_242_011;
const FILE = /^care-\d{8}T\d{6}Z\.bin$/;

export interface BackupLog {
  info(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface BackupSchedule {
  /** Writes a backup when one is due (see the module comment); returns the outcome, or `skipped`. */
  runIfDue(): Promise<'succeeded' | 'failed' | 'skipped'>;
  /** Finish time of the newest good backup, or undefined. */
  newestGood(): Promise<Date | undefined>;
}

/**
 * @param intervalHours hours between backups (0: never due).
 * @param key the AES-256-GCM key, or undefined (compressed only).
 */
export function createBackupSchedule(deps: {
  db: Db;
  /** The pool behind `db`: the backup borrows one connection for its snapshot. */
  pool: pg.Pool;
  dir: string;
  keep: number;
  intervalHours: number;
  key: Buffer | undefined;
  platformVersion: string;
  log: BackupLog;
  clock?: () => Date;
}): BackupSchedule {
  const now = deps.clock ?? (() => new Date());
  const { pool } = deps;

  async function due(): Promise<boolean> {
    if (deps.intervalHours <= 0) return false;
    const last = await newestAttempt(deps.db);
    if (!last) return true;
    const good = await newestSucceeded(deps.db);
    const t = now().getTime();
    if (last.outcome !== 'succeeded' && t - last.finishedAt.getTime() < RETRY_MINUTES * 60_000) return false;
    return !good || t - good.finishedAt.getTime() >= deps.intervalHours * 3_600_000 - 60_000;
  }

  function prune() {
    const files = fs.readdirSync(deps.dir).filter((f) => FILE.test(f)).sort().reverse();
    for (const f of files.slice(deps.keep)) fs.rmSync(path.join(deps.dir, f), { force: true });
  }

  return {
    async runIfDue() {
      const lock = await pool.connect();
      try {
        const { rows: [{ ok }] } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [BACKUP_LOCK_KEY]);
        if (!ok) return 'skipped';
        try {
          if (!(await due())) return 'skipped';
          const startedAt = now();
          const file = path.join(deps.dir, `care-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.bin`);
          try {
            // Only the backup folder itself is private: a parent made here with 0700 (DATA_DIR, say) would stop the
            // embedded PostgreSQL, run as `postgres` under root, from reaching its data directory below it.
            fs.mkdirSync(path.dirname(deps.dir), { recursive: true });
            fs.mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
            const r = await writeBackup({ pool, out: file, key: deps.key, platformVersion: deps.platformVersion });
            await insertBackup(deps.db, { startedAt, finishedAt: now(), outcome: 'succeeded', file, bytes: r.bytes, sha256: r.sha256, tables: r.tables, rows: r.rows });
            deps.log.info({ file, bytes: r.bytes, rows: r.rows, seconds: r.seconds }, 'scheduled backup written');
            prune();
            return 'succeeded';
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            await insertBackup(deps.db, { startedAt, finishedAt: now(), outcome: 'failed', file, error: message });
            deps.log.error({ err, file }, `scheduled backup failed; retried in ${RETRY_MINUTES} minutes`);
            return 'failed';
          }
        } finally {
          await lock.query('SELECT pg_advisory_unlock($1)', [BACKUP_LOCK_KEY]);
        }
      } finally {
        lock.release();
      }
    },
    async newestGood() {
      return (await newestSucceeded(deps.db))?.finishedAt;
    },
  };
}

/** The tick job: runs `schedule.runIfDue()` (a failure is recorded and logged there, and retried by a later tick). */
export function backupJob(schedule: BackupSchedule) {
  return {
    name: BACKUP_QUEUE,
    // One attempt per tick: the next tick is the retry, after the delay `runIfDue` keeps.
    retry: { limit: 0, delaySeconds: 60, backoff: false },
    handler: async () => {
      await schedule.runIfDue();
    },
  };
}
