/** SQL of a member's DHCS reporting attributes: `ecm_member_populations` and `ecm_member_attributes`. */
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecmMemberAttributes, ecmMemberPopulations } from '../../db/schema.ts';

export interface AttributeRow {
  populations: Array<{ population: string; source: string }>;
  homeless: boolean | null;
  updatedAt: Date | null;
}

/** The member's Populations of Focus and homelessness (the member must be the organization's). */
export async function readAttributes(db: Executor, organizationId: number, patientId: number): Promise<AttributeRow> {
  const populations = await db
    .select({ population: ecmMemberPopulations.population, source: ecmMemberPopulations.source })
    .from(ecmMemberPopulations)
    .where(and(eq(ecmMemberPopulations.organizationId, organizationId), eq(ecmMemberPopulations.patientId, patientId)))
    .orderBy(asc(ecmMemberPopulations.id));
  const [attr] = await db
    .select({ homeless: ecmMemberAttributes.homeless, updatedAt: ecmMemberAttributes.updatedAt })
    .from(ecmMemberAttributes)
    .where(and(eq(ecmMemberAttributes.organizationId, organizationId), eq(ecmMemberAttributes.patientId, patientId)));
  return { populations, homeless: attr?.homeless ?? null, updatedAt: attr?.updatedAt ?? null };
}

/**
 * Makes `populations` the member's list of `source` (`staff` replaces the whole list; `mif` replaces the MIF's
 * entries and keeps what staff set). An entry already held keeps its source unless staff set the whole list.
 */
export async function replacePopulations(db: Executor, organizationId: number, patientId: number, populations: string[], source: 'staff' | 'mif') {
  const mine = and(eq(ecmMemberPopulations.organizationId, organizationId), eq(ecmMemberPopulations.patientId, patientId));
  const scope = source === 'staff' ? mine : and(mine, eq(ecmMemberPopulations.source, 'mif'));
  await db.delete(ecmMemberPopulations).where(populations.length ? and(scope, notInArray(ecmMemberPopulations.population, populations)) : scope);
  if (source === 'staff' && populations.length) {
    await db.update(ecmMemberPopulations).set({ source: 'staff' }).where(and(mine, inArray(ecmMemberPopulations.population, populations)));
  }
  if (populations.length) {
    await db
      .insert(ecmMemberPopulations)
      .values(populations.map((population) => ({ organizationId, patientId, population, source })))
      .onConflictDoNothing();
  }
}

/** Sets the member's homelessness (null: not known). */
export async function setHomeless(db: Executor, organizationId: number, patientId: number, homeless: boolean | null) {
  await db
    .insert(ecmMemberAttributes)
    .values({ organizationId, patientId, homeless })
    .onConflictDoUpdate({ target: ecmMemberAttributes.patientId, set: { homeless, updatedAt: sql`now()` } });
}
