/**
 * The `/clinical/v1` route tree of the ECP partner API: one auth hook (bearer + Api-Key + scope), the ECP
 * error shape, and the endpoints built so far (locations, resident create, contact create).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authenticatePartner, partnerContext } from './auth.ts';
import type { PartnerClientService } from './clients/service.ts';
import { ecpResponses, mergeBodyIntoQuery, useEcpErrors } from './http.ts';
import type { LocationService } from './locations/service.ts';
import type { OAuthService } from './oauth/service.ts';
import { CreatedResident, DietUpdate, LevelOfCareUpdate, NewResident, ResidentChanged, ResidentList, ResidentQuery, ResidentRef, ResidentUpdate } from './residents/schemas.ts';
import { ContactChanged, ContactRef, ContactUpdate, CreatedContact, NewContact } from './contacts/schemas.ts';
import type { ContactService } from './contacts/service.ts';
import type { ResidentService } from './residents/service.ts';
import { userRoutes } from './users/routes.ts';
import type { EcpUserService } from './users/service.ts';
import type { Icd10cmService } from './codes/service.ts';
import type { DiagnosisService } from './diagnoses/service.ts';
import type { VitalService } from './vitals/service.ts';
import type { AllergyService } from './allergies/service.ts';
import type { WebhookService } from './webhooks/service.ts';
import { codeRoutes } from './codes/routes.ts';
import { diagnosisRoutes } from './diagnoses/routes.ts';
import { vitalRoutes } from './vitals/routes.ts';
import { allergyRoutes } from './allergies/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';

/** The services the `/clinical/v1` tree calls; app.ts passes them from its service set. */
export interface ClinicalRouteDeps {
  oauth: OAuthService;
  partnerClients: PartnerClientService;
  locations: LocationService;
  residents: ResidentService;
  contacts: ContactService;
  vitals: VitalService;
  allergies: AllergyService;
  ecpUsers: EcpUserService;
  codes: Icd10cmService;
  diagnoses: DiagnosisService;
  webhooks: WebhookService;
}

