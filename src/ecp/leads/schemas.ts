/**
 * Wire schemas of CRM leads in the community workspace (issue 19 "CRM leads": name, contact, desired move-in date,
 * source, status). Seed 000 names only the trigger ("New resident is created via ECP CRM lead profile" fires
 * `resident.create`), not a lead object: these fields are the platform's (docs/decisions.md).
 */
import { Type, type Static } from 'typebox';
import { DateText, Nullable } from '../../platform/schema.ts';

/** A lead's status while it is worked; `Converted` is set only by converting it. */
export const LEAD_STATUSES = ['New', 'Contacted', 'Tour Scheduled', 'Lost', 'Converted'] as const;
const OPEN_STATUSES = ['New', 'Contacted', 'Tour Scheduled', 'Lost'] as const;

const S = (max: number, description: string) => Type.String({ maxLength: max, description });

const fields = {
  firstName: Type.String({ minLength: 1, maxLength: 30, description: 'The prospective resident\'s first name.' }),
  lastName: Type.String({ minLength: 1, maxLength: 30 }),
  dateOfBirth: Type.Optional(DateText({ description: 'YYYY-MM-DD; needed before converting.' })),
  contactName: Type.Optional(S(60, 'Who enquired (the prospect or a family member).')),
  contactPhone: Type.Optional(S(16, 'Their phone.')),
  contactEmail: Type.Optional(S(100, 'Their email.')),
  desiredMoveInDate: Type.Optional(DateText({ description: 'YYYY-MM-DD; becomes the resident\'s moveInDate (a future date: "Awaiting Move-In").' })),
  source: Type.Optional(S(60, 'Where the lead came from ("Website", "Referral", ...).')),
  notes: Type.Optional(S(1000, 'Free text.')),
};

export const NewLead = Type.Object({
  ...fields,
  locationId: Type.String({ minLength: 1, maxLength: 60, description: 'One of the user\'s locations (GUID or name).' }),
  status: Type.Optional(Type.Enum(OPEN_STATUSES, { description: 'Default New.' })),
});
export type NewLeadWire = Static<typeof NewLead>;

export const LeadUpdate = Type.Object({
  firstName: Type.Optional(fields.firstName),
  lastName: Type.Optional(fields.lastName),
  dateOfBirth: Type.Optional(Nullable(DateText())),
  contactName: Type.Optional(Nullable(S(60, 'Who enquired.'))),
  contactPhone: Type.Optional(Nullable(S(16, 'Their phone.'))),
  contactEmail: Type.Optional(Nullable(S(100, 'Their email.'))),
  desiredMoveInDate: Type.Optional(Nullable(DateText())),
  source: Type.Optional(Nullable(S(60, 'Where the lead came from.'))),
  notes: Type.Optional(Nullable(S(1000, 'Free text.'))),
  status: Type.Optional(Type.Enum(OPEN_STATUSES, { description: 'Converted is set only by converting.' })),
}, { description: 'Given fields change; null clears an optional one. A converted lead is 422.' });
export type LeadUpdateWire = Static<typeof LeadUpdate>;

export const LeadConversion = Type.Object({
  dateOfBirth: Type.Optional(DateText({ description: 'Required when the lead has none.' })),
  moveInDate: Type.Optional(DateText({ description: 'Default: the lead\'s desiredMoveInDate.' })),
  room: Type.Optional(S(16, 'Room')),
}, { description: 'What the new resident needs beyond the lead.' });
export type LeadConversionWire = Static<typeof LeadConversion>;

export const Lead = Type.Object({
  leadId: Type.String({ description: 'GUID' }),
  firstName: Type.String(),
  lastName: Type.String(),
  dateOfBirth: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  contactName: Nullable(Type.String()),
  contactPhone: Nullable(Type.String()),
  contactEmail: Nullable(Type.String()),
  desiredMoveInDate: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  source: Nullable(Type.String()),
  status: Type.String({ description: LEAD_STATUSES.join(', ') }),
  notes: Nullable(Type.String()),
  locationId: Type.String({ description: 'GUID' }),
  location: Type.String(),
  residentId: Nullable(Type.String({ description: 'The resident created by converting the lead (GUID), or null.' })),
  convertedAt: Nullable(Type.String({ description: 'ISO 8601' })),
  createdAt: Type.String({ description: 'ISO 8601' }),
  updatedAt: Type.String({ description: 'ISO 8601' }),
});
export type LeadWire = Static<typeof Lead>;

export const LeadEnvelope = Type.Object({ lead: Lead });
export const LeadList = Type.Object({ leads: Type.Array(Lead) });
export const LeadListQuery = Type.Object({
  locationId: Type.Optional(Type.String({ maxLength: 60, description: 'One of the user\'s locations (GUID or name); default all.' })),
  status: Type.Optional(Type.Enum(LEAD_STATUSES)),
});
export const LeadParams = Type.Object({ leadId: Type.String({ maxLength: 36, description: 'The lead\'s GUID.' }) });
