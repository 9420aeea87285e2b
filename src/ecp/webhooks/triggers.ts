/**
 * The webhook triggers: every ECP change a service reports (`EmitEcpChange`, `src/ecp/events.ts`) becomes an
 * outbox message in the change's own transaction, its `data` built from the rows as they stand after the change
 * (delete events: the last state). Resident, diet, allergy and level-of-care events carry the resident's location;
 * contact events the contact's; user events the location the change was made through when there is exactly one
 * (else null) and match subscriptions through all of the user's locations (seed 000 "Event Types").
 */
import { inArray } from 'drizzle-orm';
import { ecpLocations } from '../../db/schema.ts';
import type { EcpChange, EmitEcpChange } from '../events.ts';
import type { WebhookEvent } from './outbox.ts';
import { allergyObject, contactObject, dietObject, levelOfCareObject, residentObject, userObject } from './payloads.ts';
import type { Executor } from '../../db/pool.ts';

/** The `EmitEcpChange` of a process with webhook delivery: each change goes to `record` (the outbox). */
export function webhookEmitter(record: (tx: Executor, event: WebhookEvent) => Promise<unknown>): EmitEcpChange {
  return async (tx, change) => {
    await record(tx, await toWebhookEvent(tx, change));
  };
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
    case 'contact.delete': {
      const c = change.contact;
      return { eventName: change.eventName, organizationId: c.organizationId, locationId: c.locationId, data: { contact: contactObject(c, change.residents) } };
    }
    case 'user.create':
    case 'user.update':
    case 'user.delete': {
      const u = change.user;
      const rows = u.locationIds.length
        ? await tx.select({ id: ecpLocations.id, guid: ecpLocations.guid }).from(ecpLocations).where(inArray(ecpLocations.id, u.locationIds))
        : [];
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
