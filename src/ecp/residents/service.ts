/**
 * ECP residents (seed 000, "POST resident"; beyond the seed: update, discharge, reactivation, diet,
 * level of care). A move-in date in the future gives status "Inactive" with statusDescription "Awaiting
 * Move-In" (the resident object allows only Active and Inactive) until the move-in job activates the resident
 * on that date; otherwise "Active" / "Active Resident". Discharge sets "Inactive" / "Discharged". Each change
 * reports its webhook event (`EmitEcpChange`) in its own transaction.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { auditValues, recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { EcpActor } from '../auth.ts';
import { newGuid } from '../shared/ids.ts';
import { findReachableLocation, instantAt, type LocationRow, type LocationService } from '../locations/service.ts';
import { ignoreChanges, type EmitEcpChange } from '../events.ts';
import type { DietUpdateWire, LevelOfCareUpdateWire, NewResidentWire, ResidentQueryWire, ResidentUpdateWire } from './schemas.ts';
import { dietObject, levelOfCareObject, residentObject } from './wire.ts';
import { ECP_PAGE_SIZE, locationParam } from '../shared/params.ts';
import { residentKey, residentMatchProblem, type ResidentIdentity } from '../shared/resident-key.ts';
import * as store from './store.ts';
import { INPUT_FIELDS, type ResidentPatch, type ResidentRow } from './store.ts';
import { isEmailAddress } from '../../platform/validation.ts';
import { dateIn } from '../../platform/time.ts';

export type { ResidentRow, ResidentSearchFilter, ResidentState, ResidentWithLocation } from './store.ts';

export const ACTIVE = { status: 'Active', statusDescription: 'Active Resident' } as const;
export const AWAITING_MOVE_IN = { status: 'Inactive', statusDescription: 'Awaiting Move-In' } as const;
export const DISCHARGED = { status: 'Inactive', statusDescription: 'Discharged' } as const;

/**
 * A level of care (seed 000 levelOfCare object): `amount` dollars with cents or null, `amountFrequency` Monthly,
 * Daily or null; `effectiveAt` an instant, or a request's ISO 8601 text read at the resident's location (without
 * an offset: its local time; a date alone: the start of that day there), `field` naming it in errors.
 */
export interface LevelOfCare {
  name: string;
  amount: number | null;
  amountFrequency: 'Monthly' | 'Daily' | null;
  effectiveAt: Date | { text: string; field: string };
}

/** Today (`YYYY-MM-DD`, UTC). */
const today = (now: Date) => now.toISOString().slice(0, 10);

/**
 * The allergies of residents (row ids), case-insensitively alphabetical: the allergies feature's read
 * (`createAllergyNameReader` in `allergies/service.ts`), handed in by app.ts because the allergies service depends on
 * this one.
 */
export type AllergyNameReader = (residentIds: number[]) => Promise<Array<{ residentId: number; allergy: string }>>;

