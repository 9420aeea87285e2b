/** HTTP routes of closed-loop referrals, under `/v1/clinic/ecm/patients/{patient_id}` for every role of the clinic. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { contextOf } from '../../platform/http.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import { PatientIdParams, ReferralBody, ReferralEnvelope, ReferralList, ReferralParams } from './schemas.ts';
import type { ReferralService } from './service.ts';

const tags = ['ECM Member Reporting Data'];
const patientNotFound = { notFoundMessage: 'Patient not found' };
const notFound = { notFoundMessage: 'Referral not found' };
const BASE = '/ecm/patients/:patient_id/referrals';

/** Registered under `/v1/clinic`. */
export async function referralRoutes(app: FastifyInstance, { referrals }: { referrals: ReferralService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(BASE, {
    config: patientNotFound,
    schema: {
      tags, summary: "A member's closed-loop referrals", operationId: 'listReferrals', security: USER_TOKEN_SECURITY,
      params: PatientIdParams, response: ecmResponses({ 200: ReferralList }, [404, 422]),
    },
  }, async (req) => ({ referrals: await referrals.listReferrals(contextOf(req), req.params.patient_id) }));

  r.post(BASE, {
    config: patientNotFound,
    schema: {
      tags, summary: 'Record a referral received for a member', operationId: 'createReferral', security: USER_TOKEN_SECURITY,
      description: '`received_on`, `source` (the referring entity) and `service` are required; `status` defaults to `received`, `status_date` to `received_on`.',
      params: PatientIdParams, body: ReferralBody, response: ecmResponses({ 201: ReferralEnvelope }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ referral: await referrals.createReferral(contextOf(req), req.params.patient_id, req.body.referral) }));

  r.get(`${BASE}/:id`, {
    config: notFound,
    schema: {
      tags, summary: 'A referral with its status history', operationId: 'getReferral', security: USER_TOKEN_SECURITY,
      params: ReferralParams, response: ecmResponses({ 200: ReferralEnvelope }, [404, 422]),
    },
  }, async (req) => ({ referral: await referrals.getReferral(contextOf(req), req.params.patient_id, req.params.id) }));

  r.put(`${BASE}/:id`, {
    config: notFound,
    schema: {
      tags, summary: "Update a referral's status or details", operationId: 'updateReferral', security: USER_TOKEN_SECURITY,
      description: 'A new `status` needs its `status_date` and is appended to `status_history`; `closed` needs a `loop_closure_reason`.',
      params: ReferralParams, body: ReferralBody, response: ecmResponses({ 200: ReferralEnvelope }, [404, 422]),
    },
  }, async (req) => ({ referral: await referrals.updateReferral(contextOf(req), req.params.patient_id, req.params.id, req.body.referral) }));
}
