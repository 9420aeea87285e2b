/**
 * SQL of ECP companies' locations and partner clients.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpLocations, partnerClients } from '../../db/schema.ts';

export type LocationRow = typeof ecpLocations.$inferSelect;
export type PartnerClientRow = typeof partnerClients.$inferSelect;

/** The company's location of that name, created (with a new upper-case GUID) when missing. */
export async function ensureLocation(db: Executor, organizationId: number, name: string, guid: string): Promise<LocationRow> {
  await db.insert(ecpLocations).values({ organizationId, name, guid }).onConflictDoNothing({ target: [ecpLocations.organizationId, ecpLocations.name] });
  const [row] = await db.select().from(ecpLocations).where(and(eq(ecpLocations.organizationId, organizationId), eq(ecpLocations.name, name)));
  return row;
}

export async function locationsByIds(db: Executor, ids: number[]): Promise<LocationRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(ecpLocations).where(inArray(ecpLocations.id, ids)).orderBy(ecpLocations.name);
}

export async function insertClient(db: Executor, values: typeof partnerClients.$inferInsert): Promise<PartnerClientRow> {
  const [row] = await db.insert(partnerClients).values(values).returning();
  return row;
}

export async function findClientByClientId(db: Executor, clientId: string): Promise<PartnerClientRow | undefined> {
  const [row] = await db.select().from(partnerClients).where(eq(partnerClients.clientId, clientId));
  return row;
}

export async function findClientByApiKeyHash(db: Executor, hash: string): Promise<PartnerClientRow | undefined> {
  const [row] = await db.select().from(partnerClients).where(eq(partnerClients.apiKeyHash, hash));
  return row;
}

export async function updateClient(db: Executor, clientId: string, values: Partial<typeof partnerClients.$inferInsert>): Promise<PartnerClientRow | undefined> {
  const [row] = await db.update(partnerClients).set({ ...values, updatedAt: new Date() }).where(eq(partnerClients.clientId, clientId)).returning();
  return row;
}
