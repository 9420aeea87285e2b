/**
 * Background work of the imports: the daily expiry of authorizations. Scheduled
 * through pg-boss's cron (stored in Postgres, so several workers enqueue it once);
 * the payload is empty: the handler looks at every clinic.
 */
import type { JobDefinition } from '../../platform/jobs.ts';
import type { ImportService } from './service.ts';

export const AUTHORIZATION_EXPIRY_QUEUE = 'ecm.authorization-expiry';

/**
 * Hourly at minute 5 (UTC): each clinic's day turns at its own midnight, so an hourly run terminates
 * expired members within the hour whatever the clinic's time zone; runs that find nothing write nothing.
 */
export const AUTHORIZATION_EXPIRY_CRON = '5 * * * *';

/** The expiry job, bound to the service: `ImportService.expireAuthorizations` over every clinic. */
export function authorizationExpiryJob(service: ImportService): JobDefinition<Record<string, never>> {
  return {
    name: AUTHORIZATION_EXPIRY_QUEUE,
    retry: { limit: 3, delaySeconds: 300, backoff: true },
    handler: async () => {
      await service.expireAuthorizations();
    },
  };
}

/** The job definitions of the imports, bound to the service. */
export function importJobs(service: ImportService): Array<JobDefinition<Record<string, never>>> {
  return [authorizationExpiryJob(service)];
}
