/**
 * The webhook triggers: every ECP change a service reports (`EmitEcpChange`, `src/ecp/events.ts`) becomes an
 * outbox message in the change's own transaction, its `data` built from the rows as they stand after the change
 * (delete events: the last state). Resident, diet, allergy and level-of-care events carry the resident's location;
 * contact events go to the subscriptions of each linked resident's location, each listing only the residents it may
 * see (`contactEvents`); user events the location the change was made through when there is exactly one
 * (else null) and match subscriptions through all of the user's locations (seed 000 "Event Types").
 */
import { findLocationsById } from '../clients/service.ts';
import type { EcpChange, EmitEcpChange } from '../events.ts';
import type { WebhookEvent } from './outbox.ts';
import { subscriptionsReaching, type SubscriptionAudience } from './store.ts';
import { allergyObject, contactObject, dietObject, levelOfCareObject, residentObject, userObject } from './payloads.ts';
import type { Executor } from '../../db/pool.ts';

/** The `EmitEcpChange` of a process with webhook delivery: each change goes to `record` (the outbox). */
export function webhookEmitter(record: (tx: Executor, event: WebhookEvent) => Promise<unknown>): EmitEcpChange {
  return async (tx, change) => {
    if (change.eventName === 'contact.create' || change.eventName === 'contact.update' || change.eventName === 'contact.delete') {
      const locationIds = [...new Set([...change.residents, ...(change.removed ?? [])].map((x) => x.resident.locationId))];
      for (const event of contactEvents(change, await subscriptionsReaching(tx, change.contact.organizationId, locationIds))) await record(tx, event);
      return;
    }
    await record(tx, await toWebhookEvent(tx, change));
  };
}

type ContactChange = Extract<EcpChange, { eventName: 'contact.create' | 'contact.update' | 'contact.delete' }>;

/**
 * The messages of one contact change, one per audience: each subscription sees only the residents at locations its
 * client reaches (and its own filter admits), so subscriptions that see the same residents share a message. A
 * subscription that sees none of `residents` but one of `removed` (just unlinked) gets `contact.delete` with those,
 * the last state it saw; one that sees none gets nothing. The envelope's location is the first listed resident's.
 * With no audience at all, one message with every resident is stored without deliveries (for audit and replay).
 */
export function contactEvents(change: ContactChange, subscriptions: SubscriptionAudience[]): WebhookEvent[] {
  const c = change.contact;
  const build = (eventName: ContactChange['eventName'], list: ContactChange['residents'], subscriptionIds: number[]): WebhookEvent => ({
    eventName, organizationId: c.organizationId, locationId: list[0]?.resident.locationId ?? c.locationId,
    data: { contact: contactObject(c, list) }, subscriptionIds,
  });
  const groups = new Map<string, { eventName: ContactChange['eventName']; list: ContactChange['residents']; ids: number[] }>();
  for (const s of subscriptions) {
    const sees = (x: ContactChange['residents'][number]) => s.clientLocationIds.includes(x.resident.locationId) && (s.locationIds === null || s.locationIds.includes(x.resident.locationId));
    const visible = change.residents.filter(sees);
    const gone = (change.removed ?? []).filter(sees);
    const [eventName, list] = visible.length ? [change.eventName, visible] as const : gone.length ? ['contact.delete' as const, gone] as const : [undefined, []] as const;
    if (!eventName || !s.eventNames.includes(eventName)) continue;
    const key = `${eventName} ${list.map((x) => x.resident.id).join(',')}`;
    const group = groups.get(key) ?? { eventName, list, ids: [] };
    group.ids.push(s.id);
    groups.set(key, group);
  }
  if (!groups.size) return [build(change.eventName, change.residents.length ? change.residents : (change.removed ?? []), [])];
  return [...groups.values()].map((g) => build(g.eventName, g.list, g.ids));
}

async function toWebhookEvent(tx: Executor, change: EcpChange): Promise<WebhookEvent> {
  switch (change.eventName) {
    case 'resident.create':
    case 'resident.update':
    case 'resident.delete': {
      const r = change.resident;
      return { eventName: change.eventName, organizationId: r.organizationId, locationId: r.locationId, data: { resident: residentObject(r) } };
    }
    case 'diet.update': {
      const r = change.resident;
      return { eventName: 'diet.update', organizationId: r.organizationId, locationId: r.locationId, data: { diet: dietObject(r) } };
    }
    case 'levelOfCare.update': {
      const r = change.resident;
      return { eventName: 'levelOfCare.update', organizationId: r.organizationId, locationId: r.locationId, data: { levelOfCare: levelOfCareObject(r) } };
    }
    case 'allergy.update': {
      const r = change.resident;
      return { eventName: 'allergy.update', organizationId: r.organizationId, locationId: r.locationId, data: { allergy: allergyObject(r.guid, change.allergies) } };
    }
    case 'contact.create':
    case 'contact.update':
    case 'contact.delete':
      return contactEvents(change, [])[0];
    case 'user.create':
    case 'user.update':
    case 'user.delete': {
      const u = change.user;
      const rows = await findLocationsById(tx, u.locationIds);
      const guidOf = new Map(rows.map((l) => [l.id, l.guid]));
      const guids = u.locationIds.map((id) => guidOf.get(id)).filter((g): g is string => g !== undefined);
      return {
        eventName: change.eventName,
        organizationId: u.organizationId,
        locationId: change.viaLocationIds.length === 1 ? change.viaLocationIds[0] : null,
        userLocationIds: u.locationIds,
        data: { user: userObject(u, guids) },
      };
    }
  }
}
