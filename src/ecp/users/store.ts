/**
 * SQL of ECP users read on behalf of other features: the user a clinical request names as the one recording it.
 * (The user endpoints' own statements still sit in `service.ts`.)
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpUsers } from '../../db/schema.ts';
import { recordingUserSql, type RecordingUserKey } from '../shared/recording-user.ts';

/** The user of company `organizationId` that `key` names (GUID, or login name case-insensitively), if any. */
export async function companyUserByKey(tx: Executor, organizationId: number, key: RecordingUserKey): Promise<typeof ecpUsers.$inferSelect | undefined> {
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
