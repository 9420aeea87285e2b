/** `/clinical/v1/resident/contact`: POST (seed 000; linking an existing contact beyond it), PUT and DELETE (beyond the seed; DELETE takes a body or the query string). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import { ContactChanged, ContactRef, ContactUpdate, CreatedContact, NewContact } from './schemas.ts';
import type { ContactService } from './service.ts';

export async function contactRoutes(app: FastifyInstance, deps: { contacts: ContactService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/resident/contact', {
    config: { scope: 'contact.write' },
    schema: {
      tags: ['ECP contacts'], operationId: 'createResidentContact', summary: 'Create a resident contact',
      description: 'Fields as seed 000 documents them; booleans true/false or 1/0; zip a number or a string. The same first and last name for the resident is an Error carrying the existing contactId. '
        + 'Beyond the seed: with the `contactId` of an existing contact of the company, links that contact to this resident as well, with this resident\'s own relationship, notes and flags, or sets them when it is linked already (webhook contact.update listing every resident).',
      body: NewContact,
      response: ecpResponses({ 200: CreatedContact }),
    },
  }, async (req) => deps.contacts.createContact(partnerContext(req), req.body));

  r.put('/resident/contact', {
    config: { scope: 'contact.write' },
    schema: {
      tags: ['ECP contacts'], operationId: 'updateResidentContact', summary: 'Update a resident contact',
      description: 'Beyond seed 000. The contact by `contactId` in the body; the fields of POST contact, all optional, `null` clears a text field (webhook contact.update). '
        + 'Relationship, notes and flags belong to one resident: `residentId` names it when the contact is shared by several residents the client reaches.',
      body: ContactUpdate,
      response: ecpResponses({ 200: ContactChanged }),
    },
  }, async (req) => deps.contacts.updateContact(partnerContext(req), req.body));

  r.delete('/resident/contact', {
    config: { scope: 'contact.write' },
    schema: {
      tags: ['ECP contacts'], operationId: 'deleteResidentContact', summary: 'Remove a resident contact',
      description: 'Beyond seed 000. `contactId` (and optionally `residentId`) in a JSON body or the query string. Unlinks that resident, or every resident the client reaches; '
        + 'a contact left with no resident is deleted (webhook contact.delete with the last state), otherwise webhook contact.update lists the residents left.',
      querystring: ContactRef,
      response: ecpResponses({ 200: ContactChanged }),
    },
  }, async (req) => deps.contacts.deleteContact(partnerContext(req), req.query.contactId, req.query.residentId));
}