/** Registered with prefix `/clinical/v1`. */
export async function clinicalRoutes(app: FastifyInstance, deps: ClinicalRouteDeps) {
  useEcpErrors(app);
  app.addHook('onRequest', authenticatePartner(deps.oauth, deps.partnerClients));
  app.addHook('preValidation', mergeBodyIntoQuery);
  // A route's scope is its OpenAPI security requirement (OpenAPI 3.1 allows role names for any scheme); routes
  // declare no `security` of their own, except the few without a scope (PARTNER_SECURITY).
  app.addHook('onRoute', (opts) => {
    const scope = opts.config?.scope;
    if (scope && opts.schema) opts.schema = { ...opts.schema, security: [{ PartnerBearer: [scope], PartnerApiKey: [] }] };
  });
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/location', {
    config: { scope: 'location.read' },
    schema: {
      tags: ['ECP locations'], summary: 'Locations the token reaches',
      description: 'A bare JSON array of location names (seed 000), without `result`.',
      response: ecpResponses({ 200: Type.Array(Type.String()) }),
    },
  }, async (req) => deps.locations.names(partnerContext(req).actor));

  r.post('/resident', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], summary: 'Create a resident',
      description: 'Lengths and enums as seed 000 documents them. A future moveInDate gives status Inactive, "Awaiting Move-In".',
      body: NewResident,
      response: ecpResponses({ 200: CreatedResident }),
    },
  }, async (req) => deps.residents.createResident(partnerContext(req), req.body));

  r.get('/resident', {
    config: { scope: 'resident.read' },
    schema: {
      tags: ['ECP residents'], summary: 'List residents',
      description: 'Beyond seed 000. Residents of the locations the token reaches (or `location`), 100 a page by last name, each as the '
        + "seed's resident object with its location, move-in date, allergies, diet and level of care. Discharged residents only with `includeDischarged=true`.",
      querystring: ResidentQuery,
      response: ecpResponses({ 200: ResidentList }),
    },
  }, async (req) => deps.residents.listResidents(partnerContext(req), req.query));

  r.put('/resident', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], summary: 'Update a resident',
      description: 'Beyond seed 000. The resident by `residentId` in the body; the fields of POST resident, all optional, `null` clears one. '
        + '`status: "Active"` on a discharged resident reactivates it with the same residentId (webhook resident.create); '
        + '`status: "Inactive"` with a `statusDescription` such as "Hospital" is a temporary leave.',
      body: ResidentUpdate,
      response: ecpResponses({ 200: ResidentChanged }),
    },
  }, async (req) => deps.residents.updateResident(partnerContext(req), req.body));

  r.delete('/resident', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], summary: 'Discharge a resident',
      description: 'Beyond seed 000. `residentId` in a JSON body or the query string. Status becomes Inactive, "Discharged" (webhook resident.delete).',
      querystring: ResidentRef,
      response: ecpResponses({ 200: ResidentChanged }),
    },
  }, async (req) => deps.residents.dischargeResident(partnerContext(req), req.query.residentId));

  r.put('/resident/diet', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], summary: "Update a resident's diet",
      description: 'Beyond seed 000; fields and enums of its diet object. Given fields replace the stored ones, `null` clears (webhook diet.update).',
      body: DietUpdate,
      response: ecpResponses({ 200: ResidentChanged }),
    },
  }, async (req) => deps.residents.updateDiet(partnerContext(req), req.body));

  r.put('/resident/level-of-care', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], summary: "Set a resident's level of care",
      description: 'Beyond seed 000; fields of its levelOfCare object (`amount` in dollars, `amountFrequency` Monthly or Daily, '
        + '`effectiveTimestamp` ISO 8601, default now). Webhook levelOfCare.update.',
      body: LevelOfCareUpdate,
      response: ecpResponses({ 200: ResidentChanged }),
    },
  }, async (req) => deps.residents.updateLevelOfCare(partnerContext(req), req.body));

  r.post('/resident/contact', {
    config: { scope: 'contact.write' },
    schema: {
      tags: ['ECP contacts'], summary: 'Create a resident contact',
      description: 'Fields as seed 000 documents them; booleans true/false or 1/0; zip a number or a string. The same first and last name for the resident is an Error carrying the existing contactId.',
      body: NewContact,
      response: ecpResponses({ 200: CreatedContact }),
    },
  }, async (req) => deps.contacts.createContact(partnerContext(req), req.body));

  r.put('/resident/contact', {
    config: { scope: 'contact.write' },
    schema: {
      tags: ['ECP contacts'], summary: 'Update a resident contact',
      description: 'Beyond seed 000. The contact by `contactId` in the body; the fields of POST contact, all optional, `null` clears a text field (webhook contact.update).',
      body: ContactUpdate,
      response: ecpResponses({ 200: ContactChanged }),
    },
  }, async (req) => deps.contacts.updateContact(partnerContext(req), req.body));

  r.delete('/resident/contact', {
    config: { scope: 'contact.write' },
    schema: {
      tags: ['ECP contacts'], summary: 'Remove a resident contact',
      description: 'Beyond seed 000. `contactId` in a JSON body or the query string (webhook contact.delete with the last state).',
      querystring: ContactRef,
      response: ecpResponses({ 200: ContactChanged }),
    },
  }, async (req) => deps.contacts.deleteContact(partnerContext(req), req.query.contactId));

  // Feature route files (each a plugin over the same auth hook and error shape), each given only its own service
  // (and not this tree's prefix, which they must not add again).
  await app.register(vitalRoutes, { vitals: deps.vitals });
  await app.register(allergyRoutes, { allergies: deps.allergies });
  await app.register(userRoutes, { ecpUsers: deps.ecpUsers });
  await app.register(codeRoutes, { codes: deps.codes });
  await app.register(diagnosisRoutes, { diagnoses: deps.diagnoses });
  await app.register(webhookRoutes, { webhooks: deps.webhooks });
}
