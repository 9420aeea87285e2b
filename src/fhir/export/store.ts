/**
 * The SQL of FHIR Bulk Data exports: the `fhir_exports` rows (one per kick-off) of the export service. Every
 * statement that reads or changes one export names its public id and the company and client that asked for it, so an
 * export is reachable only by the client that started it.
 */
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { fhirExports } from '../../db/schema.ts';

export type ExportRow = typeof fhirExports.$inferSelect;
export type NewExportRow = typeof fhirExports.$inferInsert;

/** One NDJSON file of a completed export, as kept in `fhir_exports.output`. */
export interface ExportFile {
  type: string;
  /** `stored_files.id`. */
  fileId: number;
  /** Resources (lines) in the file. */
  count: number;
}

/** Inserts a new export (status `queued`). */
export async function insertExport(tx: Executor, row: NewExportRow): Promise<ExportRow> {
  const [created] = await tx.insert(fhirExports).values(row).returning();
  return created;
}

/**
 * Serialises kick-offs of client `clientId` until the transaction ends (an advisory lock keyed by the client), so the
 * count of its exports in progress and the insert of a new one cannot interleave with another kick-off's.
 */
export async function lockClientExports(tx: Executor, clientId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('fhir-exports'), hashtext(${clientId}))`);
}

/** How many exports of client `clientId` are queued or running. */
export async function activeExportCount(db: Executor, organizationId: number, clientId: string): Promise<number> {
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(fhirExports)
    .where(and(eq(fhirExports.organizationId, organizationId), eq(fhirExports.clientId, clientId), sql`${fhirExports.status} IN ('queued', 'running')`));
  return n;
}

/** The export `publicId` of client `clientId` of company `organizationId`, or undefined. */
export async function findClientExport(db: Executor, organizationId: number, clientId: string, publicId: string): Promise<ExportRow | undefined> {
  const [row] = await db.select().from(fhirExports)
    .where(and(eq(fhirExports.publicId, publicId), eq(fhirExports.organizationId, organizationId), eq(fhirExports.clientId, clientId)));
  return row;
}

/** The export with row id `id` (the job's view), or undefined when it was cancelled (deleted). */
export async function findExportById(db: Executor, id: number): Promise<ExportRow | undefined> {
  const [row] = await db.select().from(fhirExports).where(eq(fhirExports.id, id));
  return row;
}

/**
 * Marks export `id` running with `progress` (a short sentence for `X-Progress`), unless it is gone or finished.
 * @returns false when the export no longer exists or is no longer queued or running (cancelled, or done by another attempt).
 */
export async function markProgress(db: Executor, id: number, progress: string): Promise<boolean> {
  const rows = await db.update(fhirExports).set({ status: 'running', progress })
    .where(and(eq(fhirExports.id, id), sql`${fhirExports.status} IN ('queued', 'running')`))
    .returning({ id: fhirExports.id });
  return rows.length > 0;
}

/**
 * Completes export `id` with its files, in the transaction that wrote them, unless it was cancelled meanwhile.
 * @returns false when the export no longer exists (the caller rolls back, dropping the files).
 */
export async function completeExport(tx: Executor, id: number, output: ExportFile[], completedAt: Date, expiresAt: Date): Promise<boolean> {
  const rows = await tx.update(fhirExports).set({ status: 'completed', progress: null, output, completedAt, expiresAt })
    .where(and(eq(fhirExports.id, id), sql`${fhirExports.status} IN ('queued', 'running')`))
    .returning({ id: fhirExports.id });
  return rows.length > 0;
}

/** Marks export `id` failed with a message for the client (no PHI), keeping it until `expiresAt`. */
export async function failExport(db: Executor, id: number, error: string, at: Date, expiresAt: Date): Promise<void> {
  await db.update(fhirExports).set({ status: 'failed', progress: null, error, completedAt: at, expiresAt })
    .where(and(eq(fhirExports.id, id), sql`${fhirExports.status} IN ('queued', 'running')`));
}

/** Deletes export `id` (locked first). @returns the deleted row, or undefined when it was already gone. */
export async function deleteExport(tx: Executor, id: number): Promise<ExportRow | undefined> {
  const [row] = await tx.delete(fhirExports).where(eq(fhirExports.id, id)).returning();
  return row;
}

/** Up to `limit` exports whose `expires_at` has passed at `now`, oldest first. */
export async function expiredExports(db: Executor, now: Date, limit: number): Promise<ExportRow[]> {
  return db.select().from(fhirExports).where(lte(fhirExports.expiresAt, now)).orderBy(fhirExports.expiresAt).limit(limit);
}
