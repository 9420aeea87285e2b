/**
 * The webhook outbox (ARCHITECTURE.md "Webhook payloads are frozen"): `recordWebhookEvent` runs inside
 * the transaction of the change it reports. It builds the seed's root envelope, freezes its JSON text in
 * `ecp_webhook_messages` and creates one delivery per matching enabled subscription in that same transaction, so
 * a rolled-back change sends nothing and a committed one is never lost. The delivery rows are the queue the
 * workers' dispatcher (`dispatcher.ts`) takes attempts from; a `pg_notify` in the transaction (delivered at commit)
 * wakes it, so the first attempt does not wait for a polling interval.
 *
 * Two statements per event: one reads the company and location GUIDs and moves the resource's clock (the
 * envelope needs all three), one inserts the message and its deliveries and notifies.
 */
import { and, arrayOverlaps, eq, isNull, sql } from 'drizzle-orm';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import { ecpCompanies, ecpWebhookSubscriptions, partnerClients } from '../../db/schema.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import { newGuid } from '../shared/ids.ts';
import type { WebhookDataOf, WebhookEventName } from './payloads.ts';

/** The NOTIFY channel that wakes the dispatcher when fresh deliveries commit. */
export const WEBHOOK_NOTIFY_CHANNEL = 'ecp_webhook_deliveries';

/** One change to report; `data` is the envelope's `data` (`{resident: residentObject(row)}`, ...). */
export type WebhookEvent = {
  [E in WebhookEventName]: {
    eventName: E;
    data: WebhookDataOf[E];
    /** The company (`organizations.id`) the change belongs to. */
    organizationId: number;
    /** The company's GUID when the caller has it; otherwise read (or created) from `ecp_companies`. */
    companyGuid?: string;
    /**
     * `ecp_locations.id` of the envelope's `locationId`: the resident's or contact's location; for user events the
     * location the change was made through when there is exactly one, else null.
     */
    locationId: number | null;
    /** User events: the user's `locationIds`; subscriptions whose client reaches any of them match. Default `[locationId]`. */
    userLocationIds?: number[];
    /**
     * Only these subscriptions (ids) may get the message, among those that match; an event whose `data` differs by
     * audience (a contact's `residents`) is recorded once per audience. Default: every matching subscription.
     */
    subscriptionIds?: number[];
  };
}[WebhookEventName];

export interface RecordedWebhookEvent {
  /** The message GUID: the envelope's `id` and the `webhook-id` header. */
  messageId: string;
  /** The envelope's `eventTimestamp`. */
  eventTimestamp: string;
  /** The frozen JSON text every attempt sends. */
  payload: string;
  /** Ids of the deliveries created (one per matching subscription). */
  deliveryIds: number[];
}

export interface OutboxDeps {
  clock?: () => Date;
}

/** The resource an event is about (`resident:<guid>`, `contact:<guid>`, `user:<guid>`), whose timestamps strictly increase. */
export function resourceKeyOf(event: WebhookEvent): string {
  const d = event.data as Record<string, Record<string, unknown>>;
  const [kind] = Object.keys(d);
  const obj = d[kind];
  if ('contactId' in obj) return `contact:${String(obj.contactId)}`;
  if ('userId' in obj) return `user:${String(obj.userId)}`;
  return `resident:${String(obj.residentId)}`;
}

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
const eventContext = preparedStatement<{ company_guid: string | null; location_guid: string | null; at: Date | string }>('ecp_webhook_event_context', () => {
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
const insertMessage = preparedStatement<{ ids: Array<string | number> }>('ecp_webhook_insert_message', () => {
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
 * Records one webhook message for a change, inside the change's transaction `tx`.
 *
 * Matching subscriptions: enabled, of the event's company, subscribed to `eventName`, of a live partner client
 * that reaches the event's location (user events: any of `userLocationIds`), and whose own `locationIds` filter
 * (when set) includes it.
 * @returns the message id, timestamp, frozen payload and the deliveries created (none when nobody subscribes;
 *   the message is stored anyway, so a later replay or audit can find it).
 * @throws Error when `locationId` is not a location of the organization (a programming error).
 */
export async function recordWebhookEvent(tx: Executor, event: WebhookEvent, deps: OutboxDeps = {}): Promise<RecordedWebhookEvent> {
  const now = (deps.clock ?? (() => new Date()))();
  const resourceKey = `${event.organizationId}:${resourceKeyOf(event)}`;
  const [ctx] = await eventContext(tx, {
    org: event.organizationId, company_guid: newGuid(), resource_key: resourceKey, now: now.toISOString(), location_id: event.locationId,
  });
  if (event.locationId !== null && ctx.location_guid === null) {
    throw new Error(`recordWebhookEvent: location ${event.locationId} is not a location of organization ${event.organizationId}`);
  }
  // A company created by a concurrent transaction that committed after this statement began is not in its
  // snapshot: read it again (rare: the company's very first events, at once).
  const companyId = event.companyGuid ?? ctx.company_guid ?? await companyGuidOf(tx, event.organizationId);
  const at = new Date(ctx.at);
  const messageId = newGuid();
  // Keys in the seed samples' (alphabetical) order.
  const envelope = {
    companyId,
    data: event.data,
    dataFormat: 'JSON',
    eventName: event.eventName,
    eventTimestamp: ecpTimestamp(at),
    id: messageId,
    locationId: ctx.location_guid,
    version: '1.0',
  };
  const payload = JSON.stringify(envelope);
  const locs = event.userLocationIds ?? (event.locationId === null ? [] : [event.locationId]);
  const [row] = await insertMessage(tx, {
    id: messageId, org: event.organizationId, location_id: event.locationId, event_name: event.eventName, resource_key: resourceKey,
    at: at.toISOString(), payload, match_location_ids: locs, only_subscription_ids: event.subscriptionIds ?? null,
  });
  return { messageId, eventTimestamp: envelope.eventTimestamp, payload, deliveryIds: row.ids.map(Number) };
}

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
