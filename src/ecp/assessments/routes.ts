/**
 * `/clinical/v1/resident/assessment` (beyond seed 000): POST a completed assessment (scope resident.write), which
 * sets the resident's level of care; GET the assessments and GET the company's templates (scope resident.read).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import { AssessmentCreated, AssessmentList, AssessmentQuery, AssessmentTemplateList, NewAssessment } from './schemas.ts';
import type { AssessmentService } from './service.ts';

export async function assessmentRoutes(app: FastifyInstance, deps: { assessments: AssessmentService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/resident/assessment', {
    config: { scope: 'resident.write' },
    schema: {
      operationId: 'createResidentAssessment',
      tags: ['ECP assessments'], summary: 'Record a completed assessment',
      description: 'Beyond seed 000, which says a level of care changes "by completing an assessment". The template by `templateId` (GUID or name, '
        + 'of the company); `answers` (one per question, the score is the sum of their points) or a whole `score`; the ECP user who completed it '
        + 'by `userId` or `loginName`. The total score picks the level of care from the template\'s table of score ranges and sets it on the resident, '
        + 'effective at `completedTimestamp` (default now), with webhook levelOfCare.update exactly as PUT /resident/level-of-care sends it. '
        + 'Staff may still set the level by hand afterwards.',
      body: NewAssessment,
      response: ecpResponses({ 200: AssessmentCreated }),
    },
  }, async (req) => deps.assessments.createAssessment(partnerContext(req), req.body));

  r.get('/resident/assessment', {
    config: { scope: 'resident.read' },
    schema: {
      operationId: 'listResidentAssessments',
      tags: ['ECP assessments'], summary: 'List completed assessments',
      description: 'Beyond seed 000. Assessments at the locations the token reaches (or `location`), optionally of one `residentId`, newest first, '
        + '100 a page; each with its answers, score and the level of care it set. Parameters in the query string or a JSON body.',
      querystring: AssessmentQuery,
      response: ecpResponses({ 200: AssessmentList }),
    },
  }, async (req) => deps.assessments.listAssessments(partnerContext(req), req.query));

  r.get('/resident/assessment/template', {
    config: { scope: 'resident.read' },
    schema: {
      operationId: 'listAssessmentTemplates',
      tags: ['ECP assessments'], summary: "List the company's assessment templates",
      description: 'Beyond seed 000. The templates of the token\'s company by name: questions with their answers and points, and the table of '
        + 'score ranges to levels of care. Templates are defined by the operator: `care ecp assessments define-template`.',
      response: ecpResponses({ 200: AssessmentTemplateList }),
    },
  }, async (req) => deps.assessments.listTemplatesFor(partnerContext(req)));
}
