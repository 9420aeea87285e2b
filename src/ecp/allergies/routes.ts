/** `/clinical/v1/resident/allergy`: POST and GET (seed 000), DELETE (beyond the seed; body or query string). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import { AllergyChange, AllergyList, AllergyQuery, AllergyResult } from './schemas.ts';
import type { AllergyService } from './service.ts';

const IDENTIFY = 'The resident by `residentId`, else `externalIdName` + `externalIdValue`, else `firstName` + `lastName` + `dateOfBirth`, at `location` (name or GUID).';

export async function allergyRoutes(app: FastifyInstance, deps: { allergies: AllergyService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/resident/allergy', {
    config: { scope: 'allergy.write' },
    schema: {
      tags: ['ECP allergies'], operationId: 'createResidentAllergy', summary: "Add an allergy to a resident's list",
      description: `The same allergy twice (case-insensitive) is stored once. ${IDENTIFY}`,
      body: AllergyChange,
      response: ecpResponses({ 200: AllergyResult }),
    },
  }, async (req) => deps.allergies.add(partnerContext(req), req.body));

  r.delete('/resident/allergy', {
    config: { scope: 'allergy.write' },
    schema: {
      tags: ['ECP allergies'], operationId: 'deleteResidentAllergy', summary: "Remove an allergy from a resident's list",
      description: `Beyond seed 000. Parameters in a JSON body or the query string. ${IDENTIFY}`,
      querystring: AllergyChange,
      response: ecpResponses({ 200: AllergyResult }),
    },
  }, async (req) => deps.allergies.remove(partnerContext(req), req.query));

  r.get('/resident/allergy', {
    config: { scope: 'allergy.read' },
    schema: {
      tags: ['ECP allergies'], operationId: 'listResidentAllergies', summary: 'Allergies of the residents of a location',
      description: '100 a page, alphabetical by last name; parameters in the query string or a JSON body.',
      querystring: AllergyQuery,
      response: ecpResponses({ 200: AllergyList }),
    },
  }, async (req) => deps.allergies.list(partnerContext(req), req.query));
}
