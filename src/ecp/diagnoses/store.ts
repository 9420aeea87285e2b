/** SQL of ECP diagnoses for standards-based reads (the FHIR door's Condition read and search). */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';

/** A search of diagnoses, always within `locationIds` (the location the diagnosis was recorded at). */
export interface DiagnosisSearchFilter {
  locationIds: number[];
  /** Upper-case diagnosis GUIDs (a read by id). */
  guids?: string[];
  /** Upper-case resident GUIDs. */
  residentGuids?: string[];
  /** Undotted ICD-10-CM codes. */
  codes?: string[];
  /** Inclusive bounds of the time recorded. */
  from?: Date;
  to?: Date;
  afterId?: number;
  limit: number;
}

/** One diagnosis found by `searchDiagnoses`, with its resident's GUID. */
export interface FoundDiagnosis {
  /** Row id: the keyset paging key. */
  id: number;
  guid: string;
  /** Undotted ICD-10-CM code, or null (text only). */
  code: string | null;
  /** The code set's description of the code, or the text recorded. */
  diagnosis: string | null;
  comment: string | null;
  /** The fiscal year of the code set the code was checked against; null: syntax only. */
  codeSetYear: number | null;
  recordedAt: Date;
  createdAt: Date;
  residentGuid: string;
}

/** The diagnoses `f` selects, `id` ascending after `f.afterId` (keyset paging), at most `f.limit`. */
export async function searchDiagnoses(db: Executor, f: DiagnosisSearchFilter): Promise<FoundDiagnosis[]> {
  if (!f.locationIds.length || f.guids?.length === 0 || f.residentGuids?.length === 0 || f.codes?.length === 0) return [];
  const where: SQL[] = [sql`d.location_id = ANY(${sql.param(f.locationIds)}::int[])`];
  if (f.guids) where.push(sql`d.guid = ANY(${sql.param(f.guids)}::text[])`);
  if (f.residentGuids) where.push(sql`r.guid = ANY(${sql.param(f.residentGuids)}::text[])`);
  if (f.codes) where.push(sql`d.code = ANY(${sql.param(f.codes)}::text[])`);
  if (f.from) where.push(sql`d.recorded_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) where.push(sql`d.recorded_at <= ${f.to.toISOString()}::timestamptz`);
  if (f.afterId !== undefined) where.push(sql`d.id > ${f.afterId}`);
  const result = await db.execute<{
    id: number; guid: string; code: string | null; diagnosis: string | null; comment: string | null; code_set_year: number | null;
    recorded_at: string; created_at: string; resident_guid: string;
  }>(sql`
    SELECT d.id, d.guid, d.code, d.diagnosis, d.comment, d.code_set_year, to_json(d.recorded_at) #>> '{}' AS recorded_at,
      to_json(d.created_at) #>> '{}' AS created_at, r.guid AS resident_guid
    FROM ecp_diagnoses d JOIN ecp_residents r ON r.id = d.resident_id
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY d.id LIMIT ${f.limit}`);
  return result.rows.map((x) => ({
    id: Number(x.id), guid: x.guid, code: x.code, diagnosis: x.diagnosis, comment: x.comment, codeSetYear: x.code_set_year === null ? null : Number(x.code_set_year),
    recordedAt: new Date(x.recorded_at), createdAt: new Date(x.created_at), residentGuid: x.resident_guid,
  }));
}
