/**
 * HTTP routes of the ECM Patients API (seed 001): the admin endpoints under
 * `/v1/admin/clinic/ecm/patients` and the read-only clinic endpoints under
 * `/v1/clinic/ecm/patients` for coordinators and providers.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { UserActor } from '../../platform/context.ts';
import { contextOf } from '../../platform/http.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { PageQuery, pageRequest, paginationOf } from '../../platform/pagination.ts';
import { Type } from 'typebox';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import {
  CareTeamList,
  CaseLoadBody,
  ClinicListQuery,
  FilterBody,
  LeadCareManagerList,
  LeadCareManagerQuery,
  ListQuery,
  PatientBody,
  PatientEnvelope,
  PatientListResponse,
  PatientParams,
  SORTABLE_FIELDS,
} from './schemas.ts';
import type { PatientService } from './service.ts';

const tags = ['ECM Patients'];
const notFound = { notFoundMessage: 'Patient not found' };
const patientErrors = { validationPrefix: 'Validation failed: ', notFoundMessage: 'Patient not found' };

/** Admin routes; registered under `/v1/admin` behind the admin guard. */
export async function adminPatientRoutes(app: FastifyInstance, { patients }: { patients: PatientService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/clinic/ecm/patients', {
    schema: {
      tags, operationId: 'listPatients', summary: 'List ECM patients', security: USER_TOKEN_SECURITY,
      description: 'A page of the clinic\'s members with their eligibility and case load. `per_page` above 100 is treated as 100.',
      querystring: ListQuery,
      response: ecmResponses({ 200: PatientListResponse }, [403, 422]),
    },
  }, async (req) => patients.listPatients(contextOf(req), req.query));

  r.post('/clinic/ecm/patients/filter', {
    schema: {
      tags, operationId: 'filterPatients', summary: 'Filter ECM patients', security: USER_TOKEN_SECURITY,
      description: `Search, filter and sort the clinic's members. \`sort_by\`: ${SORTABLE_FIELDS.join(', ')}; \`sort_dir\`: ASC or DESC (any case). Answers 200.`,
      body: FilterBody,
      response: ecmResponses({ 200: PatientListResponse }, [403, 422]),
    },
  }, async (req) => patients.filterPatients(contextOf(req), req.body ?? {}));

  r.post('/clinic/ecm/patients', {
    config: patientErrors,
    schema: {
      tags, operationId: 'createPatient', summary: 'Enrol an ECM patient', security: USER_TOKEN_SECURITY,
      description: '`first_name`, `last_name` and `ecm_eligibility_information.member_id` (unique within the clinic) are required.',
      body: PatientBody,
      response: ecmResponses({ 201: PatientEnvelope }, [403, 422]),
    },
  }, async (req, reply) => {
    const patient = await patients.createPatient(contextOf(req), req.body.patient);
    return reply.code(201).send({ patient });
  });

  r.get('/clinic/ecm/patients/:id', {
    config: notFound,
    schema: {
      tags, operationId: 'getPatient', summary: 'Get ECM patient details', security: USER_TOKEN_SECURITY,
      params: PatientParams,
      response: ecmResponses({ 200: PatientEnvelope }, [403, 404]),
    },
  }, async (req) => ({ patient: await patients.getPatient(contextOf(req), req.params.id) }));

  r.put('/clinic/ecm/patients/:id', {
    config: patientErrors,
    schema: {
      tags, operationId: 'updatePatient', summary: 'Update ECM patient', security: USER_TOKEN_SECURITY,
      description: 'All fields optional. A new `member_record_status` is appended to `ecm_status_history`. `phone` is normalised to E.164.',
      params: PatientParams,
      body: PatientBody,
      response: ecmResponses({ 200: PatientEnvelope }, [403, 404, 422]),
    },
  }, async (req) => ({ patient: await patients.updatePatient(contextOf(req), req.params.id, req.body.patient) }));

  r.put('/clinic/ecm/patients/:id/case_load', {
    config: patientErrors,
    schema: {
      tags, operationId: 'assignPatientCaseLoad', summary: 'Assign the case load (provider, OLCM, ILCM)', security: USER_TOKEN_SECURITY,
      description:
        'Sets the member\'s provider, Outreach Lead Care Manager and Intensive Lead Care Manager: `provider_id`, `olcm_user_id`, ' +
        '`ilcm_user_id`, sent flat or inside `case_load` (which wins). Omitted: unchanged; null: cleared. Each must be an ' +
        'active user of the clinic (`GET .../lead_care_managers` lists who can lead). Answers the patient detail, like `PUT .../patients/{id}`.',
      params: PatientParams,
      body: CaseLoadBody,
      response: ecmResponses({ 200: PatientEnvelope }, [403, 404, 422]),
    },
  }, async (req) => ({ patient: await patients.updateCaseLoad(contextOf(req), req.params.id, req.body ?? {}) }));

  r.get('/clinic/ecm/lead_care_managers', {
    schema: {
      tags, operationId: 'listLeadCareManagers', summary: 'List lead care managers', security: USER_TOKEN_SECURITY,
      description:
        'The clinic\'s active users who can be a member\'s OLCM or ILCM (care coordinators and admins), by name, with how many ' +
        'members each leads (`olcm_count`, `ilcm_count`, `members_count`).',
      querystring: LeadCareManagerQuery,
      response: ecmResponses({ 200: LeadCareManagerList }, [403, 422]),
    },
  }, async (req) => patients.listLeadCareManagers(contextOf(req), req.query));
}

/** Read-only clinic routes for every role; registered under `/v1/clinic`. */
export async function clinicPatientRoutes(app: FastifyInstance, { patients, identity }: { patients: PatientService; identity: IdentityService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/ecm/care_team', {
    schema: {
      tags, operationId: 'listCareTeam', summary: 'The clinic\'s care team (names and roles)', security: USER_TOKEN_SECURITY,
      description: 'Every user of the clinic with id, name, role and whether the account is active, for assigning work and filtering by provider or lead care manager. Contact details stay admin-only (`GET /v1/admin/users`).',
      querystring: Type.Object({ ...PageQuery, role: Type.Optional(Type.Enum(['admin', 'care_coordinator', 'provider'])) }),
      response: ecmResponses({ 200: CareTeamList }, [422]),
    },
  }, async (req) => {
    const page = pageRequest(req.query);
    const { rows, totalCount } = await identity.listUsers(contextOf(req).actor.organizationId, page, req.query.role);
    return { care_team: rows.map((u) => ({ id: u.id, name: u.name, role: u.role, active: u.active })), pagination: paginationOf(page, totalCount) };
  });

  r.get('/ecm/patients', {
    schema: {
      tags, operationId: 'listCareTeamPatients', summary: 'List ECM patients (care team)', security: USER_TOKEN_SECURITY,
      description: 'The admin list\'s filters, plus `assigned_to_me=true` for members whose case load names the caller.',
      querystring: ClinicListQuery,
      response: ecmResponses({ 200: PatientListResponse }, [422]),
    },
  }, async (req) => {
    const ctx = contextOf<UserActor>(req);
    return patients.listPatients(ctx, req.query, req.query.assigned_to_me ? ctx.actor.userId : undefined);
  });

  r.get('/ecm/patients/:id', {
    config: notFound,
    schema: {
      tags, operationId: 'getCareTeamPatient', summary: 'Get ECM patient details (care team)', security: USER_TOKEN_SECURITY,
      params: PatientParams,
      response: ecmResponses({ 200: PatientEnvelope }, [404]),
    },
  }, async (req) => ({ patient: await patients.getPatient(contextOf(req), req.params.id) }));
}
