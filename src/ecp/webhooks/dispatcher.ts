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
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { preparedStatement, type Db } from '../../db/pool.ts';
import type { Logger } from '../../platform/jobs.ts';
import { WEBHOOK_NOTIFY_CHANNEL } from './outbox.ts';
import { classifyAttempt, FAILING_DISABLE_AFTER, type AttemptOutcome } from './rules.ts';
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

type ClaimRow = {
  id: string | number | null;
  attempts: number;
  schedule_index: number;
  subscription_id: number;
  subscription_guid: string;
  callback_url: string;
  secret: string;
  previous_secret: string | null;
  message_id: string;
  event_name: string;
  payload: string;
  refusal: string | null;
  next_ms: string | number | null;
};

/**
 * Claims up to `want` due deliveries (first attempts; retries get at least `retry_reserve` of their own) with a
 * lease of `lease_seconds`. A delivery whose subscription is disabled, whose client is disabled or no longer reaches
 * the message's location is marked failed instead (`refusal`). Always one row more: `next_ms`, when fewer than
 * `want` were due, is the time until the next pending delivery falls due (null: none).
 */
const claimDue = preparedStatement<ClaimRow>('ecp_webhook_claim_due', () => {
  const want = sql`${sql.placeholder('want')}::int`;
  const due = sql`status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())`;
  return sql`
    WITH fresh AS (
      SELECT id FROM ecp_webhook_deliveries WHERE ${due} AND attempts = 0
      ORDER BY next_attempt_at LIMIT ${want} FOR UPDATE SKIP LOCKED),
    retry AS (
      SELECT id FROM ecp_webhook_deliveries WHERE ${due} AND attempts > 0
      ORDER BY next_attempt_at LIMIT greatest(${sql.placeholder('retry_reserve')}::int, ${want} - (SELECT count(*) FROM fresh)) FOR UPDATE SKIP LOCKED),
    picked AS (
      SELECT d.id, d.attempts, d.schedule_index, s.id AS subscription_id, s.guid AS subscription_guid, s.callback_url, s.secret,
        CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret END AS previous_secret,
        m.id AS message_id, m.event_name, m.payload,
        CASE WHEN NOT s.enabled THEN 'the subscription is disabled'
          WHEN pc.id IS NULL OR pc.disabled_at IS NOT NULL THEN 'the partner client is disabled'
          WHEN m.location_id IS NOT NULL AND NOT (m.location_id = ANY (pc.location_ids)) THEN 'the partner client no longer reaches the location'
        END AS refusal
      FROM ecp_webhook_deliveries d
      JOIN ecp_webhook_messages m ON m.id = d.message_id
      JOIN ecp_webhook_subscriptions s ON s.id = d.subscription_id
      LEFT JOIN partner_clients pc ON pc.id = s.partner_client_id
      WHERE d.id IN (SELECT id FROM fresh UNION ALL SELECT id FROM retry)),
    claimed AS (
      UPDATE ecp_webhook_deliveries d SET
        lease_until = CASE WHEN p.refusal IS NULL THEN now() + make_interval(secs => ${sql.placeholder('lease_seconds')}::int) END,
        status = CASE WHEN p.refusal IS NULL THEN d.status ELSE 'failed' END,
        last_error = CASE WHEN p.refusal IS NULL THEN d.last_error ELSE 'Not sent: ' || p.refusal END,
        updated_at = CASE WHEN p.refusal IS NULL THEN d.updated_at ELSE now() END
      FROM picked p WHERE d.id = p.id
      RETURNING p.*),
    wake AS (
      SELECT CASE WHEN (SELECT count(*) FROM claimed) < ${want} THEN
        extract(epoch FROM (SELECT min(next_attempt_at) FROM ecp_webhook_deliveries WHERE status = 'pending' AND next_attempt_at > now()) - now()) * 1000
      END AS next_ms)
    SELECT c.*, w.next_ms FROM wake w LEFT JOIN claimed c ON true`;
});

/** One finished attempt, as `recordAttempts` takes it. */
interface AttemptRecord {
  id: number;
  attempts: number;
  subscription_id: number;
  attempted_at: string;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
  outcome: AttemptOutcome['kind'];
  delay_seconds: number | null;
  last_error: string | null;
}

