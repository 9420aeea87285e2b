/**
 * The Resident File's Vitals tab of the community workspace: a nurse records several of the seven vitals taken at one
 * time, and reads a resident's readings over a period (theirs and those partners posted through
 * `POST /clinical/v1/resident/vital/*`) to chart them. The ranges and the future-time check are the vitals service's
 * (`plausibilityProblems`), the partner API's own; this door adds the workspace's rules: another company's resident
 * or one outside `locationsAllowed` is 404, a discharged resident is read-only, and the recording user is the
 * signed-in one. Seed 000 names no vitals webhook event, so recording fires none.
 */
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import { instantAt } from '../locations/service.ts';
import type { ResidentService, ResidentWithLocation } from '../residents/service.ts';
import { VITALS, type VitalDefinition } from '../vitals/definitions.ts';
import type { ResidentReadingRow, VitalService } from '../vitals/service.ts';
import type { CommunityActor } from './service.ts';
import type { NewCommunityVitalsWire, VitalValuesWire } from './vitals-schemas.ts';

type Ctx = RequestContext<CommunityActor>;

/** The most readings one list returns (the newest of the range). */
export const VITAL_LIST_LIMIT = 2000;

const byKind = new Map(VITALS.map((d) => [d.path, d]));

/** A reading's values by field name: `{systolic, diastolic}`, `{pulse}`, ... */
function valuesOf(def: VitalDefinition, values: Array<number | null>): Record<string, number> {
  const out: Record<string, number> = {};
  def.fields.forEach((f, i) => {
    if (values[i] !== null && values[i] !== undefined) out[f.name] = Number(values[i]);
  });
  return out;
}

function readingWire(r: ResidentReadingRow) {
  const def = byKind.get(r.vitalType)!;
  return {
    vitalId: r.guid,
    kind: r.vitalType,
    recordedAt: ecpTimestamp(r.recordedAt),
    values: valuesOf(def, [r.value, r.value2]),
    recordedBy: { userId: r.userGuid, loginName: r.loginName, name: `${r.firstName} ${r.lastName}` },
  };
}

/**
 * The readings a form holds: one per vital with any value given, in `VITALS` order.
 * @throws ValidationError `Enter at least one vital sign`, `diastolic is required with systolic` (and the reverse).
 */
export function readingsOfForm(input: VitalValuesWire): Array<{ def: VitalDefinition; values: number[] }> {
  const given = input as Record<string, number | undefined>;
  const problems: string[] = [];
  const readings: Array<{ def: VitalDefinition; values: number[] }> = [];
  for (const def of VITALS) {
    const values = def.fields.map((f) => given[f.name]);
    if (values.every((v) => v === undefined)) continue;
    const missing = def.fields.filter((f) => given[f.name] === undefined);
    for (const f of missing) problems.push(`${f.name} is required with ${def.fields.filter((x) => x !== f).map((x) => x.name).join(', ')}`);
    if (!missing.length) readings.push({ def, values: values as number[] });
  }
  if (problems.length) throw new ValidationError(problems);
  if (!readings.length) throw new ValidationError(['Enter at least one vital sign']);
  return readings;
}

export function createCommunityVitalService({ residents, vitals, clock = () => new Date() }: { residents: ResidentService; vitals: VitalService; clock?: () => Date }) {
  /** @throws NotFoundError `Resident not found` (also another company's, or at a location outside locationsAllowed). */
  async function find(ctx: Ctx, residentId: string): Promise<ResidentWithLocation> {
    const found = await residents.findResident(ctx.actor, residentId);
    if (!found) throw new NotFoundError('Resident not found');
    return found;
  }

  /** The resident's location among the actor's (found there: `find`). */
  function locationOf(ctx: Ctx, found: ResidentWithLocation) {
    const location = ctx.actor.locations.find((l) => l.id === found.r.locationId);
    if (!location) throw new Error(`resident ${found.r.guid} found at location ${found.r.locationId}, which the user does not reach`);
    return location;
  }

  const residentOf = (found: ResidentWithLocation) => ({ id: found.r.id, guid: found.r.guid, locationId: found.r.locationId });

  return {
    /** `GET /v1/community/vital_kinds`: the seven vitals with their fields, units and plausible ranges (no PHI). */
    kinds() {
      return {
        kinds: VITALS.map((d) => ({ kind: d.path, label: d.label, unit: d.symbol, unitName: d.unit, fields: d.fields.map((f) => ({ name: f.name, min: f.min, max: f.max })) })),
      };
    },

    /**
     * `GET /v1/community/residents/{residentId}/vitals`: the resident's readings taken within `from` .. `to` (each
     * optional, inclusive; offset-less times read in the location's zone), of every kind or `kind`, oldest first, at
     * most the newest 2000; audited (`read`, entity `vital`).
     * @returns `{timeZone, from, to, vitals, truncated}`.
     * @throws NotFoundError `Resident not found`; ValidationError `from must not be after to`.
     */
    async list(ctx: Ctx, residentId: string, q: { from?: string; to?: string; kind?: string }) {
      const found = await find(ctx, residentId);
      const location = locationOf(ctx, found);
      const to = q.to ? instantAt(location, q.to, 'to') : null;
      const from = q.from ? instantAt(location, q.from, 'from') : null;
      if (from && to && from > to) throw new ValidationError(['from must not be after to']);
      const rows = await vitals.readingsOf(ctx, residentOf(found), { from, to, kinds: q.kind ? [q.kind] : undefined, limit: VITAL_LIST_LIMIT + 1 });
      return {
        timeZone: location.zone,
        from: from && ecpTimestamp(from),
        to: to && ecpTimestamp(to),
        vitals: rows.slice(0, VITAL_LIST_LIMIT).reverse().map(readingWire),
        truncated: rows.length > VITAL_LIST_LIMIT,
      };
    },

    /**
     * `POST /v1/community/residents/{residentId}/vitals`: records each vital given, taken at `timestamp` (default now;
     * offset-less: the location's wall time), by the signed-in user, through the vitals service (plausibility checks,
     * audit row). No webhook: seed 000 names none for vitals.
     * @returns `{timeZone, vitals}`: the readings recorded.
     * @throws NotFoundError `Resident not found`; ValidationError `This resident is discharged; reactivate the resident
     *   first`, `Enter at least one vital sign`, a half blood pressure, and the vitals service's sentences
     *   (`systolic must be between 50 and 300 (mmHg)`, `timestamp cannot be in the future`), all at once.
     */
    async record(ctx: Ctx, residentId: string, input: NewCommunityVitalsWire) {
      const found = await find(ctx, residentId);
      if (found.r.dischargedAt) throw new ValidationError(['This resident is discharged; reactivate the resident first']);
      const location = locationOf(ctx, found);
      const readings = readingsOfForm(input);
      const at = input.timestamp ? instantAt(location, input.timestamp) : clock();
      const saved = await vitals.recordReadings(ctx, residentOf(found), ctx.actor.userId, at, readings);
      const guidOf = new Map(saved.map((s) => [s.vitalType, s.guid]));
      return {
        timeZone: location.zone,
        vitals: readings.map((r) => ({
          vitalId: guidOf.get(r.def.path)!,
          kind: r.def.path,
          recordedAt: ecpTimestamp(at),
          values: valuesOf(r.def, r.values),
          recordedBy: { userId: ctx.actor.id, loginName: ctx.actor.loginName, name: ctx.actor.name },
        })),
      };
    },
  };
}

export type CommunityVitalService = ReturnType<typeof createCommunityVitalService>;
