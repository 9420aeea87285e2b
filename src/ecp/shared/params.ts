/**
 * Request parameters the clinical GET endpoints share (seed 000 resident, vitals, allergy and diagnosis GETs): the page
 * size, the location parameter (`location` or `locationId`, each a name or GUID) and the optional date range.
 */
import { ValidationError } from '../../platform/errors.ts';
import { isFilled } from '../../platform/validation.ts';
import { instantAt, type ReachableLocation } from '../locations/service.ts';

/** Entries per page of every ECP list (seed 000: "paginated into batches of 100"). */
export const ECP_PAGE_SIZE = 100;

/**
 * The location a request names: `locationId` when given, else `location`.
 * @throws ValidationError `location or locationId is required`.
 */
export function locationParam(input: { location?: string; locationId?: string }): string {
  if (isFilled(input.locationId)) return input.locationId;
  if (isFilled(input.location)) return input.location;
  throw new ValidationError(['location or locationId is required']);
}

/**
 * An optional `startingDateTime` .. `endingDateTime` range (ISO 8601, both inclusive) as instants at `location`: an
 * offset-less bound is read in the location's time zone, a date alone is the start of that day there (`instantAt`).
 * @returns `{from, to}`, null for a bound not given.
 * @throws ValidationError when the end is before the start.
 */
export function instantRange(location: ReachableLocation, query: { startingDateTime?: string; endingDateTime?: string }): { from: Date | null; to: Date | null } {
  const from = query.startingDateTime ? instantAt(location, query.startingDateTime, 'startingDateTime') : null;
  const to = query.endingDateTime ? instantAt(location, query.endingDateTime, 'endingDateTime') : null;
  if (from && to && from > to) throw new ValidationError(['endingDateTime must not be before startingDateTime']);
  return { from, to };
}