/**
 * Records finished attempts (a JSON array of `AttemptRecord`) in one statement: an attempt row each (of deliveries
 * that still exist), the delivery's new state where it is still at that attempt (succeeded; pending with the next
 * attempt's time; failed), and per subscription: `failing_since` cleared by a success after the last failure or set
 * at the first failure after the last success; disabled on 410 or after `FAILING_DISABLE_AFTER` of failures. Rows
 * of subscriptions that change are locked in id order first, so two workers recording at once cannot deadlock.
 */
const recordAttempts = preparedStatement<{ attempts: string; updated: string }>('ecp_webhook_record_attempts', () => {
  // The subscription's failing_since after this batch, from its current value `s.failing_since`.
  const failing = sql`CASE WHEN p.first_failure IS NOT NULL THEN
      CASE WHEN p.last_success IS NOT NULL THEN p.first_failure ELSE coalesce(s.failing_since, p.first_failure) END
    WHEN p.last_success IS NOT NULL THEN NULL ELSE s.failing_since END`;
  const tooLong = sql`(p.first_failure IS NOT NULL AND (${failing}) < now() - ${FAILING_DISABLE_AFTER}::interval)`;
  const disabling = sql`(s.enabled AND (p.gone OR ${tooLong}))`;
  return sql`
    WITH r AS (
      SELECT * FROM jsonb_to_recordset(${sql.placeholder('results')}::jsonb) AS x(id bigint, attempts int, subscription_id int,
        attempted_at timestamptz, status_code int, latency_ms int, response_body text, error text, outcome text, delay_seconds float8, last_error text)),
    att AS (
      INSERT INTO ecp_webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, response_body, error)
      SELECT r.id, r.attempted_at, r.status_code, r.latency_ms, r.response_body, r.error FROM r
      WHERE EXISTS (SELECT 1 FROM ecp_webhook_deliveries d WHERE d.id = r.id)
      RETURNING 1),
    upd AS (
      UPDATE ecp_webhook_deliveries d SET
        attempts = r.attempts + 1, lease_until = NULL, last_attempt_at = r.attempted_at, last_status_code = r.status_code,
        last_error = r.last_error, last_latency_ms = r.latency_ms, updated_at = now(),
        status = CASE r.outcome WHEN 'succeeded' THEN 'succeeded' WHEN 'retry' THEN 'pending' ELSE 'failed' END,
        succeeded_at = CASE WHEN r.outcome = 'succeeded' THEN r.attempted_at ELSE d.succeeded_at END,
        schedule_index = CASE WHEN r.outcome = 'retry' THEN d.schedule_index + 1 ELSE d.schedule_index END,
        next_attempt_at = CASE WHEN r.outcome = 'retry' THEN now() + make_interval(secs => r.delay_seconds) ELSE d.next_attempt_at END
      FROM r WHERE d.id = r.id AND d.attempts = r.attempts AND d.status = 'pending'
      RETURNING 1),
    p AS (
      SELECT g.*, (SELECT min(f.attempted_at) FROM r f WHERE f.subscription_id = g.id AND f.outcome IN ('retry', 'failed')
          AND (g.last_success IS NULL OR f.attempted_at > g.last_success)) AS first_failure
      FROM (SELECT subscription_id AS id, bool_or(outcome = 'gone') AS gone, max(attempted_at) FILTER (WHERE outcome = 'succeeded') AS last_success
        FROM r GROUP BY subscription_id) g),
    locked AS (
      SELECT s.id FROM ecp_webhook_subscriptions s JOIN p ON p.id = s.id
      WHERE p.gone OR p.first_failure IS NOT NULL OR s.failing_since IS NOT NULL
      ORDER BY s.id FOR UPDATE),
    subs AS (
      UPDATE ecp_webhook_subscriptions s SET
        failing_since = ${failing},
        enabled = s.enabled AND NOT ${disabling},
        disabled_at = CASE WHEN ${disabling} THEN now() ELSE s.disabled_at END,
        disabled_reason = CASE WHEN ${disabling} THEN
            CASE WHEN p.gone THEN 'The callback URL answered 410 Gone' ELSE 'Deliveries failed continuously for ' || ${FAILING_DISABLE_AFTER} END
          ELSE s.disabled_reason END,
        updated_at = CASE WHEN ${disabling} THEN now() ELSE s.updated_at END
      FROM p WHERE s.id = p.id AND s.id IN (SELECT id FROM locked)
        AND (s.failing_since IS DISTINCT FROM ${failing} OR ${disabling})
      RETURNING 1)
    SELECT (SELECT count(*) FROM att) AS attempts, (SELECT count(*) FROM upd) AS updated, (SELECT count(*) FROM subs) AS subscriptions`;
});

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
