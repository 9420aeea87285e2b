/** SQL of ECP allergies for standards-based reads (the FHIR door's AllergyIntolerance read and search). */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';

/** A search of allergies, always within `locationIds` (the resident's location must be one of them). */
export interface AllergySearchFilter {
  locationIds: number[];
  /** Upper-case allergy GUIDs (a read by id). */
  guids?: string[];
  /** Upper-case resident GUIDs. */
  residentGuids?: string[];
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
  if (f.afterId !== undefined) where.push(sql`a.id > ${f.afterId}`);
  const result = await db.execute<{ id: number; guid: string; allergy: string; created_at: string; resident_guid: string }>(sql`
    SELECT a.id, a.guid, a.allergy, to_json(a.created_at) #>> '{}' AS created_at, r.guid AS resident_guid
    FROM ecp_allergies a JOIN ecp_residents r ON r.id = a.resident_id
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY a.id LIMIT ${f.limit}`);
  return result.rows.map((x) => ({ id: Number(x.id), guid: x.guid, allergy: x.allergy, createdAt: new Date(x.created_at), residentGuid: x.resident_guid }));
}
