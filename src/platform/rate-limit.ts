/**
 * Fixed-window counters kept in Postgres, so every API process shares them
 * (ARCHITECTURE.md, "No state on one host"). Used to throttle sign-in per
 * account and per IP.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/pool.ts';

export interface WindowCount {
  count: number;
  /** Seconds until the window resets (>= 1). */
  resetsInSeconds: number;
}

/** Adds one to `key`'s counter (a new window starts when the old one is over) and returns the count. */
export async function hitCounter(db: Executor, key: string, windowSeconds: number): Promise<WindowCount> {
  const { rows } = await db.execute<{ count: number; resets_in: number }>(sql`
    INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE rate_limits.count + 1 END,
      window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE rate_limits.window_start END
    RETURNING count, ceil(extract(epoch FROM window_start + make_interval(secs => ${windowSeconds}) - now()))::int AS resets_in`);
  return { count: rows[0].count, resetsInSeconds: Math.max(1, rows[0].resets_in) };
}

/** The current count of `key` in its window, without adding to it. */
export async function peekCounter(db: Executor, key: string, windowSeconds: number): Promise<WindowCount> {
  const { rows } = await db.execute<{ count: number; resets_in: number }>(sql`
    SELECT count, ceil(extract(epoch FROM window_start + make_interval(secs => ${windowSeconds}) - now()))::int AS resets_in
    FROM rate_limits WHERE key = ${key} AND window_start > now() - make_interval(secs => ${windowSeconds})`);
  return rows[0] ? { count: rows[0].count, resetsInSeconds: Math.max(1, rows[0].resets_in) } : { count: 0, resetsInSeconds: windowSeconds };
}

/** Forgets `key`'s counter (a successful sign-in clears the account's failures). */
export async function resetCounter(db: Executor, key: string): Promise<void> {
  await db.execute(sql`DELETE FROM rate_limits WHERE key = ${key}`);
}
