/**
 * FHIR Bulk Data export (Bulk Data Access 2.0, export.html): a kick-off records the request and enqueues a job; the
 * job reads the client's residents, vitals, allergies and diagnoses in keyset batches through the same ECP services
 * and resource mappers as the FHIR reads (so every line is the US Core resource a read returns, within the client's
 * company, locations and scopes, each batch audited), writes one NDJSON file per resource type into platform storage
 * (`stored_files`, 1 MiB chunks) and completes the export in the transaction that wrote them. The client polls the
 * status URL, downloads the files with its bearer token, and may cancel (DELETE). Files expire `ttlHours` after
 * completion; an expired export answers 404 and the sweep job deletes it.
 */
import { randomBytes } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { AllergyService } from '../../ecp/allergies/service.ts';
import type { PartnerClientService } from '../../ecp/clients/service.ts';
import type { DiagnosisService } from '../../ecp/diagnoses/service.ts';
import type { ResidentService } from '../../ecp/residents/service.ts';
import type { VitalService } from '../../ecp/vitals/service.ts';
import type { Db } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from '../../platform/errors.ts';
import type { Jobs } from '../../platform/jobs.ts';
import type { FileStorage } from '../../platform/storage.ts';
import { allergyIntoleranceOf } from '../allergy.ts';
import { scopeAllows, withLocations, type FhirActor } from '../auth.ts';
import { FHIR_SCOPES } from '../capability.ts';
import { conditionOf } from '../condition.ts';
import { observationOf } from '../observation.ts';
import { patientOf } from '../patient.ts';
import { exportRequestOf, type ExportLevel, type ExportParameter } from './parameters.ts';
import * as store from './store.ts';
import type { ExportFile, ExportRow } from './store.ts';

export type { ExportRow } from './store.ts';

/** The resource types an export writes, in this order (the Patient compartment's types this server holds). */
export const EXPORT_TYPES = ['Patient', 'Observation', 'AllergyIntolerance', 'Condition'] as const;
export type ExportType = (typeof EXPORT_TYPES)[number];

/**
 * Records read per batch (one statement and one audit row each). Measured with the export worker alone on
 * 1,000,000 readings, two runs each (worker peak RSS, resources/s): 2,000: 315-321 MB, 45.9k-49.1k/s; 5,000:
 * 324-347 MB, 51.9k-55.5k/s. Memory is flat at either (the second half of an export peaks as the first); 5,000 is faster.
 */
export const EXPORT_BATCH = 5000;

/** Exports one client may have queued or running at once; one more is 429 (Bulk Data 2.0 lets a server limit them). */
export const MAX_ACTIVE_EXPORTS = 10;
/** `Retry-After` of that 429, seconds. */
const BUSY_RETRY_SECONDS = 60;

/** Seconds a client is told to wait between status polls (`Retry-After`). */
export const POLL_SECONDS = 2;

/** The export job: one per kick-off; its payload is the export's row id. */
export const FHIR_EXPORT_JOB = { name: 'fhir.export', retry: { limit: 2, delaySeconds: 30, backoff: true } };
/** Longest time one attempt may run before pg-boss takes its worker for dead and retries it. */
export const FHIR_EXPORT_EXPIRE_SECONDS = 3600;

/** Cancelled while running: the job stops and its transaction rolls back, dropping the files written so far. */
class ExportCancelled extends Error {}

/** A kick-off, as the routes hand it over (GET and POST alike). */
export interface KickOff {
  level: ExportLevel;
  /** The Group's id (a location GUID the client reaches) of a Group-level export. */
  groupId?: string;
  /** The request's parameters (`parametersOfQuery` / `parametersOfBody`), checked by `exportRequestOf`. */
  parameters: ExportParameter[];
  /** The kick-off URL, the manifest's `request`. */
  requestUrl: string;
  /** `Prefer: handling=lenient`: unsupported and unknown parameters are ignored. */
  lenient: boolean;
}

/** The status of an export, as `GET` on its status URL answers it. */
export type ExportStatus =
  | { state: 'in-progress'; progress: string }
  | { state: 'failed'; error: string }
  | { state: 'completed'; expiresAt: Date; manifest: ExportManifest };

