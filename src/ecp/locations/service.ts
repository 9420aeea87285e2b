/**
 * The locations a partner client may reach, and resolution of a `location` / `locationId` parameter:
 * the seed passes GUIDs in some examples and names in others, so either is accepted (case-insensitive
 * GUID, exact name). A location the client may not reach is `location is invalid`, exactly like one that
 * does not exist (no leak of its existence).
 */
import { ValidationError } from '../../platform/errors.ts';
import type { EcpActor } from '../auth.ts';
import type { LocationRow } from '../clients/store.ts';

export type { LocationRow };

/**
 * The reachable location named or identified by `value` among `locations` (the actor's, read at authentication).
 * @returns undefined when none: the caller answers `location is invalid`.
 */
export function findReachableLocation(locations: LocationRow[], value: string | undefined): LocationRow | undefined {
  const v = (value ?? '').trim();
  return locations.find((l) => l.guid === v.toUpperCase() || l.name === v);
}

/** Resolution runs on the locations the authentication statement read with the client (`EcpActor.locations`): no statement. */
export function createLocationService() {
  return {
    /** `GET /clinical/v1/location`: the names of the reachable locations, sorted. */
    async names(actor: EcpActor): Promise<string[]> {
      return actor.locations.map((l) => l.name);
    },
    /**
     * The reachable location named or identified by `value`, from `actor.locations` (no statement).
     * @throws ValidationError `location is invalid`.
     */
    async resolve(actor: EcpActor, value: string | undefined): Promise<LocationRow> {
      const found = findReachableLocation(actor.locations, value);
      if (!found) throw new ValidationError(['location is invalid']);
      return found;
    },
  };
}

export type LocationService = ReturnType<typeof createLocationService>;
