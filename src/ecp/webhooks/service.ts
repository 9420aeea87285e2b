/**
 * ECP webhook subscriptions and delivery. A subscription belongs to the partner client that created it:
 * another client, even of the same company, gets "No webhook subscription with subscriptionId X". The signing
 * secret (`whsec_` + base64 of 32 random bytes, Standard Webhooks) is shown once, at creation or rotation; after a
 * rotation the previous secret also signs for 24 hours.
 *
 * Delivery is the dispatcher's (`dispatcher.ts`: the delivery rows are the queue, claimed under a lease, at least
 * once); its rules are in `rules.ts`: 2xx succeeds; 410 disables the subscription; 429 and 503 wait `Retry-After`
 * (capped at 6 h); anything else (3xx included, redirects are not followed) waits the next step of
 * `WEBHOOK_RETRY_SCHEDULE` (±10 % jitter) until the schedule is spent; a subscription failing continuously for 5
 * days is disabled. Manual retries and replays make deliveries due again here and wake the dispatchers.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino, { type LevelWithSilent } from 'pino';
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { loggerOptions } from '../../platform/http.ts';
import type { Logger } from '../../platform/jobs.ts';
import { OutboundUrlError, resolvePublicAddresses } from '../../platform/outbound.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import type { PartnerActor } from '../auth.ts';
import { newGuid } from '../shared/ids.ts';
import { clientByClientId, findLocationsById } from '../clients/service.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from './dispatcher.ts';
import { recordWebhookEvent, type RecordedWebhookEvent, type WebhookEvent } from './outbox.ts';
import * as store from './store.ts';
import { companyGuidOf, type DeliveryRow, type SubscriptionRow } from './store.ts';
import { WEBHOOK_EVENT_NAMES, type WebhookEventName } from './payloads.ts';

export { withdrawResidentMessages } from './store.ts';
export { classifyAttempt, FAILING_DISABLE_AFTER, MAX_RETRY_AFTER_SECONDS, parseRetryAfter, withJitter, type AttemptOutcome } from './rules.ts';

/** The previous secret keeps signing this long after a rotation. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

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
  status?: 'pending' | 'succeeded' | 'failed' | 'withdrawn';
  eventName?: WebhookEventName;
  messageId?: string;
  since?: string;
  page?: number;
}

/**
 * The partner client whose subscriptions an operation works on: the partner itself (`/clinical/v1/webhook`, the
 * request's actor) or, in the community workspace, a client of the System Admin's company (the actor is then the
 * user, who is audited).
 */
export type SubscriptionOwner = Pick<PartnerActor, 'clientId' | 'organizationId' | 'locationIds'>;

/** The event name of the test message Send test event delivers (not one of the seed's; never matched by a subscription's eventNames). */
export const TEST_EVENT_NAME = 'webhook.test';

/** The partner of a `/clinical/v1` request as the owner of its subscriptions. @throws Error for another actor (a programming error). */
function partnerOwner(ctx: RequestContext): SubscriptionOwner {
  if (ctx.actor.kind !== 'partner') throw new Error('webhooks: a subscription owner is required for a non-partner actor');
  return ctx.actor as PartnerActor;
}

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** How webhooks are delivered (the `WEBHOOK_*` settings, `LOG_LEVEL` and `JOBS_POLL_SECONDS`). */
export interface WebhookDeliverySettings {
  /** Callback URLs may be http and name private addresses (development and tests only). */
  webhookAllowPrivateUrls: boolean;
  /** Seconds before each retry of a failed delivery. */
  webhookRetrySchedule: number[];
  webhookTimeoutMs: number;
  /** The dispatcher's own logger, when `log` is not given. */
  logLevel: LevelWithSilent;
  /** How often the dispatcher looks for due deliveries. */
  jobsPollSeconds: number;
}

/**
 * The webhook service: subscriptions (the routes of `routes.ts`), the outbox bound to this process's clock, and
 * this process's dispatcher (started by the worker role).
 */