/** The complete-status body (Bulk Data 2.0, "Response - Complete Status"). */
export interface ExportManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: true;
  output: Array<{ type: string; url: string; count: number }>;
  error: Array<{ type: string; url: string }>;
}

export interface FhirExportServiceDeps {
  db: Db;
  jobs: Pick<Jobs, 'send'>;
  storage: FileStorage;
  partnerClients: PartnerClientService;
  residents: ResidentService;
  vitals: VitalService;
  allergies: AllergyService;
  diagnoses: DiagnosisService;
  /** `PUBLIC_URL` + `/fhir/R4`: the base of the status and file URLs. */
  baseUrl: string;
  /** Hours a finished export's files are kept (`FHIR_EXPORT_TTL_HOURS`). */
  ttlHours: number;
  clock?: () => Date;
}

/** Characters of NDJSON handed to storage at a time: small enough to stay in V8's young generation (well under its 128 KiB large-object size). */
const PART_CHARS = 32 * 1024;

/** One batch of one type: how many records, the key to continue after, whether more follow, and its NDJSON parts (rendered lazily, at most `PART_CHARS` each). */
interface Batch {
  count: number;
  lastKey?: number;
  more: boolean;
  parts: () => Generator<string>;
}

/**
 * A batch of `rows` mapped by `toResource`, rendered as NDJSON parts of about `PART_CHARS` characters. Each resource
 * is serialized as soon as it is built and each part is written to storage before the next is built, so neither the
 * resources nor a whole batch's text are alive at once. A batch's text as one string (4 MB per 5,000 readings) went
 * to V8's large-object space and through a 4 MB Buffer; on 1,000,000 readings the parts took the worker's peak RSS
 * from 370-374 to 331-340 MB and its external memory peak from 60 to 20 MB. What remains above the worker's start is
 * the batches' rows, promoted before they die and freed by the next major collection (README, benchmark notes).
 */
function batchOf<T>(rows: T[], more: boolean, keyOf: (row: T) => number, toResource: (row: T) => Resource): Batch {
  return {
    count: rows.length,
    lastKey: rows.length ? keyOf(rows[rows.length - 1]) : undefined,
    more,
    *parts() {
      let part = '';
      for (let i = 0; i < rows.length; i++) {
        part += `${JSON.stringify(toResource(rows[i]))}\n`;
        if (part.length >= PART_CHARS) {
          yield part;
          part = '';
        }
      }
      if (part) yield part;
    },
  };
}

/**
 * The types `_type` names (`exportRequestOf` has split and trimmed them), or every export type the token may read when absent.
 * @throws ValidationError a type this server does not export; ForbiddenError a named type the token may not read, or none readable.
 */
export function exportTypes(scopes: string[], typeNames: string[] | undefined): ExportType[] {
  const allowed = (t: ExportType) => scopeAllows(scopes, t, FHIR_SCOPES[t]);
  if (!typeNames?.length) {
    const types = EXPORT_TYPES.filter(allowed);
    if (!types.length) throw new ForbiddenError(`This token may read none of the exported resource types (${EXPORT_TYPES.join(', ')})`);
    return types;
  }
  const named = [...new Set(typeNames)];
  const unknown = named.filter((t) => !(EXPORT_TYPES as readonly string[]).includes(t));
  if (unknown.length) throw new ValidationError([`_type: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not exported by this server (it exports ${EXPORT_TYPES.join(', ')})`]);
  const refused = named.filter((t) => !allowed(t as ExportType));
  if (refused.length) throw new ForbiddenError(`This token lacks the scope to read ${refused.join(', ')} (system/<type>.rs or the ECP read scope)`);
  return EXPORT_TYPES.filter((t) => named.includes(t));
}