export function createResidentService({ db, locations, allergyNames, emit = ignoreChanges, clock = () => new Date() }: {
  db: Db;
  locations: LocationService;
  allergyNames: AllergyNameReader;
  emit?: EmitEcpChange;
  clock?: () => Date;
}) {
  /**
   * The resident `residentId` at a location the client reaches, locked for update.
   * @throws ValidationError `No resident with residentId X` (also for another company's resident: no leak).
   */
  async function reachableResident(tx: Executor, actor: EcpActor, residentId: string): Promise<ResidentRow> {
    const row = await store.lockReachableResident(tx, residentId.trim().toUpperCase(), actor.locationIds);
    if (!row) throw new ValidationError([`No resident with residentId ${residentId.trim()}`]);
    return row;
  }

  /** A request's timestamp `text` as an instant at the resident's location (reachable: `reachableResident` found it). */
  function effectiveAt(actor: EcpActor, resident: ResidentRow, text: string, field: string): Date {
    const location = actor.locations.find((l) => l.id === resident.locationId);
    if (!location) throw new Error(`resident ${resident.guid} found at location ${resident.locationId}, which the client does not reach`);
    return instantAt(location, text, field);
  }

  const save = (tx: Executor, id: number, values: Partial<store.NewResidentRow>) => store.saveResident(tx, id, values, clock());

  /**
   * Sets the level of care of the resident `residentId` (reachable, not discharged) inside `tx`, with its audit row
   * and event `levelOfCare.update`: the one path of `PUT /resident/level-of-care` and of a completed assessment.
   * @returns the resident's row after the change.
   * @throws ValidationError unknown or discharged resident.
   */
  async function setLevelOfCare(tx: Executor, ctx: RequestContext<EcpActor>, residentId: string, level: LevelOfCare): Promise<ResidentRow> {
    const current = await reachableResident(tx, ctx.actor, residentId);
    if (current.dischargedAt) throw new ValidationError(['This resident is discharged']);
    const row = await save(tx, current.id, {
      levelOfCareName: level.name.trim(),
      levelOfCareAmount: level.amount === null ? null : level.amount.toFixed(2),
      levelOfCareAmountFrequency: level.amountFrequency,
      levelOfCareEffectiveAt: level.effectiveAt instanceof Date ? level.effectiveAt : effectiveAt(ctx.actor, current, level.effectiveAt.text, level.effectiveAt.field),
    });
    await recordAudit(tx, ctx, { action: 'update', entityType: 'resident.levelOfCare', entityIds: [row.guid] });
    await emit(tx, { eventName: 'levelOfCare.update', resident: row });
    return row;
  }

  return {
    /**
     * Creates a resident at a location the client reaches. `alsoInTransaction`: the caller's own write in the same
     * transaction, given the new resident (the community workspace's lead conversion marks its lead converted).
     * @returns `{result: "Success", residentId}`.
     * @throws ValidationError `location is invalid`, a date of birth in the future, a malformed email.
     */
    async createResident(ctx: RequestContext<EcpActor>, input: NewResidentWire, alsoInTransaction?: (tx: Executor, resident: ResidentRow) => Promise<void>) {
      const problems: string[] = [];
      if (input.dateOfBirth > today(clock())) problems.push('dateOfBirth cannot be in the future');
      if (input.email && !isEmailAddress(input.email)) problems.push('email is not a valid email address');
      if (problems.length) throw new ValidationError([problems.join('; ')]);
      return db.transaction(async (tx) => {
        const location = await locations.resolve(ctx.actor, input.locationId);
        const awaiting = Boolean(input.moveInDate && input.moveInDate > today(clock()));
        const row = await store.insertResident(tx, {
            organizationId: ctx.actor.organizationId,
            locationId: location.id,
            guid: newGuid(),
            firstName: input.firstName.trim(),
            lastName: input.lastName.trim(),
            middleName: input.middleName ?? null,
            nickname: input.nickname ?? null,
            suffix: input.suffix ?? null,
            dateOfBirth: input.dateOfBirth,
            gender: input.gender ?? null,
            email: input.email ?? null,
            phone: input.phone ?? null,
            building: input.building ?? null,
            room: input.room ?? null,
            codeStatus: input.codeStatus ?? null,
            // Seed 000 "Always Specified": not given is no living will on record.
            livingWill: input.livingWill ?? false,
            otherAdvancedDirectives: input.otherAdvancedDirectives ?? null,
            moveInDate: input.moveInDate ?? null,
            ...(awaiting ? AWAITING_MOVE_IN : ACTIVE),
            externalIds: input.externalIds ?? {},
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'resident', entityIds: [row.guid] });
        await emit(tx, { eventName: 'resident.create', resident: row });
        if (alsoInTransaction) await alsoInTransaction(tx, row);
        return { result: 'Success' as const, residentId: row.guid };
      });
    },

    /**
     * `PUT /clinical/v1/resident`: changes the given fields (null clears an optional one). `status: "Active"`
     * reactivates a discharged or inactive resident with the same residentId (event `resident.create` after a
     * discharge, else `resident.update`); `status: "Inactive"` is a leave with its `statusDescription`. The resident
     * is locked, changed and audited by one statement (`updateReachableResident`); a request that changes nothing
     * writes nothing (no audit row, no event).
     * @returns `{result: "Success", residentId}`.
     * @throws ValidationError bad dates or email (checked first), then an unknown resident, a discharged resident
     *   changed without reactivation, a location not reached (in that order).
     */
    async updateResident(ctx: RequestContext<EcpActor>, input: ResidentUpdateWire) {
      const problems: string[] = [];
      if (input.dateOfBirth && input.dateOfBirth > today(clock())) problems.push('dateOfBirth cannot be in the future');
      if (input.email && !isEmailAddress(input.email)) problems.push('email is not a valid email address');
      if (input.statusDescription && input.status !== 'Inactive') problems.push('statusDescription is set only with status Inactive');
      if (problems.length) throw new ValidationError([problems.join('; ')]);
      const patch: ResidentPatch = {};
      for (const f of INPUT_FIELDS) {
        const v = input[f];
        if (v !== undefined) (patch as Record<string, unknown>)[f] = typeof v === 'string' ? v.trim() : v;
      }
      // livingWill is always specified (seed 000): clearing it means no living will on record.
      if (patch.livingWill === null) patch.livingWill = false;
      const location = input.locationId === undefined ? undefined : findReachableLocation(ctx.actor.locations, input.locationId);
      if (location) patch.locationId = location.id;
      if (input.status === 'Active') Object.assign(patch, ACTIVE, { dischargedAt: null });
      if (input.status === 'Inactive') Object.assign(patch, { status: 'Inactive', statusDescription: input.statusDescription?.trim() ?? 'Inactive' });
      const residentId = input.residentId.trim();
      return db.transaction(async (tx) => {
        const found = ctx.actor.locationIds.length
          ? await store.updateReachableResident(tx, {
            guid: residentId.toUpperCase(),
            locationIds: ctx.actor.locationIds,
            patch,
            // A location the client does not reach is refused after the resident checks, as before: read, do not write.
            apply: input.locationId === undefined || location !== undefined,
            reactivate: input.status === 'Active',
            now: clock(),
          }, auditValues(ctx, 'update'))
          : undefined;
        if (!found) throw new ValidationError([`No resident with residentId ${residentId}`]);
        if (found.wasDischarged && input.status !== 'Active') {
          throw new ValidationError(['This resident is discharged; send status "Active" to reactivate the resident']);
        }
        if (input.locationId !== undefined && !location) throw new ValidationError(['location is invalid']);
        if (!found.updated) return { result: 'Success' as const, residentId: found.guid };
        await emit(tx, { eventName: found.wasDischarged ? 'resident.create' : 'resident.update', resident: found.updated });
        return { result: 'Success' as const, residentId: found.guid };
      });
    },

    /**
     * `DELETE /clinical/v1/resident`: discharges the resident ("Inactive" / "Discharged"); event `resident.delete`
     * with the last state. Contacts, allergies and readings are kept for reactivation.
     * @throws ValidationError unknown or already discharged resident.
     */
    async dischargeResident(ctx: RequestContext<EcpActor>, residentId: string) {
      return db.transaction(async (tx) => {
        const current = await reachableResident(tx, ctx.actor, residentId);
        if (current.dischargedAt) throw new ValidationError(['This resident is already discharged']);
        const row = await save(tx, current.id, { ...DISCHARGED, dischargedAt: clock() });
        await recordAudit(tx, ctx, { action: 'delete', entityType: 'resident', entityIds: [row.guid] });
        await emit(tx, { eventName: 'resident.delete', resident: row });
        return { result: 'Success' as const, residentId: row.guid };
      });
    },

    /**
     * `PUT /clinical/v1/resident/diet` (seed 000 diet object): given fields replace, null clears; event `diet.update`.
     * @throws ValidationError unknown or discharged resident.
     */
    async updateDiet(ctx: RequestContext<EcpActor>, input: DietUpdateWire) {
      return db.transaction(async (tx) => {
        const current = await reachableResident(tx, ctx.actor, input.residentId);
        if (current.dischargedAt) throw new ValidationError(['This resident is discharged']);
        const values: Partial<store.NewResidentRow> = {};
        if (input.dietPlans !== undefined) values.dietPlans = input.dietPlans;
        if (input.specialDietOrders !== undefined) values.specialDietOrders = [...new Set(input.specialDietOrders.map((o) => o.trim()))];
        if (input.foodTexture !== undefined) values.foodTexture = input.foodTexture;
        if (input.fluidConsistency !== undefined) values.fluidConsistency = input.fluidConsistency;
        const row = await save(tx, current.id, values);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'resident.diet', entityIds: [row.guid] });
        await emit(tx, { eventName: 'diet.update', resident: row });
        return { result: 'Success' as const, residentId: row.guid };
      });
    },

    /**
     * `PUT /clinical/v1/resident/level-of-care` (seed 000 levelOfCare object); event `levelOfCare.update`.
     * `amount` is dollars with cents; `effectiveTimestamp` ISO 8601 (default now; without an offset, the local time
     * of the resident's location; a date alone, the start of that day there).
     * @throws ValidationError unknown or discharged resident.
     */
    async updateLevelOfCare(ctx: RequestContext<EcpActor>, input: LevelOfCareUpdateWire) {
      return db.transaction(async (tx) => {
        const row = await setLevelOfCare(tx, ctx, input.residentId, {
          name: input.name,
          amount: input.amount ?? null,
          amountFrequency: input.amountFrequency ?? null,
          effectiveAt: input.effectiveTimestamp ? { text: input.effectiveTimestamp, field: 'effectiveTimestamp' } : clock(),
        });
        return { result: 'Success' as const, residentId: row.guid };
      });
    },

    setLevelOfCare,

    /**
     * `GET /clinical/v1/resident` (beyond seed 000): residents of the reachable locations (or the one named),
     * 100 a page by last name, each as the seed's resident object plus its location, move-in date, allergies,
     * diet and level of care. Discharged residents only with `includeDischarged`.
     * @throws ValidationError `location is invalid`.
     */
    async listResidents(ctx: RequestContext<EcpActor>, query: ResidentQueryWire) {
      const locationIds = query.location || query.locationId
        ? [(await locations.resolve(ctx.actor, locationParam(query))).id]
        : ctx.actor.locationIds;
      const page = query.page ?? 1;
      if (!locationIds.length) return { result: 'Success' as const, numberOfResults: 0, data: [] };
      const { total, rows } = await store.listResidents(db, {
        locationIds,
        includeDischarged: Boolean(query.includeDischarged),
        status: query.status,
        guid: query.residentId ? query.residentId.trim().toUpperCase() : undefined,
      }, ECP_PAGE_SIZE, (page - 1) * ECP_PAGE_SIZE);
      const allergyRows = await allergyNames(rows.map((x) => x.r.id));
      const data = rows.map(({ r, locationGuid, locationName }) => {
        const { residentId: _d, ...diet } = dietObject(r);
        const { residentId: _l, ...levelOfCare } = levelOfCareObject(r);
        return {
          ...residentObject(r),
          locationId: locationGuid,
          location: locationName,
          moveInDate: r.moveInDate,
          allergies: allergyRows.filter((a) => a.residentId === r.id).map((a) => a.allergy),
          diet,
          levelOfCare,
        };
      });
      await recordAudit(db, ctx, { action: 'list', entityType: 'resident', entityIds: data.map((d) => d.residentId) });
      return { result: 'Success' as const, numberOfResults: total, data };
    },

    /**
     * The community workspace's resident list: one page of the residents at `locationIds` (a subset of the actor's; all of
     * them when omitted) in `state`, matching `search`, by last name; one audit row (`list`) naming the residents returned.
     * @returns the rows with their locations, and the total count.
     */
    async searchResidents(ctx: RequestContext<EcpActor>, q: { locationIds?: number[]; state: store.ResidentState; search?: string; limit: number; offset: number }) {
      const locationIds = (q.locationIds ?? ctx.actor.locationIds).filter((id) => ctx.actor.locationIds.includes(id));
      if (!locationIds.length) return { total: 0, rows: [] };
      const found = await store.searchResidents(db, { locationIds, state: q.state, search: q.search }, q.limit, q.offset);
      await recordAudit(db, ctx, { action: 'list', entityType: 'resident', entityIds: found.rows.map((x) => x.r.guid) });
      return found;
    },

    /**
     * The resident `residentId` at a location the actor reaches, with its location, without an audit row: for a caller
     * that audits what it does with it (a read, or the change it is about to make).
     * @returns undefined when none (also another company's resident).
     */
    findResident(actor: EcpActor, residentId: string) {
      return store.findResidentWithLocation(db, residentId.trim().toUpperCase(), actor.locationIds);
    },

    /**
     * Which of the residents `residentIds` are at a location the actor reaches (upper-cased GUIDs), in one query,
     * without an audit row (nothing about them is read out): for a caller checking a list it was given.
     */
    reachableResidentIds(actor: EcpActor, residentIds: string[]): Promise<Set<string>> {
      return store.residentGuidsAt(db, residentIds.map((id) => id.trim().toUpperCase()), actor.locationIds);
    },

    /**
     * One resident at a location the actor reaches, with its location; one audit row (`read`).
     * @throws NotFoundError `Resident not found` (also another company's resident, or a location the actor does not reach).
     */
    async getResident(ctx: RequestContext<EcpActor>, residentId: string) {
      const found = await store.findResidentWithLocation(db, residentId.trim().toUpperCase(), ctx.actor.locationIds);
      if (!found) throw new NotFoundError('Resident not found');
      await recordAudit(db, ctx, { action: 'read', entityType: 'resident', entityIds: [found.r.guid] });
      return found;
    },

    /**
     * Residents of the client's reachable locations (discharged ones included) that `filter` selects, `id` ascending
     * after `filter.afterId` (keyset paging): the FHIR door's Patient read and search. One audit row names every
     * resident returned (`read` for a read by id, `list` for a search, written for an empty search too; a read that
     * finds nothing writes none; `export` for a batch of a Bulk Data export, only when it found residents), in the
     * transaction of the read.
     * @returns up to `filter.limit` rows `{r: ResidentRow, locationGuid, locationName}`, and `more` when further rows follow.
     */
    async searchResidentRecords(ctx: RequestContext<EcpActor>, filter: Omit<store.ResidentSearchFilter, 'locationIds'>, action: 'read' | 'list' | 'export') {
      return db.transaction(async (tx) => {
        const found = await store.searchResidentRecords(tx, { ...filter, limit: filter.limit + 1, locationIds: ctx.actor.locationIds });
        const rows = found.slice(0, filter.limit);
        if (rows.length || action === 'list') await recordAudit(tx, ctx, { action, entityType: 'resident', entityIds: rows.map((x) => x.r.guid) });
        return { rows, more: found.length > rows.length };
      });
    },

    /**
     * The move-in job: residents "Awaiting Move-In" whose move-in date has come in their company's time zone
     * become "Active" / "Active Resident" (event `resident.update`). Idempotent; runs hourly.
     * @returns how many residents were activated.
     */
    async activateMoveIns(): Promise<number> {
      const now = clock();
      const due = await store.moveInCandidates(db, AWAITING_MOVE_IN.statusDescription, now);
      let activated = 0;
      for (const r of due) {
        if (!r.moveInDate || r.moveInDate > dateIn(r.timeZone, now)) continue;
        await db.transaction(async (tx) => {
          const row = await store.saveResidentIfStatus(tx, r.id, AWAITING_MOVE_IN.statusDescription, ACTIVE, now);
          if (!row) return;
          activated++;
          await emit(tx, { eventName: 'resident.update', resident: row });
        });
      }
      return activated;
    },
  };
}

