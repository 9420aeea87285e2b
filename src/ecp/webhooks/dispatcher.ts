/**
 * The webhook dispatcher of a worker process: the delivery rows are the queue. It claims a batch of due
 * deliveries in one statement (`FOR UPDATE SKIP LOCKED`, joined to message, subscription and partner client, setting
 * a lease), sends them concurrently (up to `DISPATCH_CONCURRENCY`), and records the results of the attempts that finished
 * meanwhile in one statement (attempt rows, delivery updates, the subscriptions' failure state). It wakes on the
 * outbox's NOTIFY at commit, on a timer at the next retry's time, and on a fallback poll (`pollSeconds`), which also
 * picks up the deliveries of a worker that died once their lease ran out.
 *
 * Guarantees: an attempt is sent only under its lease (timeout + 5 s), so two workers never send the same attempt;
 * its result is written only while the row is still at that attempt (a worker whose lease ran out records nothing
 * a second time); a crash between send and record leaves the lease to expire and the attempt to be made again:
 * delivery is at least once. Messages are not ordered (receivers order one resource's events by `eventTimestamp`).
 * First attempts and retries are claimed side by side (a quarter of each batch is kept for retries), so a backlog
 * of retries never holds fresh messages back, nor the reverse.
 */
import pg from 'pg';
import type { Db } from '../../db/pool.ts';
import type { Logger } from '../../platform/jobs.ts';
import { classifyAttempt, type AttemptOutcome } from './rules.ts';
import { claimDue, recordAttempts, WEBHOOK_NOTIFY_CHANNEL, type AttemptRecord, type ClaimRow } from './store.ts';
import { createWebhookConnections, sendWebhook, type SendResult } from './send.ts';

/**
 * Attempts one process has in flight at most (plus the quarter kept for retries). 64 rather than 32: alternating
 * in-process drains of 3,000 deliveries ran 1,650-2,500/s at 64 against 1,290-1,770/s at 32, in half the statements
 * (larger claims and records).
 */
export const DISPATCH_CONCURRENCY = 64;

/** A claimed delivery with everything its attempt needs. */
export interface ClaimedDelivery {
  id: number;
  attempts: number;
  scheduleIndex: number;
  subscriptionId: number;
  subscriptionGuid: string;
  callbackUrl: string;
  secrets: string[];
  messageId: string;
  eventName: string;
  payload: string;
  /** Why it is not sent (the row is already marked failed), or null. */
  refusal: string | null;
}

export interface DispatcherOptions {
  db: Db;
  /** The database the LISTEN connection opens (the pool's). */
  connectionString: string;
  /** `WEBHOOK_RETRY_SCHEDULE`, seconds. */
  schedule: number[];
  timeoutMs: number;
  allowPrivate: boolean;
  /** Fallback poll, seconds (`JOBS_POLL_SECONDS`): a missed NOTIFY, a dead worker's expired leases. */
  pollSeconds: number;
  log: Logger;
  /** Attempts in flight at most (default `DISPATCH_CONCURRENCY`). */
  concurrency?: number;
}

export interface WebhookDispatcher {
  /** Opens the LISTEN connection and starts claiming. */
  start(): Promise<void>;
  /** Looks for due deliveries now (a NOTIFY, a legacy job). */
  wake(): void;
  /** Stops claiming, waits for the attempts in flight (at most their timeout) and their records, closes the connection. */
  stop(): Promise<void>;
  /** Counts since start: claim statements and deliveries they took, record statements and attempts they wrote. */
  stats(): { claims: number; claimed: number; records: number; recorded: number };
}

/**
 * A dispatcher for this process.
 * @returns start / wake / stop; see the module comment for what it guarantees.
 */
