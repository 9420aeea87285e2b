/**
 * Background work of activities: delivering email activities. The payload
 * carries ids only; the handler reads the activity (and its PHI) from the database.
 */
import type { JobDefinition } from '../../platform/jobs.ts';
import { ACTIVITY_EMAIL_QUEUE } from './queues.ts';
import type { ActivityService } from './service.ts';

export { ACTIVITY_EMAIL_QUEUE };

export interface ActivityEmailPayload {
  organizationId: number;
  activityId: number;
}

/** The job definitions of activities, bound to the service; `retry` from MAIL_RETRY_LIMIT and MAIL_RETRY_DELAY_SECONDS. */
export function activityJobs(service: ActivityService, retry: { limit: number; delaySeconds: number }): Array<JobDefinition<ActivityEmailPayload>> {
  return [
    {
      name: ACTIVITY_EMAIL_QUEUE,
      retry: { ...retry, backoff: true },
      handler: (data, meta) => service.deliverActivityEmail(data.organizationId, data.activityId, meta),
    },
  ];
}
