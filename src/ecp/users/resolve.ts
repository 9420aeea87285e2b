/**
 * The ECP user who recorded a reading (seed 000 vitals: `loginName` or `userId`; diagnosis: `loginName`).
 * The user must belong to the company, be active, and be allowed the location of the record.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpUsers } from '../../db/schema.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { LocationRow } from '../locations/service.ts';

export type EcpUserRow = typeof ecpUsers.$inferSelect;

/**
 * Resolves `userId` (GUID) or else `loginName` (case-insensitive) within the location's company.
 * @throws ValidationError when neither is given, no such user, the user is inactive, or lacks the location.
 */
export async function resolveRecordingUser(
  tx: Executor,
  location: LocationRow,
  by: { userId?: string; loginName?: string },
): Promise<EcpUserRow> {
  const userId = by.userId?.trim();
  const loginName = by.loginName?.trim();
  if (!userId && !loginName) throw new ValidationError(['loginName or userId is required: the user recording this']);
  const [user] = await tx
    .select()
    .from(ecpUsers)
    .where(and(
      eq(ecpUsers.organizationId, location.organizationId),
      userId ? eq(ecpUsers.guid, userId.toUpperCase()) : sql`lower(${ecpUsers.loginName}) = lower(${loginName})`,
    ));
  const field = userId ? `userId ${userId}` : `loginName ${loginName}`;
  if (!user) throw new ValidationError([`${field} is not a user of this company`]);
  if (!user.active) throw new ValidationError([`${field} is an inactive user`]);
  if (!user.locationIds.includes(location.id)) throw new ValidationError([`${field} has no access to this location`]);
  return user;
}
