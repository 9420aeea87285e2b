/** SQL of ECM discontinuations (`ecm_discontinuations`). */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecmDiscontinuations } from '../../db/schema.ts';

export type DiscontinuationRow = typeof ecmDiscontinuations.$inferSelect;

/** The member's discontinuations, newest first. */
export function listDiscontinuations(db: Executor, organizationId: number, patientId: number): Promise<DiscontinuationRow[]> {
  return db.select().from(ecmDiscontinuations)
    .where(and(eq(ecmDiscontinuations.organizationId, organizationId), eq(ecmDiscontinuations.patientId, patientId)))
    .orderBy(desc(ecmDiscontinuations.id));
}

/** The discontinuations whose status-history entry is one of `statusHistoryIds` (members of the organization). */
export function byStatusHistoryIds(db: Executor, organizationId: number, statusHistoryIds: number[]): Promise<DiscontinuationRow[]> {
  if (statusHistoryIds.length === 0) return Promise.resolve([]);
  return db.select().from(ecmDiscontinuations)
    .where(and(eq(ecmDiscontinuations.organizationId, organizationId), inArray(ecmDiscontinuations.statusHistoryId, statusHistoryIds)));
}

export async function insertDiscontinuation(db: Executor, values: typeof ecmDiscontinuations.$inferInsert): Promise<DiscontinuationRow> {
  const [row] = await db.insert(ecmDiscontinuations).values(values).returning();
  return row;
}
