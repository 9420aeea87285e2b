/**
 * ECP resident contacts (seed 000 "POST resident/contact"; linking, update, unlinking and delete beyond the seed).
 * A contact is a person of one company; it may be shared by several of that company's residents, each link with
 * its own relationship, notes and flags (the contact object's `residents` array). A contact with the same first and
 * last name (case-insensitive) for a resident is an Error that returns the existing `contactId`, as the seed says.
 * Each change reports its webhook event (contact.create/update/delete) with the contact's residents, in its own
 * transaction; a contact left with no resident is deleted and keeps its row (`deleted_at`) as the last state.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { AppError, ValidationError } from '../../platform/errors.ts';
import type { EcpActor } from '../auth.ts';
import { newGuid } from '../shared/ids.ts';
import type { LocationService } from '../locations/service.ts';
import { lockResidents, residentAtLocation } from '../residents/service.ts';
import { ignoreChanges, type EmitEcpChange } from '../events.ts';
import type { ContactUpdateWire, NewContactWire } from './schemas.ts';
import * as store from './store.ts';
import { LINK_FIELDS, type ContactResident, type ContactRow, type LinkValues, type ResidentRow } from './store.ts';

export type { ContactLinkSearchFilter, FoundContactLink } from './store.ts';

/** 400 whose body also carries fields (`contactId` of the existing contact). */
export class EcpConflictError extends AppError {
  readonly extra: Record<string, unknown>;

  constructor(message: string, extra: Record<string, unknown>) {
    super(400, [message]);
    this.extra = extra;
  }
}

/**
 * An unknown contact (also another company's, or one linked to no resident the actor reaches): a ValidationError, as
 * the partner API answers it (400); the community door answers it 404.
 */
export class UnknownContactError extends ValidationError {}

/** The fields of the contact itself (the person) that `PUT /resident/contact` may change besides the names. */
const CONTACT_FIELDS = [
  'address', 'city', 'email', 'phone', 'phoneCell', 'phoneWork', 'preferredContactMethod', 'preferredContactTime', 'state', 'zip',
] as const;

const DUPLICATE = 'A contact with this first and last name already exists for this resident';

/** The per-resident values given in `input` (only the documented fields; strings trimmed). */
function linkValues(input: Partial<Record<(typeof LINK_FIELDS)[number], unknown>>): LinkValues {
  const values: Record<string, unknown> = {};
  for (const k of LINK_FIELDS) {
    const v = input[k];
    if (v !== undefined) values[k] = typeof v === 'string' ? v.trim() : v;
  }
  return values as LinkValues;
}

/** A resident's contacts as a transfer leaves them (see `transferResidentContacts`). */
export interface ContactTransferResult {
  /** Contacts of the resident only, moved with their `contactId`. */
  moved: string[];
  /** Contacts shared with residents who stay: the sender keeps them; the receiver gets a copy with a new `contactId`. */
  copied: Array<{ from: string; to: string }>;
}

