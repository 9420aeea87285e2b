/**
 * The locations a partner client may reach, and resolution of a `location` / `locationId` parameter:
 * the seed passes GUIDs in some examples and names in others, so either is accepted (case-insensitive
 * GUID, exact name). A location the client may not reach is `location is invalid`, exactly like one that
 * does not exist (no leak of its existence).
 */
import { inArray } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.ts';
import { ecpLocations } from '../../db/schema.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { PartnerActor } from '../auth.ts';

export type LocationRow = typeof ecpLocations.$inferSelect;

export function createLocationService({ db }: { db: Db }) {
  async function reachable(tx: Executor, actor: PartnerActor): Promise<LocationRow[]> {
    if (actor.locationIds.length === 0) return [];
    return tx.select().from(ecpLocations).where(inArray(ecpLocations.id, actor.locationIds)).orderBy(ecpLocations.name);
  }
  return {
    /** `GET /clinical/v1/location`: the names of the reachable locations, sorted. */
    async names(actor: PartnerActor): Promise<string[]> {
      return (await reachable(db, actor)).map((l) => l.name);
    },
    /**
     * The reachable location named or identified by `value`.
     * @throws ValidationError `location is invalid`.
     */
    async resolve(tx: Executor, actor: PartnerActor, value: string | undefined): Promise<LocationRow> {
      const v = (value ?? '').trim();
      const found = (await reachable(tx, actor)).find((l) => l.guid === v.toUpperCase() || l.name === v);
      if (!found) throw new ValidationError(['location is invalid']);
      return found;
    },
  };
}

export type LocationService = ReturnType<typeof createLocationService>;