export function createWebhookService({ db, delivery, clock, log }: {
  db: Db;
  delivery: WebhookDeliverySettings;
  clock?: () => Date;
  log?: Logger;
}) {
  const logger: Logger = log ?? pino(loggerOptions(delivery));

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
    const protocols = delivery.webhookAllowPrivateUrls ? ['https:', 'http:'] : ['https:'];
    if (!protocols.includes(url.protocol)) throw new ValidationError(['callbackUrl must use https']);
    if (url.username || url.password) throw new ValidationError(['callbackUrl must not contain credentials']);
    try {
      await resolvePublicAddresses(url.hostname, { allowPrivate: delivery.webhookAllowPrivateUrls });
    } catch (err) {
      if (err instanceof OutboundUrlError) throw new ValidationError([`callbackUrl is not allowed: ${err.message}`]);
      throw err;
    }
    return url.toString();
  }

  async function clientRowId(tx: Executor, actor: SubscriptionOwner): Promise<number> {
    const row = await clientByClientId(tx, actor.clientId);
    if (!row) throw new ValidationError(['Unknown partner client']);
    return row.id;
  }

  /** `ecp_locations.id` of location GUIDs (or names) the client reaches. @throws ValidationError. */
  async function resolveLocations(tx: Executor, actor: SubscriptionOwner, values: string[] | null | undefined): Promise<number[] | null | undefined> {
    if (values === undefined || values === null) return values;
    if (values.length === 0) throw new ValidationError(['locationIds must name at least one location (omit it for every location)']);
    const reachable = await findLocationsById(tx, actor.locationIds);
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
  async function ownSubscription(tx: Executor, actor: SubscriptionOwner, subscriptionId: string, lock = false): Promise<SubscriptionRow> {
    const clientId = await clientRowId(tx, actor);
    const row = await store.subscriptionOfClient(tx, { guid: subscriptionId.trim().toUpperCase(), partnerClientId: clientId, organizationId: actor.organizationId }, lock);
    if (!row) throw new ValidationError([`No webhook subscription with subscriptionId ${subscriptionId.trim()}`]);
    return row;
  }

  async function wire(tx: Executor, s: SubscriptionRow) {
    const locs = s.locationIds?.length ? await findLocationsById(tx, s.locationIds) : [];
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

  /** Makes `rows` due again now with a fresh schedule (the dispatcher is woken at commit). */
  async function resend(tx: Executor, sub: SubscriptionRow, rows: DeliveryRow[]): Promise<number> {
    if (!sub.enabled) throw new ValidationError(['The subscription is disabled; enable it (PUT enabled: true) first']);
    if (!rows.length) return 0;
    await store.rescheduleDeliveries(tx, rows.map((d) => d.id));
    return rows.length;
  }

  let dispatcher: WebhookDispatcher | undefined;

  return {
    /**
     * `recordWebhookEvent(tx, event)` with this process's clock: call it inside the transaction of the
     * change (see `outbox.ts`).
     */
    recordWebhookEvent(tx: Executor, event: WebhookEvent): Promise<RecordedWebhookEvent> {
      return recordWebhookEvent(tx, event, { clock });
    },

    checkCallbackUrl,

    /** The company GUID (`companyId` of webhook payloads) of `organizationId`, created on first use. */
    companyGuid: (organizationId: number): Promise<string> => companyGuidOf(db, organizationId),

    /**
     * The subscription `subscriptionId` of company `organizationId` with its partner client's `clientId` (the community
     * workspace finds the owner this way); undefined for none, or another company's.
     */
    companySubscription: (organizationId: number, subscriptionId: string) => store.subscriptionOfCompany(db, organizationId, subscriptionId.trim().toUpperCase()),

    /**
     * `POST /clinical/v1/webhook`.
     * @returns `{result: "Success", subscriptionId, secret}`; the secret is never shown again.
     * @throws ValidationError for a refused URL, an unknown event name, a location the client does not reach.
     */
    async createSubscription(ctx: RequestContext, input: SubscriptionInput, owner: SubscriptionOwner = partnerOwner(ctx)) {
      const callbackUrl = await checkCallbackUrl(input.callbackUrl);
      const eventNames = [...new Set(input.eventNames?.length ? input.eventNames : WEBHOOK_EVENT_NAMES)];
      return db.transaction(async (tx) => {
        const locationIds = await resolveLocations(tx, owner, input.locationIds);
        const secret = newSigningSecret();
        const row = await store.insertSubscription(tx, {
          organizationId: owner.organizationId,
          partnerClientId: await clientRowId(tx, owner),
          guid: newGuid(),
          callbackUrl,
          eventNames,
          locationIds: locationIds ?? null,
          secret,
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'webhook_subscription', entityIds: [row.guid] });
        return { result: 'Success' as const, subscriptionId: row.guid, secret };
      });
    },

    /** `GET /clinical/v1/webhook`: the client's subscriptions, oldest first, without secrets. */
    async listSubscriptions(ctx: RequestContext, owner: SubscriptionOwner = partnerOwner(ctx)) {
      const clientId = await clientRowId(db, owner);
      const rows = await store.subscriptionsOfClient(db, clientId, owner.organizationId, 100);
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
        const values: Partial<store.NewSubscriptionRow> = { updatedAt: new Date() };
        if (callbackUrl !== undefined) values.callbackUrl = callbackUrl;
        if (input.eventNames !== undefined) {
          if (input.eventNames.length === 0) throw new ValidationError(['eventNames must name at least one event']);
          values.eventNames = [...new Set(input.eventNames)];
        }
        if (input.locationIds !== undefined) values.locationIds = (await resolveLocations(tx, ctx.actor, input.locationIds)) ?? null;
        if (input.enabled === true && !cur.enabled) Object.assign(values, { enabled: true, disabledAt: null, disabledReason: null, failingSince: null });
        if (input.enabled === false && cur.enabled) Object.assign(values, { enabled: false, disabledAt: new Date(), disabledReason: 'Disabled by the partner' });
        const row = await store.updateSubscription(tx, cur.id, values);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'webhook_subscription', entityIds: [row.guid] });
        return { result: 'Success' as const, ...(await wire(tx, row)) };
      });
    },

    /** `DELETE /clinical/v1/webhook/{subscriptionId}`: the subscription and its delivery log; pending attempts stop. */
    async deleteSubscription(ctx: RequestContext, subscriptionId: string, owner: SubscriptionOwner = partnerOwner(ctx)) {
      return db.transaction(async (tx) => {
        const cur = await ownSubscription(tx, owner, subscriptionId, true);
        await store.deleteSubscription(tx, cur.id);
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
        await store.updateSubscription(tx, cur.id, { secret, previousSecret: cur.secret, previousSecretExpiresAt, updatedAt: now });
        await recordAudit(tx, ctx, { action: 'update', entityType: 'webhook_subscription_secret', entityIds: [cur.guid] });
        return { result: 'Success' as const, subscriptionId: cur.guid, secret, previousSecretValidUntil: ecpTimestamp(previousSecretExpiresAt) };
      });
    },

    /**
     * `GET /clinical/v1/webhook/{subscriptionId}/deliveries`: messages sent to the subscription, newest first, 100 a
     * page, each with its attempts (oldest first).
     */
    async listDeliveries(ctx: RequestContext, subscriptionId: string, filter: DeliveryFilter, owner: SubscriptionOwner = partnerOwner(ctx)) {
      const sub = await ownSubscription(db, owner, subscriptionId);
      const page = Math.max(1, filter.page ?? 1);
      const { total, rows, attempts } = await store.deliveryLog(db, sub.id, {
        status: filter.status,
        eventName: filter.eventName,
        messageId: filter.messageId ? filter.messageId.trim().toUpperCase() : undefined,
        since: filter.since ? new Date(filter.since) : undefined,
      }, 100, (page - 1) * 100);
      return {
        result: 'Success' as const,
        data: rows.map(({ d, eventName, eventTimestamp }) => ({
          messageId: d.messageId,
          eventName,
          eventTimestamp: ecpTimestamp(eventTimestamp),
          status: d.status as 'pending' | 'succeeded' | 'failed' | 'withdrawn',
          nextAttemptAt: d.status === 'pending' ? ecpTimestamp(d.nextAttemptAt) : null,
          attempts: attempts.filter((a) => a.deliveryId === d.id).map((a) => ({
            attemptedAt: ecpTimestamp(a.attemptedAt), statusCode: a.statusCode, latencyMs: a.latencyMs, response: a.responseBody, error: a.error,
          })),
        })),
        numberOfResults: Number(total),
      };
    },

    /** `POST .../deliveries/{messageId}/retry`: sends one message again with a fresh schedule. @throws ValidationError. */
    async retryDelivery(ctx: RequestContext, subscriptionId: string, messageId: string, owner: SubscriptionOwner = partnerOwner(ctx)) {
      return db.transaction(async (tx) => {
        const sub = await ownSubscription(tx, owner, subscriptionId, true);
        const rows = await store.lockDeliveriesOfMessage(tx, sub.id, messageId.trim().toUpperCase());
        if (!rows.length) throw new ValidationError([`No message ${messageId.trim()} for this subscription`]);
        await resend(tx, sub, rows);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'webhook_delivery', entityIds: [rows[0].messageId] });
        return { result: 'Success' as const, numberOfResults: rows.length };
      });
    },

    /**
     * Send test event: one signed message (`eventName` `webhook.test`, the seed's envelope with
     * `data.test = {subscriptionId, message}`, `locationId` null) to this one subscription, through the outbox and the
     * dispatcher like every event (same headers, signature, retries and delivery log); no other subscription gets it.
     * @returns `{messageId, eventTimestamp}`.
     * @throws ValidationError when the subscription is not the owner's or is disabled.
     */
    async sendTestEvent(ctx: RequestContext, subscriptionId: string, owner: SubscriptionOwner = partnerOwner(ctx)) {
      return db.transaction(async (tx) => {
        const sub = await ownSubscription(tx, owner, subscriptionId, true);
        if (!sub.enabled) throw new ValidationError(['The subscription is disabled; enable it first']);
        const now = (clock ?? (() => new Date()))();
        const resourceKey = `${sub.organizationId}:subscription:${sub.guid}`;
        const [c] = await store.eventContext(tx, { org: sub.organizationId, company_guid: newGuid(), resource_key: resourceKey, now: now.toISOString(), location_id: null });
        const companyId = c.company_guid ?? await companyGuidOf(tx, sub.organizationId);
        const messageId = newGuid();
        const eventTimestamp = ecpTimestamp(new Date(c.at));
        const payload = JSON.stringify({
          companyId,
          data: { test: { message: 'A test event: your endpoint receives and verifies this company\'s webhooks.', subscriptionId: sub.guid } },
          dataFormat: 'JSON',
          eventName: TEST_EVENT_NAME,
          eventTimestamp,
          id: messageId,
          locationId: null,
          version: '1.0',
        });
        await store.insertTestMessage(tx, { id: messageId, organizationId: sub.organizationId, subscriptionId: sub.id, resourceKey, at: new Date(c.at), payload });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'webhook_test_event', entityIds: [sub.guid, messageId] });
        return { messageId, eventTimestamp };
      });
    },

    /**
     * `POST .../replay`: sends again every message created since `since` that failed (or, with
     * `includeSucceeded`, every one), each with a fresh schedule.
     */
    async replay(ctx: RequestContext, subscriptionId: string, input: { since: string; includeSucceeded?: boolean }, owner: SubscriptionOwner = partnerOwner(ctx)) {
      return db.transaction(async (tx) => {
        const sub = await ownSubscription(tx, owner, subscriptionId, true);
        const rows = await store.lockFinishedDeliveriesSince(tx, sub.id, new Date(input.since), Boolean(input.includeSucceeded));
        const n = await resend(tx, sub, rows);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'webhook_delivery', entityIds: [sub.guid] });
        return { result: 'Success' as const, numberOfResults: n };
      });
    },

    /**
     * Starts this process's webhook dispatcher (`dispatcher.ts`): one LISTEN connection to `connectionString` (by
     * default the database of the pool `db` runs on), claims from the pool. Idempotent.
     * @returns the dispatcher (its `stop()` finishes the attempts in flight).
     */
    async startDispatcher(connectionString?: string): Promise<WebhookDispatcher> {
      if (dispatcher) return dispatcher;
      const url = connectionString ?? (db as unknown as { $client: { options?: pg.PoolConfig } }).$client.options?.connectionString;
      if (!url) throw new Error('startDispatcher: no connection string');
      const d = createWebhookDispatcher({
        db, connectionString: url, schedule: delivery.webhookRetrySchedule, timeoutMs: delivery.webhookTimeoutMs,
        allowPrivate: delivery.webhookAllowPrivateUrls, pollSeconds: delivery.jobsPollSeconds, log: logger,
      });
      dispatcher = d;
      await d.start();
      return d;
    },

    /** Stops the dispatcher `startDispatcher` started, if any, after the attempts in flight finish and are recorded. */
    async stopDispatcher() {
      const d = dispatcher;
      dispatcher = undefined;
      await d?.stop();
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
