/**
 * ECP vital readings (seed 000 "POST/GET resident/vital/*"). POST records one reading for the resident the
 * request identifies (residentId, external id, or name + date of birth; `residentKey`), by the user it names
 * (loginName or userId; `recordingUserKey`), at the location it names (name or GUID). GET lists a
 * location's readings of one kind, 100 a page, sorted by timestamp.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { auditValues, recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import { isFilled } from '../../platform/validation.ts';
import type { EcpActor, PartnerActor } from '../auth.ts';
import { findReachableLocation, instantAt, type LocationService } from '../locations/service.ts';
import { residentKey, residentKeyValues, residentMatchProblem, type ResidentIdentity, type ResidentKey } from '../shared/resident-key.ts';
import { instantRange, locationParam } from '../shared/params.ts';
import { residentEntry } from '../shared/resident-entry.ts';
import { recordingUserKey, recordingUserProblem } from '../shared/recording-user.ts';
import { resolveRecordingUser } from '../users/service.ts';
import { rangeProblems, type VitalDefinition } from './definitions.ts';
import type { VitalQueryWire } from './schemas.ts';
import {
  insertReading, insertResidentReadings, moveResidentReadings, readingPage, residentReadings, searchReadings, type FoundReading, type ReadingSearchFilter,
} from './store.ts';

export type { FoundReading, ReadingSearchFilter, ResidentReadingRow } from './store.ts';

/** A reading may be stamped up to this far ahead of the server's clock (device clock skew). */
const FUTURE_TOLERANCE_MS = 60 * 60 * 1000;

/**
 * The plausibility problems of readings taken at `at` (undefined: not known yet), one sentence each: a value outside
 * its kind's range (`rangeProblems`, naming field, range and unit), systolic not above diastolic, and a time more
 * than an hour ahead of `now` (device clock skew is tolerated). The one check of both doors (partner API, workspace).
 */
export function plausibilityProblems(readings: Array<{ def: VitalDefinition; values: number[] }>, at: Date | undefined, now: Date): string[] {
  const problems = readings.flatMap((r) => rangeProblems(r.def, r.values));
  if (at && at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) problems.push('timestamp cannot be in the future');
  return problems;
}

/** A resident whose readings a caller (which found it among the actor's locations) records or reads. */
export interface ReadingResident {
  /** `ecp_residents.id`. */
  id: number;
  guid: string;
  locationId: number;
}

export type NewVitalWire = ResidentIdentity & {
  location?: string;
  locationId?: string;
  loginName?: string;
  userId?: string;
  timestamp: string;
} & Record<string, unknown>;

