/** HTTP routes of care plan revisions, under `/v1/clinic/ecm/patients/{patient_id}` for every role of the clinic. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { contextOf } from '../../platform/http.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import { CarePlanRevisionBody, CarePlanRevisionEnvelope, CarePlanRevisionList, PatientIdParams, RevisionParams } from './schemas.ts';
import type { CarePlanService } from './service.ts';

const tags = ['ECM Member Reporting Data'];
const patientNotFound = { notFoundMessage: 'Patient not found' };
const notFound = { notFoundMessage: 'Care plan revision not found' };
const BASE = '/ecm/patients/:patient_id/care_plan_revisions';

/** Registered under `/v1/clinic`. */
export async function carePlanRoutes(app: FastifyInstance, { carePlans }: { carePlans: CarePlanService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(BASE, {
    config: patientNotFound,
    schema: {
      tags, summary: "A member's care plan revisions", operationId: 'listCarePlanRevisions', security: USER_TOKEN_SECURITY,
      params: PatientIdParams, response: ecmResponses({ 200: CarePlanRevisionList }, [404, 422]),
    },
  }, async (req) => ({ care_plan_revisions: await carePlans.listRevisions(contextOf(req), req.params.patient_id) }));

  r.post(BASE, {
    config: patientNotFound,
    schema: {
      tags, summary: "Record a revision of a member's care plan", operationId: 'createCarePlanRevision', security: USER_TOKEN_SECURITY,
      description: '`revised_on` and `summary` are required; `author_user_id` defaults to the caller.',
      params: PatientIdParams, body: CarePlanRevisionBody, response: ecmResponses({ 201: CarePlanRevisionEnvelope }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ care_plan_revision: await carePlans.createRevision(contextOf(req), req.params.patient_id, req.body.care_plan_revision) }));

  r.put(`${BASE}/:id`, {
    config: notFound,
    schema: {
      tags, summary: 'Change a care plan revision', operationId: 'updateCarePlanRevision', security: USER_TOKEN_SECURITY,
      params: RevisionParams, body: CarePlanRevisionBody, response: ecmResponses({ 200: CarePlanRevisionEnvelope }, [404, 422]),
    },
  }, async (req) => ({ care_plan_revision: await carePlans.updateRevision(contextOf(req), req.params.patient_id, req.params.id, req.body.care_plan_revision) }));

  r.delete(`${BASE}/:id`, {
    config: notFound,
    schema: {
      tags, summary: 'Delete a care plan revision', operationId: 'deleteCarePlanRevision', security: USER_TOKEN_SECURITY,
      params: RevisionParams, response: ecmResponses({ 204: { type: 'null', description: 'Deleted' } }, [404, 422]),
    },
  }, async (req, reply) => {
    await carePlans.deleteRevision(contextOf(req), req.params.patient_id, req.params.id);
    return reply.code(204).send();
  });
}
