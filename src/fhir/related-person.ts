/**
 * `RelatedPerson` (US Core RelatedPerson 6.1.0) from ECP contacts: one per link of a contact to a resident (a contact
 * of two residents is two RelatedPersons), so `patient` is one resident. The id is the link's id (the MD5 of the
 * contact and resident GUIDs, as a UUID); the `contactId` is an identifier. The relationship is the ECP free text
 * (`relationship.text`). A deleted contact is gone, so every one returned is `active`.
 */
import type { Address, ContactPoint, RelatedPerson } from '@medplum/fhirtypes';
import type { ContactLinkSearchFilter, ContactService, FoundContactLink } from '../ecp/contacts/service.ts';
import type { RequestContext } from '../platform/context.ts';
import { NotFoundError, ValidationError } from '../platform/errors.ts';
import type { FhirActor } from './auth.ts';
import { alternatives, decodePairCursor, DEFAULT_COUNT, encodePairCursor, patientIdOf, searchsetBundle, type PageQuery } from './search.ts';

export const US_CORE_RELATED_PERSON = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-relatedperson';
/** `Identifier.system` of an ECP `contactId`. */
export const CONTACT_ID_SYSTEM = 'urn:care-platform:ecp:contact-id';

/** The US Core RelatedPerson of one contact-resident link. */
export function relatedPersonOf(c: FoundContactLink): RelatedPerson {
  const telecom: ContactPoint[] = [];
  if (c.phone) telecom.push({ system: 'phone', value: c.phone, use: 'home' });
  if (c.phoneCell) telecom.push({ system: 'phone', value: c.phoneCell, use: 'mobile' });
  if (c.phoneWork) telecom.push({ system: 'phone', value: c.phoneWork, use: 'work' });
  if (c.email) telecom.push({ system: 'email', value: c.email });
  const address: Address = {
    ...(c.address ? { line: [c.address] } : {}), ...(c.city ? { city: c.city } : {}), ...(c.state ? { state: c.state } : {}), ...(c.zip ? { postalCode: c.zip } : {}),
  };
  return {
    resourceType: 'RelatedPerson',
    id: c.linkId,
    meta: { lastUpdated: c.updatedAt.toISOString(), profile: [US_CORE_RELATED_PERSON] },
    identifier: [{ system: CONTACT_ID_SYSTEM, value: c.contactGuid }],
    active: true,
    patient: { reference: `Patient/${c.residentGuid}` },
    ...(c.relationship ? { relationship: [{ text: c.relationship }] } : {}),
    name: [{ family: c.lastName, given: [c.firstName] }],
    ...(telecom.length ? { telecom } : {}),
    ...(Object.keys(address).length ? { address: [address] } : {}),
  };
}

/** The query of `GET /fhir/R4/RelatedPerson`. */
export interface RelatedPersonQuery extends PageQuery {
  _id?: string;
  patient?: string;
  name?: string;
}

/** RelatedPerson read and search over the contact service. */
export function createRelatedPersonDoor({ contacts, baseUrl }: { contacts: ContactService; baseUrl: string }) {
  return {
    /** `GET /RelatedPerson/{id}`. @throws NotFoundError unknown, deleted, or of a resident the client does not reach. */
    async read(ctx: RequestContext<FhirActor>, id: string): Promise<RelatedPerson> {
      const { rows: [found] } = await contacts.searchContactLinks(ctx, { linkIds: [id.toUpperCase()], limit: 1 }, 'read');
      if (!found) throw new NotFoundError('No such RelatedPerson at the locations this client reaches');
      return relatedPersonOf(found);
    },

    /** `GET /RelatedPerson?...`: `_id`, `patient`, `name`, `_count`, `_cursor`. @throws ValidationError a malformed parameter. */
    async search(ctx: RequestContext<FhirActor>, q: RelatedPersonQuery) {
      const count = q._count ?? DEFAULT_COUNT;
      const filter: Omit<ContactLinkSearchFilter, 'locationIds'> = { limit: count, after: decodePairCursor(q._cursor) };
      const params: Array<[string, string]> = [];
      if (q._id !== undefined) {
        filter.linkIds = alternatives(q._id).map((v) => v.toUpperCase());
        params.push(['_id', q._id]);
      }
      if (q.patient !== undefined) {
        filter.residentGuids = alternatives(q.patient).map(patientIdOf);
        params.push(['patient', q.patient]);
      }
      if (q.name !== undefined) {
        if (!q.name.trim()) throw new ValidationError(['name: a value is required']);
        filter.name = q.name.trim();
        params.push(['name', q.name]);
      }
      params.push(['_count', String(count)]);
      const { rows, more } = await contacts.searchContactLinks(ctx, filter, 'list');
      return searchsetBundle({
        baseUrl, type: 'RelatedPerson', params, cursor: q._cursor, rows, more, keyOf: (c) => encodePairCursor([c.contactId, c.residentId]), toResource: relatedPersonOf,
      });
    },
  };
}
