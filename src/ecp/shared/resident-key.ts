/**
 * How a clinical request identifies its resident, shared by the ECP features that take one (seed 000 vitals, allergy
 * and diagnosis parameters; ARCHITECTURE.md "Decisions": `residentId`, then `externalIdName` + `externalIdValue`, then
 * `firstName` + `lastName` + `dateOfBirth`). The search is limited to the location the request names; discharged
 * residents do not match. No match and several matches are distinct errors that say which identification failed.
 * `residentKeySql` (`shared/store.ts`) is the one condition on `ecp_residents` each mode stands for, so the residents
 * store and the single-statement stores of other features (vitals) match alike; this file holds no SQL.
 */
import { ValidationError } from '../../platform/errors.ts';
import { isFilled } from '../../platform/validation.ts';

/** The identification fields a request may carry (any subset). */
export interface ResidentIdentity {
  residentId?: string;
  externalIdName?: string;
  externalIdValue?: string;
  firstName?: string;
  lastName?: string;
  dateOfBirth?: string;
}


/** How a request identifies its resident, checked and trimmed: one of the three modes. */
export type ResidentKey =
  | { mode: 'guid'; residentId: string; guid: string }
  | { mode: 'external'; name: string; value: string }
  | { mode: 'name'; firstName: string; lastName: string; dateOfBirth: string };

/**
 * The identification `id` gives, in the order of ARCHITECTURE.md "Decisions" (no statement).
 * @throws ValidationError when none is given, a pair or triple is incomplete, or dateOfBirth is not a real date.
 */
export function residentKey(id: ResidentIdentity): ResidentKey {
  if (isFilled(id.residentId)) return { mode: 'guid', residentId: id.residentId.trim(), guid: id.residentId.trim().toUpperCase() };
  if (isFilled(id.externalIdName) || isFilled(id.externalIdValue)) {
    if (!isFilled(id.externalIdName)) throw new ValidationError(['externalIdName is required with externalIdValue']);
    if (!isFilled(id.externalIdValue)) throw new ValidationError(['externalIdValue is required with externalIdName']);
    return { mode: 'external', name: id.externalIdName.trim(), value: id.externalIdValue.trim() };
  }
  const triple = [id.firstName, id.lastName, id.dateOfBirth];
  if (triple.every((v) => !isFilled(v))) {
    throw new ValidationError(['Identify the resident by residentId, by externalIdName and externalIdValue, or by firstName, lastName and dateOfBirth']);
  }
  const missing = (['firstName', 'lastName', 'dateOfBirth'] as const).filter((k) => !isFilled(id[k]));
  if (missing.length) throw new ValidationError([`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required to identify the resident by name and date of birth`]);
  const dob = id.dateOfBirth!.trim();
  // A real calendar date: `Date` rolls 1950-02-30 over to March 2, so compare the round trip.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dob) || Number.isNaN(Date.parse(dob)) || new Date(dob).toISOString().slice(0, 10) !== dob) {
    throw new ValidationError(['dateOfBirth must be a date in YYYY-MM-DD format']);
  }
  return { mode: 'name', firstName: id.firstName!.trim(), lastName: id.lastName!.trim(), dateOfBirth: dob };
}

/** The values `residentKeySql` (`shared/store.ts`) reads (by placeholder name), from a key of that mode. */
export function residentKeyValues(key: ResidentKey): Record<string, string> {
  switch (key.mode) {
    case 'guid': return { resident_guid: key.guid };
    case 'external': return { resident_external_id: JSON.stringify({ [key.name]: key.value }) };
    case 'name': return { resident_first_name: key.firstName, resident_last_name: key.lastName, resident_date_of_birth: key.dateOfBirth };
  }
}

/**
 * Why `matches` residents (0, 1, or 2 meaning "several"; count them with `LIMIT 2`) do not identify one.
 * @returns the sentence of the error, or undefined when exactly one matched.
 */
export function residentMatchProblem(key: ResidentKey, matches: number): string | undefined {
  if (matches === 1) return undefined;
  const none = matches === 0;
  switch (key.mode) {
    case 'guid': return none ? `No resident at this location has residentId ${key.residentId}` : undefined;
    case 'external': return none
      ? `No resident at this location has the external id ${key.name} = ${key.value}`
      : `Several residents at this location have the external id ${key.name} = ${key.value}; use residentId`;
    case 'name': return none
      ? 'No resident at this location matches firstName, lastName and dateOfBirth'
      : 'Several residents at this location match firstName, lastName and dateOfBirth; identify the resident by residentId or an external id';
  }
}
