/**
 * ECP resident diagnoses (seed 000 "POST/GET resident/diagnosis"). POST adds one diagnosis to the resident the
 * request identifies (residentId, external id, or name + date of birth; `matchResident`), recorded by the user
 * `loginName` names (`resolveRecordingUser`), at the location it names (name or GUID). A code must be a
 * billable ICD-10-CM code (`Icd10cmService.check`); it is stored undotted with the fiscal year it was checked
 * against. GET lists a location's diagnoses, 100 a page, sorted by timestamp.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { dateIn, ecpTimestamp } from '../../platform/time.ts';
import type { EcpActor, PartnerActor } from '../auth.ts';
import type { ReachableLocation } from '../clients/service.ts';
import { dottedCode, type CheckedCode, type Icd10cmService } from '../codes/service.ts';
import { findReachableLocation, instantAt, type LocationService } from '../locations/service.ts';
import { matchResident } from '../residents/service.ts';
import { ECP_PAGE_SIZE, instantRange, locationParam } from '../shared/params.ts';
import { residentEntry } from '../shared/resident-entry.ts';
import { resolveRecordingUser } from '../users/service.ts';
import type { DiagnosisQueryWire, NewDiagnosisWire } from './schemas.ts';
import { isFilled } from '../../platform/validation.ts';
import * as store from './store.ts';
import type { DiagnosisSearchFilter, FoundDiagnosis } from './store.ts';

export type { DiagnosisSearchFilter, FoundDiagnosis, ResidentDiagnosisRow } from './store.ts';

/** A diagnosis may be stamped up to this far ahead of the server's clock (clock skew), as vitals allow. */
const FUTURE_TOLERANCE_MS = 60 * 60 * 1000;


/**
 * The date a code set is chosen by: the calendar date the timestamp itself states (`2025-09-30T22:00:00-07:00`
 * is September 30, FY2025), at noon UTC so that `fiscalYearOf` reads that date.
 */
function codeSetDate(timestamp: string): Date {
  return new Date(`${timestamp.slice(0, 10)}T12:00:00Z`);
}

