/**
 * Background work of communications: reconciling a send that timed out with
 * Twilio's own records, and moving sandbox messages and calls through their
 * stages. Payloads carry ids only.
 */
import type { JobDefinition } from '../../platform/jobs.ts';
import { RECONCILE_QUEUE, SANDBOX_PROGRESS_QUEUE } from './queues.ts';
import type { CommunicationsService } from './service.ts';

export { RECONCILE_QUEUE, SANDBOX_PROGRESS_QUEUE };

export interface CommunicationJobPayload {
  organizationId: number;
  kind: 'sms' | 'call';
  id: number;
}

/** The job definitions of communications, bound to the service. */
export function communicationJobs(service: CommunicationsService, reconcileDelaySeconds: number): Array<JobDefinition<CommunicationJobPayload>> {
  return [
    {
      name: RECONCILE_QUEUE,
      retry: { limit: 10, delaySeconds: reconcileDelaySeconds, backoff: true },
      handler: (d, meta) => service.reconcile(d.organizationId, d.kind, d.id, meta),
    },
    {
      name: SANDBOX_PROGRESS_QUEUE,
      retry: { limit: 3, delaySeconds: 1, backoff: true },
      handler: (d) => service.sandboxProgress(d.organizationId, d.kind, d.id),
    },
  ];
}
