/**
 * The monthly PRTF run: hourly (pg-boss cron, stored in Postgres, so several workers enqueue it once), each clinic
 * is due on its own `reporting_day` in its own time zone; the payload is empty: the handler looks at every clinic.
 * Its mails to the admins are jobs of their own (`ecm.monthly-prtf-mail`), retried with backoff like every mail.
 */
import type { JobDefinition } from '../../platform/jobs.ts';
import { MONTHLY_PRTF_MAIL_QUEUE, MONTHLY_PRTF_QUEUE, type MonthlyPrtfMailPayload } from './queues.ts';
import type { PrtfService } from './service.ts';

export { MONTHLY_PRTF_MAIL_QUEUE, MONTHLY_PRTF_QUEUE };

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

/**
 * One admin's mail of a monthly batch, bound to the service (`PrtfService.deliverMonthlyMail`); `retry` from
 * MAIL_RETRY_LIMIT and MAIL_RETRY_DELAY_SECONDS, doubling, as activity emails.
 */
export function monthlyPrtfMailJob(service: PrtfService, retry: { limit: number; delaySeconds: number }): JobDefinition<MonthlyPrtfMailPayload> {
  return {
    name: MONTHLY_PRTF_MAIL_QUEUE,
    retry: { ...retry, backoff: true },
    handler: (data) => service.deliverMonthlyMail(data),
  };
}
