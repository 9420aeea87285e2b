/**
 * The monthly PRTF run: hourly (pg-boss cron, stored in Postgres, so several workers enqueue it once), each clinic
 * is due on its own `reporting_day` in its own time zone; the payload is empty: the handler looks at every clinic.
 */
import type { JobDefinition } from '../../platform/jobs.ts';
import type { PrtfService } from './service.ts';

export const MONTHLY_PRTF_QUEUE = 'ecm.monthly-prtf';

/** Hourly at minute 15 (UTC): a clinic's day turns at its own midnight; runs that find no clinic due write nothing. */
export const MONTHLY_PRTF_CRON = '15 * * * *';

/** The monthly run, bound to the service: `PrtfService.runMonthly`. */
export function monthlyPrtfJob(service: PrtfService): JobDefinition<Record<string, never>> {
  return {
    name: MONTHLY_PRTF_QUEUE,
    retry: { limit: 3, delaySeconds: 600, backoff: true },
    handler: async () => {
      await service.runMonthly();
    },
  };
}
