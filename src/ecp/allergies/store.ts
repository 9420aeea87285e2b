/**
 * SQL of ECP resident allergies: a resident's list (read, add, remove, the community workspace's saved list), the page
 * of `GET /clinical/v1/resident/allergy`, the names of many residents' allergies (the resident list shows them, through
 * the allergies service), the move of a resident's allergies to another company (transfers), and the FHIR door's
 * AllergyIntolerance read and search.
 */
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.ts';
import { ecpAllergies, ecpLocations, ecpResidents } from '../../db/schema.ts';
import { residentEntryColumns } from '../shared/store.ts';

export type NewAllergyRow = typeof ecpAllergies.$inferInsert;

/** A resident's allergies, case-insensitively alphabetical. */
export async function allergiesOf(tx: Executor, residentId: number): Promise<string[]> {
  const rows = await tx.select({ allergy: ecpAllergies.allergy }).from(ecpAllergies)
    .where(eq(ecpAllergies.residentId, residentId)).orderBy(asc(sql`lower(${ecpAllergies.allergy})`));
  return rows.map((r) => r.allergy);
}

/** Inserts one allergy unless the resident already has it (the unique index is case-insensitive). @returns whether it inserted. */
export async function addAllergy(tx: Executor, values: NewAllergyRow): Promise<boolean> {
  const inserted = await tx.insert(ecpAllergies).values(values).onConflictDoNothing().returning({ id: ecpAllergies.id });
  return inserted.length > 0;
}

/** Inserts allergy rows as given (no conflict handling: the caller knows they are new). */
export async function insertAllergies(tx: Executor, values: NewAllergyRow[]): Promise<void> {
  if (values.length) await tx.insert(ecpAllergies).values(values);
}

/** Deletes the resident's allergy `allergy` (case-insensitive). @returns whether one was there. */
export async function removeAllergy(tx: Executor, residentId: number, allergy: string): Promise<boolean> {
  const removed = await tx.delete(ecpAllergies)
    .where(and(eq(ecpAllergies.residentId, residentId), sql`lower(${ecpAllergies.allergy}) = lower(${allergy})`))
    .returning({ id: ecpAllergies.id });
  return removed.length > 0;
}

/**
 * One page (`limit` rows from `offset`) of the allergies of the location's current (not discharged) residents, by the
 * resident's last name, first name and id, then allergy; each with the resident part of a clinical entry; and the total.
 */
export async function listLocationAllergies(db: Db, locationId: number, limit: number, offset: number) {
  const where = and(eq(ecpResidents.locationId, locationId), isNull(ecpResidents.dischargedAt));
  const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(ecpAllergies)
    .innerJoin(ecpResidents, eq(ecpResidents.id, ecpAllergies.residentId)).where(where);
  const rows = await db
    .select({
      allergy: ecpAllergies.allergy,
      ...residentEntryColumns,
    })
    .from(ecpAllergies)
    .innerJoin(ecpResidents, eq(ecpResidents.id, ecpAllergies.residentId))
    .innerJoin(ecpLocations, eq(ecpLocations.id, ecpResidents.locationId))
    .where(where)
    .orderBy(asc(ecpResidents.lastName), asc(ecpResidents.firstName), asc(ecpResidents.id), asc(sql`lower(${ecpAllergies.allergy})`))
    .limit(limit)
    .offset(offset);
  return { total, rows };
}

/** The allergies of the residents `residentIds` (row ids), case-insensitively alphabetical. */
export async function allergyNamesOf(db: Db, residentIds: number[]): Promise<Array<{ residentId: number; allergy: string }>> {
  if (!residentIds.length) return [];
  return db.select({ residentId: ecpAllergies.residentId, allergy: ecpAllergies.allergy }).from(ecpAllergies)
    .where(inArray(ecpAllergies.residentId, residentIds)).orderBy(asc(sql`lower(${ecpAllergies.allergy})`));
}

/** How many allergy rows company `organizationId` has. */
export async function countAllergies(db: Executor, organizationId: number): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(ecpAllergies).where(eq(ecpAllergies.organizationId, organizationId));
  return count;
}

/** Deletes the resident's allergies spelled exactly as in `allergies` (the saved list's removals). */
export async function deleteAllergiesExactly(tx: Executor, residentId: number, allergies: string[]): Promise<void> {
  for (const a of allergies) await tx.delete(ecpAllergies).where(and(eq(ecpAllergies.residentId, residentId), eq(ecpAllergies.allergy, a)));
}

/** Moves the resident's allergies to company `organizationId` (a transfer between ECP accounts). @returns how many. */
export async function moveResidentAllergies(tx: Executor, residentId: number, organizationId: number): Promise<number> {
  const rows = await tx.update(ecpAllergies).set({ organizationId }).where(eq(ecpAllergies.residentId, residentId)).returning({ id: ecpAllergies.id });
  return rows.length;
}

/** A search of allergies, always within `locationIds` (the resident's location must be one of them). */
export interface AllergySearchFilter {
  locationIds: number[];
  /** Upper-case allergy GUIDs (a read by id). */
  guids?: string[];
  /** Upper-case resident GUIDs. */
  residentGuids?: string[];
  /** Inclusive lower bound of `created_at` (its `meta.lastUpdated`). */
  createdFrom?: Date;
  /** Inclusive upper bound of `created_at`. */
  createdTo?: Date;
  afterId?: number;
  limit: number;
}

/** One allergy found by `searchAllergies`, with its resident's GUID. */
export interface FoundAllergy {
  /** Row id: the keyset paging key. */
  id: number;
  guid: string;
  allergy: string;
  createdAt: Date;
  residentGuid: string;
}

/** The allergies `f` selects, `id` ascending after `f.afterId` (keyset paging), at most `f.limit`. */
export async function searchAllergies(db: Executor, f: AllergySearchFilter): Promise<FoundAllergy[]> {
  if (!f.locationIds.length || f.guids?.length === 0 || f.residentGuids?.length === 0) return [];
  const where: SQL[] = [sql`r.location_id = ANY(${sql.param(f.locationIds)}::int[])`];
  if (f.guids) where.push(sql`a.guid = ANY(${sql.param(f.guids)}::text[])`);
  if (f.residentGuids) where.push(sql`r.guid = ANY(${sql.param(f.residentGuids)}::text[])`);
  if (f.createdFrom) where.push(sql`a.created_at >= ${f.createdFrom.toISOString()}::timestamptz`);
  if (f.createdTo) where.push(sql`a.created_at <= ${f.createdTo.toISOString()}::timestamptz`);
  if (f.afterId !== undefined) where.push(sql`a.id > ${f.afterId}`);
  const result = await db.execute<{ id: number; guid: string; allergy: string; created_at: string; resident_guid: string }>(sql`
    SELECT a.id, a.guid, a.allergy, to_json(a.created_at) #>> '{}' AS created_at, r.guid AS resident_guid
    FROM ecp_allergies a JOIN ecp_residents r ON r.id = a.resident_id
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY a.id LIMIT ${f.limit}`);
  return result.rows.map((x) => ({ id: Number(x.id), guid: x.guid, allergy: x.allergy, createdAt: new Date(x.created_at), residentGuid: x.resident_guid }));
}