export function createContactService({ db, locations, emit = ignoreChanges, clock = () => new Date() }: {
  db: Db;
  locations: LocationService;
  emit?: EmitEcpChange;
  clock?: () => Date;
}) {
  /**
   * The live contact `contactId` linked to a resident at a location the client reaches, locked for update.
   * @throws ValidationError `No contact with contactId X` (also another company's contact: no leak).
   */
  async function reachableContact(tx: Executor, actor: EcpActor, contactId: string): Promise<ContactRow> {
    const row = await store.lockReachableContact(tx, contactId.trim().toUpperCase(), actor.organizationId, actor.locationIds);
    if (!row) throw new UnknownContactError([`No contact with contactId ${contactId.trim()}`]);
    return row;
  }

  /** The contact's links to residents the client reaches; with `residentId`, that one only. @throws ValidationError. */
  function reachableLinks(actor: EcpActor, links: ContactResident[], contact: ContactRow, residentId?: string): ContactResident[] {
    const reached = links.filter((x) => actor.locationIds.includes(x.resident.locationId));
    if (residentId === undefined) return reached;
    const one = reached.filter((x) => x.resident.guid === residentId.trim().toUpperCase());
    if (!one.length) throw new ValidationError([`residentId is invalid: contact ${contact.guid} is not linked to resident ${residentId.trim()}`]);
    return one;
  }

  /**
   * Links the existing contact `input.contactId` to another resident of the company with its own relationship, notes
   * and flags, or, when it is linked already, sets that link's values (a repeated POST is harmless); the contact's
   * own fields given are applied as by PUT. Event `contact.update` listing every resident.
   */
  async function linkContact(tx: Executor, ctx: RequestContext<EcpActor>, input: NewContactWire & { contactId: string }, resident: ResidentRow) {
    const current = await reachableContact(tx, ctx.actor, input.contactId);
    if (current.organizationId !== resident.organizationId) throw new UnknownContactError([`No contact with contactId ${input.contactId.trim()}`]);
    const links = await store.linksOf(tx, current.id);
    await lockResidents(tx, [...links.map((x) => x.resident.id), resident.id]);
    const linked = links.some((x) => x.resident.id === resident.id);
    const firstName = input.firstName?.trim() ?? current.firstName;
    const lastName = input.lastName?.trim() ?? current.lastName;
    const renamed = firstName.toLowerCase() !== current.firstName.toLowerCase() || lastName.toLowerCase() !== current.lastName.toLowerCase();
    const checked = [...(renamed ? links.map((x) => x.resident.id) : []), ...(linked && !renamed ? [] : [resident.id])];
    const clash = await store.contactWithName(tx, checked, firstName, lastName, current.id);
    if (clash) throw new EcpConflictError(DUPLICATE, { contactId: clash.guid });
    const values: Record<string, unknown> = { firstName, lastName };
    for (const k of CONTACT_FIELDS) {
      const v = input[k];
      if (v !== undefined) values[k] = typeof v === 'string' ? v.trim() : v;
    }
    const contact = await store.saveContact(tx, current.id, values, clock());
    if (linked) await store.saveLink(tx, current.id, resident.id, linkValues(input));
    else await store.insertLink(tx, current.id, resident.id, linkValues(input));
    await recordAudit(tx, ctx, { action: 'update', entityType: 'contact', entityIds: [contact.guid, resident.guid] });
    await emit(tx, { eventName: 'contact.update', contact, residents: await store.linksOf(tx, contact.id) });
    return { result: 'Success' as const, contactId: contact.guid };
  }

  /**
   * Unlinks `residents` from the contact: event `contact.update` with the residents left, or, when none is left,
   * the contact is deleted (`contact.delete` with the last state). Inside the caller's transaction.
   */
  async function unlink(tx: Executor, contact: ContactRow, links: ContactResident[], residents: ContactResident[]): Promise<ContactRow> {
    const gone = new Set(residents.map((x) => x.resident.id));
    await store.deleteLinks(tx, contact.id, [...gone]);
    const left = links.filter((x) => !gone.has(x.resident.id));
    if (!left.length) {
      const row = await store.softDeleteContact(tx, contact.id, clock());
      await emit(tx, { eventName: 'contact.delete', contact: row, residents });
      return row;
    }
    const row = await store.saveContact(tx, contact.id, {}, clock());
    await emit(tx, { eventName: 'contact.update', contact: row, residents: left, removed: residents });
    return row;
  }

  return {
    /**
     * `POST /clinical/v1/resident/contact/`: creates a contact of a resident at a reachable location, or, with
     * `contactId`, links that existing contact of the same company to this resident as well.
     * @returns `{result: "Success", contactId}`.
     * @throws ValidationError `location is invalid`, `residentId is invalid`, missing names, an unknown contact, a
     *   link that exists; EcpConflictError for a duplicate name.
     */
    async createContact(ctx: RequestContext<EcpActor>, input: NewContactWire) {
      return db.transaction(async (tx) => {
        const location = await locations.resolve(ctx.actor, input.locationId);
        const resident = await residentAtLocation(tx, input.residentId.trim().toUpperCase(), location.id);
        if (!resident) throw new ValidationError(['residentId is invalid: no resident with this id at this location']);
        if (input.contactId !== undefined) return linkContact(tx, ctx, { ...input, contactId: input.contactId }, resident);
        const firstName = input.firstName?.trim();
        const lastName = input.lastName?.trim();
        const missing = [!firstName && 'firstName is required', !lastName && 'lastName is required'].filter(Boolean) as string[];
        if (missing.length) throw new ValidationError([missing.join('; ')]);
        // One writer of a resident's contacts at a time, so two requests cannot both pass the duplicate-name check.
        await lockResidents(tx, [resident.id]);
        const existing = await store.contactWithName(tx, [resident.id], firstName!, lastName!);
        if (existing) throw new EcpConflictError(DUPLICATE, { contactId: existing.guid });
        const contact = await store.insertContact(tx, {
          organizationId: ctx.actor.organizationId,
          locationId: location.id,
          guid: newGuid(),
          firstName: firstName!,
          lastName: lastName!,
          address: input.address ?? null,
          city: input.city ?? null,
          state: input.state ?? null,
          zip: input.zip ?? null,
          email: input.email ?? null,
          phone: input.phone ?? null,
          phoneCell: input.phoneCell ?? null,
          phoneWork: input.phoneWork ?? null,
          preferredContactMethod: input.preferredContactMethod ?? null,
          preferredContactTime: input.preferredContactTime ?? null,
        });
        await store.insertLink(tx, contact.id, resident.id, linkValues(input));
        await recordAudit(tx, ctx, { action: 'create', entityType: 'contact', entityIds: [contact.guid] });
        await emit(tx, { eventName: 'contact.create', contact, residents: await store.linksOf(tx, contact.id) });
        return { result: 'Success' as const, contactId: contact.guid };
      });
    },

    /**
     * `PUT /clinical/v1/resident/contact/`: changes the given fields; the relationship, notes and flags are those of
     * the link to `residentId` (optional when the client reaches one resident of the contact); event `contact.update`.
     * @returns `{result: "Success", contactId}`.
     * @throws ValidationError unknown contact or link, several residents and no residentId; EcpConflictError when the
     *   new name is another contact's of one of the contact's residents.
     */
    async updateContact(ctx: RequestContext<EcpActor>, input: ContactUpdateWire) {
      return db.transaction(async (tx) => {
        const current = await reachableContact(tx, ctx.actor, input.contactId);
        const links = await store.linksOf(tx, current.id);
        await lockResidents(tx, links.map((x) => x.resident.id));
        const link = linkValues(input);
        let target: ContactResident | undefined;
        if (Object.keys(link).length || input.residentId !== undefined) {
          const reached = reachableLinks(ctx.actor, links, current, input.residentId);
          if (reached.length !== 1) {
            throw new ValidationError(['residentId is required to change the relationship, notes or flags of a contact shared by several residents']);
          }
          target = reached[0];
        }
        const firstName = input.firstName?.trim() ?? current.firstName;
        const lastName = input.lastName?.trim() ?? current.lastName;
        if (firstName.toLowerCase() !== current.firstName.toLowerCase() || lastName.toLowerCase() !== current.lastName.toLowerCase()) {
          const existing = await store.contactWithName(tx, links.map((x) => x.resident.id), firstName, lastName, current.id);
          if (existing) throw new EcpConflictError(DUPLICATE, { contactId: existing.guid });
        }
        const values: Record<string, unknown> = { firstName, lastName };
        // Only the documented fields: never ids, tenant columns or timestamps, whatever the body carries.
        for (const k of CONTACT_FIELDS) {
          const v = input[k];
          if (v !== undefined) values[k] = typeof v === 'string' ? v.trim() : v;
        }
        const contact = await store.saveContact(tx, current.id, values, clock());
        if (target) await store.saveLink(tx, current.id, target.resident.id, link);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'contact', entityIds: [contact.guid] });
        await emit(tx, { eventName: 'contact.update', contact, residents: await store.linksOf(tx, contact.id) });
        return { result: 'Success' as const, contactId: contact.guid };
      });
    },

    /**
     * `DELETE /clinical/v1/resident/contact/`: unlinks the resident `residentId`, or every resident the client
     * reaches; a contact left with none is deleted (`contact.delete` with its last state), else `contact.update`.
     * @throws ValidationError unknown or deleted contact, a resident not linked to it.
     */
    async deleteContact(ctx: RequestContext<EcpActor>, contactId: string, residentId?: string) {
      return db.transaction(async (tx) => {
        const current = await reachableContact(tx, ctx.actor, contactId);
        const links = await store.linksOf(tx, current.id);
        await lockResidents(tx, links.map((x) => x.resident.id));
        const removed = reachableLinks(ctx.actor, links, current, residentId);
        const row = await unlink(tx, current, links, removed);
        await recordAudit(tx, ctx, {
          action: row.deletedAt ? 'delete' : 'update', entityType: 'contact', entityIds: [current.guid, ...removed.map((x) => x.resident.guid)],
        });
        return { result: 'Success' as const, contactId: current.guid };
      });
    },

    /**
     * The community workspace's Contacts tab: the live contacts of the resident (row `id`, GUID `guid`), by last then
     * first name, each with this resident's link (relationship, notes, flags) and the other residents it is a contact
     * of among those the actor reaches. With `only`, that contact alone (upper-case GUID). `audit`: one `read` row
     * (entity `contact`) naming the resident and the contacts returned, written even when there are none.
     */
    async residentContacts(ctx: RequestContext<EcpActor>, resident: { id: number; guid: string }, opts: { only?: string; audit: boolean }) {
      return db.transaction(async (tx) => {
        const rows = (await store.contactLinksOfResident(tx, resident.id)).filter((x) => opts.only === undefined || x.contact.guid === opts.only);
        const linked = await store.residentsOfContacts(tx, rows.map((x) => x.contact.id));
        const others = (contactId: number) => linked.filter((x) => x.contactId === contactId && x.residentGuid !== resident.guid && ctx.actor.locationIds.includes(x.locationId));
        if (opts.audit) await recordAudit(tx, ctx, { action: 'read', entityType: 'contact', entityIds: [resident.guid, ...rows.map((x) => x.contact.guid)] });
        return rows.map((x) => ({ ...x, others: others(x.contact.id) }));
      });
    },

    /**
     * The live contacts of the actor's company linked to a resident at a location the actor reaches whose first name,
     * last name or "first last" starts with `name`, by last then first name, at most `limit`; each with those
     * residents. One `list` audit row (entity `contact`) naming the contacts returned.
     */
    async findContacts(ctx: RequestContext<EcpActor>, name: string, limit: number) {
      return db.transaction(async (tx) => {
        const rows = await store.contactsByName(tx, ctx.actor.organizationId, ctx.actor.locationIds, name, limit);
        const linked = await store.residentsOfContacts(tx, rows.map((x) => x.id));
        await recordAudit(tx, ctx, { action: 'list', entityType: 'contact', entityIds: rows.map((x) => x.guid) });
        return rows.map((contact) => ({ contact, residents: linked.filter((x) => x.contactId === contact.id && ctx.actor.locationIds.includes(x.locationId)) }));
      });
    },

    /**
     * The contacts of a resident who moves to another company (inside the transfer's transaction, after the resident
     * row moved to `to`): a contact of this resident only moves with it (same `contactId`; the sending company's
     * subscribers get `contact.delete`, the receiving one's `contact.create`); a contact shared with residents who
     * stay is unlinked from the resident (the sender's subscribers get `contact.update`, or `contact.delete` for
     * those who saw only this resident), and the receiving company gets a copy linked to the resident, with a new
     * `contactId` (`contact.create`), since links stay within one company.
     * @param before the resident's row before the move; `after` after it.
     */
    async transferResidentContacts(tx: Executor, before: ResidentRow, after: ResidentRow): Promise<ContactTransferResult> {
      const result: ContactTransferResult = { moved: [], copied: [] };
      for (const contact of await store.contactsOfResident(tx, before.id)) {
        const links = await store.linksOf(tx, contact.id);
        const mine = links.filter((x) => x.resident.id === before.id).map((x) => ({ ...x, resident: before }));
        const own = mine[0].link;
        const values = Object.fromEntries(LINK_FIELDS.map((k) => [k, own[k]])) as LinkValues;
        if (links.length === mine.length) {
          await emit(tx, { eventName: 'contact.delete', contact, residents: mine });
          const moved = await store.saveContact(tx, contact.id, { organizationId: after.organizationId, locationId: after.locationId }, clock());
          await emit(tx, { eventName: 'contact.create', contact: moved, residents: await store.linksOf(tx, contact.id) });
          result.moved.push(contact.guid);
          continue;
        }
        await unlink(tx, contact, links.map((x) => (x.resident.id === before.id ? { ...x, resident: before } : x)), mine);
        const { id: _id, guid: _guid, createdAt: _c, updatedAt: _u, deletedAt: _d, ...person } = contact;
        const copy = await store.insertContact(tx, { ...person, organizationId: after.organizationId, locationId: after.locationId, guid: newGuid() });
        await store.insertLink(tx, copy.id, after.id, values);
        await emit(tx, { eventName: 'contact.create', contact: copy, residents: await store.linksOf(tx, copy.id) });
        result.copied.push({ from: contact.guid, to: copy.guid });
      }
      return result;
    },

    /**
     * Links of live contacts to residents at the client's reachable locations that `filter` selects, keyset-paged
     * after `filter.after`: the FHIR door's RelatedPerson read and search. One audit row (entity `contact`) names the
     * contacts returned (`read`, written only when found; `list`, written for an empty search too).
     * @returns up to `filter.limit` links, and `more` when further ones follow.
     */
    async searchContactLinks(ctx: RequestContext<EcpActor>, filter: Omit<store.ContactLinkSearchFilter, 'locationIds'>, action: 'read' | 'list') {
      return db.transaction(async (tx) => {
        const found = await store.searchContactLinks(tx, { ...filter, limit: filter.limit + 1, locationIds: ctx.actor.locationIds });
        const rows = found.slice(0, filter.limit);
        if (rows.length || action === 'list') await recordAudit(tx, ctx, { action, entityType: 'contact', entityIds: [...new Set(rows.map((r) => r.contactGuid))] });
        return { rows, more: found.length > rows.length };
      });
    },
  };
}

export type ContactService = ReturnType<typeof createContactService>;