/** Creates the export service: kick-off, status, cancel and download for the routes, `runExport` and `sweepExpired` for the jobs. */
export function createFhirExportService(deps: FhirExportServiceDeps) {
  const { db, jobs, storage, baseUrl, ttlHours } = deps;
  const clock = deps.clock ?? (() => new Date());
  const statusUrl = (publicId: string) => `${baseUrl}/bulkstatus/${publicId}`;
  const fileUrl = (publicId: string, type: string) => `${baseUrl}/bulkfiles/${publicId}/${type}.ndjson`;
  const expiry = (at: Date) => new Date(at.getTime() + ttlHours * 3600_000);

  /** The client's export `publicId`, unexpired. @throws NotFoundError unknown, another client's, or expired. */
  async function clientExport(ctx: RequestContext<FhirActor>, publicId: string): Promise<ExportRow> {
    const row = await store.findClientExport(db, ctx.actor.organizationId, ctx.actor.clientId, publicId);
    if (!row || (row.expiresAt && row.expiresAt.getTime() <= clock().getTime())) throw new NotFoundError('No such export (unknown, expired or deleted)');
    return row;
  }

  /** The actor an export runs as: the client as it is now (still enabled), narrowed to the group's location. */
  async function exportActor(row: ExportRow): Promise<RequestContext<FhirActor> | string> {
    const client = await deps.partnerClients.findByClientId(row.clientId);
    if (!client || client.disabledAt || client.organizationId !== row.organizationId) return 'The client that requested this export is disabled or unknown';
    // The token's scopes were checked at kick-off; a grant withdrawn since then stops the export.
    const withdrawn = (row.types as ExportType[]).filter((t) => !client.scopes.includes(FHIR_SCOPES[t]));
    if (withdrawn.length) return `The client no longer holds the scope to read ${withdrawn.join(', ')}`;
    let locations = await deps.partnerClients.locationsOf(client);
    if (row.groupLocationId !== null) {
      locations = locations.filter((l) => l.id === row.groupLocationId);
      if (!locations.length) return 'The client no longer reaches the location of this Group';
    }
    return {
      actor: {
        kind: 'partner', id: client.clientId, name: `Partner client ${client.clientId}`, organizationId: client.organizationId,
        clientId: client.clientId, scopes: row.scopes, locationIds: locations.map((l) => l.id), locations,
      },
      ip: row.ip,
      requestId: row.requestId,
    };
  }

  /** Reads one batch of `type` after `afterId`, mapped to resources (audited as `export` by the owning service). */
  async function readBatch(ctx: RequestContext<FhirActor>, type: ExportType, row: ExportRow, afterId: number | undefined): Promise<Batch> {
    const since = row.since ?? undefined;
    const until = row.transactionTime;
    const page = { afterId, limit: EXPORT_BATCH };
    // The `patient` parameter: only these residents and their compartments (undefined: every one the actor reaches).
    const who = row.patients ?? undefined;
    switch (type) {
      case 'Patient': {
        const { rows, more } = await deps.residents.searchResidentRecords(ctx, { ...page, guids: who, updatedFrom: since, updatedTo: until }, 'export');
        return batchOf(rows, more, (x) => x.r.id, (x) => patientOf(x.r));
      }
      case 'Observation': {
        const { rows, more } = await deps.vitals.searchReadings(ctx, { ...page, residentGuids: who, createdFrom: since, createdTo: until }, 'export');
        return batchOf(rows, more, (x) => x.id, observationOf);
      }
      case 'AllergyIntolerance': {
        const { rows, more } = await deps.allergies.searchAllergies(ctx, { ...page, residentGuids: who, createdFrom: since, createdTo: until }, 'export');
        return batchOf(rows, more, (x) => x.id, allergyIntoleranceOf);
      }
      case 'Condition': {
        const { rows, more } = await deps.diagnoses.searchDiagnoses(ctx, { ...page, residentGuids: who, createdFrom: since, createdTo: until }, 'export');
        return batchOf(rows, more, (x) => x.id, conditionOf);
      }
    }
  }

  return {
    /**
     * `$export` kick-off (system, `Patient` or `Group/{id}` level; GET or POST): checks the parameters
     * (`exportRequestOf`), the types against the token's scopes and the `patient` references against what the client
     * reaches (the Group's location at Group level), then records the export with the token's scopes, the patient
     * list and the request's context, enqueues its job and an audit row (`export`, entity `fhir_export`), all in one
     * transaction.
     * @returns the status URL for `Content-Location`.
     * @throws ValidationError a malformed, unsupported or unknown parameter, or a `patient` the client cannot export
     *   (unknown, another company's, at a location it does not reach or outside the Group: one sentence for all);
     *   ForbiddenError a type outside the token's scopes; NotFoundError a Group (location) the client does not
     *   reach; TooManyRequestsError `MAX_ACTIVE_EXPORTS` of the client's exports are already queued or running.
     */
    async kickOff(ctx: RequestContext<FhirActor>, k: KickOff): Promise<{ statusUrl: string; publicId: string }> {
      let groupLocationId: number | null = null;
      if (k.level === 'group') {
        const loc = ctx.actor.locations.find((l) => l.guid === k.groupId?.toUpperCase());
        if (!loc) throw new NotFoundError('No such Group at the locations this client reaches');
        groupLocationId = loc.id;
      }
      const { types: typeNames, since, patients } = exportRequestOf(k.parameters, { level: k.level, lenient: k.lenient });
      const types = exportTypes(ctx.actor.scopes, typeNames);
      if (patients) {
        const within = groupLocationId === null ? ctx : withLocations(ctx, [groupLocationId]);
        const reachable = await deps.residents.reachableResidentIds(within.actor, patients);
        const missing = patients.filter((id) => !reachable.has(id.toUpperCase()));
        if (missing.length) {
          throw new ValidationError(missing.map((id) => `patient: Patient/${id} is not a patient this client may export${k.level === 'group' ? ' from this Group' : ''}`));
        }
      }
      const transactionTime = clock();
      return db.transaction(async (tx) => {
        // Under the client's lock: simultaneous kick-offs are counted one after another, so the limit is exact.
        await store.lockClientExports(tx, ctx.actor.clientId);
        if (await store.activeExportCount(tx, ctx.actor.organizationId, ctx.actor.clientId) >= MAX_ACTIVE_EXPORTS) {
          throw new TooManyRequestsError(`This client already has ${MAX_ACTIVE_EXPORTS} exports in progress; wait for one to finish or cancel one`, BUSY_RETRY_SECONDS);
        }
        const row = await store.insertExport(tx, {
          organizationId: ctx.actor.organizationId, publicId: randomBytes(16).toString('hex'), clientId: ctx.actor.clientId, scopes: ctx.actor.scopes,
          level: k.level, groupLocationId, types, since, patients: patients ?? null, requestUrl: k.requestUrl, ip: ctx.ip, requestId: ctx.requestId, transactionTime,
        });
        await jobs.send(tx, FHIR_EXPORT_JOB, { exportId: row.id }, { expireInSeconds: FHIR_EXPORT_EXPIRE_SECONDS });
        await recordAudit(tx, ctx, { action: 'export', entityType: 'fhir_export', entityIds: [row.publicId] });
        return { statusUrl: statusUrl(row.publicId), publicId: row.publicId };
      });
    },

    /** The status of the client's export `publicId`. @throws NotFoundError unknown, another client's, cancelled or expired. */
    async status(ctx: RequestContext<FhirActor>, publicId: string): Promise<ExportStatus> {
      const row = await clientExport(ctx, publicId);
      if (row.status === 'failed') return { state: 'failed', error: row.error ?? 'The export failed' };
      if (row.status !== 'completed') return { state: 'in-progress', progress: row.progress ?? 'queued' };
      const files = (row.output ?? []) as ExportFile[];
      return {
        state: 'completed',
        expiresAt: row.expiresAt!,
        manifest: {
          transactionTime: row.transactionTime.toISOString(),
          request: row.requestUrl,
          requiresAccessToken: true,
          output: files.map((f) => ({ type: f.type, url: fileUrl(row.publicId, f.type), count: f.count })),
          error: [],
        },
      };
    },

    /**
     * Cancels (DELETE) the client's export `publicId`: the export and its files are deleted; a running job notices at
     * its next batch and drops what it wrote.
     * @throws NotFoundError unknown, another client's, already deleted or expired.
     */
    async cancel(ctx: RequestContext<FhirActor>, publicId: string): Promise<void> {
      const row = await clientExport(ctx, publicId);
      await db.transaction(async (tx) => {
        const gone = await store.deleteExport(tx, row.id);
        if (!gone) throw new NotFoundError('No such export (unknown, expired or deleted)');
        await storage.remove(tx, gone.organizationId, ((gone.output ?? []) as ExportFile[]).map((f) => f.fileId));
        await recordAudit(tx, ctx, { action: 'delete', entityType: 'fhir_export', entityIds: [publicId] });
      });
    },

    /**
     * One NDJSON file of the client's completed export (`<type>.ndjson`), chunk by chunk; writes an audit row (`read`,
     * entity `fhir_export_file`).
     * @throws NotFoundError unknown export or file, another client's, not completed, or expired.
     */
    async download(ctx: RequestContext<FhirActor>, publicId: string, file: string): Promise<{ content: AsyncIterable<Buffer> }> {
      const row = await clientExport(ctx, publicId);
      const type = /^([A-Za-z]+)\.ndjson$/.exec(file)?.[1];
      const found = row.status === 'completed' ? ((row.output ?? []) as ExportFile[]).find((f) => f.type === type) : undefined;
      if (!found) throw new NotFoundError('No such export file (unknown, expired or deleted)');
      await recordAudit(db, ctx, { action: 'read', entityType: 'fhir_export_file', entityIds: [`${publicId}/${found.type}`] });
      return { content: storage.read(db, found.fileId) };
    },

    /**
     * The export job: writes one NDJSON file per type (only types with resources are kept), in one transaction that
     * ends by completing the export, so a crash or a cancellation leaves no file behind. Progress is written after
     * each batch (`X-Progress`), which also notices a cancellation. A client disabled, a read scope withdrawn or a
     * Group location no longer reached since the kick-off fails the export. A row already gone (cancelled) or finished is left alone.
     * @throws the database's errors (the job is retried; the last attempt's failure marks the export failed).
     */
    async runExport(exportId: number): Promise<void> {
      const row = await store.findExportById(db, exportId);
      if (!row || (row.status !== 'queued' && row.status !== 'running')) return;
      const ctx = await exportActor(row);
      if (typeof ctx === 'string') {
        const at = clock();
        await store.failExport(db, row.id, ctx, at, expiry(at));
        return;
      }
      if (!(await store.markProgress(db, row.id, 'started'))) return;
      try {
        await db.transaction(async (tx) => {
          const output: ExportFile[] = [];
          let done = 0;
          for (const type of row.types as ExportType[]) {
            let count = 0;
            // The next batch is read (another connection) while this one is written into the file (the transaction's).
            const lines = async function* () {
              let next: Promise<Batch> | undefined = readBatch(ctx, type, row, undefined);
              try {
                while (next) {
                  const batch: Batch = await next;
                  const { count: n, more, lastKey } = batch;
                  next = more && lastKey !== undefined ? readBatch(ctx, type, row, lastKey) : undefined;
                  count += n;
                  yield* batch.parts();
                  if (next && !(await store.markProgress(db, row.id, `${type}: ${count} resources written; ${done} of ${row.types.length} types done`))) throw new ExportCancelled();
                }
              } finally {
                // Stopped early (cancelled, or the write failed): the read in flight is not waited for.
                next?.catch(() => {});
              }
            };
            const file = await storage.put(tx, { organizationId: row.organizationId, filename: `${type}.ndjson`, contentType: 'application/fhir+ndjson' }, lines());
            done++;
            if (count === 0) await storage.remove(tx, row.organizationId, [file.id]);
            else output.push({ type, fileId: file.id, count });
            if (!(await store.markProgress(db, row.id, `${done} of ${row.types.length} types done`))) throw new ExportCancelled();
          }
          const at = clock();
          if (!(await store.completeExport(tx, row.id, output, at, expiry(at)))) throw new ExportCancelled();
        });
      } catch (err) {
        if (err instanceof ExportCancelled) return;
        throw err;
      }
    },

    /** Marks export `exportId` failed (its job's last attempt failed); the client's poll then answers 500. */
    async failExport(exportId: number): Promise<void> {
      const at = clock();
      await store.failExport(db, exportId, 'The export failed; start a new one', at, expiry(at));
    },

    /**
     * Deletes the exports whose files have expired, with their files, up to 100 a pass until none is left.
     * @returns how many exports were deleted.
     */
    async sweepExpired(): Promise<number> {
      let deleted = 0;
      for (;;) {
        const due = await store.expiredExports(db, clock(), 100);
        for (const row of due) {
          await db.transaction(async (tx) => {
            const gone = await store.deleteExport(tx, row.id);
            if (gone) await storage.remove(tx, gone.organizationId, ((gone.output ?? []) as ExportFile[]).map((f) => f.fileId));
          });
          deleted++;
        }
        if (due.length < 100) return deleted;
      }
    },
  };
}

export type FhirExportService = ReturnType<typeof createFhirExportService>;
