/** The job queue of activities, apart from `jobs.ts` so that the service enqueues without importing its handlers. */
export const ACTIVITY_EMAIL_QUEUE = 'ecm.activity-email';
