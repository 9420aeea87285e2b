/** SQL of CRM leads (`ecp_leads`, owned here). */
import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpLeads } from '../../db/schema.ts';

export type LeadRow = typeof ecpLeads.$inferSelect;
export type NewLeadRow = typeof ecpLeads.$inferInsert;

export async function insertLead(tx: Executor, values: NewLeadRow): Promise<LeadRow> {
  const [row] = await tx.insert(ecpLeads).values(values).returning();
  return row;
}

/** The leads of company `organizationId` at `locationIds`, of `status` when given, newest first (at most 500). */
export async function listLeads(db: Executor, organizationId: number, locationIds: number[], status?: string): Promise<LeadRow[]> {
  if (!locationIds.length) return [];
  const where = [eq(ecpLeads.organizationId, organizationId), inArray(ecpLeads.locationId, locationIds)];
  if (status) where.push(eq(ecpLeads.status, status));
  return db.select().from(ecpLeads).where(and(...where)).orderBy(desc(ecpLeads.createdAt), desc(ecpLeads.id)).limit(500);
}

/** The lead `guid` of company `organizationId` at one of `locationIds`; undefined when none. */
export async function leadByGuid(db: Executor, guid: string, organizationId: number, locationIds: number[]): Promise<LeadRow | undefined> {
  if (!locationIds.length) return undefined;
  const [row] = await db.select().from(ecpLeads)
    .where(and(eq(ecpLeads.guid, guid), eq(ecpLeads.organizationId, organizationId), inArray(ecpLeads.locationId, locationIds)));
  return row;
}

/** The lead `guid` of company `organizationId` at one of `locationIds`, locked for update; undefined when none. */
export async function lockLead(tx: Executor, guid: string, organizationId: number, locationIds: number[]): Promise<LeadRow | undefined> {
  if (!locationIds.length) return undefined;
  const [row] = await tx.select().from(ecpLeads)
    .where(and(eq(ecpLeads.guid, guid), eq(ecpLeads.organizationId, organizationId), inArray(ecpLeads.locationId, locationIds)))
    .for('update');
  return row;
}

/** Writes `patch` and `updated_at = now` to lead `id` while it is not converted. @returns the row after, undefined when converted meanwhile. */
export async function updateLead(tx: Executor, id: number, patch: Partial<NewLeadRow>, now: Date): Promise<LeadRow | undefined> {
  const [row] = await tx.update(ecpLeads).set({ ...patch, updatedAt: now }).where(and(eq(ecpLeads.id, id), isNull(ecpLeads.residentId))).returning();
  return row;
}
