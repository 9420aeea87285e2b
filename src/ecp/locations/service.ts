/**
 * The locations a partner client may reach, and resolution of a `location` / `locationId` parameter:
 * the seed passes GUIDs in some examples and names in others, so either is accepted (case-insensitive
 * GUID, exact name). A location the client may not reach is `location is invalid`, exactly like one that
 * does not exist (no leak of its existence).
 */
import { ValidationError } from '../../platform/errors.ts';
import { parseInstantIn } from '../../platform/time.ts';
import type { EcpActor } from '../auth.ts';
import type { LocationRow, ReachableLocation } from '../clients/service.ts';

export type { LocationRow, ReachableLocation };

/**
 * The reachable location named or identified by `value` among `locations` (the actor's, read at authentication).
 * @returns undefined when none: the caller answers `location is invalid`.
 */
export function findReachableLocation(locations: ReachableLocation[], value: string | undefined): ReachableLocation | undefined {
  const v = (value ?? '').trim();
  return locations.find((l) => l.guid === v.toUpperCase() || l.name === v);
}

/**
 * The instant an ECP request timestamp names at `location` (ARCHITECTURE.md, "Time zones"; seed 000 asks only for
 * ISO 8601): with a UTC offset, that instant; without one, that wall time in the location's zone (its own, else its
 * company's); a date alone (`2014-03-12`), the start of that day there.
 * @param field the wire name, for the error.
 * @throws ValidationError `<field> must be an ISO 8601 date and time` (the schema's `iso-date-time` format lets only
 *   readable values through, so this is a guard).
 */
export function instantAt(location: ReachableLocation, text: string, field = 'timestamp'): Date {
  const at = parseInstantIn(text, location.zone);
  if (!at) throw new ValidationError([`${field} must be an ISO 8601 date and time`]);
  return at;
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
    async resolve(actor: EcpActor, value: string | undefined): Promise<ReachableLocation> {
      const found = findReachableLocation(actor.locations, value);
      if (!found) throw new ValidationError(['location is invalid']);
      return found;
    },
  };
}

export type LocationService = ReturnType<typeof createLocationService>;
