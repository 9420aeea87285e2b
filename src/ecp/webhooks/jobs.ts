/**
 * The webhook delivery jobs (pg-boss). A job carries only the delivery id and the attempt number it is for
 * (STYLE.md rule 7); the delivery row says whether that attempt is still due, so a stale or duplicate job does
 * nothing. First attempts and retries have separate queues, so a backlog of retries never delays fresh messages.
 * pg-boss's own retries (`retry` below) only cover a handler that threw: the database was unreachable, or another
 * worker held the attempt's lease.
 */
import type { JobDefinition } from '../../platform/jobs.ts';

export const WEBHOOK_DELIVER_QUEUE = 'ecp.webhook-deliver';
export const WEBHOOK_RETRY_QUEUE = 'ecp.webhook-retry';
export const WEBHOOK_SWEEP_QUEUE = 'ecp.webhook-sweep';
/** Every 5 minutes: re-enqueue attempts overdue whose job was lost (a safety net; normally finds nothing). */
export const WEBHOOK_SWEEP_CRON = '*/5 * * * *';

export interface DeliveryJob {
  deliveryId: number;
  /** The attempt number (0-based count of attempts made before it) this job is for. */
  attempt: number;
}

const RETRY = { limit: 10, delaySeconds: 5, backoff: true };

/** Job definitions without handlers, for enqueueing. */
export const deliverJob = { name: WEBHOOK_DELIVER_QUEUE, retry: RETRY };
export const retryJob = { name: WEBHOOK_RETRY_QUEUE, retry: RETRY };

/** Concurrent handlers per queue in one worker process (each pg-boss worker runs one job at a time). */
const CONCURRENCY: Record<string, number> = { [WEBHOOK_DELIVER_QUEUE]: 8, [WEBHOOK_RETRY_QUEUE]: 4 };

/** The handlers of both delivery queues and of the sweep. */
export function webhookJobs(webhooks: {
  runAttempt(deliveryId: number, attempt: number): Promise<unknown>;
  sweepOverdue(): Promise<unknown>;
}): Array<JobDefinition<DeliveryJob> | JobDefinition<object>> {
  const defs: Array<JobDefinition<DeliveryJob> | JobDefinition<object>> = [];
  for (const base of [deliverJob, retryJob]) {
    for (let i = 0; i < CONCURRENCY[base.name]; i++) {
      defs.push({ ...base, handler: async (data: DeliveryJob) => void (await webhooks.runAttempt(data.deliveryId, data.attempt)) });
    }
  }
  defs.push(sweepJob(webhooks));
  return defs;
}

/** The periodic sweep (scheduled with `WEBHOOK_SWEEP_CRON`). */
export function sweepJob(webhooks: { sweepOverdue(): Promise<unknown> }): JobDefinition<object> {
  return { name: WEBHOOK_SWEEP_QUEUE, retry: { limit: 0, delaySeconds: 60, backoff: false }, handler: async () => void (await webhooks.sweepOverdue()) };
}
