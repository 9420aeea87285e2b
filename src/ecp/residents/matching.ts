/**
 * Resident matching for the clinical endpoints (seed 000 vitals, allergy and diagnosis parameters; ARCHITECTURE.md
 * "Decisions": `residentId`, then `externalIdName` + `externalIdValue`, then `firstName` + `lastName` +
 * `dateOfBirth`). The search is limited to the location the request names; discharged residents do not match.
 * No match and several matches are distinct errors that say which identification failed.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpResidents } from '../../db/schema.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { LocationRow } from '../locations/service.ts';
import { isFilled } from '../../platform/validation.ts';

export type ResidentRow = typeof ecpResidents.$inferSelect;

/** The identification fields a request may carry (any subset). */
export interface ResidentIdentity {
  residentId?: string;
  externalIdName?: string;
  externalIdValue?: string;
  firstName?: string;
  lastName?: string;
  dateOfBirth?: string;
}


/**
 * The one resident at `location` that `id` identifies.
 * @throws ValidationError naming the mode: none given, incomplete pair/triple, no match, several matches.
 */
export async function matchResident(tx: Executor, location: LocationRow, id: ResidentIdentity): Promise<ResidentRow> {
  const atLocation = and(eq(ecpResidents.locationId, location.id), isNull(ecpResidents.dischargedAt));
  if (isFilled(id.residentId)) {
    const rows = await tx.select().from(ecpResidents).where(and(atLocation, eq(ecpResidents.guid, id.residentId.trim().toUpperCase())));
    if (!rows.length) throw new ValidationError([`No resident at this location has residentId ${id.residentId.trim()}`]);
    return rows[0];
  }
  if (isFilled(id.externalIdName) || isFilled(id.externalIdValue)) {
    if (!isFilled(id.externalIdName)) throw new ValidationError(['externalIdName is required with externalIdValue']);
    if (!isFilled(id.externalIdValue)) throw new ValidationError(['externalIdValue is required with externalIdName']);
    const wanted = JSON.stringify({ [id.externalIdName.trim()]: id.externalIdValue.trim() });
    const rows = await tx.select().from(ecpResidents).where(and(atLocation, sql`${ecpResidents.externalIds} @> ${wanted}::jsonb`)).limit(2);
    if (!rows.length) throw new ValidationError([`No resident at this location has the external id ${id.externalIdName.trim()} = ${id.externalIdValue.trim()}`]);
    if (rows.length > 1) throw new ValidationError([`Several residents at this location have the external id ${id.externalIdName.trim()} = ${id.externalIdValue.trim()}; use residentId`]);
    return rows[0];
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
  const rows = await tx
    .select()
    .from(ecpResidents)
    .where(and(
      atLocation,
      sql`lower(${ecpResidents.firstName}) = lower(${id.firstName!.trim()})`,
      sql`lower(${ecpResidents.lastName}) = lower(${id.lastName!.trim()})`,
      eq(ecpResidents.dateOfBirth, id.dateOfBirth!.trim()),
    ))
    .limit(2);
  if (!rows.length) throw new ValidationError(['No resident at this location matches firstName, lastName and dateOfBirth']);
  if (rows.length > 1) {
    throw new ValidationError(['Several residents at this location match firstName, lastName and dateOfBirth; identify the resident by residentId or an external id']);
  }
  return rows[0];
}

/** `externalIds` as the GET responses list them: an array of `{name: value}` objects (seed 000). */
export function externalIdList(externalIds: unknown): Array<Record<string, string>> {
  return Object.entries((externalIds ?? {}) as Record<string, string>).map(([k, v]) => ({ [k]: v }));
}
