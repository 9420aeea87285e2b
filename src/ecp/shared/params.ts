/**
 * Request parameters the clinical GET endpoints share (seed 000 resident, vitals, allergy and diagnosis GETs): the page
 * size, the location parameter (`location` or `locationId`, each a name or GUID) and the optional date range.
 */
import { ValidationError } from '../../platform/errors.ts';
import { isFilled } from '../../platform/validation.ts';

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
 * Checks an optional `startingDateTime` .. `endingDateTime` range (ISO 8601, both inclusive).
 * @throws ValidationError when the end is before the start.
 */
export function checkRange(query: { startingDateTime?: string; endingDateTime?: string }): void {
  if (query.startingDateTime && query.endingDateTime && new Date(query.startingDateTime) > new Date(query.endingDateTime)) {
    throw new ValidationError(['endingDateTime must not be before startingDateTime']);
  }
}
