/**
 * SQL of ECP users: the user endpoints' reads and writes (the company's write lock, a user visible to a client, the
 * company's user groups, uniqueness and admin-count checks, insert and update), the user a clinical request names as
 * the one recording it, and the demo staff.
 */
import { and, arrayOverlaps, eq, ne, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpUserGroups, ecpUsers } from '../../db/schema.ts';
import type { RecordingUserKey } from '../shared/recording-user.ts';
import { recordingUserSql } from '../shared/store.ts';

export type EcpUserRow = typeof ecpUsers.$inferSelect;
export type NewEcpUserRow = typeof ecpUsers.$inferInsert;

/** The user of company `organizationId` that `key` names (GUID, or login name case-insensitively), if any. */
export async function companyUserByKey(tx: Executor, organizationId: number, key: RecordingUserKey): Promise<EcpUserRow | undefined> {
  const [user] = await tx.select().from(ecpUsers)
    .where(and(eq(ecpUsers.organizationId, organizationId), recordingUserSql(key.by, sql`${key.value}`)));
  return user;
}

/** A search of a company's users sharing a location with `locationIds` (the FHIR door's Practitioner search). */
export interface UserSearchFilter {
  organizationId: number;
  locationIds: number[];
  /** Upper-case user GUIDs. */
  guids?: string[];
  /** Case-insensitive start of the first or last name. */
  name?: string;
  afterId?: number;
  limit: number;
}

export type UserRow = typeof ecpUsers.$inferSelect;

/** The users `f` selects (deactivated ones included), `id` ascending after `f.afterId` (keyset paging), at most `f.limit`. */
export async function searchUsers(db: Executor, f: UserSearchFilter): Promise<UserRow[]> {
  if (!f.locationIds.length || f.guids?.length === 0) return [];
  const where = [eq(ecpUsers.organizationId, f.organizationId), sql`${ecpUsers.locationIds} && ${sql.param(f.locationIds)}::int[]`];
  if (f.guids) where.push(sql`${ecpUsers.guid} = ANY(${sql.param(f.guids)}::text[])`);
  if (f.name) {
    const p = `${f.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(sql`(lower(${ecpUsers.firstName}) LIKE ${p} OR lower(${ecpUsers.lastName}) LIKE ${p})`);
  }
  if (f.afterId !== undefined) where.push(sql`${ecpUsers.id} > ${f.afterId}`);
  return db.select().from(ecpUsers).where(and(...where)).orderBy(ecpUsers.id).limit(f.limit);
}

/** Serialises user writes of company `organizationId` until the transaction ends (an advisory lock). */
export async function lockCompanyUsers(tx: Executor, organizationId: number): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('ecp-users'), ${organizationId}::int)`);
}

/** The user with `loginName` (case-insensitive) of company `organizationId` having one of `locationIds`, if any. */
export async function userByLoginAtLocations(tx: Executor, organizationId: number, loginName: string, locationIds: number[]): Promise<EcpUserRow | undefined> {
  const [user] = await tx
    .select()
    .from(ecpUsers)
    .where(and(
      eq(ecpUsers.organizationId, organizationId),
      sql`lower(${ecpUsers.loginName}) = lower(${loginName})`,
      arrayOverlaps(ecpUsers.locationIds, locationIds),
    ));
  return user;
}

/** The names of the company's own user groups, sorted (empty when it has none). */
export async function userGroupNames(tx: Executor, organizationId: number): Promise<string[]> {
  const rows = await tx.select({ name: ecpUserGroups.name }).from(ecpUserGroups).where(eq(ecpUserGroups.organizationId, organizationId)).orderBy(ecpUserGroups.name);
  return rows.map((r) => r.name);
}

/** True when a user of the company (`exceptId` excluded) has this `field` value, case-insensitively. */
export async function userValueTaken(
  tx: Executor, organizationId: number, field: 'loginName' | 'chartingInitials', value: string, exceptId?: number,
): Promise<boolean> {
  const where: SQL[] = [eq(ecpUsers.organizationId, organizationId), sql`lower(${ecpUsers[field]}) = lower(${value})`];
  if (exceptId !== undefined) where.push(ne(ecpUsers.id, exceptId));
  const [row] = await tx.select({ id: ecpUsers.id }).from(ecpUsers).where(and(...where)).limit(1);
  return Boolean(row);
}

/** The company's charting initials (lower case) that start with `first` (case-insensitively). */
export async function chartingInitialsStartingWith(tx: Executor, organizationId: number, first: string): Promise<string[]> {
  const rows = await tx
    .select({ initials: sql<string>`lower(${ecpUsers.chartingInitials})` })
    .from(ecpUsers)
    .where(and(eq(ecpUsers.organizationId, organizationId), sql`starts_with(lower(${ecpUsers.chartingInitials}), lower(${first}))`));
  return rows.map((r) => r.initials);
}

/** How many active system admins the company has (`exceptId` excluded). */
export async function countActiveSystemAdmins(tx: Executor, organizationId: number, exceptId?: number): Promise<number> {
  const where: SQL[] = [eq(ecpUsers.organizationId, organizationId), eq(ecpUsers.active, true), eq(ecpUsers.systemAdmin, true)];
  if (exceptId !== undefined) where.push(ne(ecpUsers.id, exceptId));
  const [{ count }] = await tx.select({ count: sql<number>`count(*)::int` }).from(ecpUsers).where(and(...where));
  return count;
}

/** Inserts users. @returns the stored rows, in the order given. */
export async function insertUsers(tx: Executor, values: NewEcpUserRow[]): Promise<EcpUserRow[]> {
  return tx.insert(ecpUsers).values(values).returning();
}

/** Writes `patch` and `updated_at = now` to the user `id`. @returns the row after the change. */
export async function updateUser(tx: Executor, id: number, patch: Partial<NewEcpUserRow>, now: Date): Promise<EcpUserRow> {
  const [row] = await tx.update(ecpUsers).set({ ...patch, updatedAt: now }).where(eq(ecpUsers.id, id)).returning();
  return row;
}

/** How many users company `organizationId` has. */
export async function countUsers(tx: Executor, organizationId: number): Promise<number> {
  const [{ users }] = await tx.select({ users: sql<number>`count(*)::int` }).from(ecpUsers).where(eq(ecpUsers.organizationId, organizationId));
  return users;
}

/** Every user of company `organizationId`, by id. */
export async function usersOfCompany(db: Executor, organizationId: number): Promise<EcpUserRow[]> {
  return db.select().from(ecpUsers).where(eq(ecpUsers.organizationId, organizationId)).orderBy(ecpUsers.id);
}
