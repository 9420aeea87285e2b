/**
 * The resident part of each entry of the clinical GET lists (seed 000 vitals, allergy and diagnosis GETs):
 * `location, firstName, lastName, dateOfBirth, residentId, externalIds: [{name: value}]`, shared by those features.
 */
import { ecpLocations, ecpResidents } from '../../db/schema.ts';

/** `externalIds` as the GET responses list them: an array of `{name: value}` objects (seed 000). */
export function externalIdList(externalIds: unknown): Array<Record<string, string>> {
  return Object.entries((externalIds ?? {}) as Record<string, string>).map(([k, v]) => ({ [k]: v }));
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
