/**
 * The job queues of every feature and `startWorkers(deps)`, which runs their
 * handlers in this process (`care serve`, roles `all` and `worker`).
 */
import type { Services } from './app.ts';
import type { Config } from './config.ts';
import { ACTIVITY_EMAIL_QUEUE, activityJobs } from './ecm/activities/jobs.ts';
import { communicationJobs, RECONCILE_QUEUE, SANDBOX_PROGRESS_QUEUE } from './ecm/communications/jobs.ts';
import { AUTHORIZATION_EXPIRY_CRON, AUTHORIZATION_EXPIRY_QUEUE, authorizationExpiryJob, importJobs } from './ecm/imports/jobs.ts';
import { MONTHLY_PRTF_CRON, MONTHLY_PRTF_MAIL_QUEUE, MONTHLY_PRTF_QUEUE, monthlyPrtfJob, monthlyPrtfMailJob } from './ecm/prtf/jobs.ts';
import { MOVE_IN_CRON, MOVE_IN_QUEUE, moveInJob } from './ecp/residents/jobs.ts';
import { FHIR_EXPORT_QUEUE, FHIR_EXPORT_SWEEP_CRON, FHIR_EXPORT_SWEEP_QUEUE, fhirExportJob, fhirExportSweepJob } from './fhir/export/jobs.ts';
import type { JobDefinition, Jobs } from './platform/jobs.ts';
import { BACKUP_QUEUE, BACKUP_TICK_CRON, backupJob, type BackupSchedule } from './platform/backup/schedule.ts';

/** Every queue name; created when pg-boss starts. Webhook deliveries are no queue: their rows are (`ecp/webhooks/dispatcher.ts`). */
export const QUEUES = [
  ACTIVITY_EMAIL_QUEUE, RECONCILE_QUEUE, SANDBOX_PROGRESS_QUEUE, AUTHORIZATION_EXPIRY_QUEUE, MOVE_IN_QUEUE, BACKUP_QUEUE, MONTHLY_PRTF_QUEUE,
  MONTHLY_PRTF_MAIL_QUEUE, FHIR_EXPORT_QUEUE, FHIR_EXPORT_SWEEP_QUEUE,
];

/** The job definitions of every feature, bound to the services. */
export function jobDefinitions(services: Services, config: Config): Array<JobDefinition<never>> {
  return [
    ...activityJobs(services.activities, { limit: config.mailRetryLimit, delaySeconds: config.mailRetryDelaySeconds }),
    ...communicationJobs(services.communications, config.twilioReconcileDelaySeconds),
    ...importJobs(services.imports),
    moveInJob(services.residents),
    monthlyPrtfJob(services.prtf),
    fhirExportJob(services.fhirExports),
    fhirExportSweepJob(services.fhirExports),
    monthlyPrtfMailJob(services.prtf, { limit: config.mailRetryLimit, delaySeconds: config.mailRetryDelaySeconds }),
  ] as Array<JobDefinition<never>>;
}

/**
 * Starts every feature's job handlers on `jobs` (already started), the schedules of the periodic ones and the
 * webhook dispatcher.
 * @returns `stop()`: stops the dispatcher after its attempts in flight are sent and recorded (call it before
 *   `jobs.stop()`).
 */
export async function startWorkers({ jobs, services, config, backups }: { jobs: Jobs; services: Services; config: Config; backups?: BackupSchedule }): Promise<{ stop(): Promise<void> }> {
  await jobs.work(jobDefinitions(services, config));
  // Scheduled backups (BACKUP_INTERVAL_HOURS > 0): a tick that writes one when it is due.
  if (backups && config.backupIntervalHours > 0) {
    await jobs.work([backupJob(backups) as JobDefinition<never>]);
    await jobs.schedule(backupJob(backups), BACKUP_TICK_CRON);
  } else {
    await jobs.unschedule(BACKUP_QUEUE);
  }
  await jobs.schedule(authorizationExpiryJob(services.imports), AUTHORIZATION_EXPIRY_CRON);
  await jobs.schedule(moveInJob(services.residents), MOVE_IN_CRON);
  await jobs.schedule(monthlyPrtfJob(services.prtf), MONTHLY_PRTF_CRON);
  await jobs.schedule(fhirExportSweepJob(services.fhirExports), FHIR_EXPORT_SWEEP_CRON);
  await services.webhooks.startDispatcher();
  return { stop: () => services.webhooks.stopDispatcher() };
}
