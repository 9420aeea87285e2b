/**
 * SQL of the ICD-10-CM code sets: the imported fiscal years, replacing one year's set (lock, delete, insert in
 * batches), one code of a year, a header's billable codes, and the search by code prefix or description words.
 */
import { and, asc, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { icd10cmCodes, icd10cmCodeSets } from '../../db/schema.ts';
import { escapeLike } from '../../platform/values.ts';
import type { Icd10cmEntry } from './icd10cm-file.ts';

export type Icd10cmCodeRow = typeof icd10cmCodes.$inferSelect;

/** The imported fiscal years, oldest first. */
export async function loadedYears(tx: Executor): Promise<number[]> {
  const rows = await tx.select({ y: icd10cmCodeSets.fiscalYear }).from(icd10cmCodeSets).orderBy(asc(icd10cmCodeSets.fiscalYear));
  return rows.map((r) => r.y);
}

/** Serialises imports until the transaction ends (several processes may start with ICD10CM_FILE at once). */
export async function lockImports(tx: Executor): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('icd10cm_import'))`);
}

/** True when the fiscal year's set is imported. */
export async function codeSetExists(tx: Executor, fiscalYear: number): Promise<boolean> {
  const [existing] = await tx.select().from(icd10cmCodeSets).where(eq(icd10cmCodeSets.fiscalYear, fiscalYear));
  return Boolean(existing);
}

/** Replaces the fiscal year's set row (its codes go with the old one: ON DELETE CASCADE). */
export async function replaceCodeSet(tx: Executor, values: typeof icd10cmCodeSets.$inferInsert): Promise<void> {
  await tx.delete(icd10cmCodeSets).where(eq(icd10cmCodeSets.fiscalYear, values.fiscalYear));
  await tx.insert(icd10cmCodeSets).values(values);
}

/**
 * Inserts one batch as four array parameters unnested by PostgreSQL: building a 5,000-row VALUES list takes the
 * query builder longer than the database takes to insert it. Most of an import's time is the trigram index.
 */
export async function insertCodes(tx: Executor, fiscalYear: number, batch: Icd10cmEntry[]): Promise<void> {
  await tx.execute(sql`
    INSERT INTO ${icd10cmCodes} (fiscal_year, code, billable, short_description, long_description)
    SELECT ${fiscalYear}::int, * FROM unnest(
      ${sql.param(batch.map((e) => e.code))}::text[],
      ${sql.param(batch.map((e) => e.billable))}::boolean[],
      ${sql.param(batch.map((e) => e.shortDescription))}::text[],
      ${sql.param(batch.map((e) => e.longDescription))}::text[])`);
}

/** The undotted code `code` of the fiscal year's set, if any. */
export async function codeOf(tx: Executor, fiscalYear: number, code: string): Promise<Icd10cmCodeRow | undefined> {
  const [row] = await tx
    .select()
    .from(icd10cmCodes)
    .where(and(eq(icd10cmCodes.fiscalYear, fiscalYear), eq(icd10cmCodes.code, code)));
  return row;
}

/** Up to `limit` billable codes of the fiscal year that start with `prefix` (undotted), by code. */
export async function billableCodesUnder(tx: Executor, fiscalYear: number, prefix: string, limit: number): Promise<string[]> {
  const rows = await tx
    .select({ code: icd10cmCodes.code })
    .from(icd10cmCodes)
    .where(and(eq(icd10cmCodes.fiscalYear, fiscalYear), eq(icd10cmCodes.billable, true), sql`starts_with(${icd10cmCodes.code}, ${prefix})`))
    .orderBy(asc(icd10cmCodes.code))
    .limit(limit);
  return rows.map((r) => r.code);
}

/** What a search looks for: codes starting with an undotted prefix, or long descriptions containing every word. */
export type CodeSearch = { prefix: string } | { words: string[] };

/**
 * Up to `limit` codes of the fiscal year `search` finds (undotted), billable first; then by code (prefix search) or
 * by description length, then code (word search: shorter descriptions are the more general matches).
 */
export async function searchCodes(tx: Executor, fiscalYear: number, search: CodeSearch, limit: number) {
  const where: SQL[] = [eq(icd10cmCodes.fiscalYear, fiscalYear)];
  let order: SQL[];
  if ('prefix' in search) {
    where.push(sql`starts_with(${icd10cmCodes.code}, ${search.prefix})`);
    order = [desc(icd10cmCodes.billable), asc(icd10cmCodes.code)];
  } else {
    for (const w of search.words) where.push(ilike(icd10cmCodes.longDescription, `%${escapeLike(w)}%`));
    order = [desc(icd10cmCodes.billable), asc(sql`length(${icd10cmCodes.longDescription})`), asc(icd10cmCodes.code)];
  }
  return tx
    .select({ code: icd10cmCodes.code, description: icd10cmCodes.longDescription, billable: icd10cmCodes.billable })
    .from(icd10cmCodes)
    .where(and(...where))
    .orderBy(...order)
    .limit(limit);
}
