/**
 * HTTP routes of a member's DHCS reporting attributes (Populations of Focus, homelessness) and the DHCS value lists,
 * under `/v1/clinic/ecm` for every role of the clinic.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { contextOf } from '../../platform/http.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import { DhcsValues, MemberAttributesBody, MemberAttributesEnvelope, PatientIdParams } from './schemas.ts';
import { dhcsValues, type MemberAttributeService } from './service.ts';

const tags = ['ECM Member Reporting Data'];
const notFound = { notFoundMessage: 'Patient not found' };

/** Registered under `/v1/clinic`. */
export async function memberAttributeRoutes(app: FastifyInstance, { memberAttributes }: { memberAttributes: MemberAttributeService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/ecm/dhcs_values', {
    schema: {
      tags, summary: 'DHCS value lists for ECM reporting', operationId: 'listDhcsValues', security: USER_TOKEN_SECURITY,
      description: 'Populations of Focus, referral statuses, loop-closure reasons, discontinuation reason codes and outreach methods, each with its DHCS source. Lists DHCS does not publish where we could read them are empty or partial, as each source\'s `note` says.',
      response: ecmResponses({ 200: DhcsValues }),
    },
  }, async () => dhcsValues());

  r.get('/ecm/patients/:patient_id/member_attributes', {
    config: notFound,
    schema: {
      tags, summary: "A member's Populations of Focus and homelessness", operationId: 'getMemberAttributes', security: USER_TOKEN_SECURITY,
      params: PatientIdParams,
      response: ecmResponses({ 200: MemberAttributesEnvelope }, [404, 422]),
    },
  }, async (req) => ({ member_attributes: await memberAttributes.getAttributes(contextOf(req), req.params.patient_id) }));

  r.put('/ecm/patients/:patient_id/member_attributes', {
    config: notFound,
    schema: {
      tags, summary: "Set a member's Populations of Focus and homelessness", operationId: 'updateMemberAttributes', security: USER_TOKEN_SECURITY,
      description: '`populations_of_focus` replaces the whole list (keys of `GET .../dhcs_values`); `homeless` true, false or null (not known). Omitted: unchanged.',
      params: PatientIdParams,
      body: MemberAttributesBody,
      response: ecmResponses({ 200: MemberAttributesEnvelope }, [404, 422]),
    },
  }, async (req) => ({ member_attributes: await memberAttributes.updateAttributes(contextOf(req), req.params.patient_id, req.body.member_attributes) }));
}
