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
