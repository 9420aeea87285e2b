/**
 * HTTP routes of ECM discontinuations: the list for every role under `/v1/clinic`, the discontinuation itself (a
 * change of `member_record_status`) for admins under `/v1/admin`.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { contextOf } from '../../platform/http.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import { DiscontinuationBody, DiscontinuationEnvelope, DiscontinuationList, PatientIdParams } from './schemas.ts';
import type { DiscontinuationService } from './service.ts';

const tags = ['ECM Member Reporting Data'];
const notFound = { notFoundMessage: 'Patient not found' };

/** Registered under `/v1/clinic`. */
export async function clinicDiscontinuationRoutes(app: FastifyInstance, { discontinuations }: { discontinuations: DiscontinuationService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/ecm/patients/:patient_id/discontinuations', {
    config: notFound,
    schema: {
      tags, summary: "A member's ECM discontinuations", operationId: 'listDiscontinuations', security: USER_TOKEN_SECURITY,
      description: 'Newest first; `in_force` marks the one that still holds.',
      params: PatientIdParams, response: ecmResponses({ 200: DiscontinuationList }, [404, 422]),
    },
  }, async (req) => ({ discontinuations: await discontinuations.listDiscontinuations(contextOf(req), req.params.patient_id) }));
}

/** Registered under `/v1/admin` behind the admin guard. */
export async function adminDiscontinuationRoutes(app: FastifyInstance, { discontinuations }: { discontinuations: DiscontinuationService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/clinic/ecm/patients/:patient_id/discontinuations', {
    config: notFound,
    schema: {
      tags, summary: "Discontinue a member's ECM", operationId: 'discontinueMember', security: USER_TOKEN_SECURITY,
      description:
        'Records the date, the plan\'s reason code and the reason; the member becomes `terminated_member` with a status-history entry. ' +
        'While it is in force, MIF rows and the expiry job leave the status alone and an authorization import only re-opens the member ' +
        'with an authorization starting after the date; an admin\'s status change (`PUT .../patients/{id}`) ends it. 422 when one is already in force.',
      params: PatientIdParams, body: DiscontinuationBody, response: ecmResponses({ 201: DiscontinuationEnvelope }, [403, 404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ discontinuation: await discontinuations.discontinue(contextOf(req), req.params.patient_id, req.body.discontinuation) }));
}
