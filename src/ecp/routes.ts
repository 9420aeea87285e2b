/**
 * The `/clinical/v1` route tree of the ECP partner API: one auth hook (bearer + Api-Key + scope), the ECP
 * error shape, and the endpoints built so far (locations, resident create, contact create).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authenticatePartner, partnerContext } from './auth.ts';
import type { PartnerClientService } from './clients/service.ts';
import { ecpResponses, mergeGetBody, PARTNER_SECURITY, useEcpErrors } from './http.ts';
import type { LocationService } from './locations/service.ts';
import type { OAuthService } from './oauth/service.ts';
import { CreatedResident, NewResident } from './residents/schemas.ts';
import { CreatedContact, NewContact } from './contacts/schemas.ts';
import type { ContactService } from './contacts/service.ts';
import type { ResidentService } from './residents/service.ts';
import type { Services } from '../app.ts';
import { userRoutes } from './users/routes.ts';
import { codeRoutes } from './codes/routes.ts';
import { diagnosisRoutes } from './diagnoses/routes.ts';

type Deps = Services & {
  oauth: OAuthService;
  partnerClients: PartnerClientService;
  locations: LocationService;
  residents: ResidentService;
  contacts: ContactService;
};

/** Registered with prefix `/clinical/v1`. */
export async function clinicalRoutes(app: FastifyInstance, deps: Deps) {
  useEcpErrors(app);
  app.addHook('onRequest', authenticatePartner(deps.oauth, deps.partnerClients));
  app.addHook('preValidation', mergeGetBody);
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/location', {
    config: { scope: 'location.read' },
    schema: {
      tags: ['ECP locations'], summary: 'Locations the token reaches', security: PARTNER_SECURITY,
      description: 'A bare JSON array of location names (seed 000), without `result`.',
      response: ecpResponses({ 200: Type.Array(Type.String()) }),
    },
  }, async (req) => deps.locations.names(partnerContext(req).actor));

  r.post('/resident', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], summary: 'Create a resident', security: PARTNER_SECURITY,
      description: 'Lengths and enums as seed 000 documents them. A future moveInDate gives status Inactive, "Awaiting Move-In".',
      body: NewResident,
      response: ecpResponses({ 200: CreatedResident }),
    },
  }, async (req) => deps.residents.createResident(partnerContext(req), req.body));

  r.post('/resident/contact', {
    config: { scope: 'contact.write' },
    schema: {
      tags: ['ECP contacts'], summary: 'Create a resident contact', security: PARTNER_SECURITY,
      description: 'Fields as seed 000 documents them; booleans true/false or 1/0; zip a number or a string. The same first and last name for the resident is an Error carrying the existing contactId.',
      body: NewContact,
      response: ecpResponses({ 200: CreatedContact }),
    },
  }, async (req) => deps.contacts.createContact(partnerContext(req), req.body));

  // Feature route files (each a plugin over the same auth hook and error shape).
  await app.register(userRoutes, deps);
  await app.register(codeRoutes, deps);
  await app.register(diagnosisRoutes, deps);
}
