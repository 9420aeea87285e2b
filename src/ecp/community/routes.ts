/**
 * The community door, `/v1/community`: the workspace's sign-in and session routes, and the Residents screen. One
 * error handler and one `X-User-Token` hook over the tree (sign-in excepted); each handler calls one service.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CREDENTIALS_BODY_LIMIT, PUBLIC_SECURITY } from '../../platform/http.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { authenticateCommunityUser, communityContext, communityResponses, COMMUNITY_TOKEN_SECURITY, useCommunityErrors } from './http.ts';
import type { CommunityResidentService } from './residents.ts';
import { communityIntegrationRoutes } from './integrations.ts';
import type { CommunityIntegrationService } from './integrations-service.ts';
import {
  AllergyListBody,
  AllergyListResponse,
  ChangePasswordBody,
  CommunityDietUpdate,
  CommunityLevelOfCareUpdate,
  CommunityResidentUpdate,
  MeResponse,
  NewCommunityResident,
  ResidentEnvelope,
  ResidentList,
  ResidentListQuery,
  ResidentParams,
  SignInBody,
  SignInResponse,
  UserEnvelope,
} from './schemas.ts';
import type { CommunityAuthService } from './service.ts';
import { communityVitalRoutes } from './vitals-routes.ts';
import type { CommunityVitalService } from './vitals.ts';
import { communityAssessmentRoutes } from './assessments-routes.ts';
import type { CommunityAssessmentService } from './assessments.ts';
import { communityContactRoutes, type CommunityContactRouteDeps } from './contact-routes.ts';
import { communityDiagnosisRoutes, type CommunityDiagnosisRouteDeps } from './diagnosis-routes.ts';
import { communityAdminRoutes } from './admin-routes.ts';
import type { CommunityAdminService } from './admin.ts';
import { communityLeadRoutes } from './leads-routes.ts';
import type { LeadService } from '../leads/service.ts';

interface Deps extends CommunityContactRouteDeps, CommunityDiagnosisRouteDeps {
  communityAuth: CommunityAuthService;
  communityResidents: CommunityResidentService;
  communityVitals: CommunityVitalService;
  communityAssessments: CommunityAssessmentService;
  communityIntegrations: CommunityIntegrationService;
  communityAdmin: CommunityAdminService;
  leads: LeadService;
}

const AUTH_TAGS = ['Community: sign-in'];
const RESIDENT_TAGS = ['Community: residents'];

/** Mounts the community door (register with `prefix: '/v1/community'`). */
export async function communityRoutes(app: FastifyInstance, deps: Deps) {
  const { communityAuth, communityResidents } = deps;
  useCommunityErrors(app);
  const open = app.withTypeProvider<TypeBoxTypeProvider>();

  open.post('/auth/sign_in', {
    schema: {
      operationId: 'signInCommunityUser', tags: AUTH_TAGS, summary: 'Sign in to the community workspace', security: PUBLIC_SECURITY,
      description: 'An ECP user of the company (GUID or exact name) signs in with their `loginName` and password; the token goes in `X-User-Token`. '
        + 'A wrong company, login name or password, a user without a password and a deactivated user all answer 401 `Invalid company, login name or password`. '
        + 'Throttled per company and login name and per IP (429 with Retry-After). Tokens expire after SESSION_IDLE_TIMEOUT_MINUTES without use and '
        + 'SESSION_MAX_AGE_HOURS after sign-in. Every attempt on an existing user is audited in their company (`sign_in`, `sign_in_failed`).',
      body: SignInBody,
      response: communityResponses({ 200: SignInResponse }, [422, 429]),
    },
    bodyLimit: CREDENTIALS_BODY_LIMIT,
  }, async (req) => communityAuth.signIn(req.body.company, req.body.loginName, req.body.password, { ip: req.ip, requestId: req.id }));

  await app.register(async (authed) => {
    authed.addHook('onRequest', authenticateCommunityUser(communityAuth));
    const r = authed.withTypeProvider<TypeBoxTypeProvider>();
    await authed.register(communityIntegrationRoutes, { communityIntegrations: deps.communityIntegrations });
    await authed.register(communityAdminRoutes, { communityAdmin: deps.communityAdmin });
    await authed.register(communityLeadRoutes, { leads: deps.leads });

    r.delete('/auth/sign_out', {
      config: { passwordChangeExempt: true },
      schema: {
        operationId: 'signOutCommunityUser', tags: AUTH_TAGS, summary: 'Sign out', security: COMMUNITY_TOKEN_SECURITY,
        description: 'Revokes the presented token.',
        response: communityResponses({ 204: { type: 'null', description: 'Signed out' } }),
      },
    }, async (req, reply) => {
      await communityAuth.signOut(communityContext(req));
      return reply.code(204).send();
    });

    r.post('/auth/change_password', {
      config: { passwordChangeExempt: true },
      schema: {
        operationId: 'changeCommunityPassword', tags: AUTH_TAGS, summary: 'Change my password', security: COMMUNITY_TOKEN_SECURITY,
        description: 'Checks `currentPassword` (401 `Current password is incorrect`; throttled and audited as a sign-in attempt), stores `newPassword` '
          + '(at least 8 characters), clears `mustChangePassword` and signs the user out everywhere else; this token stays valid.',
        body: ChangePasswordBody,
        response: communityResponses({ 200: UserEnvelope }, [422, 429]),
      },
      bodyLimit: CREDENTIALS_BODY_LIMIT,
    }, async (req) => ({ user: await communityAuth.changePassword(communityContext(req), req.body.currentPassword, req.body.newPassword, { ip: req.ip, requestId: req.id }) }));

    r.get('/me', {
      config: { passwordChangeExempt: true },
      schema: {
        operationId: 'getCommunitySession', tags: AUTH_TAGS, summary: 'The signed-in user, their company and locations', security: COMMUNITY_TOKEN_SECURITY,
        response: communityResponses({ 200: MeResponse }, [404]),
      },
    }, async (req) => communityAuth.me(communityContext(req)));

    r.get('/residents', {
      schema: {
        operationId: 'listCommunityResidents', tags: RESIDENT_TAGS, summary: 'Residents: by location and status, with search', security: COMMUNITY_TOKEN_SECURITY,
        description: 'Residents at the user\'s locations (or the one `locationId` names: 404 `Location not found` for any other), active (default), awaiting '
          + 'move-in or discharged, by last name; `page` and `per_page` (default 25, at most 100). Audited (`list`, the residents returned).',
        querystring: ResidentListQuery,
        response: communityResponses({ 200: ResidentList }, [404, 422]),
      },
    }, async (req) => {
      const page = pageRequest(req.query);
      const { total, residents } = await communityResidents.list(communityContext(req), req.query, page);
      return { residents, pagination: paginationOf(page, total) };
    });

    r.post('/residents', {
      schema: {
        operationId: 'createCommunityResident', tags: RESIDENT_TAGS, summary: 'Add New Resident (fires resident.create)', security: COMMUNITY_TOKEN_SECURITY,
        description: 'The partner API\'s `POST /clinical/v1/resident`, at one of the user\'s locations (`locationId`, GUID or name; 404 otherwise). '
          + 'A future `moveInDate` gives status Inactive, "Awaiting Move-In". Fires `resident.create` to subscribed partners.',
        body: NewCommunityResident,
        response: communityResponses({ 201: ResidentEnvelope }, [404, 422]),
      },
    }, async (req, reply) => reply.code(201).send({ resident: await communityResidents.create(communityContext(req), req.body) }));

    const byId = { config: { notFoundMessage: 'Resident not found' } } as const;

    r.get('/residents/:residentId', {
      ...byId,
      schema: {
        operationId: 'getCommunityResident', tags: RESIDENT_TAGS, summary: 'A resident (Resident File)', security: COMMUNITY_TOKEN_SECURITY,
        description: 'Audited (`read`). 404 `Resident not found` also for another company\'s resident or one at a location outside the user\'s locationsAllowed.',
        params: ResidentParams,
        response: communityResponses({ 200: ResidentEnvelope }, [404]),
      },
    }, async (req) => ({ resident: await communityResidents.get(communityContext(req), req.params.residentId) }));

    r.put('/residents/:residentId', {
      ...byId,
      schema: {
        operationId: 'updateCommunityResident', tags: RESIDENT_TAGS, summary: 'Change a resident: General tab (fires resident.update)', security: COMMUNITY_TOKEN_SECURITY,
        description: 'The partner API\'s `PUT /clinical/v1/resident` without status: given fields change, `null` clears an optional one; `locationId` moves the '
          + 'resident to another of the user\'s locations. A change fires `resident.update`; a request that changes nothing fires nothing. A discharged resident '
          + 'is 422 until reactivated.',
        params: ResidentParams,
        body: CommunityResidentUpdate,
        response: communityResponses({ 200: ResidentEnvelope }, [404, 422]),
      },
    }, async (req) => ({ resident: await communityResidents.update(communityContext(req), req.params.residentId, req.body) }));

    r.put('/residents/:residentId/diet', {
      ...byId,
      schema: {
        operationId: 'updateCommunityResidentDiet', tags: RESIDENT_TAGS, summary: 'Change a resident\'s diet: Diet tab (fires diet.update)', security: COMMUNITY_TOKEN_SECURITY,
        description: 'The partner API\'s `PUT /clinical/v1/resident/diet`: diet plans, food texture, fluid consistency and special orders with the seed\'s '
          + 'values; given fields replace, `null` clears. Fires `diet.update`. A discharged resident is 422.',
        params: ResidentParams,
        body: CommunityDietUpdate,
        response: communityResponses({ 200: ResidentEnvelope }, [404, 422]),
      },
    }, async (req) => ({ resident: await communityResidents.updateDiet(communityContext(req), req.params.residentId, req.body) }));

    r.put('/residents/:residentId/level_of_care', {
      ...byId,
      schema: {
        operationId: 'updateCommunityResidentLevelOfCare', tags: RESIDENT_TAGS, summary: 'Set a resident\'s level of care: Care Plan tab (fires levelOfCare.update)',
        security: COMMUNITY_TOKEN_SECURITY,
        description: 'The partner API\'s `PUT /clinical/v1/resident/level-of-care`, set by hand: `name`, `amount` (dollars with cents), '
          + '`amountFrequency` and `effectiveTimestamp` (default now). Fires `levelOfCare.update`. A discharged resident is 422.',
        params: ResidentParams,
        body: CommunityLevelOfCareUpdate,
        response: communityResponses({ 200: ResidentEnvelope }, [404, 422]),
      },
    }, async (req) => ({ resident: await communityResidents.updateLevelOfCare(communityContext(req), req.params.residentId, req.body) }));

    r.get('/residents/:residentId/allergies', {
      ...byId,
      schema: {
        operationId: 'listCommunityResidentAllergies', tags: RESIDENT_TAGS, summary: 'A resident\'s allergies: Allergies tab', security: COMMUNITY_TOKEN_SECURITY,
        description: 'Alphabetical. Audited (`read`).',
        params: ResidentParams,
        response: communityResponses({ 200: AllergyListResponse }, [404]),
      },
    }, async (req) => communityResidents.allergies(communityContext(req), req.params.residentId));

    r.put('/residents/:residentId/allergies', {
      ...byId,
      schema: {
        operationId: 'replaceCommunityResidentAllergies', tags: RESIDENT_TAGS, summary: 'Save a resident\'s allergies: Allergies tab (fires allergy.update)',
        security: COMMUNITY_TOKEN_SECURITY,
        description: 'The list becomes `allergies` (trimmed, one of each compared case-insensitively). A change fires `allergy.update` with the full list; '
          + 'the same list fires nothing. A discharged resident is 422.',
        params: ResidentParams,
        body: AllergyListBody,
        response: communityResponses({ 200: AllergyListResponse }, [404, 422]),
      },
    }, async (req) => communityResidents.replaceAllergies(communityContext(req), req.params.residentId, req.body.allergies));

    r.post('/residents/:residentId/discharge', {
      ...byId,
      schema: {
        operationId: 'dischargeCommunityResident', tags: RESIDENT_TAGS, summary: 'Discharge a resident (fires resident.delete)', security: COMMUNITY_TOKEN_SECURITY,
        description: 'Status Inactive, "Discharged"; contacts, allergies and readings are kept. 422 when already discharged.',
        params: ResidentParams,
        response: communityResponses({ 200: ResidentEnvelope }, [404, 422]),
      },
    }, async (req) => ({ resident: await communityResidents.discharge(communityContext(req), req.params.residentId) }));

    r.post('/residents/:residentId/reactivate', {
      ...byId,
      schema: {
        operationId: 'reactivateCommunityResident', tags: RESIDENT_TAGS, summary: 'Reactivate a discharged resident (fires resident.create)', security: COMMUNITY_TOKEN_SECURITY,
        description: 'From the Discharged Residents list: the resident is Active again with the same residentId. 422 when not discharged.',
        params: ResidentParams,
        response: communityResponses({ 200: ResidentEnvelope }, [404, 422]),
      },
    }, async (req) => ({ resident: await communityResidents.reactivate(communityContext(req), req.params.residentId) }));

    await authed.register(communityVitalRoutes, { communityVitals: deps.communityVitals });
    await authed.register(communityAssessmentRoutes, { communityAssessments: deps.communityAssessments });
    await authed.register(communityContactRoutes, { communityContacts: deps.communityContacts });
    await authed.register(communityDiagnosisRoutes, { communityDiagnoses: deps.communityDiagnoses });
  });
}
