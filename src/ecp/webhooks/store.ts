/**
 * SQL of ECP webhooks: subscriptions (the partner's endpoints), the delivery log and its manual retries, the outbox's
 * two statements per event (`outbox.ts` builds the envelope), and the dispatcher's claim and record statements
 * (`dispatcher.ts` sends). The delivery rows are the queue; `pg_notify` on `WEBHOOK_NOTIFY_CHANNEL` wakes the
 * dispatchers when fresh or re-scheduled deliveries commit.
 */
import { and, arrayOverlaps, count, desc, eq, gte, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { preparedStatement, type Db, type Executor } from '../../db/pool.ts';
import { ecpCompanies, ecpWebhookAttempts, ecpWebhookDeliveries, ecpWebhookMessages, ecpWebhookSubscriptions, partnerClients } from '../../db/schema.ts';
import { newGuid } from '../shared/ids.ts';
import { FAILING_DISABLE_AFTER, type AttemptOutcome } from './rules.ts';

export type SubscriptionRow = typeof ecpWebhookSubscriptions.$inferSelect;
export type NewSubscriptionRow = typeof ecpWebhookSubscriptions.$inferInsert;
export type DeliveryRow = typeof ecpWebhookDeliveries.$inferSelect;

/** The NOTIFY channel that wakes the dispatcher when fresh deliveries commit. */
export const WEBHOOK_NOTIFY_CHANNEL = 'ecp_webhook_deliveries';

// Subscriptions.

/** The subscription `guid` (upper case) of the partner client `partnerClientId` in company `organizationId`, optionally locked. */
export async function subscriptionOfClient(
  tx: Executor, q: { guid: string; partnerClientId: number; organizationId: number }, lock: boolean,
): Promise<SubscriptionRow | undefined> {
  const query = tx.select().from(ecpWebhookSubscriptions).where(and(
    eq(ecpWebhookSubscriptions.guid, q.guid),
    eq(ecpWebhookSubscriptions.partnerClientId, q.partnerClientId),
    eq(ecpWebhookSubscriptions.organizationId, q.organizationId),
  ));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** Up to `limit` subscriptions of the partner client in the company, oldest first. */
export async function subscriptionsOfClient(db: Executor, partnerClientId: number, organizationId: number, limit: number): Promise<SubscriptionRow[]> {
  return db.select().from(ecpWebhookSubscriptions)
    .where(and(eq(ecpWebhookSubscriptions.partnerClientId, partnerClientId), eq(ecpWebhookSubscriptions.organizationId, organizationId)))
    .orderBy(ecpWebhookSubscriptions.id).limit(limit);
}

/** Inserts a subscription. @returns the stored row. */
export async function insertSubscription(tx: Executor, values: NewSubscriptionRow): Promise<SubscriptionRow> {
  const [row] = await tx.insert(ecpWebhookSubscriptions).values(values).returning();
  return row;
}

/** Writes `values` to the subscription `id`. @returns the row after the change. */
export async function updateSubscription(tx: Executor, id: number, values: Partial<NewSubscriptionRow>): Promise<SubscriptionRow> {
  const [row] = await tx.update(ecpWebhookSubscriptions).set(values).where(eq(ecpWebhookSubscriptions.id, id)).returning();
  return row;
}

/** Deletes the subscription `id` (its deliveries and attempts go with it). */
export async function deleteSubscription(tx: Executor, id: number): Promise<void> {
  await tx.delete(ecpWebhookSubscriptions).where(eq(ecpWebhookSubscriptions.id, id));
}

// The delivery log.

/** Which deliveries of a subscription a log page shows. */
export interface DeliveryLogFilter {
  status?: string;
  eventName?: string;
  /** Upper case. */
  messageId?: string;
  since?: Date;
}

/**
 * One page (`limit` from `offset`) of the subscription's deliveries `filter` selects, newest first, each with its
 * message's event name and timestamp; the attempts of those deliveries (oldest first); and the total count.
 */
export async function deliveryLog(db: Db, subscriptionId: number, filter: DeliveryLogFilter, limit: number, offset: number) {
  const conds: SQL[] = [eq(ecpWebhookDeliveries.subscriptionId, subscriptionId)];
  if (filter.status) conds.push(eq(ecpWebhookDeliveries.status, filter.status));
  if (filter.eventName) conds.push(eq(ecpWebhookMessages.eventName, filter.eventName));
  if (filter.messageId) conds.push(eq(ecpWebhookDeliveries.messageId, filter.messageId));
  if (filter.since) conds.push(gte(ecpWebhookDeliveries.createdAt, filter.since));
  const where = and(...conds);
  const [{ total }] = await db.select({ total: count() }).from(ecpWebhookDeliveries)
    .innerJoin(ecpWebhookMessages, eq(ecpWebhookMessages.id, ecpWebhookDeliveries.messageId)).where(where);
  const rows = await db.select({ d: ecpWebhookDeliveries, eventName: ecpWebhookMessages.eventName, eventTimestamp: ecpWebhookMessages.eventTimestamp })
    .from(ecpWebhookDeliveries).innerJoin(ecpWebhookMessages, eq(ecpWebhookMessages.id, ecpWebhookDeliveries.messageId))
    .where(where).orderBy(desc(ecpWebhookDeliveries.id)).limit(limit).offset(offset);
  const attempts = rows.length
    ? await db.select().from(ecpWebhookAttempts).where(inArray(ecpWebhookAttempts.deliveryId, rows.map((r) => r.d.id))).orderBy(ecpWebhookAttempts.id)
    : [];
  return { total, rows, attempts };
}

/** The subscription's deliveries of message `messageId` (upper case), withdrawn ones aside, locked. */
export async function lockDeliveriesOfMessage(tx: Executor, subscriptionId: number, messageId: string): Promise<DeliveryRow[]> {
  return tx.select().from(ecpWebhookDeliveries)
    .where(and(eq(ecpWebhookDeliveries.subscriptionId, subscriptionId), eq(ecpWebhookDeliveries.messageId, messageId),
      ne(ecpWebhookDeliveries.status, 'withdrawn'))).for('update');
}

/** The subscription's deliveries created since `since` that failed (or, with `includeSucceeded`, ended either way), by id, locked. */
export async function lockFinishedDeliveriesSince(tx: Executor, subscriptionId: number, since: Date, includeSucceeded: boolean): Promise<DeliveryRow[]> {
  return tx.select().from(ecpWebhookDeliveries).where(and(
    eq(ecpWebhookDeliveries.subscriptionId, subscriptionId),
    gte(ecpWebhookDeliveries.createdAt, since),
    includeSucceeded ? inArray(ecpWebhookDeliveries.status, ['failed', 'succeeded']) : eq(ecpWebhookDeliveries.status, 'failed'),
  )).orderBy(ecpWebhookDeliveries.id).for('update');
}

/** Makes the deliveries `ids` due now with a fresh schedule, and wakes the dispatchers at commit. */
export async function rescheduleDeliveries(tx: Executor, ids: number[]): Promise<void> {
  await tx.update(ecpWebhookDeliveries).set({ status: 'pending', scheduleIndex: 0, nextAttemptAt: sql`now()`, updatedAt: sql`now()` })
    .where(inArray(ecpWebhookDeliveries.id, ids));
  await tx.execute(sql`select pg_notify(${WEBHOOK_NOTIFY_CHANNEL}, '')`);
}

// The outbox.

/** The company GUID of `organizationId`, created (upper-case, random) on first use. */
export async function companyGuidOf(tx: Executor, organizationId: number): Promise<string> {
  await tx.insert(ecpCompanies).values({ organizationId, guid: newGuid() }).onConflictDoNothing({ target: ecpCompanies.organizationId });
  const [row] = await tx.select({ guid: ecpCompanies.guid }).from(ecpCompanies).where(eq(ecpCompanies.organizationId, organizationId));
  return row.guid;
}

/**
 * The envelope's context in one statement: the company GUID (created on first use), the location's GUID (null
 * when it is not the organization's), and the `eventTimestamp`: now, or 1 ms after the resource's previous one when
 * that is not earlier, so receivers can order one resource's events by it. The clock row stays locked until the
 * transaction ends, which also orders concurrent changes of one resource.
 */
export const eventContext = preparedStatement<{ company_guid: string | null; location_guid: string | null; at: Date | string }>('ecp_webhook_event_context', () => {
  const org = sql`${sql.placeholder('org')}::int`;
  return sql`
    WITH co AS (
      INSERT INTO ecp_companies (organization_id, guid) VALUES (${org}, ${sql.placeholder('company_guid')}::text)
      ON CONFLICT (organization_id) DO NOTHING RETURNING guid),
    clock AS (
      INSERT INTO ecp_webhook_resource_clocks (resource_key, last_event_at) VALUES (${sql.placeholder('resource_key')}::text, ${sql.placeholder('now')}::timestamptz)
      ON CONFLICT (resource_key) DO UPDATE
        SET last_event_at = greatest(excluded.last_event_at, ecp_webhook_resource_clocks.last_event_at + interval '1 millisecond')
      RETURNING last_event_at)
    SELECT coalesce((SELECT guid FROM co), (SELECT guid FROM ecp_companies WHERE organization_id = ${org})) AS company_guid,
      (SELECT guid FROM ecp_locations WHERE id = ${sql.placeholder('location_id')}::int AND organization_id = ${org}) AS location_guid,
      (SELECT last_event_at FROM clock) AS at`;
});

/**
 * The message, a delivery for each matching subscription, and the wake-up of the dispatchers (only when there is
 * something to deliver), in one statement. @returns the delivery ids.
 */
export const insertMessage = preparedStatement<{ ids: Array<string | number> }>('ecp_webhook_insert_message', () => {
  const org = sql`${sql.placeholder('org')}::int`;
  const event = sql`${sql.placeholder('event_name')}::text`;
  const locs = sql`${sql.placeholder('match_location_ids')}::int[]`;
  return sql`
    WITH msg AS (
      INSERT INTO ecp_webhook_messages (id, organization_id, location_id, event_name, resource_key, event_timestamp, payload)
      VALUES (${sql.placeholder('id')}::text, ${org}, ${sql.placeholder('location_id')}::int, ${event}, ${sql.placeholder('resource_key')}::text,
        ${sql.placeholder('at')}::timestamptz, ${sql.placeholder('payload')}::text)
      RETURNING id),
    subs AS (
      SELECT s.id FROM ecp_webhook_subscriptions s JOIN partner_clients pc ON pc.id = s.partner_client_id
      WHERE s.organization_id = ${org} AND s.enabled AND pc.disabled_at IS NULL AND ${event} = ANY (s.event_names)
        AND pc.location_ids && ${locs} AND (s.location_ids IS NULL OR s.location_ids && ${locs})
        AND (${sql.placeholder('only_subscription_ids')}::int[] IS NULL OR s.id = ANY (${sql.placeholder('only_subscription_ids')}::int[]))),
    ins AS (
      INSERT INTO ecp_webhook_deliveries (organization_id, message_id, subscription_id)
      SELECT ${org}, msg.id, subs.id FROM msg, subs ORDER BY subs.id
      RETURNING id),
    woke AS (SELECT pg_notify(${WEBHOOK_NOTIFY_CHANNEL}, '') FROM (SELECT 1 FROM ins LIMIT 1) one)
    SELECT coalesce((SELECT array_agg(id ORDER BY id) FROM ins), '{}') AS ids, (SELECT count(*) FROM woke) AS woke`;
});

/**
 * A test message (Send test event) and its one delivery to the subscription `subscriptionId`, waking the dispatchers
 * at commit: the outbox's message and delivery rows, without matching subscriptions.
 */
export async function insertTestMessage(tx: Executor, m: { id: string; organizationId: number; subscriptionId: number; resourceKey: string; at: Date; payload: string }): Promise<void> {
  await tx.insert(ecpWebhookMessages).values({
    id: m.id, organizationId: m.organizationId, locationId: null, eventName: 'webhook.test', resourceKey: m.resourceKey, eventTimestamp: m.at, payload: m.payload,
  });
  await tx.insert(ecpWebhookDeliveries).values({ organizationId: m.organizationId, messageId: m.id, subscriptionId: m.subscriptionId });
  await tx.execute(sql`select pg_notify(${WEBHOOK_NOTIFY_CHANNEL}, '')`);
}

/** The subscription `guid` (upper case) of company `organizationId`, with its partner client's `clientId`; undefined when none. */
export async function subscriptionOfCompany(db: Executor, organizationId: number, guid: string): Promise<{ guid: string; clientId: string } | undefined> {
  const [row] = await db.select({ guid: ecpWebhookSubscriptions.guid, clientId: partnerClients.clientId }).from(ecpWebhookSubscriptions)
    .innerJoin(partnerClients, eq(partnerClients.id, ecpWebhookSubscriptions.partnerClientId))
    .where(and(eq(ecpWebhookSubscriptions.guid, guid), eq(ecpWebhookSubscriptions.organizationId, organizationId)));
  return row;
}

// Audiences and withdrawal.

/** An enabled subscription of a live client, with what it may see: its client's locations and its own filter. */
export interface SubscriptionAudience {
  id: number;
  eventNames: string[];
  /** `ecp_locations.id` the subscription's client reaches. */
  clientLocationIds: number[];
  /** The subscription's own location filter (null: every location the client reaches). */
  locationIds: number[] | null;
}

/**
 * The enabled subscriptions of the company `organizationId` (of live clients) whose client reaches one of
 * `locationIds`: whom an event that concerns several locations may go to, each with what it may see.
 */
export async function subscriptionsReaching(tx: Executor, organizationId: number, locationIds: number[]): Promise<SubscriptionAudience[]> {
  if (!locationIds.length) return [];
  return tx.select({
    id: ecpWebhookSubscriptions.id,
    eventNames: ecpWebhookSubscriptions.eventNames,
    clientLocationIds: partnerClients.locationIds,
    locationIds: ecpWebhookSubscriptions.locationIds,
  }).from(ecpWebhookSubscriptions)
    .innerJoin(partnerClients, eq(partnerClients.id, ecpWebhookSubscriptions.partnerClientId))
    .where(and(
      eq(ecpWebhookSubscriptions.organizationId, organizationId),
      eq(ecpWebhookSubscriptions.enabled, true),
      isNull(partnerClients.disabledAt),
      arrayOverlaps(partnerClients.locationIds, locationIds),
    ))
    .orderBy(ecpWebhookSubscriptions.id);
}

/**
 * Withdraws, inside the caller's transaction, every delivery of the company `organizationId` of a message about the
 * resident `residentGuid` (its resident, diet, level-of-care and allergy events, and the contact events that list
 * it): status `withdrawn`, which the dispatcher never claims, a retry cannot find and a replay does not select. An
 * attempt already in flight ends without changing the status. Used when the resident leaves the company.
 * @returns how many deliveries were withdrawn.
 */
export async function withdrawResidentMessages(tx: Executor, organizationId: number, residentGuid: string): Promise<number> {
  const rows = await tx.execute(sql`
    UPDATE ecp_webhook_deliveries d SET status = 'withdrawn', lease_until = NULL, updated_at = now()
    FROM ecp_webhook_messages m
    WHERE m.id = d.message_id AND m.organization_id = ${organizationId} AND d.organization_id = ${organizationId} AND d.status <> 'withdrawn'
      AND (m.resource_key = ${`${organizationId}:resident:${residentGuid}`}
        OR (m.event_name LIKE 'contact.%'
          AND (m.payload::jsonb -> 'data' -> 'contact' -> 'residents') @> jsonb_build_array(jsonb_build_object('residentId', ${residentGuid}::text))))
    RETURNING d.id`);
  return rows.rowCount ?? 0;
}

// The dispatcher.

export type ClaimRow = {
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
export const claimDue = preparedStatement<ClaimRow>('ecp_webhook_claim_due', () => {
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
export interface AttemptRecord {
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
export const recordAttempts = preparedStatement<{ attempts: string; updated: string }>('ecp_webhook_record_attempts', () => {
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
