/**
 * The rules every `X-User-Token` door shares (the clinic's `/v1` and the community workspace's `/v1/community`):
 * sign-in throttling per account and per IP with counters in Postgres, a password checked against its scrypt hash
 * (or a dummy hash, so an unknown account takes as long as a known one), and session lifetimes (idle and absolute).
 * Each door keeps its own accounts and token rows; the rules live here once (ARCHITECTURE.md, "Security").
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/pool.ts';
import { auditInsertSql } from '../audit.ts';
import { systemContext } from '../context.ts';
import { dummyPasswordHash, verifyPassword } from '../crypto.ts';
import { TooManyRequestsError, UnauthorizedError } from '../errors.ts';
import { hitCounter, peekCounter, resetCounter } from '../rate-limit.ts';

/** How often, at most, a token's `last_used_at` is written (seconds). */
export const TOKEN_TOUCH_INTERVAL_SECONDS = 60;

/** Session lifetimes and sign-in limits (`SESSION_*`, `SIGN_IN_*` settings; config.ts documents each). */
export interface SessionPolicy {
  sessionIdleTimeoutMinutes: number;
  sessionMaxAgeHours: number;
  /** Failed sign-ins per account in the window before 429. */
  signInAccountLimit: number;
  /** Sign-in attempts per client IP in the window before 429. */
  signInIpLimit: number;
  signInWindowMinutes: number;
}

/** One sign-in attempt, as a door found it. */
export interface SignInAttempt {
  /** Throttle key of the account attempted (`sign_in:account:<email>`, `community_sign_in:account:<company>:<login>`). */
  accountKey: string;
  /** Client IP; every door's attempts from one address count together (`sign_in:ip:<ip>`). */
  ip: string;
  password: string;
  /** The account's scrypt hash; undefined when the account does not exist or has no password. */
  passwordHash: string | undefined;
  /** False for a deactivated account: refused like a wrong password. */
  active: boolean;
  /** The message of the 401 (the same for an unknown account, a wrong password and a deactivated account). */
  invalidMessage: string;
  /**
   * Writes the audit row of a refused attempt (`sign_in_failed`) where the account's organization sees it; undefined when
   * the attempt names no account (no organization to audit in): a no-op insert then takes the same time.
   */
  auditRefusal: (() => Promise<void>) | undefined;
}

/** True when a session signed in at `createdAt` and last used at `lastUsedAt` is over its idle or absolute limit at `now`. */
export function sessionExpired(policy: SessionPolicy, s: { createdAt: Date; lastUsedAt: Date }, now: Date): boolean {
  if (now.getTime() - s.lastUsedAt.getTime() > policy.sessionIdleTimeoutMinutes * 60_000) return true;
  // An absolute limit too: a stolen token kept busy would otherwise never expire.
  return now.getTime() - s.createdAt.getTime() > policy.sessionMaxAgeHours * 3_600_000;
}

/** True when `last_used_at` is old enough to be written again (at most once a minute). */
export function sessionNeedsTouch(s: { lastUsedAt: Date }, now: Date): boolean {
  return now.getTime() - s.lastUsedAt.getTime() > TOKEN_TOUCH_INTERVAL_SECONDS * 1000;
}

/**
 * Checks a sign-in attempt: the IP's attempts (all of them) and the account's failures in the window, then the password.
 * A refusal writes the attempt's audit row (`auditRefusal`) and counts a failure against the account; a success clears the
 * account's failures. The caller issues the token and audits the success.
 * @throws TooManyRequestsError when the IP or the account is over its limit (Retry-After: the window's rest);
 *         UnauthorizedError `invalidMessage` for an unknown account, a wrong password or a deactivated account.
 */
export async function checkSignIn(db: Db, policy: SessionPolicy, attempt: SignInAttempt): Promise<void> {
  const windowSeconds = policy.signInWindowMinutes * 60;
  const refuse = async (err: Error): Promise<never> => {
    if (attempt.auditRefusal) await attempt.auditRefusal();
    // The same insert, writing nothing: an unknown account must not answer faster than a known one (as the dummy hash).
    else await db.execute(sql`WITH audit AS (${auditInsertSql(systemContext(0, ''), { action: 'sign_in_failed', entityType: 'session', entityIds: [], when: sql`false` })}) SELECT 1`);
    throw err;
  };
  const ipCount = await hitCounter(db, `sign_in:ip:${attempt.ip}`, windowSeconds);
  if (ipCount.count > policy.signInIpLimit) {
    return refuse(new TooManyRequestsError('Too many sign-in attempts from this address; try again later', ipCount.resetsInSeconds));
  }
  const failures = await peekCounter(db, attempt.accountKey, windowSeconds);
  if (failures.count >= policy.signInAccountLimit) {
    return refuse(new TooManyRequestsError('Too many failed sign-in attempts for this account; try again later', failures.resetsInSeconds));
  }
  const ok = await verifyPassword(attempt.password, attempt.passwordHash ?? (await dummyPasswordHash()));
  if (!attempt.passwordHash || !ok || !attempt.active) {
    await hitCounter(db, attempt.accountKey, windowSeconds);
    return refuse(new UnauthorizedError(attempt.invalidMessage));
  }
  await resetCounter(db, attempt.accountKey);
}
