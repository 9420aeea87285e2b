/**
 * ECP webhook subscriptions and delivery (issue 6). A subscription belongs to the partner client that created it:
 * another client, even of the same company, gets "No webhook subscription with subscriptionId X". The signing
 * secret (`whsec_` + base64 of 32 random bytes, Standard Webhooks) is shown once, at creation or rotation; after a
 * rotation the previous secret also signs for 24 hours.
 *
 * Delivery (`runAttempt`, the dispatcher): an attempt is claimed by setting a lease on its delivery row, so two
 * workers never send the same attempt; the result, the attempt log row, the subscription's failure state and the
 * next attempt's job are written in one transaction. A crash mid-attempt leaves the lease to expire and the
 * attempt's job to be retried by pg-boss: delivery is at least once. 2xx succeeds; 410 disables the
 * subscription; 429 and 503 wait `Retry-After` (capped at 6 h); anything else (3xx included, redirects are not
 * followed) waits the next step of `WEBHOOK_RETRY_SCHEDULE` (±10 % jitter) until the schedule is spent; a
 * subscription failing continuously for 5 days is disabled.
 */
import { randomBytes } from 'node:crypto';
import { and, count, desc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/pool.ts';
import { ecpLocations, ecpWebhookAttempts, ecpWebhookDeliveries, ecpWebhookMessages, ecpWebhookSubscriptions, partnerClients } from '../../db/schema.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { loggerOptions } from '../../platform/http.ts';
import type { Jobs, Logger } from '../../platform/jobs.ts';
import { OutboundUrlError, resolvePublicAddresses } from '../../platform/outbound.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import type { PartnerActor } from '../auth.ts';
import { newGuid } from '../clients/service.ts';
import { retryJob } from './jobs.ts';
import { companyGuidOf, recordWebhookEvent, WEBHOOK_NOTIFY_CHANNEL, type RecordedWebhookEvent, type WebhookEvent } from './outbox.ts';
import { WEBHOOK_EVENT_NAMES, type WebhookEventName } from './payloads.ts';
import { sendWebhook, type SendResult } from './send.ts';

type SubscriptionRow = typeof ecpWebhookSubscriptions.$inferSelect;
type DeliveryRow = typeof ecpWebhookDeliveries.$inferSelect;

/** The previous secret keeps signing this long after a rotation. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;
/** A subscription whose deliveries fail this long without a success is disabled. */
export const FAILING_DISABLE_AFTER = '5 days';
/** Longest `Retry-After` honoured, seconds. */
export const MAX_RETRY_AFTER_SECONDS = 6 * 3600;
/** Attempts the dispatcher runs at once in one process. */
const DISPATCH_CONCURRENCY = 16;

export interface SubscriptionInput {
  callbackUrl: string;
  eventNames?: WebhookEventName[];
  locationIds?: string[] | null;
}

export interface SubscriptionUpdate {
  callbackUrl?: string;
  eventNames?: WebhookEventName[];
  locationIds?: string[] | null;
  enabled?: boolean;
}

export interface DeliveryFilter {
  status?: 'pending' | 'succeeded' | 'failed';
  eventName?: WebhookEventName;
  messageId?: string;
  since?: string;
  page?: number;
}

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

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

export function createWebhookService({ db, config, jobs, clock, log }: {
  db: Db;
  config: Pick<Config, 'webhookAllowPrivateUrls' | 'webhookRetrySchedule' | 'webhookTimeoutMs' | 'logLevel'>;
  jobs: Pick<Jobs, 'send'>;
  clock?: () => Date;
  log?: Logger;
}) {
  const logger: Logger = log ?? pino(loggerOptions(config));
  const schedule = config.webhookRetrySchedule.length ? config.webhookRetrySchedule : [0];
  // The request is aborted at the timeout; 5 s more cover writing its outcome. A job whose handler died is retried after it.
  const leaseSeconds = Math.ceil(config.webhookTimeoutMs / 1000) + 5;

  /**
   * A callback URL partners may use: https (http too when private URLs are allowed), no credentials, a host
   * resolving only to public addresses.
   * @throws ValidationError naming the problem.
   */
  async function checkCallbackUrl(value: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      throw new ValidationError(['callbackUrl must be an absolute URL']);
    }
    const protocols = config.webhookAllowPrivateUrls ? ['https:', 'http:'] : ['https:'];
    if (!protocols.includes(url.protocol)) throw new ValidationError(['callbackUrl must use https']);
    if (url.username || url.password) throw new ValidationError(['callbackUrl must not contain credentials']);
    try {
      await resolvePublicAddresses(url.hostname, { allowPrivate: config.webhookAllowPrivateUrls });
    } catch (err) {
      if (err instanceof OutboundUrlError) throw new ValidationError([`callbackUrl is not allowed: ${err.message}`]);
      throw err;
    }
    return url.toString();
  }

  async function clientRowId(tx: Executor, actor: PartnerActor): Promise<number> {
    const [row] = await tx.select({ id: partnerClients.id }).from(partnerClients).where(eq(partnerClients.clientId, actor.clientId));
    if (!row) throw new ValidationError(['Unknown partner client']);
    return row.id;
  }

  /** `ecp_locations.id` of location GUIDs (or names) the client reaches. @throws ValidationError. */
  async function resolveLocations(tx: Executor, actor: PartnerActor, values: string[] | null | undefined): Promise<number[] | null | undefined> {
    if (values === undefined || values === null) return values;
    if (values.length === 0) throw new ValidationError(['locationIds must name at least one location (omit it for every location)']);
    const reachable = actor.locationIds.length ? await tx.select().from(ecpLocations).where(inArray(ecpLocations.id, actor.locationIds)) : [];
    const ids: number[] = [];
    for (const v of values) {
      const t = v.trim();
      const found = reachable.find((l) => l.guid === t.toUpperCase() || l.name === t);
      if (!found) throw new ValidationError([`locationIds is invalid: ${t} is not a location this client reaches`]);
      if (!ids.includes(found.id)) ids.push(found.id);
    }
    return ids;
  }

  /** The client's own subscription `subscriptionId`, optionally locked. @throws ValidationError when not found. */
  async function ownSubscription(tx: Executor, actor: PartnerActor, subscriptionId: string, lock = false): Promise<SubscriptionRow> {
    const clientId = await clientRowId(tx, actor);
    const q = tx.select().from(ecpWebhookSubscriptions).where(and(
      eq(ecpWebhookSubscriptions.guid, subscriptionId.trim().toUpperCase()),
      eq(ecpWebhookSubscriptions.partnerClientId, clientId),
      eq(ecpWebhookSubscriptions.organizationId, actor.organizationId),
    ));
    const [row] = lock ? await q.for('update') : await q;
    if (!row) throw new ValidationError([`No webhook subscription with subscriptionId ${subscriptionId.trim()}`]);
    return row;
  }

  async function wire(tx: Executor, s: SubscriptionRow) {
    const locs = s.locationIds?.length ? await tx.select({ id: ecpLocations.id, guid: ecpLocations.guid }).from(ecpLocations).where(inArray(ecpLocations.id, s.locationIds)) : [];
    const now = (clock ?? (() => new Date()))();
    return {
      subscriptionId: s.guid,
      companyId: await companyGuidOf(tx, s.organizationId),
      callbackUrl: s.callbackUrl,
      eventNames: s.eventNames as WebhookEventName[],
      locationIds: s.locationIds ? s.locationIds.map((id) => locs.find((l) => l.id === id)?.guid ?? String(id)) : null,
      enabled: s.enabled,
      disabledReason: s.disabledReason,
      failingSince: s.failingSince ? ecpTimestamp(s.failingSince) : null,
      previousSecretValidUntil: s.previousSecret && s.previousSecretExpiresAt && s.previousSecretExpiresAt > now ? ecpTimestamp(s.previousSecretExpiresAt) : null,
      createdAt: ecpTimestamp(s.createdAt),
      updatedAt: ecpTimestamp(s.updatedAt),
    };
  }

  /** The secrets that sign now: the current one, and the previous one during its 24 hours. */
  function signingSecrets(s: SubscriptionRow, now: Date): string[] {
    const out = [s.secret];
    if (s.previousSecret && s.previousSecretExpiresAt && s.previousSecretExpiresAt > now) out.push(s.previousSecret);
    return out;
  }

  /** Enqueues attempt `attempt` of delivery `id` (on the retry queue), not before `delaySeconds`. */
  async function enqueueAttempt(tx: Executor, id: number, attempt: number, delaySeconds = 0) {
    await jobs.send(tx, retryJob, { deliveryId: id, attempt }, {
      expireInSeconds: leaseSeconds,
      ...(delaySeconds > 0 ? { startAfterSeconds: Math.max(1, Math.round(delaySeconds)) } : {}),
    });
  }

  /** Re-sends deliveries (a fresh schedule each), if the subscription is enabled. */
  async function resend(tx: Executor, sub: SubscriptionRow, rows: DeliveryRow[]): Promise<number> {
    if (!sub.enabled) throw new ValidationError(['The subscription is disabled; enable it (PUT enabled: true) first']);
    for (const d of rows) {
      await tx.update(ecpWebhookDeliveries).set({ status: 'pending', scheduleIndex: 0, nextAttemptAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(ecpWebhookDeliveries.id, d.id));
      await enqueueAttempt(tx, d.id, d.attempts);
    }
    return rows.length;
  }

  /**
   * Claims attempt `attempt` of delivery `id` (a lease of the timeout + 5 s).
   * @returns the row when claimed; 'busy' when another worker holds the attempt; 'stale' when it is no longer due.
   */
  async function claim(id: number, attempt: number): Promise<DeliveryRow | 'busy' | 'stale'> {
    const [row] = await db.update(ecpWebhookDeliveries).set({ leaseUntil: sql`now() + make_interval(secs => ${leaseSeconds})` })
      .where(and(
        eq(ecpWebhookDeliveries.id, id),
        eq(ecpWebhookDeliveries.status, 'pending'),
        eq(ecpWebhookDeliveries.attempts, attempt),
        or(isNull(ecpWebhookDeliveries.leaseUntil), lt(ecpWebhookDeliveries.leaseUntil, sql`now()`)),
      ))
      .returning();
    if (row) return row;
    const [cur] = await db.select().from(ecpWebhookDeliveries).where(eq(ecpWebhookDeliveries.id, id));
    return cur && cur.status === 'pending' && cur.attempts === attempt ? 'busy' : 'stale';
  }

  /** Makes one claimed attempt and records it. */
  async function perform(d: DeliveryRow): Promise<AttemptOutcome | { kind: 'skipped' }> {
    const [sub] = await db.select().from(ecpWebhookSubscriptions).where(eq(ecpWebhookSubscriptions.id, d.subscriptionId));
    const [msg] = await db.select().from(ecpWebhookMessages).where(eq(ecpWebhookMessages.id, d.messageId));
    if (!sub || !msg) return { kind: 'skipped' };
    // Checked at every attempt, not only when the message was recorded: a client disabled since, or no longer
    // reaching the message's location, receives nothing more.
    const [client] = await db.select({ disabledAt: partnerClients.disabledAt, locationIds: partnerClients.locationIds })
      .from(partnerClients).where(eq(partnerClients.id, sub.partnerClientId));
    const refusal = !sub.enabled ? 'the subscription is disabled'
      : !client || client.disabledAt ? 'the partner client is disabled'
        : msg.locationId !== null && !client.locationIds.includes(msg.locationId) ? 'the partner client no longer reaches the location'
          : undefined;
    if (refusal) {
      await db.update(ecpWebhookDeliveries).set({ status: 'failed', leaseUntil: null, lastError: `Not sent: ${refusal}`, updatedAt: sql`now()` })
        .where(eq(ecpWebhookDeliveries.id, d.id));
      logger.info({ webhook: { subscriptionId: sub.guid, messageId: msg.id, eventName: msg.eventName, outcome: 'skipped' } }, `webhook not sent: ${refusal}`);
      return { kind: 'skipped' };
    }
    const attemptedAt = new Date();
    const result = await sendWebhook({
      url: sub.callbackUrl, messageId: msg.id, payload: msg.payload, secrets: signingSecrets(sub, attemptedAt),
      timeoutMs: config.webhookTimeoutMs, allowPrivate: config.webhookAllowPrivateUrls, now: attemptedAt,
    });
    const outcome = classifyAttempt(result, d.scheduleIndex, schedule);
    await db.transaction(async (tx) => {
      await tx.insert(ecpWebhookAttempts).values({
        deliveryId: d.id, attemptedAt, statusCode: result.statusCode, latencyMs: result.latencyMs, responseBody: result.responseBody, error: result.error,
      });
      const last = {
        attempts: d.attempts + 1, leaseUntil: null, lastAttemptAt: attemptedAt, lastStatusCode: result.statusCode,
        lastError: result.error ?? (outcome.kind === 'succeeded' ? null : `HTTP ${result.statusCode}`), lastLatencyMs: result.latencyMs, updatedAt: sql`now()`,
      };
      // The attempt's outcome is written only while it is still this attempt: a worker whose lease ran out (a slow
      // resolver, a pause) must not record it a second time or enqueue a second next attempt.
      const mine = and(eq(ecpWebhookDeliveries.id, d.id), eq(ecpWebhookDeliveries.attempts, d.attempts), eq(ecpWebhookDeliveries.status, 'pending'));
      if (outcome.kind === 'succeeded') {
        await tx.update(ecpWebhookDeliveries).set({ ...last, status: 'succeeded', succeededAt: attemptedAt }).where(mine);
        await tx.update(ecpWebhookSubscriptions).set({ failingSince: null }).where(and(eq(ecpWebhookSubscriptions.id, sub.id), sql`${ecpWebhookSubscriptions.failingSince} is not null`));
        return;
      }
      if (outcome.kind === 'gone') {
        await tx.update(ecpWebhookDeliveries).set({ ...last, status: 'failed' }).where(mine);
        await tx.update(ecpWebhookSubscriptions).set({ enabled: false, disabledAt: sql`now()`, disabledReason: 'The callback URL answered 410 Gone', updatedAt: sql`now()` })
          .where(eq(ecpWebhookSubscriptions.id, sub.id));
        return;
      }
      if (outcome.kind === 'retry') {
        const moved = await tx.update(ecpWebhookDeliveries)
          .set({ ...last, scheduleIndex: d.scheduleIndex + 1, nextAttemptAt: sql`now() + make_interval(secs => ${outcome.delaySeconds})` })
          .where(mine).returning({ id: ecpWebhookDeliveries.id });
        if (moved.length) await enqueueAttempt(tx, d.id, d.attempts + 1, outcome.delaySeconds);
      } else {
        await tx.update(ecpWebhookDeliveries).set({ ...last, status: 'failed' }).where(mine);
      }
      await tx.update(ecpWebhookSubscriptions).set({ failingSince: sql`coalesce(${ecpWebhookSubscriptions.failingSince}, ${attemptedAt})` })
        .where(eq(ecpWebhookSubscriptions.id, sub.id));
      await tx.update(ecpWebhookSubscriptions)
        .set({ enabled: false, disabledAt: sql`now()`, disabledReason: `Deliveries failed continuously for ${FAILING_DISABLE_AFTER}`, updatedAt: sql`now()` })
        .where(and(eq(ecpWebhookSubscriptions.id, sub.id), eq(ecpWebhookSubscriptions.enabled, true),
          lt(ecpWebhookSubscriptions.failingSince, sql`now() - ${FAILING_DISABLE_AFTER}::interval`)));
    });
    // No PHI: ids, event name, status and timing only (the payload and the answer stay in the database).
    logger.info({
      webhook: {
        subscriptionId: sub.guid, messageId: msg.id, eventName: msg.eventName, attempt: d.attempts + 1,
        statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error, outcome: outcome.kind,
        ...(outcome.kind === 'retry' ? { retryInSeconds: Math.round(outcome.delaySeconds) } : {}),
      },
    }, 'webhook attempt');
    return outcome;
  }

  /** Claims up to `limit` first attempts that are due (the dispatcher's fast path). */
  async function claimFresh(limit: number): Promise<DeliveryRow[]> {
    const res = await db.execute(sql`
      update ecp_webhook_deliveries set lease_until = now() + make_interval(secs => ${leaseSeconds})
      where id in (
        select id from ecp_webhook_deliveries
        where status = 'pending' and attempts = 0 and (lease_until is null or lease_until < now())
        order by id limit ${limit} for update skip locked)
      returning id`);
    const ids = (res.rows as Array<{ id: string | number }>).map((r) => Number(r.id));
    return ids.length ? db.select().from(ecpWebhookDeliveries).where(inArray(ecpWebhookDeliveries.id, ids)) : [];
  }

  let dispatcher: { stop(): Promise<void> } | undefined;

  return {
    /**
     * `recordWebhookEvent(tx, event)` with this process's jobs and clock: call it inside the transaction of the
     * change (see `outbox.ts`).
     */
    recordWebhookEvent(tx: Executor, event: WebhookEvent): Promise<RecordedWebhookEvent> {
      return recordWebhookEvent(tx, event, { jobs, clock, expireInSeconds: leaseSeconds });
    },

    checkCallbackUrl,

    /**
     * `POST /clinical/v1/webhook`.
     * @returns `{result: "Success", subscriptionId, secret}`; the secret is never shown again.
     * @throws ValidationError for a refused URL, an unknown event name, a location the client does not reach.
     */
    async createSubscription(ctx: RequestContext<PartnerActor>, input: SubscriptionInput) {
      const callbackUrl = await checkCallbackUrl(input.callbackUrl);
      const eventNames = [...new Set(input.eventNames?.length ? input.eventNames : WEBHOOK_EVENT_NAMES)];
      return db.transaction(async (tx) => {
        const locationIds = await resolveLocations(tx, ctx.actor, input.locationIds);
        const secret = newSigningSecret();
        const [row] = await tx.insert(ecpWebhookSubscriptions).values({
          organizationId: ctx.actor.organizationId,
          partnerClientId: await clientRowId(tx, ctx.actor),
          guid: newGuid(),
          callbackUrl,
          eventNames,
          locationIds: locationIds ?? null,
          secret,
        }).returning();
        await recordAudit(tx, ctx, { action: 'create', entityType: 'webhook_subscription', entityIds: [row.guid] });
        return { result: 'Success' as const, subscriptionId: row.guid, secret };
      });
    },

    /** `GET /clinical/v1/webhook`: the client's subscriptions, oldest first, without secrets. */
    async listSubscriptions(ctx: RequestContext<PartnerActor>) {
      const clientId = await clientRowId(db, ctx.actor);
      const rows = await db.select().from(ecpWebhookSubscriptions)
        .where(and(eq(ecpWebhookSubscriptions.partnerClientId, clientId), eq(ecpWebhookSubscriptions.organizationId, ctx.actor.organizationId)))
        .orderBy(ecpWebhookSubscriptions.id).limit(100);
      const data = [];
      for (const r of rows) data.push(await wire(db, r));
      return { result: 'Success' as const, data, numberOfResults: data.length };
    },

    /** `GET /clinical/v1/webhook/{subscriptionId}`. @throws ValidationError when not the client's. */
    async getSubscription(ctx: RequestContext<PartnerActor>, subscriptionId: string) {
      const row = await ownSubscription(db, ctx.actor, subscriptionId);
      return { result: 'Success' as const, ...(await wire(db, row)) };
    },

    /**
     * `PUT /clinical/v1/webhook/{subscriptionId}`: changes the given fields. `locationIds: null` removes the filter;
     * `enabled: true` re-enables and clears the failure state (deliveries failed meanwhile stay failed: replay them).
     */
    async updateSubscription(ctx: RequestContext<PartnerActor>, subscriptionId: string, input: SubscriptionUpdate) {
      const callbackUrl = input.callbackUrl === undefined ? undefined : await checkCallbackUrl(input.callbackUrl);
      return db.transaction(async (tx) => {
        const cur = await ownSubscription(tx, ctx.actor, subscriptionId, true);
        const values: Partial<typeof ecpWebhookSubscriptions.$inferInsert> = { updatedAt: new Date() };
        if (callbackUrl !== undefined) values.callbackUrl = callbackUrl;
        if (input.eventNames !== undefined) {
          if (input.eventNames.length === 0) throw new ValidationError(['eventNames must name at least one event']);
          values.eventNames = [...new Set(input.eventNames)];
        }
        if (input.locationIds !== undefined) values.locationIds = (await resolveLocations(tx, ctx.actor, input.locationIds)) ?? null;
        if (input.enabled === true && !cur.enabled) Object.assign(values, { enabled: true, disabledAt: null, disabledReason: null, failingSince: null });
        if (input.enabled === false && cur.enabled) Object.assign(values, { enabled: false, disabledAt: new Date(), disabledReason: 'Disabled by the partner' });
        const [row] = await tx.update(ecpWebhookSubscriptions).set(values).where(eq(ecpWebhookSubscriptions.id, cur.id)).returning();
        await recordAudit(tx, ctx, { action: 'update', entityType: 'webhook_subscription', entityIds: [row.guid] });
        return { result: 'Success' as const, ...(await wire(tx, row)) };
      });
    },

    /** `DELETE /clinical/v1/webhook/{subscriptionId}`: the subscription and its delivery log; pending attempts stop. */
    async deleteSubscription(ctx: RequestContext<PartnerActor>, subscriptionId: string) {
      return db.transaction(async (tx) => {
        const cur = await ownSubscription(tx, ctx.actor, subscriptionId, true);
        await tx.delete(ecpWebhookSubscriptions).where(eq(ecpWebhookSubscriptions.id, cur.id));
        await recordAudit(tx, ctx, { action: 'delete', entityType: 'webhook_subscription', entityIds: [cur.guid] });
        return { result: 'Success' as const, subscriptionId: cur.guid };
      });
    },

    /**
     * `POST /clinical/v1/webhook/{subscriptionId}/rotate-secret`: a new secret; the current one keeps signing
     * beside it for 24 hours (two `v1,` signatures), so the receiver can switch without losing a message.
     */
    async rotateSecret(ctx: RequestContext<PartnerActor>, subscriptionId: string) {
      return db.transaction(async (tx) => {
        const cur = await ownSubscription(tx, ctx.actor, subscriptionId, true);
        const secret = newSigningSecret();
        const now = (clock ?? (() => new Date()))();
        const previousSecretExpiresAt = new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS);
        await tx.update(ecpWebhookSubscriptions).set({ secret, previousSecret: cur.secret, previousSecretExpiresAt, updatedAt: now })
          .where(eq(ecpWebhookSubscriptions.id, cur.id));
        await recordAudit(tx, ctx, { action: 'update', entityType: 'webhook_subscription_secret', entityIds: [cur.guid] });
        return { result: 'Success' as const, subscriptionId: cur.guid, secret, previousSecretValidUntil: ecpTimestamp(previousSecretExpiresAt) };
      });
    },

    /**
     * `GET /clinical/v1/webhook/{subscriptionId}/deliveries`: messages sent to the subscription, newest first, 100 a
     * page, each with its attempts (oldest first).
     */
    async listDeliveries(ctx: RequestContext<PartnerActor>, subscriptionId: string, filter: DeliveryFilter) {
      const sub = await ownSubscription(db, ctx.actor, subscriptionId);
      const conds: SQL[] = [eq(ecpWebhookDeliveries.subscriptionId, sub.id)];
      if (filter.status) conds.push(eq(ecpWebhookDeliveries.status, filter.status));
      if (filter.eventName) conds.push(eq(ecpWebhookMessages.eventName, filter.eventName));
      if (filter.messageId) conds.push(eq(ecpWebhookDeliveries.messageId, filter.messageId.trim().toUpperCase()));
      if (filter.since) conds.push(gte(ecpWebhookDeliveries.createdAt, new Date(filter.since)));
      const where = and(...conds);
      const page = Math.max(1, filter.page ?? 1);
      const [{ total }] = await db.select({ total: count() }).from(ecpWebhookDeliveries)
        .innerJoin(ecpWebhookMessages, eq(ecpWebhookMessages.id, ecpWebhookDeliveries.messageId)).where(where);
      const rows = await db.select({ d: ecpWebhookDeliveries, eventName: ecpWebhookMessages.eventName, eventTimestamp: ecpWebhookMessages.eventTimestamp })
        .from(ecpWebhookDeliveries).innerJoin(ecpWebhookMessages, eq(ecpWebhookMessages.id, ecpWebhookDeliveries.messageId))
        .where(where).orderBy(desc(ecpWebhookDeliveries.id)).limit(100).offset((page - 1) * 100);
      const attempts = rows.length
        ? await db.select().from(ecpWebhookAttempts).where(inArray(ecpWebhookAttempts.deliveryId, rows.map((r) => r.d.id))).orderBy(ecpWebhookAttempts.id)
        : [];
      return {
        result: 'Success' as const,
        data: rows.map(({ d, eventName, eventTimestamp }) => ({
          messageId: d.messageId,
          eventName,
          eventTimestamp: ecpTimestamp(eventTimestamp),
          status: d.status as 'pending' | 'succeeded' | 'failed',
          nextAttemptAt: d.status === 'pending' ? ecpTimestamp(d.nextAttemptAt) : null,
          attempts: attempts.filter((a) => a.deliveryId === d.id).map((a) => ({
            attemptedAt: ecpTimestamp(a.attemptedAt), statusCode: a.statusCode, latencyMs: a.latencyMs, response: a.responseBody, error: a.error,
          })),
        })),
        numberOfResults: Number(total),
      };
    },

    /** `POST .../deliveries/{messageId}/retry`: sends one message again with a fresh schedule. @throws ValidationError. */
    async retryDelivery(ctx: RequestContext<PartnerActor>, subscriptionId: string, messageId: string) {
      return db.transaction(async (tx) => {
        const sub = await ownSubscription(tx, ctx.actor, subscriptionId, true);
        const rows = await tx.select().from(ecpWebhookDeliveries)
          .where(and(eq(ecpWebhookDeliveries.subscriptionId, sub.id), eq(ecpWebhookDeliveries.messageId, messageId.trim().toUpperCase()))).for('update');
        if (!rows.length) throw new ValidationError([`No message ${messageId.trim()} for this subscription`]);
        await resend(tx, sub, rows);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'webhook_delivery', entityIds: [rows[0].messageId] });
        return { result: 'Success' as const, numberOfResults: rows.length };
      });
    },

    /**
     * `POST .../replay`: sends again every message created since `since` that failed (or, with
     * `includeSucceeded`, every one), each with a fresh schedule.
     */
    async replay(ctx: RequestContext<PartnerActor>, subscriptionId: string, input: { since: string; includeSucceeded?: boolean }) {
      return db.transaction(async (tx) => {
        const sub = await ownSubscription(tx, ctx.actor, subscriptionId, true);
        const rows = await tx.select().from(ecpWebhookDeliveries).where(and(
          eq(ecpWebhookDeliveries.subscriptionId, sub.id),
          gte(ecpWebhookDeliveries.createdAt, new Date(input.since)),
          input.includeSucceeded ? inArray(ecpWebhookDeliveries.status, ['failed', 'succeeded']) : eq(ecpWebhookDeliveries.status, 'failed'),
        )).orderBy(ecpWebhookDeliveries.id).for('update');
        const n = await resend(tx, sub, rows);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'webhook_delivery', entityIds: [sub.guid] });
        return { result: 'Success' as const, numberOfResults: n };
      });
    },

    /**
     * The job handler: makes attempt `attempt` of delivery `deliveryId` if it is still due.
     * @throws when another worker holds the attempt, so pg-boss tries again after the lease.
     */
    async runAttempt(deliveryId: number, attempt: number) {
      const claimed = await claim(deliveryId, attempt);
      if (claimed === 'stale') return { kind: 'stale' as const };
      if (claimed === 'busy') throw new Error(`webhook delivery ${deliveryId} attempt ${attempt} is in flight elsewhere`);
      return perform(claimed);
    },

    /** The sweep: re-enqueues pending attempts overdue by 2 minutes with no lease held (a lost job). */
    async sweepOverdue() {
      return db.transaction(async (tx) => {
        const rows = await tx.select({ id: ecpWebhookDeliveries.id, attempts: ecpWebhookDeliveries.attempts }).from(ecpWebhookDeliveries).where(and(
          eq(ecpWebhookDeliveries.status, 'pending'),
          lt(ecpWebhookDeliveries.nextAttemptAt, sql`now() - interval '2 minutes'`),
          or(isNull(ecpWebhookDeliveries.leaseUntil), lt(ecpWebhookDeliveries.leaseUntil, sql`now()`)),
        )).limit(1000);
        for (const r of rows) await enqueueAttempt(tx, r.id, r.attempts);
        return rows.length;
      });
    },

    /**
     * Starts the dispatcher of this worker process: it LISTENs on the channel `recordWebhookEvent` notifies at commit
     * and makes fresh deliveries' first attempts at once (up to 16 at a time), instead of waiting for the job
     * queue's polling interval; the pg-boss job of each attempt remains the durable path. One dedicated connection.
     * @returns `stop()`.
     */
    async startDispatcher(connectionString?: string): Promise<{ stop(): Promise<void> }> {
      // By default the database of the pool `db` runs on.
      const url = connectionString ?? (db as unknown as { $client: { options?: pg.PoolConfig } }).$client.options?.connectionString;
      if (!url) throw new Error('startDispatcher: no connection string');
      let stopped = false;
      let client: pg.Client | undefined;
      let inFlight = 0;
      let again = false;
      // The last claim filled every free slot: more may be waiting, so a finished attempt drains again.
      let backlog = false;
      let draining = false;
      const drain = async () => {
        if (draining) { again = true; return; }
        draining = true;
        try {
          do {
            again = false;
            while (!stopped && inFlight < DISPATCH_CONCURRENCY) {
              const want = DISPATCH_CONCURRENCY - inFlight;
              const rows = await claimFresh(want);
              backlog = rows.length === want;
              if (!rows.length) break;
              for (const row of rows) {
                inFlight++;
                void perform(row).catch((err: Error) => logger.error({ err, deliveryId: row.id }, 'webhook attempt failed to record'))
                  .finally(() => { inFlight--; if (again || backlog) void drain(); });
              }
            }
          } while (again && !stopped && inFlight < DISPATCH_CONCURRENCY);
        } catch (err) {
          logger.error({ err }, 'webhook dispatcher could not claim deliveries');
        } finally {
          draining = false;
        }
      };
      const connect = async () => {
        if (stopped) return;
        const c = new pg.Client({ connectionString: url });
        c.on('error', (err) => logger.error({ err }, 'webhook dispatcher connection error'));
        c.on('end', () => { if (!stopped) setTimeout(() => void connect().catch(() => {}), 1000).unref(); });
        c.on('notification', () => void drain());
        try {
          await c.connect();
          await c.query(`LISTEN ${WEBHOOK_NOTIFY_CHANNEL}`);
        } catch (err) {
          logger.error({ err }, 'webhook dispatcher could not listen; deliveries wait for the job queue');
          await c.end().catch(() => {});
          return;
        }
        // The connection must not keep the process alive on its own.
        (c as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
        client = c;
        void drain();
      };
      await connect();
      dispatcher = {
        async stop() {
          stopped = true;
          await client?.end().catch(() => {});
        },
      };
      return dispatcher;
    },

    /** Stops the dispatcher `startDispatcher` started, if any (attempts in flight finish on their own). */
    async stopDispatcher() {
      await dispatcher?.stop();
      dispatcher = undefined;
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
