/**
 * The delivery rules of ECP webhooks (README "ECP webhooks"; docs/decisions.md "ECP webhooks"), pure so
 * they are tested table-driven: what an attempt's answer means, how long to wait before the next one.
 */
import type { SendResult } from './send.ts';

/** A subscription whose deliveries fail this long without a success is disabled. */
export const FAILING_DISABLE_AFTER = '5 days';
/** Longest `Retry-After` honoured, seconds. */
export const MAX_RETRY_AFTER_SECONDS = 6 * 3600;
/**
 * Seconds to wait from a `Retry-After` value (delay-seconds or an HTTP date, RFC 9110 section 10.2.3), capped at
 * `MAX_RETRY_AFTER_SECONDS`; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | null {
  if (!value) return null;
  const v = value.trim();
  let seconds: number;
  if (/^\d+$/.test(v)) seconds = Number(v);
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return null;
    seconds = Math.ceil((at - now.getTime()) / 1000);
  }
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}

/** A schedule step with ±10 % jitter (none on 0), so a receiver coming back is not hit by every retry at once. */
export function withJitter(seconds: number, random: () => number = Math.random): number {
  return seconds <= 0 ? 0 : seconds * (0.9 + 0.2 * random());
}

export type AttemptOutcome =
  | { kind: 'succeeded' }
  | { kind: 'gone' }
  | { kind: 'retry'; delaySeconds: number }
  | { kind: 'failed' };

/**
 * What an attempt's result means. `scheduleIndex` is the position of the attempt just made in `schedule`
 * (whose length is the number of attempts).
 */
export function classifyAttempt(result: Pick<SendResult, 'statusCode' | 'retryAfter'>, scheduleIndex: number, schedule: number[], random?: () => number): AttemptOutcome {
  const s = result.statusCode;
  if (s !== null && s >= 200 && s < 300) return { kind: 'succeeded' };
  if (s === 410) return { kind: 'gone' };
  const next = scheduleIndex + 1;
  if (next >= schedule.length) return { kind: 'failed' };
  const retryAfter = s === 429 || s === 503 ? parseRetryAfter(result.retryAfter) : null;
  return { kind: 'retry', delaySeconds: retryAfter ?? withJitter(schedule[next], random) };
}

