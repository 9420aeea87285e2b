/**
 * Wire schemas of the Resident File's Contacts tab (`/v1/community/residents/{residentId}/contacts`, `/v1/community/contacts`):
 * the fields, lengths and allowed values of the partner API's contact (`contacts/schemas.ts`), without the ids the
 * path gives; the per-resident fields (relationship, notes, flags) are this resident's.
 */
import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/schema.ts';
import { ContactUpdate, NewContact } from '../contacts/schemas.ts';

const { contactId: _c, locationId: _l, residentId: _r, firstName: _f, lastName: _n, ...newFields } = NewContact.properties;
/** Add a contact: the partner API's `POST /resident/contact` fields for this resident; first and last name required. */
export const NewCommunityContact = Type.Object({
  ...newFields,
  firstName: Type.String({ minLength: 1, maxLength: 30 }),
  lastName: Type.String({ minLength: 1, maxLength: 30 }),
});
export type NewCommunityContactWire = Static<typeof NewCommunityContact>;

const { contactId: _uc, residentId: _ur, ...updateFields } = ContactUpdate.properties;
/** Edit a contact: the partner API's `PUT /resident/contact` fields, all optional, `null` clears; the flags are this resident's link. */
export const CommunityContactUpdate = Type.Object(updateFields);
export type CommunityContactUpdateWire = Static<typeof CommunityContactUpdate>;

const LINK_KEYS = ['relationship', 'notes', 'billingContact', 'healthCarePoa', 'healthCarePoaActivated', 'primaryContact', 'providesProducts', 'stateAppointedGuardian'] as const;
/** Link an existing contact (already another resident's) to this resident, with this resident's relationship, notes and flags. */
export const CommunityContactLink = Type.Object({
  contactId: Type.String({ minLength: 1, maxLength: 36, description: 'GUID of a contact of the company, linked to a resident at one of the user\'s locations (find it with GET /v1/community/contacts).' }),
  ...Object.fromEntries(LINK_KEYS.map((k) => [k, newFields[k]])) as Pick<typeof newFields, (typeof LINK_KEYS)[number]>,
});
export type CommunityContactLinkWire = Static<typeof CommunityContactLink>;

export const ContactParams = Type.Object({
  residentId: Type.String({ maxLength: 36, description: 'The resident\'s GUID.' }),
  contactId: Type.String({ maxLength: 36, description: 'The contact\'s GUID.' }),
});

const OtherResident = Type.Object({
  residentId: Type.String({ description: 'GUID' }),
  firstName: Type.String(),
  lastName: Type.String(),
  relationship: Nullable(Type.String({ description: 'The contact\'s relationship to that resident.' })),
});

const S = Nullable(Type.String());
/** A contact as the Contacts tab shows it: the seed's contact fields and this resident's `contact.residents` entry, flattened. */
export const CommunityContact = Type.Object({
  contactId: Type.String({ description: 'GUID' }),
  firstName: Type.String(),
  lastName: Type.String(),
  address: S, city: S, state: S, zip: S, email: S, phone: S, phoneCell: S, phoneWork: S,
  preferredContactMethod: Nullable(Type.String({ description: '"Phone", "Text" or "Email"' })),
  preferredContactTime: Nullable(Type.String({ description: '"Morning", "Afternoon" or "Evening"' })),
  relationship: Nullable(Type.String({ description: 'To this resident.' })),
  notes: Nullable(Type.String({ description: 'About this resident\'s contact.' })),
  billingContact: Type.Boolean(),
  healthCarePoa: Type.Boolean(),
  healthCarePoaActivated: Type.Boolean(),
  primaryContact: Type.Boolean(),
  providesProducts: Type.Boolean(),
  stateAppointedGuardian: Type.Boolean(),
  otherResidents: Type.Array(OtherResident, { description: 'The other residents (at the user\'s locations) this person is a contact of.' }),
});

export const ContactEnvelope = Type.Object({ contact: CommunityContact });
export const ContactList = Type.Object({ contacts: Type.Array(CommunityContact) });

export const ContactSearchQuery = Type.Object({
  search: Type.String({ minLength: 2, maxLength: 61, description: 'The start of the contact\'s first name, last name or "First Last" (case-insensitive).' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20, description: 'Most results (default 20, at most 50).' })),
});

export const ContactSearchResult = Type.Object({
  contacts: Type.Array(Type.Object({
    contactId: Type.String({ description: 'GUID' }),
    firstName: Type.String(),
    lastName: Type.String(),
    phone: S,
    email: S,
    residents: Type.Array(OtherResident, { description: 'The residents (at the user\'s locations) this person is a contact of.' }),
  })),
});
