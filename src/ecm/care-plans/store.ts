/** SQL of care plan revisions (`ecm_care_plan_revisions`). */
import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecmCarePlanRevisions, users } from '../../db/schema.ts';

const COLUMNS = {
  id: ecmCarePlanRevisions.id,
  patientId: ecmCarePlanRevisions.patientId,
  revisedOn: ecmCarePlanRevisions.revisedOn,
  authorUserId: ecmCarePlanRevisions.authorUserId,
  authorName: users.name,
  summary: ecmCarePlanRevisions.summary,
  createdAt: ecmCarePlanRevisions.createdAt,
  updatedAt: ecmCarePlanRevisions.updatedAt,
};
export type RevisionRow = { id: number; patientId: number; revisedOn: string; authorUserId: number; authorName: string; summary: string; createdAt: Date; updatedAt: Date };

const of = (organizationId: number, patientId: number) =>
  and(eq(ecmCarePlanRevisions.organizationId, organizationId), eq(ecmCarePlanRevisions.patientId, patientId));

/** The member's revisions, newest first. */
export function listRevisions(db: Executor, organizationId: number, patientId: number): Promise<RevisionRow[]> {
  return db.select(COLUMNS).from(ecmCarePlanRevisions).innerJoin(users, eq(users.id, ecmCarePlanRevisions.authorUserId))
    .where(of(organizationId, patientId)).orderBy(desc(ecmCarePlanRevisions.revisedOn), desc(ecmCarePlanRevisions.id));
}

/** One revision of the member, or undefined. */
export async function findRevision(db: Executor, organizationId: number, patientId: number, id: number): Promise<RevisionRow | undefined> {
  const [row] = await db.select(COLUMNS).from(ecmCarePlanRevisions).innerJoin(users, eq(users.id, ecmCarePlanRevisions.authorUserId))
    .where(and(of(organizationId, patientId), eq(ecmCarePlanRevisions.id, id)));
  return row;
}

export async function insertRevision(db: Executor, values: typeof ecmCarePlanRevisions.$inferInsert): Promise<number> {
  const [row] = await db.insert(ecmCarePlanRevisions).values(values).returning({ id: ecmCarePlanRevisions.id });
  return row.id;
}

/** @returns whether a revision of the member was changed. */
export async function updateRevision(db: Executor, organizationId: number, patientId: number, id: number, set: Partial<typeof ecmCarePlanRevisions.$inferInsert>): Promise<boolean> {
  const rows = await db.update(ecmCarePlanRevisions).set({ ...set, updatedAt: new Date() })
    .where(and(of(organizationId, patientId), eq(ecmCarePlanRevisions.id, id))).returning({ id: ecmCarePlanRevisions.id });
  return rows.length > 0;
}

/** @returns whether a revision of the member was deleted. */
export async function deleteRevision(db: Executor, organizationId: number, patientId: number, id: number): Promise<boolean> {
  const rows = await db.delete(ecmCarePlanRevisions).where(and(of(organizationId, patientId), eq(ecmCarePlanRevisions.id, id))).returning({ id: ecmCarePlanRevisions.id });
  return rows.length > 0;
}
