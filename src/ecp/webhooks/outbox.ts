/**
 * The webhook outbox (ARCHITECTURE.md "Webhook payloads are frozen"): `recordWebhookEvent` runs inside
 * the transaction of the change it reports. It builds the seed's root envelope, freezes its JSON text in
 * `ecp_webhook_messages` and creates one delivery per matching enabled subscription in that same transaction, so
 * a rolled-back change sends nothing and a committed one is never lost. The delivery rows are the queue the
 * workers' dispatcher (`dispatcher.ts`) takes attempts from; a `pg_notify` in the transaction (delivered at commit)
 * wakes it, so the first attempt does not wait for a polling interval.
 *
 * Two statements per event (their SQL is in `store.ts`): one reads the company and location GUIDs and moves the
 * resource's clock (the envelope needs all three), one inserts the message and its deliveries and notifies.
 */
import type { Executor } from '../../db/pool.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import { newGuid } from '../shared/ids.ts';
import type { WebhookDataOf, WebhookEventName } from './payloads.ts';
import { companyGuidOf, eventContext, insertMessage } from './store.ts';

// The company GUID is read by the clients feature too (its credentials name the company).
export { companyGuidOf };

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
