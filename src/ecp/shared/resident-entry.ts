/**
 * The resident part of each entry of the clinical GET lists (seed 000 vitals, allergy and diagnosis GETs):
 * `location, firstName, lastName, dateOfBirth, residentId, externalIds: [{name: value}]`, shared by those features.
 */
/** `externalIds` as the GET responses list them: an array of `{name: value}` objects (seed 000). */
export function externalIdList(externalIds: unknown): Array<Record<string, string>> {
  return Object.entries((externalIds ?? {}) as Record<string, string>).map(([k, v]) => ({ [k]: v }));
}

/** The resident part of an entry on the wire, from a row selected with `residentEntryColumns` (`shared/store.ts`). */
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
