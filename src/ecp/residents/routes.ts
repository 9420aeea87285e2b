/**
 * `/clinical/v1/resident`: POST (seed 000); GET, PUT, DELETE, and PUT of the diet and the level of care (beyond the
 * seed).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import { CreatedResident, DietUpdate, LevelOfCareUpdate, NewResident, ResidentChanged, ResidentList, ResidentQuery, ResidentRef, ResidentUpdate } from './schemas.ts';
import type { ResidentService } from './service.ts';

export async function residentRoutes(app: FastifyInstance, deps: { residents: ResidentService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/resident', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], operationId: 'createResident', summary: 'Create a resident',
      description: 'Lengths and enums as seed 000 documents them. A future moveInDate gives status Inactive, "Awaiting Move-In".',
      body: NewResident,
      response: ecpResponses({ 200: CreatedResident }),
    },
  }, async (req) => deps.residents.createResident(partnerContext(req), req.body));

  r.get('/resident', {
    config: { scope: 'resident.read' },
    schema: {
      tags: ['ECP residents'], operationId: 'listResidents', summary: 'List residents',
      description: 'Beyond seed 000. Residents of the locations the token reaches (or `location`), 100 a page by last name, each as the '
        + "seed's resident object with its location, move-in date, allergies, diet and level of care. Discharged residents only with `includeDischarged=true`.",
      querystring: ResidentQuery,
      response: ecpResponses({ 200: ResidentList }),
    },
  }, async (req) => deps.residents.listResidents(partnerContext(req), req.query));

  r.put('/resident', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], operationId: 'updateResident', summary: 'Update a resident',
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
      tags: ['ECP residents'], operationId: 'dischargeResident', summary: 'Discharge a resident',
      description: 'Beyond seed 000. `residentId` in a JSON body or the query string. Status becomes Inactive, "Discharged" (webhook resident.delete).',
      querystring: ResidentRef,
      response: ecpResponses({ 200: ResidentChanged }),
    },
  }, async (req) => deps.residents.dischargeResident(partnerContext(req), req.query.residentId));

  r.put('/resident/diet', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], operationId: 'updateResidentDiet', summary: "Update a resident's diet",
      description: 'Beyond seed 000; fields and enums of its diet object. Given fields replace the stored ones, `null` clears (webhook diet.update).',
      body: DietUpdate,
      response: ecpResponses({ 200: ResidentChanged }),
    },
  }, async (req) => deps.residents.updateDiet(partnerContext(req), req.body));

  r.put('/resident/level-of-care', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], operationId: 'updateResidentLevelOfCare', summary: "Set a resident's level of care",
      description: 'Beyond seed 000; fields of its levelOfCare object (`amount` in dollars, `amountFrequency` Monthly or Daily, '
        + '`effectiveTimestamp` ISO 8601, default now). Webhook levelOfCare.update.',
      body: LevelOfCareUpdate,
      response: ecpResponses({ 200: ResidentChanged }),
    },
  }, async (req) => deps.residents.updateLevelOfCare(partnerContext(req), req.body));
}