export function createDiagnosisService({ db, locations, codes, clock = () => new Date() }: {
  db: Db;
  locations: LocationService;
  codes: Icd10cmService;
  clock?: () => Date;
}) {
  return {
    /**
     * Adds one diagnosis (seed 000 "POST resident/diagnosis").
     * @param input the seed's fields; `timestamp` already validated by the schema as ISO 8601, with or without an
     *   offset (then read in the location's zone, `instantAt`), or a date alone.
     * @returns `{result: "Success"}`.
     * @throws ValidationError: no location, neither code nor diagnosis, a timestamp more than an hour ahead,
     *   a code that is not a billable ICD-10-CM code, `location is invalid`, an unknown/inactive user or one
     *   without the location, a resident that matches none or several.
     */
    async record(ctx: RequestContext<PartnerActor>, input: NewDiagnosisWire) {
      const problems: string[] = [];
      if (!isFilled(input.location) && !isFilled(input.locationId)) problems.push('location or locationId is required');
      if (!isFilled(input.code) && !isFilled(input.diagnosis)) problems.push('code or diagnosis is required');
      // An offset-less timestamp is read in the location's zone; with no such location, its error follows below.
      const named = findReachableLocation(ctx.actor.locations, isFilled(input.locationId) ? input.locationId : input.location);
      const at = named && instantAt(named, input.timestamp);
      if (at && at.getTime() > clock().getTime() + FUTURE_TOLERANCE_MS) problems.push('timestamp cannot be in the future');
      if (problems.length) throw new ValidationError([problems.join('; ')]);
      const checked: CheckedCode | undefined = isFilled(input.code) ? await codes.check(input.code, codeSetDate(input.timestamp)) : undefined;
      return db.transaction(async (tx) => {
        const location = await locations.resolve(ctx.actor, locationParam(input));
        const user = await resolveRecordingUser(tx, location, { loginName: input.loginName });
        const resident = await matchResident(tx, location, input);
        await store.insertDiagnosis(tx, {
          organizationId: ctx.actor.organizationId,
          locationId: location.id,
          residentId: resident.id,
          userId: user.id,
          code: checked ? checked.code.replace('.', '') : null,
          // With a code, the seed ignores the text: the code set's description, or the text when no set is imported.
          diagnosis: checked?.description ?? (isFilled(input.diagnosis) ? input.diagnosis.trim() : null),
          comment: isFilled(input.comment) ? input.comment.trim() : null,
          codeSetYear: checked?.fiscalYear ?? null,
          recordedAt: at ?? instantAt(location, input.timestamp),
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'diagnosis', entityIds: [resident.guid] });
        return { result: 'Success' as const };
      });
    },

    /**
     * One page of a location's diagnoses, oldest first (timestamp, then order of recording) (seed 000
     * "GET resident/diagnosis"); writes one audit row listing the residents returned.
     * @returns `{result, numberOfResults (all pages), data: [{code (dotted or null), location, diagnosis, comment,
     *   timestamp (2025-05-05T13:37:27.473+00:00), firstName, lastName, dateOfBirth, loginName, residentId, externalIds}]}`.
     * @throws ValidationError: no location, `location is invalid`, endingDateTime before startingDateTime.
     */
    async list(ctx: RequestContext<PartnerActor>, query: DiagnosisQueryWire) {
      const locationValue = locationParam(query);
      const page = query.page ?? 1;
      const location = await locations.resolve(ctx.actor, locationValue);
      const { from, to } = instantRange(location, query);
      return db.transaction(async (tx) => {
        const { total, rows } = await store.listDiagnoses(tx, {
          organizationId: ctx.actor.organizationId,
          locationId: location.id,
          from,
          to,
        }, ECP_PAGE_SIZE, (page - 1) * ECP_PAGE_SIZE);
        const data = rows.map((r) => ({
          code: r.code === null ? null : dottedCode(r.code),
          diagnosis: r.diagnosis,
          comment: r.comment,
          timestamp: ecpTimestamp(r.recordedAt),
          loginName: r.loginName,
          ...residentEntry(r),
        }));
        await recordAudit(tx, ctx, { action: 'list', entityType: 'diagnosis', entityIds: [...new Set(data.map((d) => d.residentId))] });
        return { result: 'Success' as const, numberOfResults: total, data };
      });
    },

    /**
     * The community workspace's Diagnoses tab: the diagnoses of `resident` (row `id`, GUID `guid`; the caller checked
     * it is of the actor's company at a location the actor reaches), newest first, with who recorded each (dotted
     * codes). One `read` audit row (entity `diagnosis`) naming the resident, unless `audit` is false (the caller
     * just audited the change it reads back).
     */
    async residentDiagnoses(ctx: RequestContext<EcpActor>, resident: { id: number; guid: string }, audit = true) {
      return db.transaction(async (tx) => {
        const rows = await store.diagnosesOfResident(tx, ctx.actor.organizationId, resident.id);
        if (audit) await recordAudit(tx, ctx, { action: 'read', entityType: 'diagnosis', entityIds: [resident.guid] });
        return rows.map((r) => ({ ...r, code: r.code === null ? null : dottedCode(r.code) }));
      });
    },

    /**
     * The Diagnoses tab's Add: one diagnosis of `target.resident` at its location, recorded by the ECP user
     * `target.userId` (the signed-in community user). `code` must be a billable ICD-10-CM code of the fiscal year of
     * the diagnosis's date at the location (`Icd10cmService.check`: its message otherwise); the code set's description
     * is stored. `timestamp` (default now): ISO 8601, without an offset the location's local time; at most an hour ahead.
     * @returns the new diagnosis's GUID.
     * @throws ValidationError as `Icd10cmService.check`, `timestamp cannot be in the future`.
     */
    async recordForResident(
      ctx: RequestContext<EcpActor>,
      target: { resident: { id: number; guid: string }; location: ReachableLocation; userId: number },
      input: { code: string; comment?: string | null; timestamp?: string },
    ): Promise<string> {
      const now = clock();
      const at = input.timestamp === undefined ? now : instantAt(target.location, input.timestamp);
      if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) throw new ValidationError(['timestamp cannot be in the future']);
      const checked = await codes.check(input.code, input.timestamp === undefined ? codeSetDate(dateIn(target.location.zone, now)) : codeSetDate(input.timestamp));
      return db.transaction(async (tx) => {
        const guid = await store.insertDiagnosisReturningGuid(tx, {
          organizationId: ctx.actor.organizationId,
          locationId: target.location.id,
          residentId: target.resident.id,
          userId: target.userId,
          code: checked.code.replace('.', ''),
          diagnosis: checked.description,
          comment: isFilled(input.comment) ? input.comment.trim() : null,
          codeSetYear: checked.fiscalYear,
          recordedAt: at,
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'diagnosis', entityIds: [target.resident.guid, guid] });
        return guid;
      });
    },

    /**
     * The Diagnoses tab's Remove: deletes the diagnosis `diagnosisId` (GUID) of `resident` (the caller checked the
     * resident is reachable); one `delete` audit row naming the resident and the diagnosis.
     * @throws NotFoundError `Diagnosis not found` (also another resident's or company's).
     */
    async removeResidentDiagnosis(ctx: RequestContext<EcpActor>, resident: { id: number; guid: string }, diagnosisId: string): Promise<void> {
      const guid = diagnosisId.trim().toUpperCase();
      await db.transaction(async (tx) => {
        if (!(await store.deleteResidentDiagnosis(tx, ctx.actor.organizationId, resident.id, guid))) throw new NotFoundError('Diagnosis not found');
        await recordAudit(tx, ctx, { action: 'delete', entityType: 'diagnosis', entityIds: [resident.guid, guid] });
      });
    },

    /**
     * The diagnosis records at the client's reachable locations that `filter` selects, `id` ascending after
     * `filter.afterId` (keyset paging): the FHIR door's read and search. One audit row (entity `diagnosis`) names each
     * resident whose records were returned, once, in the transaction of the read (`read` for a read by id, written
     * only when found; `list` for a search, written for an empty one too; `export` for a batch of a Bulk Data export,
     * written only when it found records).
     * @returns up to `filter.limit` records, and `more` when further ones follow.
     */
    async searchDiagnoses(ctx: RequestContext<PartnerActor>, filter: Omit<DiagnosisSearchFilter, 'locationIds'>, action: 'read' | 'list' | 'export'): Promise<{ rows: FoundDiagnosis[]; more: boolean }> {
      return db.transaction(async (tx) => {
        const found = await store.searchDiagnoses(tx, { ...filter, limit: filter.limit + 1, locationIds: ctx.actor.locationIds });
        const rows = found.slice(0, filter.limit);
        if (rows.length || action === 'list') await recordAudit(tx, ctx, { action, entityType: 'diagnosis', entityIds: [...new Set(rows.map((r) => r.residentGuid))] });
        return { rows, more: found.length > rows.length };
      });
    },
  };
}

export type DiagnosisService = ReturnType<typeof createDiagnosisService>;

/**
 * A resident's diagnoses follow it to another company's location (the transfer between ECP accounts), inside the
 * caller's transaction; the recording user stays who recorded each. @returns how many moved.
 */
export function moveResidentDiagnoses(tx: Executor, residentId: number, organizationId: number, locationId: number): Promise<number> {
  return store.moveResidentDiagnoses(tx, residentId, organizationId, locationId);
}
