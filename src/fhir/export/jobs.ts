/**
 * Background work of FHIR Bulk Data exports: the export job (one per kick-off, payload the export's row id, never PHI)
 * and the hourly sweep that deletes expired exports and their files. The handlers call the export service.
 */
import type { JobDefinition } from '../../platform/jobs.ts';
import { FHIR_EXPORT_JOB, type FhirExportService } from './service.ts';

export const FHIR_EXPORT_QUEUE = FHIR_EXPORT_JOB.name;
export const FHIR_EXPORT_SWEEP_QUEUE = 'fhir.export-sweep';
/** Hourly at minute 40 (UTC): an expired export already answers 404; the sweep only frees its storage. */
export const FHIR_EXPORT_SWEEP_CRON = '40 * * * *';

/** The export job: runs the export; when its last attempt fails, marks the export failed (the client's poll answers 500). */
export function fhirExportJob(service: FhirExportService): JobDefinition<{ exportId: number }> {
  return {
    ...FHIR_EXPORT_JOB,
    handler: async ({ exportId }, meta) => {
      try {
        await service.runExport(exportId);
      } catch (err) {
        if (meta.retryCount >= meta.retryLimit) await service.failExport(exportId);
        throw err;
      }
    },
  };
}

/** The sweep of expired exports. */
export function fhirExportSweepJob(service: FhirExportService): JobDefinition<Record<string, never>> {
  return {
    name: FHIR_EXPORT_SWEEP_QUEUE,
    retry: { limit: 2, delaySeconds: 300, backoff: true },
    handler: async () => {
      await service.sweepExpired();
    },
  };
}
