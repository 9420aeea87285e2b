/**
 * The Resident File's Contacts tab of the community workspace: list, add, edit and remove a resident's contacts, and
 * link an existing contact (already another resident's) with this resident's own relationship, notes and flags. Each
 * change runs the ECP contacts service, the partner API's own, so it fires the seed's event through the same outbox
 * (add `contact.create`; edit and link `contact.update`; remove `contact.update` with the residents left, or
 * `contact.delete` when none is left) and writes its audit row there. This file adds only what the workspace door
 * decides: another company's resident or contact, or one at a location outside the user's `locationsAllowed`, is 404
 * (`Resident not found`, `Contact not found`); a discharged resident's contacts are read-only (422).
 */
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { EcpConflictError, UnknownContactError, type ContactService } from '../contacts/service.ts';
import type { ResidentService, ResidentWithLocation } from '../residents/service.ts';
import type { CommunityContactLinkWire, CommunityContactUpdateWire, NewCommunityContactWire } from './contact-schemas.ts';
import type { CommunityActor } from './service.ts';

type Ctx = RequestContext<CommunityActor>;
type Listed = Awaited<ReturnType<ContactService['residentContacts']>>[number];

const DISCHARGED = 'This resident is discharged; reactivate the resident first';

/** A contact as the Contacts tab shows it (`CommunityContact`). */
function contactObject({ contact: c, link: l, others }: Listed) {
  return {
    contactId: c.guid, firstName: c.firstName, lastName: c.lastName,
    address: c.address, city: c.city, state: c.state, zip: c.zip, email: c.email, phone: c.phone, phoneCell: c.phoneCell, phoneWork: c.phoneWork,
    preferredContactMethod: c.preferredContactMethod, preferredContactTime: c.preferredContactTime,
    relationship: l.relationship, notes: l.notes, billingContact: l.billingContact, healthCarePoa: l.healthCarePoa,
    healthCarePoaActivated: l.healthCarePoaActivated, primaryContact: l.primaryContact, providesProducts: l.providesProducts,
    stateAppointedGuardian: l.stateAppointedGuardian,
    otherResidents: others.map((o) => ({ residentId: o.residentGuid, firstName: o.firstName, lastName: o.lastName, relationship: o.relationship })),
  };
}

/** Runs a contacts-service change, answering the workspace's way: an unknown contact 404, a duplicate name 422. */
async function asWorkspace<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (err instanceof UnknownContactError) throw new NotFoundError('Contact not found');
    if (err instanceof EcpConflictError) throw new ValidationError(err.messages);
    throw err;
  }
}

export function createCommunityContactService({ residents, contacts }: { residents: ResidentService; contacts: ContactService }) {
  /** @throws NotFoundError `Resident not found` (also another company's, or at a location outside locationsAllowed). */
  async function find(ctx: Ctx, residentId: string): Promise<ResidentWithLocation> {
    const found = await residents.findResident(ctx.actor, residentId);
    if (!found) throw new NotFoundError('Resident not found');
    return found;
  }

  /** The resident, which must not be discharged. @throws NotFoundError; ValidationError when discharged. */
  async function changeable(ctx: Ctx, residentId: string): Promise<ResidentWithLocation> {
    const found = await find(ctx, residentId);
    if (found.r.dischargedAt) throw new ValidationError([DISCHARGED]);
    return found;
  }

  /** The resident's contact `contactId` as the tab shows it, without an audit row. @throws NotFoundError `Contact not found`. */
  async function one(ctx: Ctx, resident: ResidentWithLocation, contactId: string) {
    const [found] = await contacts.residentContacts(ctx, resident.r, { only: contactId.trim().toUpperCase(), audit: false });
    if (!found) throw new NotFoundError('Contact not found');
    return contactObject(found);
  }

  return {
    /** The Contacts tab: the resident's contacts by last name; audited (`read`). @throws NotFoundError `Resident not found`. */
    async list(ctx: Ctx, residentId: string) {
      const resident = await find(ctx, residentId);
      return (await contacts.residentContacts(ctx, resident.r, { audit: true })).map(contactObject);
    },

    /**
     * Add a contact (`contact.create`).
     * @throws NotFoundError `Resident not found`; ValidationError discharged resident, `A contact with this first and
     *   last name already exists for this resident`.
     */
    async create(ctx: Ctx, residentId: string, input: NewCommunityContactWire) {
      const resident = await changeable(ctx, residentId);
      const { contactId } = await asWorkspace(() => contacts.createContact(ctx, { ...input, residentId: resident.r.guid, locationId: resident.locationGuid }));
      return one(ctx, resident, contactId);
    },

    /**
     * Link an existing contact of the company (a contact of a resident the user reaches) to this resident with its own
     * relationship, notes and flags (`contact.update` listing every resident); for a contact linked already, sets them.
     * @throws NotFoundError `Resident not found`, `Contact not found`; ValidationError discharged resident, another
     *   contact of this resident with the same name.
     */
    async link(ctx: Ctx, residentId: string, input: CommunityContactLinkWire) {
      const resident = await changeable(ctx, residentId);
      const { contactId } = await asWorkspace(() => contacts.createContact(ctx, { ...input, residentId: resident.r.guid, locationId: resident.locationGuid }));
      return one(ctx, resident, contactId);
    },

    /**
     * Edit a contact of this resident: the person's fields, and this resident's relationship, notes and flags (`contact.update`).
     * @throws NotFoundError `Resident not found`, `Contact not found` (also one not linked to this resident);
     *   ValidationError discharged resident, a name another contact of one of its residents has.
     */
    async update(ctx: Ctx, residentId: string, contactId: string, input: CommunityContactUpdateWire) {
      const resident = await changeable(ctx, residentId);
      const current = await one(ctx, resident, contactId);
      await asWorkspace(() => contacts.updateContact(ctx, { ...input, contactId: current.contactId, residentId: resident.r.guid }));
      return one(ctx, resident, current.contactId);
    },

    /**
     * Remove a contact from this resident: `contact.update` with the residents left, or `contact.delete` (last state)
     * when this was the contact's only resident.
     * @throws NotFoundError `Resident not found`, `Contact not found`; ValidationError discharged resident.
     */
    async remove(ctx: Ctx, residentId: string, contactId: string): Promise<void> {
      const resident = await changeable(ctx, residentId);
      const current = await one(ctx, resident, contactId);
      await asWorkspace(() => contacts.deleteContact(ctx, current.contactId, resident.r.guid));
    },

    /** Link an existing contact's search: the company's contacts at the user's locations by name; audited (`list`). */
    async search(ctx: Ctx, name: string, limit: number) {
      const found = await contacts.findContacts(ctx, name, limit);
      return found.map(({ contact: c, residents: rs }) => ({
        contactId: c.guid, firstName: c.firstName, lastName: c.lastName, phone: c.phone, email: c.email,
        residents: rs.map((o) => ({ residentId: o.residentGuid, firstName: o.firstName, lastName: o.lastName, relationship: o.relationship })),
      }));
    },
  };
}

export type CommunityContactService = ReturnType<typeof createCommunityContactService>;
