/**
 * The Resident File's Diagnoses tab (`/v1/community/residents/{residentId}/diagnoses`) and its ICD-10-CM picker
 * (`/v1/community/codes/icd10cm`). Mounted inside the community door's authenticated tree; each handler calls one
 * service method (`diagnoses.ts`).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { communityContext, communityResponses, COMMUNITY_TOKEN_SECURITY } from './http.ts';
import { ResidentParams } from './schemas.ts';
import { CodePickerQuery, CodePickerResult, DiagnosisEnvelope, DiagnosisListResponse, DiagnosisParams, NewCommunityDiagnosis } from './diagnosis-schemas.ts';
import type { CommunityDiagnosisService } from './diagnoses.ts';

export interface CommunityDiagnosisRouteDeps {
  communityDiagnoses: CommunityDiagnosisService;
}

const TAGS = ['Community: diagnoses'];

/** The Diagnoses tab's routes (register inside the authenticated `/v1/community` tree). */
export async function communityDiagnosisRoutes(app: FastifyInstance, { communityDiagnoses }: CommunityDiagnosisRouteDeps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const byResident = { config: { notFoundMessage: 'Resident not found' } } as const;

  r.get('/residents/:residentId/diagnoses', {
    ...byResident,
    schema: {
      operationId: 'listCommunityResidentDiagnoses', tags: TAGS, summary: 'A resident\'s diagnoses: Diagnoses tab', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Newest first, with who recorded each (also those a partner recorded), and the time zone of the resident\'s location. Audited (`read`). 404 `Resident not found` also for another company\'s '
        + 'resident or one outside locationsAllowed.',
      params: ResidentParams,
      response: communityResponses({ 200: DiagnosisListResponse }, [404]),
    },
  }, async (req) => communityDiagnoses.list(communityContext(req), req.params.residentId));

  r.post('/residents/:residentId/diagnoses', {
    ...byResident,
    schema: {
      operationId: 'createCommunityResidentDiagnosis', tags: TAGS, summary: 'Add a diagnosis: Diagnoses tab', security: COMMUNITY_TOKEN_SECURITY,
      description: 'The code must be a billable ICD-10-CM code of the fiscal year of the diagnosis\'s date (or of the latest loaded year), as for the partner API\'s '
        + '`POST /clinical/v1/resident/diagnosis`: a category header or an unknown code is 422 with the codes service\'s sentence. The code set\'s description is '
        + 'stored; recorded as the signed-in user at the resident\'s location. A discharged resident is 422. Audited (`create`); seed 000 names no webhook event for it.',
      params: ResidentParams,
      body: NewCommunityDiagnosis,
      response: communityResponses({ 201: DiagnosisEnvelope }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ diagnosis: await communityDiagnoses.create(communityContext(req), req.params.residentId, req.body) }));

  r.delete('/residents/:residentId/diagnoses/:diagnosisId', {
    config: { notFoundMessage: 'Diagnosis not found' },
    schema: {
      operationId: 'removeCommunityResidentDiagnosis', tags: TAGS, summary: 'Remove a diagnosis: Diagnoses tab', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Deletes the diagnosis (entered in error); audited (`delete`). 404 `Diagnosis not found` (also another resident\'s); 422 for a discharged resident.',
      params: DiagnosisParams,
      response: communityResponses({ 204: { type: 'null', description: 'Removed' } }, [404, 422]),
    },
  }, async (req, reply) => {
    await communityDiagnoses.remove(communityContext(req), req.params.residentId, req.params.diagnosisId);
    return reply.code(204).send();
  });

  r.get('/codes/icd10cm', {
    schema: {
      operationId: 'searchCommunityIcd10cmCodes', tags: TAGS, summary: 'ICD-10-CM picker: search the loaded code set', security: COMMUNITY_TOKEN_SECURITY,
      description: 'By code prefix (`E11`, `E11.6`) or description words (`diabetes kidney`) in the latest loaded fiscal year; billable codes first. Reference data: not audited.',
      querystring: CodePickerQuery,
      response: communityResponses({ 200: CodePickerResult }, [422]),
    },
  }, async (req) => communityDiagnoses.searchCodes(req.query.search, req.query.limit ?? 20));
}
