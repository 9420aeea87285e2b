/**
 * The Resident File's Contacts tab (`/v1/community/residents/{residentId}/contacts`) and the search that finds an
 * existing contact to link (`/v1/community/contacts`). Mounted inside the community door's authenticated tree; each
 * handler calls one service method (`contacts.ts`).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { communityContext, communityResponses, COMMUNITY_TOKEN_SECURITY } from './http.ts';
import { ResidentParams } from './schemas.ts';
import {
  CommunityContactLink, CommunityContactUpdate, ContactEnvelope, ContactList, ContactParams, ContactSearchQuery, ContactSearchResult, NewCommunityContact,
} from './contact-schemas.ts';
import type { CommunityContactService } from './contacts.ts';

export interface CommunityContactRouteDeps {
  communityContacts: CommunityContactService;
}

const TAGS = ['Community: contacts'];

/** The Contacts tab's routes (register inside the authenticated `/v1/community` tree). */
export async function communityContactRoutes(app: FastifyInstance, { communityContacts }: CommunityContactRouteDeps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const byResident = { config: { notFoundMessage: 'Resident not found' } } as const;
  const byContact = { config: { notFoundMessage: 'Contact not found' } } as const;

  r.get('/residents/:residentId/contacts', {
    ...byResident,
    schema: {
      operationId: 'listCommunityResidentContacts', tags: TAGS, summary: 'A resident\'s contacts: Contacts tab', security: COMMUNITY_TOKEN_SECURITY,
      description: 'By last name; each with this resident\'s relationship, notes and flags and the other residents (at the user\'s locations) the person is a contact of. '
        + 'Audited (`read`). 404 `Resident not found` also for another company\'s resident or one outside locationsAllowed.',
      params: ResidentParams,
      response: communityResponses({ 200: ContactList }, [404]),
    },
  }, async (req) => ({ contacts: await communityContacts.list(communityContext(req), req.params.residentId) }));

  r.post('/residents/:residentId/contacts', {
    ...byResident,
    schema: {
      operationId: 'createCommunityResidentContact', tags: TAGS, summary: 'Add a contact: Contacts tab (fires contact.create)', security: COMMUNITY_TOKEN_SECURITY,
      description: 'The partner API\'s `POST /clinical/v1/resident/contact` for this resident. The same first and last name as another contact of the resident is 422 '
        + '(link or edit that contact instead); a discharged resident is 422. Fires `contact.create`.',
      params: ResidentParams,
      body: NewCommunityContact,
      response: communityResponses({ 201: ContactEnvelope }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ contact: await communityContacts.create(communityContext(req), req.params.residentId, req.body) }));

  r.post('/residents/:residentId/contacts/link', {
    ...byResident,
    schema: {
      operationId: 'linkCommunityResidentContact', tags: TAGS, summary: 'Link an existing contact to this resident: Contacts tab (fires contact.update)',
      security: COMMUNITY_TOKEN_SECURITY,
      description: 'A contact of the company who is already a contact of a resident at the user\'s locations (`GET /v1/community/contacts?search=`) becomes this '
        + 'resident\'s contact too, with this resident\'s own relationship, notes and flags (for a contact linked already, they are set). Fires `contact.update` listing '
        + 'every resident. 404 `Contact not found` for another company\'s contact or one the user cannot reach; 422 for a discharged resident.',
      params: ResidentParams,
      body: CommunityContactLink,
      response: communityResponses({ 200: ContactEnvelope }, [404, 422]),
    },
  }, async (req) => ({ contact: await communityContacts.link(communityContext(req), req.params.residentId, req.body) }));

  r.put('/residents/:residentId/contacts/:contactId', {
    ...byContact,
    schema: {
      operationId: 'updateCommunityResidentContact', tags: TAGS, summary: 'Edit a contact: Contacts tab (fires contact.update)', security: COMMUNITY_TOKEN_SECURITY,
      description: 'The partner API\'s `PUT /clinical/v1/resident/contact`: given fields change, `null` clears a text field; the person\'s fields are shared by every '
        + 'resident they are a contact of, the relationship, notes and flags are this resident\'s. Fires `contact.update`. 404 `Contact not found` for a contact not '
        + 'linked to this resident; 422 for a discharged resident or a name another contact of one of its residents has.',
      params: ContactParams,
      body: CommunityContactUpdate,
      response: communityResponses({ 200: ContactEnvelope }, [404, 422]),
    },
  }, async (req) => ({ contact: await communityContacts.update(communityContext(req), req.params.residentId, req.params.contactId, req.body) }));

  r.delete('/residents/:residentId/contacts/:contactId', {
    ...byContact,
    schema: {
      operationId: 'removeCommunityResidentContact', tags: TAGS, summary: 'Remove a contact from this resident: Contacts tab (fires contact.update or contact.delete)',
      security: COMMUNITY_TOKEN_SECURITY,
      description: 'Unlinks the contact from this resident: `contact.update` listing the residents left, or, when this was the contact\'s only resident, the contact '
        + 'is deleted (`contact.delete` with its last state). 404 `Contact not found`; 422 for a discharged resident.',
      params: ContactParams,
      response: communityResponses({ 204: { type: 'null', description: 'Removed' } }, [404, 422]),
    },
  }, async (req, reply) => {
    await communityContacts.remove(communityContext(req), req.params.residentId, req.params.contactId);
    return reply.code(204).send();
  });

  r.get('/contacts', {
    schema: {
      operationId: 'searchCommunityContacts', tags: TAGS, summary: 'Find an existing contact to link', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Contacts of the company who are contacts of residents at the user\'s locations, whose first name, last name or "First Last" starts with '
        + '`search` (case-insensitive), by last name, with those residents. Audited (`list`).',
      querystring: ContactSearchQuery,
      response: communityResponses({ 200: ContactSearchResult }, [422]),
    },
  }, async (req) => ({ contacts: await communityContacts.search(communityContext(req), req.query.search, req.query.limit ?? 20) }));
}
