/** SQL of member assessments (`ecm_assessments`). */
import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecmAssessments, users } from '../../db/schema.ts';

const COLUMNS = {
  id: ecmAssessments.id,
  patientId: ecmAssessments.patientId,
  title: ecmAssessments.title,
  startedOn: ecmAssessments.startedOn,
  completedOn: ecmAssessments.completedOn,
  assessedByUserId: ecmAssessments.assessedByUserId,
  assessedByName: users.name,
  createdAt: ecmAssessments.createdAt,
  updatedAt: ecmAssessments.updatedAt,
};
export type AssessmentRow = {
  id: number; patientId: number; title: string | null; startedOn: string; completedOn: string | null;
  assessedByUserId: number; assessedByName: string; createdAt: Date; updatedAt: Date;
};

const of = (organizationId: number, patientId: number) => and(eq(ecmAssessments.organizationId, organizationId), eq(ecmAssessments.patientId, patientId));

/** The member's assessments, newest start first. */
export function listAssessments(db: Executor, organizationId: number, patientId: number): Promise<AssessmentRow[]> {
  return db.select(COLUMNS).from(ecmAssessments).innerJoin(users, eq(users.id, ecmAssessments.assessedByUserId))
    .where(of(organizationId, patientId)).orderBy(desc(ecmAssessments.startedOn), desc(ecmAssessments.id));
}

/** One assessment of the member, or undefined. */
export async function findAssessment(db: Executor, organizationId: number, patientId: number, id: number): Promise<AssessmentRow | undefined> {
  const [row] = await db.select(COLUMNS).from(ecmAssessments).innerJoin(users, eq(users.id, ecmAssessments.assessedByUserId))
    .where(and(of(organizationId, patientId), eq(ecmAssessments.id, id)));
  return row;
}

export async function insertAssessment(db: Executor, values: typeof ecmAssessments.$inferInsert): Promise<number> {
  const [row] = await db.insert(ecmAssessments).values(values).returning({ id: ecmAssessments.id });
  return row.id;
}

export async function updateAssessment(db: Executor, organizationId: number, patientId: number, id: number, set: Partial<typeof ecmAssessments.$inferInsert>) {
  await db.update(ecmAssessments).set({ ...set, updatedAt: new Date() }).where(and(of(organizationId, patientId), eq(ecmAssessments.id, id)));
}

/** @returns whether an assessment of the member was deleted. */
export async function deleteAssessment(db: Executor, organizationId: number, patientId: number, id: number): Promise<boolean> {
  const rows = await db.delete(ecmAssessments).where(and(of(organizationId, patientId), eq(ecmAssessments.id, id))).returning({ id: ecmAssessments.id });
  return rows.length > 0;
}