export function createVitalService({ db, locations, clock = () => new Date() }: { db: Db; locations: LocationService; clock?: () => Date }) {
  return {
    /**
     * Records one reading: the checks that need no database first, then one statement that finds the user and the
     * resident and inserts the reading with its audit row only when both are right.
     * @returns `{result: "Success"}`.
     * @throws ValidationError for a location not reached, a value out of range (naming field, range and unit),
     *   a timestamp in the future, an unknown/inactive user, or a resident that matches none or several; the errors
     *   come in that order (location, user, resident), as one transaction of three lookups gave them before.
     */
    async record(ctx: RequestContext<PartnerActor>, def: VitalDefinition, input: NewVitalWire) {
      const values = def.fields.map((f) => Number(input[f.name]));
      // An offset-less timestamp is read in the location's zone; with no such location, its error follows below.
      const named = findReachableLocation(ctx.actor.locations, isFilled(input.locationId) ? input.locationId : input.location);
      const at = named && instantAt(named, input.timestamp);
      const problems = plausibilityProblems([{ def, values }], at, clock());
      if (problems.length) throw new ValidationError([problems.join('; ')]);
      const location = await locations.resolve(ctx.actor, locationParam(input));
      const user = recordingUserKey({ userId: input.userId, loginName: input.loginName });
      let resident: ResidentKey;
      try {
        resident = residentKey(input);
      } catch (err) {
        // An incomplete identification is told only once the user checks out, as before: look the user up (error path only).
        await resolveRecordingUser(db, location, { userId: input.userId, loginName: input.loginName });
        throw err;
      }
      const found = await insertReading(db, def, {
        organizationId: ctx.actor.organizationId,
        location,
        user,
        resident,
        residentValues: residentKeyValues(resident),
        value: values[0],
        value2: values[1] ?? null,
        recordedAt: at ?? instantAt(location, input.timestamp),
      }, auditValues(ctx, 'create'));
      const problem = recordingUserProblem(user, found.user) ?? residentMatchProblem(resident, found.residents);
      if (problem) throw new ValidationError([problem]);
      if (!found.inserted) throw new Error('vital insert: user and resident were found but no reading was inserted');
      return { result: 'Success' as const };
    },

    /**
     * Records readings of several kinds taken at once (the workspace's Vitals tab) for `resident`, by the signed-in user
     * `userId` (`ecp_users.id`), at `at`, with one audit row (`create`, entity `vital`, the resident's and the readings'
     * GUIDs), in one transaction. The caller found the resident among the actor's locations, not discharged. No webhook:
     * seed 000 names no vitals event.
     * @returns the readings' GUIDs and kinds.
     * @throws ValidationError one sentence per plausibility problem (`plausibilityProblems`).
     */
    async recordReadings(ctx: RequestContext<EcpActor>, resident: ReadingResident, userId: number, at: Date, readings: Array<{ def: VitalDefinition; values: number[] }>) {
      const problems = plausibilityProblems(readings, at, clock());
      if (problems.length) throw new ValidationError(problems);
      return db.transaction(async (tx) => {
        const saved = await insertResidentReadings(tx, readings.map((r) => ({
          organizationId: ctx.actor.organizationId, locationId: resident.locationId, residentId: resident.id, userId,
          vitalType: r.def.path, value: r.values[0], value2: r.values[1] ?? null, recordedAt: at,
        })));
        await recordAudit(tx, ctx, { action: 'create', entityType: 'vital', entityIds: [resident.guid, ...saved.map((v) => v.guid)] });
        return saved;
      });
    },

    /**
     * The readings of `resident` (found by the caller among the actor's locations) taken within `from` .. `to` (null: open), newest
     * first, at most `limit`, whoever recorded them (the workspace's staff or a partner through the API); one audit row
     * (`read`, entity `vital`, the resident's GUID).
     */
    async readingsOf(ctx: RequestContext<EcpActor>, resident: ReadingResident, range: { from: Date | null; to: Date | null; kinds?: string[]; limit: number }) {
      return db.transaction(async (tx) => {
        const rows = await residentReadings(tx, { organizationId: ctx.actor.organizationId, locationIds: ctx.actor.locationIds, residentId: resident.id, ...range });
        await recordAudit(tx, ctx, { action: 'read', entityType: 'vital', entityIds: [resident.guid] });
        return rows;
      });
    },

    /**
     * One page of a location's readings of kind `def`, oldest first, with its count and audit row in one statement.
     * @returns `{result, numberOfResults, data: [{<reading fields>, location, timestamp, firstName, lastName, dateOfBirth, loginName, residentId, externalIds}]}`.
     * @throws ValidationError `location is invalid`, a range whose end is before its start.
     */
    async list(ctx: RequestContext<PartnerActor>, def: VitalDefinition, query: VitalQueryWire) {
      const locationValue = locationParam(query);
      const location = await locations.resolve(ctx.actor, locationValue);
      const { from, to } = instantRange(location, query);
      const { total, rows } = await readingPage(db, def, {
        locationId: location.id,
        from,
        to,
        page: query.page ?? 1,
      }, auditValues(ctx, 'list'));
      const data = rows.map((r) => {
        const readings: Record<string, number> = { [def.fields[0].name]: Number(r.value) };
        if (def.fields[1]) readings[def.fields[1].name] = Number(r.value2);
        return {
          ...readings,
          timestamp: ecpTimestamp(new Date(r.recorded_at!)),
          loginName: r.login_name,
          ...residentEntry({
            location: location.name, firstName: r.first_name, lastName: r.last_name, dateOfBirth: r.date_of_birth, residentId: r.guid, externalIds: r.external_ids,
          }),
        };
      });
      return { result: 'Success' as const, numberOfResults: total, data };
    },

    /**
     * Readings at the client's reachable locations that `filter` selects, `id` ascending after `filter.afterId`
     * (keyset paging): the FHIR door's Observation read and search. One audit row (entity `vital`) names each
     * resident whose readings were returned, once, in the transaction of the read (`read` for a read by id, written
     * only when found; `list` for a search, written for an empty one too; `export` for a batch of a Bulk Data export,
     * written only when it found records).
     * @returns up to `filter.limit` readings, and `more` when further ones follow.
     */
    async searchReadings(ctx: RequestContext<PartnerActor>, filter: Omit<ReadingSearchFilter, 'locationIds'>, action: 'read' | 'list' | 'export'): Promise<{ rows: FoundReading[]; more: boolean }> {
      return db.transaction(async (tx) => {
        const found = await searchReadings(tx, { ...filter, limit: filter.limit + 1, locationIds: ctx.actor.locationIds });
        const rows = found.slice(0, filter.limit);
        if (rows.length || action === 'list') await recordAudit(tx, ctx, { action, entityType: 'vital', entityIds: [...new Set(rows.map((r) => r.residentGuid))] });
        return { rows, more: found.length > rows.length };
      });
    },
  };
}

export type VitalService = ReturnType<typeof createVitalService>;

/**
 * A resident's vital readings follow it to another company's location (the transfer between ECP accounts), inside
 * the caller's transaction; the recording user stays who took each reading. @returns how many moved.
 */
export function moveResidentVitals(tx: Executor, residentId: number, organizationId: number, locationId: number): Promise<number> {
  return moveResidentReadings(tx, residentId, organizationId, locationId);
}
