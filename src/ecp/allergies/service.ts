/**
 * ECP resident allergies (seed 000 "POST/GET resident/allergy"; DELETE beyond the seed). A resident's
 * allergies are a list of distinct strings: adding one already on the list (case-insensitively) stores nothing
 * new; removing one not on the list is an Error. GET lists a location's allergies, 100 a page, alphabetical
 * by the resident's last name (the seed's rule for records without a date).
 */
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { EcpActor, PartnerActor } from '../auth.ts';
import type { LocationService } from '../locations/service.ts';
import { lockResident, matchResident } from '../residents/service.ts';
import { ECP_PAGE_SIZE, locationParam } from '../shared/params.ts';
import { residentEntry } from '../shared/resident-entry.ts';
import { ignoreChanges, type EmitEcpChange } from '../events.ts';
import type { ResidentRow } from '../residents/service.ts';
import type { AllergyChangeWire, AllergyQueryWire } from './schemas.ts';
import * as store from './store.ts';
import type { AllergySearchFilter, FoundAllergy } from './store.ts';

export type { AllergySearchFilter, FoundAllergy } from './store.ts';

/** A resident's allergies, alphabetical (the `allergies` array of the webhook allergy object). */
export function allergiesOf(tx: Executor, residentId: number): Promise<string[]> {
  return store.allergiesOf(tx, residentId);
}

/**
 * The allergies of the residents `residentIds` (row ids), case-insensitively alphabetical: what the resident list
 * shows. Built apart from the allergy service (app.ts hands it to the residents service), because the allergy service
 * depends on the residents service (`matchResident`): a direct dependency back would be an import cycle.
 */
export function createAllergyNameReader({ db }: { db: Db }) {
  return (residentIds: number[]): Promise<Array<{ residentId: number; allergy: string }>> => store.allergyNamesOf(db, residentIds);
}

