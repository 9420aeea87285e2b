/**
 * The webhook queues of pg-boss, kept for a rolling upgrade only. Deliveries are no longer jobs: the delivery rows
 * are the queue (`dispatcher.ts`). Until every process runs this version, API processes of the previous one still
 * enqueue a job per first attempt (and its workers one per retry, and the 5-minute sweep): the handlers below
 * complete those jobs and wake this process's dispatcher, which finds the delivery rows due by itself. The sweep's
 * schedule is removed when a worker starts (`startWorkers`). All three can go once no process of the previous
 * version runs and the queues are empty.
 */
import type { JobDefinition } from '../../platform/jobs.ts';

export const WEBHOOK_DELIVER_QUEUE = 'ecp.webhook-deliver';
export const WEBHOOK_RETRY_QUEUE = 'ecp.webhook-retry';
export const WEBHOOK_SWEEP_QUEUE = 'ecp.webhook-sweep';

/** Legacy jobs are taken this many at a time (they carry nothing to do). */
const LEGACY_BATCH = 100;

/** Handlers completing the legacy jobs of the three queues, each waking the dispatcher. */
export function webhookJobs(webhooks: { wakeDispatcher(): void }): Array<JobDefinition<object>> {
  return [WEBHOOK_DELIVER_QUEUE, WEBHOOK_RETRY_QUEUE, WEBHOOK_SWEEP_QUEUE].map((name) => ({
    name,
    retry: { limit: 0, delaySeconds: 60, backoff: false },
    batchSize: LEGACY_BATCH,
    handler: async () => webhooks.wakeDispatcher(),
  }));
}
