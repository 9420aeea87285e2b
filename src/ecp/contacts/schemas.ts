/**
 * Wire schema of `POST /clinical/v1/resident/contact/` (seed 000): lengths and enums as documented. Booleans
 * come as true/false or 1/0 (the seed's example uses 1/0; Ajv's coercion maps them), `zip` as a number or a
 * string (the example sends 53120).
 */
import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/schema.ts';

const S = (max: number) => Type.String({ maxLength: max });
const Flag = (description: string) => Type.Optional(Type.Boolean({ description: `${description} (true/false or 1/0).` }));

export const NewContact = Type.Object({
  contactId: Type.Optional(Type.String({
    minLength: 1, maxLength: 36,
    description: 'Beyond seed 000: an existing contact of the company to link to this resident as well (a contact shared by several residents), '
      + 'with this resident\'s own relationship, notes and flags; for a resident it is linked to already, sets that link\'s values. Other fields given change the contact as PUT does.',
  })),
  address: Type.Optional(S(50)),
  billingContact: Flag('Billing contact'),
  city: Type.Optional(S(50)),
  email: Type.Optional(S(100)),
  firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 30, description: 'Required for a new contact.' })),
  healthCarePoa: Flag('Health care power of attorney'),
  healthCarePoaActivated: Flag('The power of attorney is activated'),
  lastName: Type.Optional(Type.String({ minLength: 1, maxLength: 30, description: 'Required for a new contact.' })),
  locationId: Type.String({ minLength: 1, maxLength: 60, description: "The resident's location GUID (or its name)." }),
  notes: Type.Optional(S(300)),
  phone: Type.Optional(S(16)),
  phoneCell: Type.Optional(S(16)),
  phoneWork: Type.Optional(S(16)),
  preferredContactMethod: Type.Optional(Type.Enum(['Phone', 'Text', 'Email'])),
  preferredContactTime: Type.Optional(Type.Enum(['Morning', 'Afternoon', 'Evening'])),
  primaryContact: Flag('Primary contact'),
  providesProducts: Flag('Provides products or medications'),
  relationship: Type.Optional(S(100)),
  residentId: Type.String({ minLength: 1, maxLength: 36, description: 'GUID of the resident.' }),
  state: Type.Optional(S(2)),
  stateAppointedGuardian: Flag('State-appointed guardian'),
  zip: Type.Optional(Type.String({ maxLength: 9, description: 'A number or a string.' })),
});
export type NewContactWire = Static<typeof NewContact>;

export const CreatedContact = Type.Object({
  result: Type.Literal('Success'),
  contactId: Type.String({ description: 'GUID of the new (or linked) contact.' }),
});

const NS = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));

/**
 * `PUT /clinical/v1/resident/contact/` (beyond seed 000): the contact by `contactId`; the fields of POST
 * contact, all optional; `null` clears an optional text field.
 */
export const ContactUpdate = Type.Object({
  contactId: Type.String({ minLength: 1, maxLength: 36, description: 'GUID of the contact.' }),
  residentId: Type.Optional(Type.String({
    minLength: 1, maxLength: 36,
    description: 'The resident whose relationship, notes or flags change; needed only when the contact is shared by several residents this client reaches.',
  })),
  address: NS(50),
  billingContact: Flag('Billing contact'),
  city: NS(50),
  email: NS(100),
  firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  healthCarePoa: Flag('Health care power of attorney'),
  healthCarePoaActivated: Flag('The power of attorney is activated'),
  lastName: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  notes: NS(300),
  phone: NS(16),
  phoneCell: NS(16),
  phoneWork: NS(16),
  preferredContactMethod: Type.Optional(Nullable(Type.Enum(['Phone', 'Text', 'Email']))),
  preferredContactTime: Type.Optional(Nullable(Type.Enum(['Morning', 'Afternoon', 'Evening']))),
  primaryContact: Flag('Primary contact'),
  providesProducts: Flag('Provides products or medications'),
  relationship: NS(100),
  state: NS(2),
  stateAppointedGuardian: Flag('State-appointed guardian'),
  zip: Type.Optional(Nullable(Type.String({ maxLength: 9, description: 'A number or a string.' }))),
});
export type ContactUpdateWire = Static<typeof ContactUpdate>;

/** `DELETE /clinical/v1/resident/contact/`: the contact id (and optionally one resident) in a JSON body or the query string. */
export const ContactRef = Type.Object({
  contactId: Type.String({ minLength: 1, maxLength: 36, description: 'GUID of the contact.' }),
  residentId: Type.Optional(Type.String({
    minLength: 1, maxLength: 36,
    description: 'Unlink only this resident; without it, every resident this client reaches. A contact left with no resident is deleted.',
  })),
});

export const ContactChanged = Type.Object({ result: Type.Literal('Success'), contactId: Type.String() });
