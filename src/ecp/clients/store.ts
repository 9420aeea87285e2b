/**
 * SQL of ECP companies' locations and partner clients.
 */
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import { ecpLocations, organizations, partnerClients } from '../../db/schema.ts';

/** A row of `ecp_locations` (the one definition; `locations/service.ts` re-exports it). */
export type LocationRow = typeof ecpLocations.$inferSelect;
export type PartnerClientRow = typeof partnerClients.$inferSelect;

/**
 * A location a client reaches, with `zone`: the IANA time zone its offset-less request timestamps are read in, its
 * own `time_zone` or else its company's (`organizations.time_zone`).
 */
export type ReachableLocation = LocationRow & { zone: string };

/** The company's location of that name, created (with a new upper-case GUID) when missing. */
export async function ensureLocation(db: Executor, organizationId: number, name: string, guid: string): Promise<LocationRow> {
  await db.insert(ecpLocations).values({ organizationId, name, guid }).onConflictDoNothing({ target: [ecpLocations.organizationId, ecpLocations.name] });
  const [row] = await db.select().from(ecpLocations).where(and(eq(ecpLocations.organizationId, organizationId), eq(ecpLocations.name, name)));
  return row;
}

/** Sets a location's time zone (an IANA name; null: its company's). @returns the row, undefined when no such location. */
export async function updateLocationTimeZone(db: Executor, guid: string, timeZone: string | null): Promise<LocationRow | undefined> {
  const [row] = await db.update(ecpLocations).set({ timeZone }).where(eq(ecpLocations.guid, guid)).returning();
  return row;
}

/** The locations of these ids, by name, each with its effective time zone (its own, else its company's). */
export async function locationsByIds(db: Executor, ids: number[]): Promise<ReachableLocation[]> {
  if (ids.length === 0) return [];
  return db
    .select({ ...getTableColumns(ecpLocations), zone: sql<string>`coalesce(${ecpLocations.timeZone}, ${organizations.timeZone})` })
    .from(ecpLocations)
    .innerJoin(organizations, eq(organizations.id, ecpLocations.organizationId))
    .where(inArray(ecpLocations.id, ids))
    .orderBy(ecpLocations.name);
}

export async function insertClient(db: Executor, values: typeof partnerClients.$inferInsert): Promise<PartnerClientRow> {
  const [row] = await db.insert(partnerClients).values(values).returning();
  return row;
}

export async function findClientByClientId(db: Executor, clientId: string): Promise<PartnerClientRow | undefined> {
  const [row] = await db.select().from(partnerClients).where(eq(partnerClients.clientId, clientId));
  return row;
}

export async function updateClient(db: Executor, clientId: string, values: Partial<typeof partnerClients.$inferInsert>): Promise<PartnerClientRow | undefined> {
  const [row] = await db.update(partnerClients).set({ ...values, updatedAt: new Date() }).where(eq(partnerClients.clientId, clientId)).returning();
  return row;
}

/** What authenticating a partner request needs of its client: the client and the locations it reaches. */
export interface AuthenticatingClient {
  clientId: string;
  organizationId: number;
  locationIds: number[];
  disabledAt: Date | null;
  tokensValidAfter: Date;
  /** The reachable locations, by name (as `locationsByIds`), each with its effective time zone. */
  locations: ReachableLocation[];
}

// Every /clinical/v1 request runs it: built once, a named statement parsed and planned once per connection.
const clientWithLocations = preparedStatement<{
  client_id: string; organization_id: number; location_ids: number[]; disabled_at: string | null; tokens_valid_after: string;
  locations: Array<{ id: number; organizationId: number; guid: string; name: string; timeZone: string | null; zone: string; createdAt: string }>;
}>('ecp_client_with_locations', () => sql`
  SELECT c.client_id, c.organization_id, c.location_ids, c.disabled_at, c.tokens_valid_after,
    coalesce((SELECT json_agg(json_build_object('id', l.id, 'organizationId', l.organization_id, 'guid', l.guid, 'name', l.name,
          'timeZone', l.time_zone, 'zone', coalesce(l.time_zone, o.time_zone), 'createdAt', l.created_at) ORDER BY l.name)
      FROM ecp_locations l JOIN organizations o ON o.id = l.organization_id
      WHERE l.id = ANY(c.location_ids)), '[]'::json) AS locations
  FROM partner_clients c WHERE c.api_key_hash = ${sql.placeholder('hash')}::text`);

/** The client whose Api-Key has this hash, with its reachable locations, in one statement; undefined when none. */
export async function findAuthenticatingClient(db: Executor, apiKeyHash: string): Promise<AuthenticatingClient | undefined> {
  const [r] = await clientWithLocations(db, { hash: apiKeyHash });
  return r && {
    clientId: r.client_id,
    organizationId: r.organization_id,
    locationIds: r.location_ids,
    disabledAt: r.disabled_at === null ? null : new Date(r.disabled_at),
    tokensValidAfter: new Date(r.tokens_valid_after),
    locations: r.locations.map((l) => ({ ...l, createdAt: new Date(l.createdAt) })),
  };
}

/** The location whose GUID is `guid` (upper case), of any company. */
export async function locationByGuid(db: Executor, guid: string): Promise<LocationRow | undefined> {
  const [row] = await db.select().from(ecpLocations).where(eq(ecpLocations.guid, guid));
  return row;
}

/** The company's first partner client (by id), if any. */
export async function clientOfCompany(db: Executor, organizationId: number): Promise<PartnerClientRow | undefined> {
  const [row] = await db.select().from(partnerClients).where(eq(partnerClients.organizationId, organizationId)).orderBy(partnerClients.id).limit(1);
  return row;
}

/** The company's locations, in the order they were created (by id). */
export async function locationsOfCompany(db: Executor, organizationId: number): Promise<LocationRow[]> {
  return db.select().from(ecpLocations).where(eq(ecpLocations.organizationId, organizationId)).orderBy(ecpLocations.id);
}

/** The company's partner clients, oldest first. */
export async function clientsOfCompany(db: Executor, organizationId: number): Promise<PartnerClientRow[]> {
  return db.select().from(partnerClients).where(eq(partnerClients.organizationId, organizationId)).orderBy(partnerClients.id);
}
