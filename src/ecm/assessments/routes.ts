/** HTTP routes of member assessments, under `/v1/clinic/ecm/patients/{patient_id}` for every role of the clinic. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { contextOf } from '../../platform/http.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import { AssessmentBody, AssessmentEnvelope, AssessmentList, PatientIdParams, AssessmentParams } from './schemas.ts';
import type { AssessmentService } from './service.ts';

const tags = ['ECM Member Reporting Data'];
const patientNotFound = { notFoundMessage: 'Patient not found' };
const notFound = { notFoundMessage: 'Assessment not found' };
const BASE = '/ecm/patients/:patient_id/assessments';

/** Registered under `/v1/clinic`. */
export async function assessmentRoutes(app: FastifyInstance, { assessments }: { assessments: AssessmentService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(BASE, {
    config: patientNotFound,
    schema: {
      tags, summary: "A member's assessments", operationId: 'listAssessments', security: USER_TOKEN_SECURITY,
      params: PatientIdParams, response: ecmResponses({ 200: AssessmentList }, [404, 422]),
    },
  }, async (req) => ({ assessments: await assessments.listAssessments(contextOf(req), req.params.patient_id) }));

  r.post(BASE, {
    config: patientNotFound,
    schema: {
      tags, summary: "Record an assessment of a member", operationId: 'createAssessment', security: USER_TOKEN_SECURITY,
      description: '`started_on` is required; `completed_on` (on or after it) once done; `assessed_by_user_id` defaults to the caller.',
      params: PatientIdParams, body: AssessmentBody, response: ecmResponses({ 201: AssessmentEnvelope }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ assessment: await assessments.createAssessment(contextOf(req), req.params.patient_id, req.body.assessment) }));

  r.put(`${BASE}/:id`, {
    config: notFound,
    schema: {
      tags, summary: 'Change an assessment (e.g. complete it)', operationId: 'updateAssessment', security: USER_TOKEN_SECURITY,
      params: AssessmentParams, body: AssessmentBody, response: ecmResponses({ 200: AssessmentEnvelope }, [404, 422]),
    },
  }, async (req) => ({ assessment: await assessments.updateAssessment(contextOf(req), req.params.patient_id, req.params.id, req.body.assessment) }));

  r.delete(`${BASE}/:id`, {
    config: notFound,
    schema: {
      tags, summary: 'Delete an assessment', operationId: 'deleteAssessment', security: USER_TOKEN_SECURITY,
      params: AssessmentParams, response: ecmResponses({ 204: { type: 'null', description: 'Deleted' } }, [404, 422]),
    },
  }, async (req, reply) => {
    await assessments.deleteAssessment(contextOf(req), req.params.patient_id, req.params.id);
    return reply.code(204).send();
  });
}
