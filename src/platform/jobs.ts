/**
 * Background jobs on pg-boss (current major; queues in the same PostgreSQL, schema `job_queue`; ARCHITECTURE.md,
 * "Stack"). Jobs are enqueued inside the transaction that causes them (`send(tx, ...)`, through pg-boss's Drizzle
 * adapter), so a job exists exactly when its cause committed (STYLE.md rule 6). Payloads carry ids, never PHI.
 *
 * A feature declares its jobs as `JobDefinition`s in its `jobs.ts`; the worker side (`care serve`, `--role worker`)
 * registers their handlers. Jobs that processes of the previous release (pg-boss 10, schema `pgboss`) left or still
 * enqueue are moved here and run once (`legacy-jobs.ts`).
 */
import { sql } from 'drizzle-orm';
import { fromDrizzle, PgBoss } from 'pg-boss';
import type { Executor } from '../db/pool.ts';
import { moveLegacyJobs } from './legacy-jobs.ts';

/** The PostgreSQL schema of the job queue. Not pg-boss's default `pgboss`: that one holds pg-boss 10's tables. */
export const JOB_SCHEMA = 'job_queue';

export interface JobMeta {
  id: string;
  /** Attempts already failed before this one (0 on the first attempt). */
  retryCount: number;
  retryLimit: number;
}

export interface JobDefinition<T extends object> {
  /** Queue name, `feature.job-name` (pg-boss allows letters, digits, `-`, `_`, `.`, `/`). */
  name: string;
  /** Retries after the first attempt, first delay (seconds, doubling), per the job's configuration. */
  retry: { limit: number; delaySeconds: number; backoff: boolean };
  /** Jobs fetched per poll (default 1); the handler still runs once per job, in order. */
  batchSize?: number;
  handler: (data: T, meta: JobMeta) => Promise<void>;
}

export interface Logger {
  info(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface Jobs {
  /**
   * Enqueues a job in `tx` (it runs only if `tx` commits), optionally not before `startAfterSeconds`; a handler running longer than
   * `expireInSeconds` (default pg-boss's 15 minutes) is taken for dead (its process killed) and the job retried. Returns the job id.
   */
  send<T extends object>(tx: Executor, def: Pick<JobDefinition<T>, 'name' | 'retry'>, data: T, opts?: { startAfterSeconds?: number; expireInSeconds?: number }): Promise<string | null>;
  /**
   * Starts pg-boss (installs or migrates its schema), creates the queues, and moves the pending jobs of pg-boss 10's
   * schema, if the database has one, into them.
   */
  start(): Promise<void>;
  /** Runs `defs`' handlers in this process; while pg-boss 10's schema exists, moves its new jobs every poll. */
  work(defs: Array<JobDefinition<never>>): Promise<void>;
  /**
   * Enqueues job `def.name` (empty payload, `def.retry`) on a cron schedule (`minute hour day month weekday`, UTC unless `tz`),
   * through pg-boss's scheduler: the schedule is stored in Postgres, so many worker processes enqueue it once.
   * Calling it again replaces the schedule.
   */
  schedule(def: Pick<JobDefinition<object>, 'name' | 'retry'>, cron: string, opts?: { tz?: string }): Promise<void>;
  /** Removes the cron schedule of queue `name` (a no-op when it has none). */
  unschedule(name: string): Promise<void>;
  /** Stops fetching, waits for running handlers (up to `timeoutMs`), closes pg-boss's pool. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * @param connectionString the platform database.
 * @param queues every queue name that will be used (created at start).
 * @param pollSeconds how often idle workers poll (and look for jobs of pg-boss 10 to move).
 * @param maintenanceSeconds how often pg-boss looks for jobs whose handler died (past their expiry) to retry them
 *   (default 60).
 */
export function createJobs({ connectionString, queues, pollSeconds, maintenanceSeconds, log }: {
  connectionString: string;
  queues: string[];
  pollSeconds: number;
  maintenanceSeconds?: number;
  log: Logger;
}): Jobs {
  const boss = new PgBoss({
    connectionString,
    max: 4,
    schema: JOB_SCHEMA,
    // Expired jobs are retried by the monitor pass, which runs when both timers are due.
    ...(maintenanceSeconds ? { superviseIntervalSeconds: maintenanceSeconds, monitorIntervalSeconds: maintenanceSeconds } : {}),
  });
  boss.on('error', (err: Error) => log.error({ err }, 'job queue error'));
  let started = false;
  let legacyTimer: NodeJS.Timeout | undefined;
  let legacyPass: Promise<unknown> = Promise.resolve();

  const moveLegacy = () => moveLegacyJobs(boss.getDb(), { to: JOB_SCHEMA, queues }).then(
    (r) => {
      if (r.moved > 0) log.info({ moved: r.moved, left: r.left }, 'jobs of pg-boss 10 moved to the job queue');
      return r;
    },
  );

  return {
    async send(tx, def, data, opts = {}) {
      return boss.send(def.name, data, {
        db: fromDrizzle(tx, sql),
        ...(opts.startAfterSeconds ? { startAfter: opts.startAfterSeconds } : {}),
        ...(opts.expireInSeconds ? { expireInSeconds: opts.expireInSeconds } : {}),
        retryLimit: def.retry.limit,
        retryDelay: def.retry.delaySeconds,
        retryBackoff: def.retry.backoff,
      });
    },
    async start() {
      if (started) return;
      await boss.start();
      for (const q of queues) await boss.createQueue(q);
      await moveLegacy();
      started = true;
    },
    async work(defs) {
      for (const def of defs) {
        await boss.work(def.name, { includeMetadata: true, pollingIntervalSeconds: pollSeconds, batchSize: def.batchSize ?? 1 }, async (batch) => {
          for (const job of batch) await def.handler(job.data as never, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
        });
      }
      // A rolling upgrade: API processes of the previous release still enqueue into pg-boss 10's schema.
      if (!legacyTimer) {
        legacyTimer = setInterval(() => {
          legacyPass = legacyPass.then(moveLegacy).catch((err: Error) => log.error({ err }, 'moving jobs of pg-boss 10 failed'));
        }, pollSeconds * 1000);
        legacyTimer.unref();
      }
    },
    async schedule(def, cron, opts = {}) {
      await boss.schedule(def.name, cron, {}, {
        ...(opts.tz ? { tz: opts.tz } : {}),
        retryLimit: def.retry.limit,
        retryDelay: def.retry.delaySeconds,
        retryBackoff: def.retry.backoff,
      });
    },
    async unschedule(name) {
      await boss.unschedule(name);
    },
    async stop(timeoutMs = 20_000) {
      if (!started) return;
      started = false;
      clearInterval(legacyTimer);
      legacyTimer = undefined;
      await legacyPass;
      await boss.stop({ graceful: true, timeout: timeoutMs });
    },
  };
}
