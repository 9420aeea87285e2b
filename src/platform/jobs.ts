/**
 * Background jobs on pg-boss 10 (queues in the same PostgreSQL; ARCHITECTURE.md,
 * "Stack"). Jobs are enqueued inside the transaction that causes them
 * (`send(tx, ...)`, through pg-boss's `db` option), so a job exists exactly when
 * its cause committed (STYLE.md rule 6). Payloads carry ids, never PHI.
 *
 * A feature declares its jobs as `JobDefinition`s in its `jobs.ts`; the worker
 * side (`care serve`, `--role worker`) registers their handlers.
 */
import PgBoss from 'pg-boss';
import type { Executor } from '../db/pool.ts';

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

/**
 * Runs pg-boss's SQL on the connection of `tx`, so the job row is part of the transaction. The statement
 * goes to the transaction's own `pg` client unchanged: pg-boss reuses one parameter in several places
 * (`right($5, 1)`, `CAST($5 AS timestamptz)`), which must keep one type.
 */
function executorOf(tx: Executor): PgBoss.Db {
  const client = (tx as unknown as { session?: { client?: { query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> } } }).session?.client;
  if (!client || typeof client.query !== 'function') throw new Error('jobs.send needs a transaction of the node-postgres driver');
  return {
    async executeSql(text: string, values: unknown[]) {
      const res = await client.query(text, values);
      return { rows: res.rows };
    },
  };
}

export interface Jobs {
  /**
   * Enqueues a job in `tx` (it runs only if `tx` commits), optionally not before `startAfterSeconds`; a handler running longer than
   * `expireInSeconds` (default pg-boss's 15 minutes) is taken for dead (its process killed) and the job retried. Returns the job id.
   */
  send<T extends object>(tx: Executor, def: Pick<JobDefinition<T>, 'name' | 'retry'>, data: T, opts?: { startAfterSeconds?: number; expireInSeconds?: number }): Promise<string | null>;
  /** Starts pg-boss (installs or migrates its schema) and creates the queues. */
  start(): Promise<void>;
  /** Runs `defs`' handlers in this process. */
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
 * @param pollSeconds how often idle workers poll.
 * @param maintenanceSeconds how often pg-boss's maintenance runs (expires jobs of dead handlers; default 120).
 */
export function createJobs({ connectionString, queues, pollSeconds, maintenanceSeconds, log }: {
  connectionString: string;
  queues: string[];
  pollSeconds: number;
  maintenanceSeconds?: number;
  log: Logger;
}): Jobs {
  const boss = new PgBoss({ connectionString, max: 4, schema: 'pgboss', ...(maintenanceSeconds ? { maintenanceIntervalSeconds: maintenanceSeconds } : {}) });
  boss.on('error', (err: Error) => log.error({ err }, 'job queue error'));
  let started = false;
  return {
    async send(tx, def, data, opts = {}) {
      return boss.send(def.name, data, {
        db: executorOf(tx),
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
      started = true;
    },
    async work(defs) {
      for (const def of defs) {
        await boss.work(def.name, { includeMetadata: true, pollingIntervalSeconds: pollSeconds, batchSize: def.batchSize ?? 1 }, async (batch) => {
          for (const job of batch) await def.handler(job.data as never, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
        });
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
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    },
  };
}
