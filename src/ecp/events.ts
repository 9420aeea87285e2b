/**
 * The ECP changes that partners learn of through webhooks (seed 000 "Event Types"). Services report
 * each change with `EmitEcpChange` inside the transaction that makes it, with the rows as they stand after the
 * change (delete events: the last state); the webhook outbox turns them into frozen payloads in that same
 * transaction, so a rolled-back change sends nothing.
 */
import type { Executor } from '../db/pool.ts';
import type { ecpContactResidents, ecpContacts, ecpResidents, ecpUsers } from '../db/schema.ts';

export const ECP_EVENT_NAMES = [
  'allergy.update', 'contact.create', 'contact.delete', 'contact.update', 'diet.update', 'levelOfCare.update',
  'resident.create', 'resident.delete', 'resident.update', 'user.create', 'user.update', 'user.delete',
] as const;
export type EcpEventName = (typeof ECP_EVENT_NAMES)[number];

type Resident = typeof ecpResidents.$inferSelect;
type Contact = typeof ecpContacts.$inferSelect;
type User = typeof ecpUsers.$inferSelect;

/** One entry of a contact's `residents`: the resident and its link (relationship, notes, flags). */
export interface ContactResidentLink {
  resident: Resident;
  link: typeof ecpContactResidents.$inferSelect;
}

/** One change, with what the payload is built from. */
export type EcpChange =
  | { eventName: 'resident.create' | 'resident.update' | 'resident.delete'; resident: Resident }
  | { eventName: 'diet.update'; resident: Resident }
  | { eventName: 'levelOfCare.update'; resident: Resident }
  | { eventName: 'allergy.update'; resident: Resident; allergies: string[] }
  /**
   * `residents`: the contact's residents after the change (delete: the last state). `removed`: residents just
   * unlinked; a subscriber that sees none of `residents` but one of these gets `contact.delete` with them.
   */
  | { eventName: 'contact.create' | 'contact.update' | 'contact.delete'; contact: Contact; residents: ContactResidentLink[]; removed?: ContactResidentLink[] }
  | { eventName: 'user.create' | 'user.update' | 'user.delete'; user: User; viaLocationIds: number[] };

export type EmitEcpChange = (tx: Executor, change: EcpChange) => Promise<void>;

/** The emitter of a process without webhook delivery wired (unit use of a service). */
export const ignoreChanges: EmitEcpChange = async () => {};
