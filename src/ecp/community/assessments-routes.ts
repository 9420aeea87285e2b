/**
 * The Care Plan tab's assessments (`/v1/community`): the company's templates, a resident's assessment history, and
 * completing an assessment that sets the level of care (fires `levelOfCare.update`). Registered inside the community
 * door's authenticated tree; each handler calls one service function.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import type { CommunityAssessmentService } from './assessments.ts';
import {
  CommunityAssessmentCreated, CommunityAssessmentHistory, CommunityAssessmentQuery, CommunityAssessmentTemplates, NewCommunityAssessment,
} from './assessments-schemas.ts';
import { communityContext, communityResponses, COMMUNITY_TOKEN_SECURITY } from './http.ts';
import { ResidentParams } from './schemas.ts';

const TAGS = ['Community: assessments'];

/** Mounts the assessment routes (registered by `communityRoutes` under its token hook). */
export async function communityAssessmentRoutes(app: FastifyInstance, { communityAssessments }: { communityAssessments: CommunityAssessmentService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const byId = { config: { notFoundMessage: 'Resident not found' } } as const;

  r.get('/assessment_templates', {
    schema: {
      operationId: 'listCommunityAssessmentTemplates', tags: TAGS, summary: 'The company\'s assessment templates', security: COMMUNITY_TOKEN_SECURITY,
      description: 'By name: questions with their answers and points, and the table of score ranges to levels of care. Defined by the operator '
        + '(`care ecp assessments define-template`).',
      response: communityResponses({ 200: CommunityAssessmentTemplates }),
    },
  }, async (req) => communityAssessments.templates(communityContext(req)));

  r.get('/residents/:residentId/assessments', {
    ...byId,
    schema: {
      operationId: 'listCommunityResidentAssessments', tags: TAGS, summary: 'A resident\'s assessment history: Care Plan tab', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Completed assessments, newest first (the workspace\'s and partners\'), each with its score, answers, the level of care it set and who '
        + 'completed it; `page`, `per_page` (default 25, at most 100). `timeZone` is the location\'s, for display. Audited (`list`). 404 `Resident not found` '
        + 'also for another company\'s resident or one outside locationsAllowed.',
      params: ResidentParams,
      querystring: CommunityAssessmentQuery,
      response: communityResponses({ 200: CommunityAssessmentHistory }, [404, 422]),
    },
  }, async (req) => {
    const page = pageRequest(req.query);
    const { timeZone, total, assessments } = await communityAssessments.history(communityContext(req), req.params.residentId, page);
    return { timeZone, assessments, pagination: paginationOf(page, total) };
  });

  r.post('/residents/:residentId/assessments', {
    ...byId,
    schema: {
      operationId: 'createCommunityResidentAssessment', tags: TAGS, summary: 'Complete an assessment: Care Plan tab (fires levelOfCare.update)',
      security: COMMUNITY_TOKEN_SECURITY,
      description: 'The partner API\'s `POST /clinical/v1/resident/assessment`, completed by the signed-in user: the template by `templateId` (GUID or name), '
        + '`answers` (one per question) or a whole `score`; the total picks the level of care from the template\'s table and sets it on the resident, '
        + 'effective at `completedTimestamp` (default now), firing `levelOfCare.update` as the hand-set level does. 422 for an unknown template, a missing '
        + 'or unknown answer, a score in no range, a discharged resident. Audited.',
      params: ResidentParams,
      body: NewCommunityAssessment,
      response: communityResponses({ 201: CommunityAssessmentCreated }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send(await communityAssessments.complete(communityContext(req), req.params.residentId, req.body)));
}
