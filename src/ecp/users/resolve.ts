/**
 * The ECP user who recorded a reading (seed 000 vitals: `loginName` or `userId`; diagnosis: `loginName`).
 * The user must belong to the company, be active, and be allowed the location of the record.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpUsers } from '../../db/schema.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { LocationRow } from '../locations/service.ts';

export type EcpUserRow = typeof ecpUsers.$inferSelect;

/** Which user a request names: `userId` (GUID, upper-cased) when given, else `loginName`; `field` names it in errors. */
export type RecordingUserKey = { by: 'guid'; value: string; field: string } | { by: 'login'; value: string; field: string };

/**
 * The user `by` names (no statement).
 * @throws ValidationError when neither `userId` nor `loginName` is given.
 */
export function recordingUserKey(by: { userId?: string; loginName?: string }): RecordingUserKey {
  const userId = by.userId?.trim();
  const loginName = by.loginName?.trim();
  if (userId) return { by: 'guid', value: userId.toUpperCase(), field: `userId ${userId}` };
  if (loginName) return { by: 'login', value: loginName, field: `loginName ${loginName}` };
  throw new ValidationError(['loginName or userId is required: the user recording this']);
}

/** The condition on `ecp_users` of a key's kind (company aside), its value given by `value` (a placeholder or a parameter). */
export function recordingUserSql(by: RecordingUserKey['by'], value: SQL): SQL {
  return by === 'guid' ? sql`${ecpUsers.guid} = ${value}::text` : sql`lower(${ecpUsers.loginName}) = lower(${value}::text)`;
}

/**
 * Why the user found for `key` may not record at location `locationId`.
 * @param user undefined when no user of the company matched.
 * @returns the sentence of the error, or undefined when the user may record there.
 */
export function recordingUserProblem(key: RecordingUserKey, user: { active: boolean; hasLocation: boolean } | undefined): string | undefined {
  if (!user) return `${key.field} is not a user of this company`;
  if (!user.active) return `${key.field} is an inactive user`;
  if (!user.hasLocation) return `${key.field} has no access to this location`;
  return undefined;
}

/**
 * Resolves `userId` (GUID) or else `loginName` (case-insensitive) within the location's company.
 * @throws ValidationError when neither is given, no such user, the user is inactive, or lacks the location.
 */
export async function resolveRecordingUser(
  tx: Executor,
  location: LocationRow,
  by: { userId?: string; loginName?: string },
): Promise<EcpUserRow> {
  const key = recordingUserKey(by);
  const [user] = await tx.select().from(ecpUsers)
    .where(and(eq(ecpUsers.organizationId, location.organizationId), recordingUserSql(key.by, sql`${key.value}`)));
  const problem = recordingUserProblem(key, user && { active: user.active, hasLocation: user.locationIds.includes(location.id) });
  if (problem) throw new ValidationError([problem]);
  return user;
}