export function createWebhookDispatcher(opts: DispatcherOptions): WebhookDispatcher {
  const { db, log } = opts;
  const concurrency = opts.concurrency ?? DISPATCH_CONCURRENCY;
  // Refill once a quarter of the slots is free, so a backlog is claimed in batches rather than one by one.
  const refillAt = Math.max(1, Math.floor(concurrency / 4));
  const retryReserve = Math.max(1, Math.floor(concurrency / 4));
  const schedule = opts.schedule.length ? opts.schedule : [0];
  // The request is aborted at the timeout; 5 s more cover recording its outcome.
  const leaseSeconds = Math.ceil(opts.timeoutMs / 1000) + 5;
  const pollMs = opts.pollSeconds * 1000;

  let stopped = true;
  let client: pg.Client | undefined;
  let inFlight = 0;
  const sending = new Set<Promise<void>>();
  let claiming: Promise<void> | undefined;
  let wanted = false;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  const results: AttemptRecord[] = [];
  let flushing: Promise<void> | undefined;
  const counts = { claims: 0, claimed: 0, records: 0, recorded: 0 };
  const connections = createWebhookConnections(concurrency + retryReserve);

  /** Claims again in `ms` unless a wake-up is already due sooner. */
  const wakeIn = (ms: number) => {
    if (stopped) return;
    const at = Date.now() + Math.max(0, ms);
    if (timer && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => { timer = undefined; timerAt = Infinity; fill(); }, Math.max(0, ms));
    timer.unref();
  };

  const canClaim = () => !stopped && concurrency - inFlight >= (inFlight === 0 ? 1 : refillAt);

  /**
   * Claims while something may be due (`wanted`: a NOTIFY, a timer, a full last claim) and enough slots are free;
   * a request that finds too few free slots stays wanted, and the next attempt to finish claims.
   */
  const fill = () => {
    wanted = true;
    if (claiming || !canClaim()) return;
    // Cleared by `finally` (always a later tick), so `claiming` is set while the loop runs, never after it.
    claiming = claimLoop().finally(() => { claiming = undefined; });
  };

  const claimLoop = async () => {
    try {
      while (wanted && canClaim()) {
        wanted = false;
        const want = concurrency - inFlight;
        const rows = await claimDue(db, { want, retry_reserve: retryReserve, lease_seconds: leaseSeconds });
        const claimed = rows.filter((r) => r.id !== null);
        counts.claims++;
        counts.claimed += claimed.length;
        for (const row of claimed) start(toClaimed(row));
        // Every free slot taken: more is probably due.
        if (claimed.length >= want) wanted = true;
        else {
          const next = rows[0]?.next_ms;
          wakeIn(next === null || next === undefined ? pollMs : Math.min(pollMs, Math.ceil(Number(next)) + 5));
        }
      }
    } catch (err) {
      log.error({ err }, 'webhook dispatcher could not claim deliveries');
      wakeIn(pollMs);
    }
  };

  const toClaimed = (r: ClaimRow): ClaimedDelivery => ({
    id: Number(r.id), attempts: r.attempts, scheduleIndex: r.schedule_index, subscriptionId: r.subscription_id, subscriptionGuid: r.subscription_guid,
    callbackUrl: r.callback_url, secrets: r.previous_secret ? [r.secret, r.previous_secret] : [r.secret],
    messageId: r.message_id, eventName: r.event_name, payload: r.payload, refusal: r.refusal,
  });

  const start = (d: ClaimedDelivery) => {
    if (d.refusal) {
      log.info({ webhook: { subscriptionId: d.subscriptionGuid, messageId: d.messageId, eventName: d.eventName, outcome: 'skipped' } }, `webhook not sent: ${d.refusal}`);
      return;
    }
    inFlight++;
    const p = attempt(d)
      .catch((err: Error) => log.error({ err, deliveryId: d.id }, 'webhook attempt failed'))
      .finally(() => {
        inFlight--;
        sending.delete(p);
        if (wanted) fill();
      });
    sending.add(p);
  };

  const attempt = async (d: ClaimedDelivery) => {
    const attemptedAt = new Date();
    const result = await sendWebhook({
      url: d.callbackUrl, messageId: d.messageId, payload: d.payload, secrets: d.secrets,
      timeoutMs: opts.timeoutMs, allowPrivate: opts.allowPrivate, now: attemptedAt,
    }, connections);
    const outcome = classifyAttempt(result, d.scheduleIndex, schedule);
    results.push(recordOf(d, attemptedAt, result, outcome));
    flushSoon();
    // No PHI: ids, event name, status and timing only (the payload and the answer stay in the database).
    log.info({
      webhook: {
        subscriptionId: d.subscriptionGuid, messageId: d.messageId, eventName: d.eventName, attempt: d.attempts + 1,
        statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error, outcome: outcome.kind,
        ...(outcome.kind === 'retry' ? { retryInSeconds: Math.round(outcome.delaySeconds) } : {}),
      },
    }, 'webhook attempt');
  };

  /** Writes the results gathered so far; results finishing meanwhile go in the next statement. */
  const flushSoon = () => {
    if (flushing) return;
    flushing = (async () => {
      // Let attempts finishing in the same turn join this statement.
      await new Promise((r) => setImmediate(r));
      while (results.length) {
        const batch = results.splice(0, results.length);
        await writeResults(batch);
        const retryIn = Math.min(...batch.map((b) => (b.outcome === 'retry' ? (b.delay_seconds ?? 0) * 1000 : Infinity)));
        if (retryIn < Infinity) wakeIn(retryIn + 5);
      }
    })().finally(() => {
      flushing = undefined;
      if (results.length) flushSoon();
    });
  };

  const writeResults = async (batch: AttemptRecord[]) => {
    try {
      await recordAttempts(db, { results: JSON.stringify(batch) });
      counts.records++;
      counts.recorded += batch.length;
    } catch (err) {
      // One bad row (a delivery deleted mid-statement) must not lose the others: one statement each.
      if (batch.length === 1) {
        log.error({ err, deliveryId: batch[0].id }, 'webhook attempt could not be recorded; it is made again when its lease ends');
        return;
      }
      for (const one of batch) await writeResults([one]);
    }
  };

  const listen = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: opts.connectionString });
    c.on('error', (err) => log.error({ err }, 'webhook dispatcher connection error'));
    c.on('end', () => {
      if (client === c) client = undefined;
      if (!stopped) setTimeout(() => void listen(), 1000).unref();
    });
    c.on('notification', () => fill());
    try {
      await c.connect();
      await c.query(`LISTEN ${WEBHOOK_NOTIFY_CHANNEL}`);
    } catch (err) {
      log.error({ err }, 'webhook dispatcher could not listen; deliveries wait for the poll');
      await c.end().catch(() => {});
      return;
    }
    // The connection must not keep the process alive on its own.
    (c as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
    if (stopped) { await c.end().catch(() => {}); return; }
    client = c;
    // What committed while the connection was down.
    fill();
  };

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      await listen();
      fill();
    },
    wake() {
      fill();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
      // A claim under way still sends what it took (its leases would otherwise hold those deliveries back).
      await claiming;
      while (sending.size) await Promise.all([...sending]);
      while (flushing) await flushing;
      await connections.close();
    },
    stats: () => ({ ...counts }),
  };
}

function recordOf(d: ClaimedDelivery, attemptedAt: Date, result: SendResult, outcome: AttemptOutcome): AttemptRecord {
  return {
    id: d.id, attempts: d.attempts, subscription_id: d.subscriptionId, attempted_at: attemptedAt.toISOString(),
    status_code: result.statusCode, latency_ms: result.latencyMs, response_body: result.responseBody, error: result.error,
    outcome: outcome.kind, delay_seconds: outcome.kind === 'retry' ? outcome.delaySeconds : null,
    last_error: result.error ?? (outcome.kind === 'succeeded' ? null : `HTTP ${result.statusCode}`),
  };
}
