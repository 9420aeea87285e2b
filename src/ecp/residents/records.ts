/**
 * What the clinical GET endpoints share (seed 000 vitals, allergy and diagnosis GETs): the location parameter
 * (`location` or `locationId`, each a name or GUID), the optional date range, and the resident part of each
 * entry (`location, firstName, lastName, dateOfBirth, residentId, externalIds: [{name: value}]`).
 */
import { ecpLocations, ecpResidents } from '../../db/schema.ts';
import { ValidationError } from '../../platform/errors.ts';
import { externalIdList } from './matching.ts';
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

/** Select columns of the resident part of an entry (join `ecp_residents` and `ecp_locations`). */
export const residentEntryColumns = {
  location: ecpLocations.name,
  firstName: ecpResidents.firstName,
  lastName: ecpResidents.lastName,
  dateOfBirth: ecpResidents.dateOfBirth,
  residentId: ecpResidents.guid,
  externalIds: ecpResidents.externalIds,
};

/** The resident part of an entry on the wire, from a row selected with `residentEntryColumns`. */
export function residentEntry(r: { location: string; firstName: string; lastName: string; dateOfBirth: string; residentId: string; externalIds: unknown }) {
  return {
    location: r.location,
    firstName: r.firstName,
    lastName: r.lastName,
    dateOfBirth: r.dateOfBirth,
    residentId: r.residentId,
    externalIds: externalIdList(r.externalIds),
  };
}
