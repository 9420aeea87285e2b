/**
 * Background work of ECP residents: the move-in job (a daily job activates the resident on its move-in
 * date). Scheduled through pg-boss's cron (stored in Postgres, so several workers enqueue it once); the payload
 * is empty: the handler looks at every company.
 */
import type { JobDefinition } from '../../platform/jobs.ts';
import type { ResidentService } from './service.ts';

export const MOVE_IN_QUEUE = 'ecp.move-in';

/**
 * Hourly at minute 10 (UTC): each company's day turns at its own midnight, so an hourly run activates residents
 * within the hour of their move-in date starting, whatever the company's time zone (as the ECM expiry job).
 */
export const MOVE_IN_CRON = '10 * * * *';

/** The move-in job, bound to the service: `ResidentService.activateMoveIns`. */
export function moveInJob(service: ResidentService): JobDefinition<Record<string, never>> {
  return {
    name: MOVE_IN_QUEUE,
    retry: { limit: 3, delaySeconds: 300, backoff: true },
    handler: async () => {
      await service.activateMoveIns();
    },
  };
}