/** A change of the list is reported as webhook `allergy.update` with the full current list, in the change's transaction. */
export function createAllergyService({ db, locations, emit = ignoreChanges }: { db: Db; locations: LocationService; emit?: EmitEcpChange }) {
  async function resolve(tx: Executor, ctx: RequestContext<PartnerActor>, input: AllergyChangeWire) {
    const location = await locations.resolve(ctx.actor, locationParam(input));
    const resident = await matchResident(tx, location, input);
    // Changes of one resident's list run one at a time, so each reads (and reports) the list after the previous one.
    await lockResident(tx, resident.id);
    return resident;
  }
  return {
    /**
     * Adds one allergy to the resident's list (stored once, compared case-insensitively).
     * @returns `{result: "Success"}` (seed 000; the list itself is for allergy.read).
     * @throws ValidationError for a location not reached or a resident that matches none or several.
     */
    async add(ctx: RequestContext<PartnerActor>, input: AllergyChangeWire) {
      const allergy = input.allergy.trim();
      if (!allergy) throw new ValidationError(['allergy is required']);
      return db.transaction(async (tx) => {
        const resident = await resolve(tx, ctx, input);
        const inserted = await store.addAllergy(tx, { organizationId: ctx.actor.organizationId, residentId: resident.id, allergy });
        const allergies = await store.allergiesOf(tx, resident.id);
        if (inserted) {
          await recordAudit(tx, ctx, { action: 'update', entityType: 'allergy', entityIds: [resident.guid] });
          await emit(tx, { eventName: 'allergy.update', resident, allergies });
        }
        return { result: 'Success' as const };
      });
    },

    /**
     * Removes one allergy from the resident's list (case-insensitive).
     * @throws ValidationError when it is not on the list, or as `add`.
     */
    async remove(ctx: RequestContext<PartnerActor>, input: AllergyChangeWire) {
      return db.transaction(async (tx) => {
        const resident = await resolve(tx, ctx, input);
        const removed = await store.removeAllergy(tx, resident.id, input.allergy.trim());
        if (!removed) throw new ValidationError([`allergy "${input.allergy.trim()}" is not on this resident's list`]);
        const allergies = await store.allergiesOf(tx, resident.id);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'allergy', entityIds: [resident.guid] });
        await emit(tx, { eventName: 'allergy.update', resident, allergies });
        return { result: 'Success' as const };
      });
    },

    /**
     * The community workspace's Allergies tab: the resident's list, alphabetical; audited (`read`). The caller has
     * checked that `ctx.actor` reaches the resident.
     */
    async listOf(ctx: RequestContext<EcpActor>, resident: ResidentRow): Promise<string[]> {
      const allergies = await store.allergiesOf(db, resident.id);
      await recordAudit(db, ctx, { action: 'read', entityType: 'allergy', entityIds: [resident.guid] });
      return allergies;
    },

    /**
     * The community workspace's Allergies tab saved: the resident's list becomes `wanted` (trimmed; one of each,
     * compared case-insensitively, the first spelling kept). A change is one `allergy.update` with the full list
     * and an audit row; no change fires nothing. The caller has checked that `ctx.actor` reaches the resident.
     * @returns the list after the change, alphabetical.
     * @throws ValidationError `This resident is discharged`.
     */
    async replace(ctx: RequestContext<EcpActor>, resident: ResidentRow, wanted: string[]): Promise<string[]> {
      if (resident.dischargedAt) throw new ValidationError(['This resident is discharged']);
      const next = new Map<string, string>();
      for (const a of wanted.map((w) => w.trim()).filter(Boolean)) if (!next.has(a.toLowerCase())) next.set(a.toLowerCase(), a);
      return db.transaction(async (tx) => {
        await lockResident(tx, resident.id);
        const current = await store.allergiesOf(tx, resident.id);
        const have = new Set(current.map((a) => a.toLowerCase()));
        const gone = current.filter((a) => !next.has(a.toLowerCase()));
        const added = [...next.entries()].filter(([k]) => !have.has(k)).map(([, a]) => a);
        if (!gone.length && !added.length) return current;
        await store.deleteAllergiesExactly(tx, resident.id, gone);
        await store.insertAllergies(tx, added.map((allergy) => ({ organizationId: ctx.actor.organizationId, residentId: resident.id, allergy })));
        const allergies = await store.allergiesOf(tx, resident.id);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'allergy', entityIds: [resident.guid] });
        await emit(tx, { eventName: 'allergy.update', resident, allergies });
        return allergies;
      });
    },

    /**
     * One page of the allergies of a location's current (not discharged) residents.
     * @throws ValidationError `location is invalid`.
     */
    async list(ctx: RequestContext<PartnerActor>, query: AllergyQueryWire) {
      const location = await locations.resolve(ctx.actor, locationParam(query));
      const page = query.page ?? 1;
      const { total, rows } = await store.listLocationAllergies(db, location.id, ECP_PAGE_SIZE, (page - 1) * ECP_PAGE_SIZE);
      const data = rows.map((r) => ({ allergy: r.allergy, ...residentEntry(r) }));
      await recordAudit(db, ctx, { action: 'list', entityType: 'allergy', entityIds: [...new Set(data.map((d) => d.residentId))] });
      return { result: 'Success' as const, numberOfResults: total, data };
    },

    /**
     * The allergy records at the client's reachable locations that `filter` selects, `id` ascending after
     * `filter.afterId` (keyset paging): the FHIR door's read and search. One audit row (entity `allergy`) names each
     * resident whose records were returned, once, in the transaction of the read (`read` for a read by id, written
     * only when found; `list` for a search, written for an empty one too; `export` for a batch of a Bulk Data export,
     * written only when it found records).
     * @returns up to `filter.limit` records, and `more` when further ones follow.
     */
    async searchAllergies(ctx: RequestContext<PartnerActor>, filter: Omit<AllergySearchFilter, 'locationIds'>, action: 'read' | 'list' | 'export'): Promise<{ rows: FoundAllergy[]; more: boolean }> {
      return db.transaction(async (tx) => {
        const found = await store.searchAllergies(tx, { ...filter, limit: filter.limit + 1, locationIds: ctx.actor.locationIds });
        const rows = found.slice(0, filter.limit);
        if (rows.length || action === 'list') await recordAudit(tx, ctx, { action, entityType: 'allergy', entityIds: [...new Set(rows.map((r) => r.residentGuid))] });
        return { rows, more: found.length > rows.length };
      });
    },
  };
}

export type AllergyService = ReturnType<typeof createAllergyService>;

/** A resident's allergies follow it to another company (the transfer between ECP accounts), inside the caller's transaction. @returns how many. */
export function moveResidentAllergies(tx: Executor, residentId: number, organizationId: number): Promise<number> {
  return store.moveResidentAllergies(tx, residentId, organizationId);
}
