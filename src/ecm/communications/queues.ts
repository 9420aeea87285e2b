/** The job queues of communications, apart from `jobs.ts` so that the service enqueues without importing its handlers. */
export const RECONCILE_QUEUE = 'ecm.twilio-reconcile';
export const SANDBOX_PROGRESS_QUEUE = 'ecm.sandbox-progress';
