/** The job queues of PRTF reports, apart from `jobs.ts` so that the service enqueues without importing its handlers. */
export const MONTHLY_PRTF_QUEUE = 'ecm.monthly-prtf';
/** One admin's "files are ready" mail of a monthly batch: retried with the mail backoff until SMTP takes it. */
export const MONTHLY_PRTF_MAIL_QUEUE = 'ecm.monthly-prtf-mail';

/** The mail job's payload: ids only (the handler reads the batch's reports and the admin's address). */
export interface MonthlyPrtfMailPayload {
  organizationId: number;
  batchId: string;
  userId: number;
}