export type ResidentService = ReturnType<typeof createResidentService>;

/**
 * The one resident at `location` that `id` identifies (not discharged), inside the caller's transaction: how the
 * allergy and diagnosis endpoints find their resident.
 * @throws ValidationError naming the mode: none given, incomplete pair/triple, no match, several matches.
 */
export async function matchResident(tx: Executor, location: LocationRow, id: ResidentIdentity): Promise<ResidentRow> {
  const key = residentKey(id);
  const rows = await store.residentsByKey(tx, location.id, key, 2);
  const problem = residentMatchProblem(key, rows.length);
  if (problem) throw new ValidationError([problem]);
  return rows[0];
}

/**
 * Locks the resident `residentId` (row id) until the caller's transaction ends: how another feature orders its
 * changes of one resident's records (the allergy list).
 */
export function lockResident(tx: Executor, residentId: number): Promise<void> {
  return store.lockResident(tx, residentId);
}

/**
 * The resident `residentId` (GUID, any company), locked for the rest of the transaction: the transfer's first step.
 * @throws ValidationError `No resident with residentId X`.
 */
export async function lockResidentForTransfer(tx: Executor, residentId: string): Promise<ResidentRow> {
  const row = await store.lockResidentByGuid(tx, residentId.trim().toUpperCase());
  if (!row) throw new ValidationError([`No resident with residentId ${residentId.trim()}`]);
  return row;
}

/** Moves the resident row to `location` (of another company); same `residentId`. @returns the row after the move. */
export async function moveResidentToLocation(tx: Executor, resident: ResidentRow, location: LocationRow, now: Date): Promise<ResidentRow> {
  return store.moveResident(tx, resident.id, location.organizationId, location.id, now);
}

/** Every resident of company `organizationId` (discharged ones too), by id, read with `db`: the demo seeders' residents. */
export function residentsOfCompany(db: Executor, organizationId: number): Promise<ResidentRow[]> {
  return store.residentsOfCompany(db, organizationId);
}

/**
 * The resident `guid` (upper case) at the location `locationId` (discharged ones too), read in the caller's
 * transaction: how the contacts feature finds the resident a contact is added to. @returns undefined when none.
 */
export function residentAtLocation(tx: Executor, guid: string, locationId: number): Promise<ResidentRow | undefined> {
  return store.residentAtLocation(tx, guid, locationId);
}

/**
 * Locks the residents `ids` (row ids), in id order so two writers cannot deadlock, until the caller's transaction
 * ends: how the contacts feature lets one writer change a resident's contacts at a time.
 */
export function lockResidents(tx: Executor, ids: number[]): Promise<void> {
  return store.lockResidentsInOrder(tx, ids);
}
