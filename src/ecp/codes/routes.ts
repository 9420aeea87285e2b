/**
 * `GET /clinical/v1/codes/icd10cm?search=`: looks up ICD-10-CM codes in the latest imported code set, so a partner
 * can find the precise code `POST /resident/diagnosis` requires (seed 000). Reference data, not PHI: any valid
 * token, no scope, no audit row.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ecpResponses, PARTNER_SECURITY } from '../http.ts';
import { CodeSearchQuery, CodeSearchResult } from './schemas.ts';
import type { Icd10cmService } from './service.ts';

export async function codeRoutes(app: FastifyInstance, deps: { codes: Icd10cmService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/codes/icd10cm', {
    schema: {
      tags: ['ECP codes'], operationId: 'searchIcd10cmCodes', summary: 'Search ICD-10-CM codes', security: PARTNER_SECURITY,
      description: 'By code prefix or description words, in the latest imported fiscal year; billable codes first. Any valid token (no scope).',
      querystring: CodeSearchQuery,
      response: ecpResponses({ 200: CodeSearchResult }),
    },
  }, async (req) => {
    const found = await deps.codes.search(req.query.search, req.query.limit ?? 20);
    return { result: 'Success' as const, fiscalYear: found.fiscalYear, numberOfResults: found.data.length, data: found.data };
  });
}
