/**
 * SQL of ECP resident diagnoses: insert one, and the page of `GET /clinical/v1/resident/diagnosis` (a location's
 * diagnoses in a time range, with the resident part of a clinical entry and the recording user's login name), and the
 * move of a resident's diagnoses to another company's location (transfers), and the FHIR door's Condition read and
 * search.
 */
import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpDiagnoses, ecpLocations, ecpResidents, ecpUsers } from '../../db/schema.ts';
import { residentEntryColumns } from '../shared/store.ts';

export type NewDiagnosisRow = typeof ecpDiagnoses.$inferInsert;

/** Inserts one diagnosis. */
export async function insertDiagnosis(tx: Executor, values: NewDiagnosisRow): Promise<void> {
  await tx.insert(ecpDiagnoses).values(values);
}

/** Which diagnoses a list shows: the location (of the company), and an optional inclusive range of `recordedAt`. */
export interface DiagnosisListFilter {
  organizationId: number;
  locationId: number;
  from?: Date | null;
  to?: Date | null;
}

/**
 * One page (`limit` rows from `offset`) of the diagnoses `filter` selects, oldest first (timestamp, then order of
 * recording), and the total count.
 */
export async function listDiagnoses(tx: Executor, filter: DiagnosisListFilter, limit: number, offset: number) {
  const where: SQL[] = [eq(ecpDiagnoses.locationId, filter.locationId), eq(ecpDiagnoses.organizationId, filter.organizationId)];
  if (filter.from) where.push(gte(ecpDiagnoses.recordedAt, filter.from));
  if (filter.to) where.push(lte(ecpDiagnoses.recordedAt, filter.to));
  const [{ total }] = await tx.select({ total: sql<number>`count(*)::int` }).from(ecpDiagnoses).where(and(...where));
  const rows = await tx
    .select({
      code: ecpDiagnoses.code,
      diagnosis: ecpDiagnoses.diagnosis,
      comment: ecpDiagnoses.comment,
      recordedAt: ecpDiagnoses.recordedAt,
      ...residentEntryColumns,
      loginName: ecpUsers.loginName,
    })
    .from(ecpDiagnoses)
    .innerJoin(ecpResidents, eq(ecpResidents.id, ecpDiagnoses.residentId))
    .innerJoin(ecpUsers, eq(ecpUsers.id, ecpDiagnoses.userId))
    .innerJoin(ecpLocations, eq(ecpLocations.id, ecpDiagnoses.locationId))
    .where(and(...where))
    .orderBy(asc(ecpDiagnoses.recordedAt), asc(ecpDiagnoses.id))
    .limit(limit)
    .offset(offset);
  return { total, rows };
}

/** Moves the resident's diagnoses to company `organizationId`'s location `locationId` (a transfer). @returns how many. */
export async function moveResidentDiagnoses(tx: Executor, residentId: number, organizationId: number, locationId: number): Promise<number> {
  const rows = await tx.update(ecpDiagnoses).set({ organizationId, locationId }).where(eq(ecpDiagnoses.residentId, residentId)).returning({ id: ecpDiagnoses.id });
  return rows.length;
}

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
  /** Inclusive lower bound of `created_at` (its `meta.lastUpdated`). */
  createdFrom?: Date;
  /** Inclusive upper bound of `created_at`. */
  createdTo?: Date;
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
  if (f.createdFrom) where.push(sql`d.created_at >= ${f.createdFrom.toISOString()}::timestamptz`);
  if (f.createdTo) where.push(sql`d.created_at <= ${f.createdTo.toISOString()}::timestamptz`);
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

/** One diagnosis of a resident as the community workspace's Diagnoses tab lists it, with who recorded it. */
export interface ResidentDiagnosisRow {
  guid: string;
  /** Undotted, or null (text only). */
  code: string | null;
  diagnosis: string | null;
  comment: string | null;
  recordedAt: Date;
  loginName: string;
  firstName: string;
  lastName: string;
}

/** The diagnoses of the resident `residentId` (row id) in company `organizationId`, newest first. */
export async function diagnosesOfResident(db: Executor, organizationId: number, residentId: number): Promise<ResidentDiagnosisRow[]> {
  return db.select({
    guid: ecpDiagnoses.guid, code: ecpDiagnoses.code, diagnosis: ecpDiagnoses.diagnosis, comment: ecpDiagnoses.comment, recordedAt: ecpDiagnoses.recordedAt,
    loginName: ecpUsers.loginName, firstName: ecpUsers.firstName, lastName: ecpUsers.lastName,
  }).from(ecpDiagnoses)
    .innerJoin(ecpUsers, eq(ecpUsers.id, ecpDiagnoses.userId))
    .where(and(eq(ecpDiagnoses.organizationId, organizationId), eq(ecpDiagnoses.residentId, residentId)))
    .orderBy(sql`${ecpDiagnoses.recordedAt} DESC`, sql`${ecpDiagnoses.id} DESC`);
}

/** Inserts one diagnosis. @returns its GUID. */
export async function insertDiagnosisReturningGuid(tx: Executor, values: NewDiagnosisRow): Promise<string> {
  const [row] = await tx.insert(ecpDiagnoses).values(values).returning({ guid: ecpDiagnoses.guid });
  return row.guid;
}

/** Deletes the diagnosis `guid` (upper case) of the resident `residentId` (row id) in company `organizationId`. @returns whether one was deleted. */
export async function deleteResidentDiagnosis(tx: Executor, organizationId: number, residentId: number, guid: string): Promise<boolean> {
  const rows = await tx.delete(ecpDiagnoses)
    .where(and(eq(ecpDiagnoses.organizationId, organizationId), eq(ecpDiagnoses.residentId, residentId), eq(ecpDiagnoses.guid, guid)))
    .returning({ id: ecpDiagnoses.id });
  return rows.length > 0;
}
