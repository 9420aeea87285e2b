/**
 * ECP vital readings (seed 000 "POST/GET resident/vital/*"). POST records one reading for the resident the
 * request identifies (residentId, external id, or name + date of birth; `matchResident`), by the user it names
 * (loginName or userId; `resolveRecordingUser`), at the location it names (name or GUID). GET lists a
 * location's readings of one kind, 100 a page, sorted by timestamp.
 */
import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/pool.ts';
import { ecpLocations, ecpResidents, ecpUsers, ecpVitals } from '../../db/schema.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import type { PartnerActor } from '../auth.ts';
import type { LocationService } from '../locations/service.ts';
import { matchResident, type ResidentIdentity } from '../residents/matching.ts';
import { checkRange, locationParam, residentEntry, residentEntryColumns, ECP_PAGE_SIZE } from '../residents/records.ts';
import { resolveRecordingUser } from '../users/resolve.ts';
import { rangeProblems, type VitalDefinition } from './definitions.ts';
import type { VitalQueryWire } from './schemas.ts';

/** A reading may be stamped up to this far ahead of the server's clock (device clock skew). */
const FUTURE_TOLERANCE_MS = 60 * 60 * 1000;

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
     * Records one reading.
     * @returns `{result: "Success"}`.
     * @throws ValidationError for a location not reached, a value out of range (naming field, range and unit),
     *   a timestamp in the future, an unknown/inactive user, or a resident that matches none or several.
     */
    async record(ctx: RequestContext<PartnerActor>, def: VitalDefinition, input: NewVitalWire) {
      const values = def.fields.map((f) => Number(input[f.name]));
      const problems = rangeProblems(def, values);
      const at = new Date(input.timestamp);
      if (at.getTime() > clock().getTime() + FUTURE_TOLERANCE_MS) problems.push('timestamp cannot be in the future');
      if (problems.length) throw new ValidationError([problems.join('; ')]);
      return db.transaction(async (tx) => {
        const location = await locations.resolve(tx, ctx.actor, locationParam(input));
        const user = await resolveRecordingUser(tx, location, { userId: input.userId, loginName: input.loginName });
        const resident = await matchResident(tx, location, input);
        await tx.insert(ecpVitals).values({
          organizationId: ctx.actor.organizationId,
          locationId: location.id,
          residentId: resident.id,
          userId: user.id,
          vitalType: def.path,
          value: values[0],
          value2: values[1] ?? null,
          recordedAt: at,
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: `vital.${def.path}`, entityIds: [resident.guid] });
        return { result: 'Success' as const };
      });
    },

    /**
     * One page of a location's readings of kind `def`, oldest first.
     * @returns `{result, numberOfResults, data: [{<reading fields>, location, timestamp, firstName, lastName, dateOfBirth, loginName, residentId, externalIds}]}`.
     * @throws ValidationError `location is invalid`, a range whose end is before its start.
     */
    async list(ctx: RequestContext<PartnerActor>, def: VitalDefinition, query: VitalQueryWire) {
      const locationValue = locationParam(query);
      checkRange(query);
      const page = query.page ?? 1;
      const location = await locations.resolve(db, ctx.actor, locationValue);
      const where: SQL[] = [eq(ecpVitals.locationId, location.id), eq(ecpVitals.vitalType, def.path)];
      if (query.startingDateTime) where.push(gte(ecpVitals.recordedAt, new Date(query.startingDateTime)));
      if (query.endingDateTime) where.push(lte(ecpVitals.recordedAt, new Date(query.endingDateTime)));
      const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(ecpVitals).where(and(...where));
      const rows = await db
        .select({
          value: ecpVitals.value,
          value2: ecpVitals.value2,
          recordedAt: ecpVitals.recordedAt,
          ...residentEntryColumns,
          loginName: ecpUsers.loginName,
        })
        .from(ecpVitals)
        .innerJoin(ecpResidents, eq(ecpResidents.id, ecpVitals.residentId))
        .innerJoin(ecpUsers, eq(ecpUsers.id, ecpVitals.userId))
        .innerJoin(ecpLocations, eq(ecpLocations.id, ecpVitals.locationId))
        .where(and(...where))
        .orderBy(asc(ecpVitals.recordedAt), asc(ecpVitals.id))
        .limit(ECP_PAGE_SIZE)
        .offset((page - 1) * ECP_PAGE_SIZE);
      const data = rows.map((r) => {
        const readings: Record<string, number> = { [def.fields[0].name]: Number(r.value) };
        if (def.fields[1]) readings[def.fields[1].name] = Number(r.value2);
        return { ...readings, timestamp: ecpTimestamp(r.recordedAt), loginName: r.loginName, ...residentEntry(r) };
      });
      await recordAudit(db, ctx, { action: 'list', entityType: `vital.${def.path}`, entityIds: [...new Set(data.map((d) => d.residentId))] });
      return { result: 'Success' as const, numberOfResults: total, data };
    },
  };
}

export type VitalService = ReturnType<typeof createVitalService>;
