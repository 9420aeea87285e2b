/**
 * The webhook outbox (issue 6; ARCHITECTURE.md "Webhook payloads are frozen"): `recordWebhookEvent` runs inside
 * the transaction of the change it reports. It builds the seed's root envelope, freezes its JSON text in
 * `ecp_webhook_messages`, creates one delivery per matching enabled subscription and enqueues each delivery's
 * first attempt in that same transaction, so a rolled-back change sends nothing and a committed one is never lost.
 * A `pg_notify` in the transaction (delivered at commit) wakes the workers' dispatcher, so the first attempt does
 * not wait for a polling interval.
 */
import { and, arrayOverlaps, eq, isNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpCompanies, ecpLocations, ecpWebhookDeliveries, ecpWebhookMessages, ecpWebhookResourceClocks, ecpWebhookSubscriptions, partnerClients } from '../../db/schema.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import { newGuid } from '../clients/service.ts';
import { deliverJob } from './jobs.ts';
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
  jobs: Pick<Jobs, 'send'>;
  clock?: () => Date;
  /** How long a delivery handler may run before its job counts as dead and is retried (the attempt's lease). */
  expireInSeconds?: number;
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
 * The envelope's `eventTimestamp`: now, or 1 ms after the resource's previous one when that is not earlier, so
 * receivers can order one resource's events by it. The clock row stays locked until the transaction ends, which
 * also orders concurrent changes of one resource.
 */
async function nextEventTime(tx: Executor, resourceKey: string, now: Date): Promise<Date> {
  const [row] = await tx.insert(ecpWebhookResourceClocks).values({ resourceKey, lastEventAt: now })
    .onConflictDoUpdate({
      target: ecpWebhookResourceClocks.resourceKey,
      set: { lastEventAt: sql`greatest(excluded.last_event_at, ${ecpWebhookResourceClocks.lastEventAt} + interval '1 millisecond')` },
    })
    .returning({ at: ecpWebhookResourceClocks.lastEventAt });
  return row.at;
}

/**
 * Records one webhook message for a change, inside the change's transaction `tx`.
 *
 * Matching subscriptions: enabled, of the event's company, subscribed to `eventName`, of a live partner client
 * that reaches the event's location (user events: any of `userLocationIds`), and whose own `locationIds` filter
 * (when set) includes it.
 * @returns the message id, timestamp, frozen payload and the deliveries created (none when nobody subscribes;
 *   the message is stored anyway, so a later replay or audit can find it).
 */
export async function recordWebhookEvent(tx: Executor, event: WebhookEvent, deps: OutboxDeps): Promise<RecordedWebhookEvent> {
  const now = (deps.clock ?? (() => new Date()))();
  const companyId = event.companyGuid ?? await companyGuidOf(tx, event.organizationId);
  let locationGuid: string | null = null;
  if (event.locationId !== null) {
    const [loc] = await tx.select({ guid: ecpLocations.guid }).from(ecpLocations)
      .where(and(eq(ecpLocations.id, event.locationId), eq(ecpLocations.organizationId, event.organizationId)));
    if (!loc) throw new Error(`recordWebhookEvent: location ${event.locationId} is not a location of organization ${event.organizationId}`);
    locationGuid = loc.guid;
  }
  const resourceKey = `${event.organizationId}:${resourceKeyOf(event)}`;
  const at = await nextEventTime(tx, resourceKey, now);
  const messageId = newGuid();
  // Keys in the seed samples' (alphabetical) order.
  const envelope = {
    companyId,
    data: event.data,
    dataFormat: 'JSON',
    eventName: event.eventName,
    eventTimestamp: ecpTimestamp(at),
    id: messageId,
    locationId: locationGuid,
    version: '1.0',
  };
  const payload = JSON.stringify(envelope);
  await tx.insert(ecpWebhookMessages).values({
    id: messageId, organizationId: event.organizationId, locationId: event.locationId, eventName: event.eventName, resourceKey, eventTimestamp: at, payload,
  });

  const locs = event.userLocationIds ?? (event.locationId === null ? [] : [event.locationId]);
  let deliveryIds: number[] = [];
  if (locs.length) {
    const subs = await tx.select({ id: ecpWebhookSubscriptions.id }).from(ecpWebhookSubscriptions)
      .innerJoin(partnerClients, eq(partnerClients.id, ecpWebhookSubscriptions.partnerClientId))
      .where(and(
        eq(ecpWebhookSubscriptions.organizationId, event.organizationId),
        eq(ecpWebhookSubscriptions.enabled, true),
        isNull(partnerClients.disabledAt),
        sql`${event.eventName} = any(${ecpWebhookSubscriptions.eventNames})`,
        arrayOverlaps(partnerClients.locationIds, locs),
        or(isNull(ecpWebhookSubscriptions.locationIds), arrayOverlaps(ecpWebhookSubscriptions.locationIds, locs)),
      ));
    if (subs.length) {
      const rows = await tx.insert(ecpWebhookDeliveries)
        .values(subs.map((s) => ({ organizationId: event.organizationId, messageId, subscriptionId: s.id })))
        .returning({ id: ecpWebhookDeliveries.id });
      deliveryIds = rows.map((r) => r.id);
      for (const id of deliveryIds) await deps.jobs.send(tx, deliverJob, { deliveryId: id, attempt: 0 }, deps.expireInSeconds ? { expireInSeconds: deps.expireInSeconds } : {});
      await tx.execute(sql`select pg_notify(${WEBHOOK_NOTIFY_CHANNEL}, '')`);
    }
  }
  return { messageId, eventTimestamp: envelope.eventTimestamp, payload, deliveryIds };
}
