/**
 * The ECP user who recorded a reading (seed 000 vitals: `loginName` or `userId`; diagnosis: `loginName`), shared by
 * the features that take one: which user a request names and why that user may not record at a location. The user
 * must belong to the company, be active, and be allowed the location of the record. The condition on `ecp_users` a
 * key stands for is `recordingUserSql` (`shared/store.ts`): the vitals store resolves the user inside its one statement.
 */
import { ValidationError } from '../../platform/errors.ts';

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
