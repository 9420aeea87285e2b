/**
 * SQL of ECP assessments: a company's templates and its residents' completed assessments. Reads are bounded by the
 * company or by the locations a client reaches; writes run in the caller's transaction.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.ts';
import { ecpAssessmentTemplates, ecpAssessments, ecpLocations, ecpResidents, ecpUsers } from '../../db/schema.ts';

export type TemplateRow = typeof ecpAssessmentTemplates.$inferSelect;
export type NewTemplateRow = typeof ecpAssessmentTemplates.$inferInsert;
export type AssessmentRow = typeof ecpAssessments.$inferSelect;

/** The company's template whose GUID (upper case) or name (case-insensitive) is `value`. */
export async function templateOf(db: Executor, organizationId: number, value: string): Promise<TemplateRow | undefined> {
  const [row] = await db.select().from(ecpAssessmentTemplates).where(and(
    eq(ecpAssessmentTemplates.organizationId, organizationId),
    sql`(${ecpAssessmentTemplates.guid} = ${value.toUpperCase()} OR lower(${ecpAssessmentTemplates.name}) = lower(${value}))`,
  )).limit(1);
  return row;
}

/** The company's templates by name. */
export async function templatesOf(db: Executor, organizationId: number): Promise<TemplateRow[]> {
  return db.select().from(ecpAssessmentTemplates).where(eq(ecpAssessmentTemplates.organizationId, organizationId)).orderBy(ecpAssessmentTemplates.name);
}

/** Inserts a template. @returns the row. */
export async function insertTemplate(tx: Executor, values: NewTemplateRow): Promise<TemplateRow> {
  const [row] = await tx.insert(ecpAssessmentTemplates).values(values).returning();
  return row;
}

/** Replaces the definition of the template `id` (its GUID stays). @returns the row. */
export async function replaceTemplate(tx: Executor, id: number, values: Pick<NewTemplateRow, 'name' | 'description' | 'questions' | 'levels'>, now: Date): Promise<TemplateRow> {
  const [row] = await tx.update(ecpAssessmentTemplates).set({ ...values, updatedAt: now }).where(eq(ecpAssessmentTemplates.id, id)).returning();
  return row;
}

/** Inserts a completed assessment. @returns the row. */
export async function insertAssessment(tx: Executor, values: typeof ecpAssessments.$inferInsert): Promise<AssessmentRow> {
  const [row] = await tx.insert(ecpAssessments).values(values).returning();
  return row;
}

/** The filter of the list: locations (non-empty) and optionally one resident (its GUID, upper case). */
export interface AssessmentFilter {
  locationIds: number[];
  residentGuid?: string;
}

/**
 * One page (`limit` from `offset`) of the assessments at `filter`'s locations, newest first, each with its
 * resident's GUID, its location's GUID, its template's GUID (null when another company's) and its user (GUID, login and
 * name), and the total.
 */
export async function assessmentPage(db: Db, filter: AssessmentFilter, limit: number, offset: number) {
  const where = and(inArray(ecpAssessments.locationId, filter.locationIds), filter.residentGuid === undefined ? undefined : eq(ecpResidents.guid, filter.residentGuid));
  const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(ecpAssessments)
    .innerJoin(ecpResidents, eq(ecpResidents.id, ecpAssessments.residentId)).where(where);
  const rows = await db.select({
    a: ecpAssessments,
    residentGuid: ecpResidents.guid,
    locationGuid: ecpLocations.guid,
    templateGuid: sql<string | null>`CASE WHEN ${ecpAssessmentTemplates.organizationId} = ${ecpAssessments.organizationId} THEN ${ecpAssessmentTemplates.guid} END`,
    loginName: ecpUsers.loginName,
    userGuid: ecpUsers.guid,
    userFirstName: ecpUsers.firstName,
    userLastName: ecpUsers.lastName,
  }).from(ecpAssessments)
    .innerJoin(ecpResidents, eq(ecpResidents.id, ecpAssessments.residentId))
    .innerJoin(ecpLocations, eq(ecpLocations.id, ecpAssessments.locationId))
    .innerJoin(ecpAssessmentTemplates, eq(ecpAssessmentTemplates.id, ecpAssessments.templateId))
    .innerJoin(ecpUsers, eq(ecpUsers.id, ecpAssessments.userId))
    .where(where)
    .orderBy(desc(ecpAssessments.completedAt), desc(ecpAssessments.id))
    .limit(limit)
    .offset(offset);
  return { total, rows };
}

/** Moves the assessments of the resident `residentId` (row id) to the company `organizationId` and location `locationId`. @returns how many. */
export async function moveResidentAssessments(tx: Executor, residentId: number, organizationId: number, locationId: number): Promise<number> {
  const rows = await tx.update(ecpAssessments).set({ organizationId, locationId }).where(eq(ecpAssessments.residentId, residentId)).returning({ id: ecpAssessments.id });
  return rows.length;
}
