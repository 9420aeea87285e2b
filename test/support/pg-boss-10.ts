/**
 * The job queue of the previous release, on pg-boss 10 (the `pg-boss-10` alias of the dev dependencies): its
 * `createJobs` as it was (schema `pgboss`, queues created at start, `send` inside the caller's transaction with the
 * same options), so the upgrade test starts from a database that release made.
 */
import PgBoss from 'pg-boss-10';
import type { Executor } from '../../src/db/pool.ts';
import type { JobDefinition } from '../../src/platform/jobs.ts';

function executorOf(tx: Executor): PgBoss.Db {
  const client = (tx as unknown as { session?: { client?: { query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> } } }).session?.client;
  if (!client) throw new Error('needs a transaction of the node-postgres driver');
  return { executeSql: async (text: string, values: unknown[]) => ({ rows: (await client.query(text, values)).rows }) };
}

export interface PreviousReleaseJobs {
  boss: PgBoss;
  send<T extends object>(tx: Executor, def: Pick<JobDefinition<T>, 'name' | 'retry'>, data: T, opts?: { startAfterSeconds?: number; expireInSeconds?: number }): Promise<string | null>;
  stop(): Promise<void>;
}

/** Starts pg-boss 10 on `connectionString` as the previous release did, with `queues` created. */
export async function startPreviousReleaseJobs(connectionString: string, queues: string[]): Promise<PreviousReleaseJobs> {
  const boss = new PgBoss({ connectionString, max: 4, schema: 'pgboss', maintenanceIntervalSeconds: 3600 });
  boss.on('error', () => {});
  await boss.start();
  for (const q of queues) await boss.createQueue(q);
  return {
    boss,
    send: (tx, def, data, opts = {}) =>
      boss.send(def.name, data, {
        db: executorOf(tx),
        ...(opts.startAfterSeconds ? { startAfter: opts.startAfterSeconds } : {}),
        ...(opts.expireInSeconds ? { expireInSeconds: opts.expireInSeconds } : {}),
        retryLimit: def.retry.limit,
        retryDelay: def.retry.delaySeconds,
        retryBackoff: def.retry.backoff,
      }),
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 2_000 }),
  };
}
