/**
 * The `data` objects of ECP webhook payloads (seed 000, "JSON Objects"), built from stored rows: keys as in the
 * seed's samples, absent optional values as `null`. Resident, diet and level-of-care objects are the ones
 * `GET /clinical/v1/resident` shows (`residents/wire.ts`), so a partner sees one shape everywhere: `dateOfBirth`
 * is `YYYY-MM-DD` (ARCHITECTURE.md, "dates `YYYY-MM-DD`"; the seed's sample `1991-01-01T00:00:00` is a date with a
 * meaningless time), `codeStatus` "DNR" is sent as "DNR (Do Not Resuscitate)", instants ISO 8601 UTC with
 * milliseconds and `+00:00`.
 */
import type { ecpContactResidents, ecpContacts, ecpUsers } from '../../db/schema.ts';
import { ECP_EVENT_NAMES, type EcpEventName } from '../events.ts';
import { dietObject, levelOfCareObject, residentObject } from '../residents/wire.ts';

export { dietObject, levelOfCareObject, residentObject };

/** The 12 event names of seed 000 ("Event Types"). */
export const WEBHOOK_EVENT_NAMES = ECP_EVENT_NAMES;
export type WebhookEventName = EcpEventName;

type ContactRow = typeof ecpContacts.$inferSelect;
type UserRow = typeof ecpUsers.$inferSelect;
type ContactLinkValues = Pick<typeof ecpContactResidents.$inferSelect,
  'billingContact' | 'healthCarePoa' | 'healthCarePoaActivated' | 'notes' | 'primaryContact' | 'providesProducts' | 'relationship' | 'stateAppointedGuardian'>;

/** Seed 000 allergy object: the resident's current allergies, the full list. */
export function allergyObject(residentGuid: string, allergies: string[]) {
  return { allergies: [...allergies], residentId: residentGuid };
}

/**
 * Seed 000 contact object with its `residents` array: one entry per resident, each with that link's relationship,
 * notes and flags.
 * @param residents the residents to list (those the receiving subscriber may see), each with its link.
 */
export function contactObject(c: ContactRow, residents: ReadonlyArray<{ resident: { guid: string }; link: ContactLinkValues }>) {
  return {
    address: c.address,
    city: c.city,
    contactId: c.guid,
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    phone: c.phone,
    phoneCell: c.phoneCell,
    phoneWork: c.phoneWork,
    preferredContactMethod: c.preferredContactMethod,
    preferredContactTime: c.preferredContactTime,
    residents: residents.map(({ resident, link }) => ({
      billingContact: link.billingContact,
      healthCarePoa: link.healthCarePoa,
      healthCarePoaActivated: link.healthCarePoaActivated,
      notes: link.notes,
      primaryContact: link.primaryContact,
      providesProducts: link.providesProducts,
      relationship: link.relationship,
      residentId: resident.guid,
      stateAppointedGuardian: link.stateAppointedGuardian,
    })),
    state: c.state,
    zip: c.zip,
  };
}

/**
 * Seed 000 user object.
 * @param locationGuids the GUIDs of the user's `locationIds` (`locationsAllowed`).
 */
export function userObject(u: UserRow, locationGuids: string[]) {
  return {
    chartingInitials: u.chartingInitials,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    locationsAllowed: [...locationGuids],
    phone: u.phone,
    phoneCell: u.cellphone,
    role: u.role,
    title: u.title,
    userId: u.guid,
  };
}

export type ResidentObject = ReturnType<typeof residentObject>;
export type DietObject = ReturnType<typeof dietObject>;
export type AllergyObject = ReturnType<typeof allergyObject>;
export type LevelOfCareObject = ReturnType<typeof levelOfCareObject>;
export type ContactObject = ReturnType<typeof contactObject>;
export type UserObject = ReturnType<typeof userObject>;

/** The envelope's `data` of each event. */
export interface WebhookDataOf {
  'resident.create': { resident: ResidentObject };
  'resident.update': { resident: ResidentObject };
  'resident.delete': { resident: ResidentObject };
  'diet.update': { diet: DietObject };
  'allergy.update': { allergy: AllergyObject };
  'levelOfCare.update': { levelOfCare: LevelOfCareObject };
  'contact.create': { contact: ContactObject };
  'contact.update': { contact: ContactObject };
  'contact.delete': { contact: ContactObject };
  'user.create': { user: UserObject };
  'user.update': { user: UserObject };
  'user.delete': { user: UserObject };
}

