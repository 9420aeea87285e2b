/**
 * The community workspace's CRM leads (`/v1/community/leads`): list, add, change and convert into a resident
 * (`resident.create`, seed 000 "New resident is created via ECP CRM lead profile"). Any signed-in user, at their locations.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { LeadService } from '../leads/service.ts';
import { LeadConversion, LeadEnvelope, LeadList, LeadListQuery, LeadParams, LeadUpdate, NewLead } from '../leads/schemas.ts';
import { communityContext, communityResponses, COMMUNITY_TOKEN_SECURITY } from './http.ts';

const TAGS = ['Community: CRM leads'];

/** Mounts the leads routes on the authenticated community tree. */
export async function communityLeadRoutes(app: FastifyInstance, { leads }: { leads: LeadService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const byId = { config: { notFoundMessage: 'Lead not found' } } as const;

  r.get('/leads', {
    schema: {
      operationId: 'listCommunityLeads', tags: TAGS, summary: 'CRM leads at the user\'s locations', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Newest first (at most 500), of one location (404 `Location not found` outside the user\'s) and status when given. Audited (`list`).',
      querystring: LeadListQuery,
      response: communityResponses({ 200: LeadList }, [404, 422]),
    },
  }, async (req) => ({ leads: await leads.list(communityContext(req), req.query) }));

  r.post('/leads', {
    schema: {
      operationId: 'createCommunityLead', tags: TAGS, summary: 'Add a CRM lead', security: COMMUNITY_TOKEN_SECURITY,
      description: 'A prospective resident at one of the user\'s locations (404 `Location not found` otherwise); status New unless given. No event: '
        + 'a lead is not a resident until converted.',
      body: NewLead,
      response: communityResponses({ 201: LeadEnvelope }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ lead: await leads.create(communityContext(req), req.body) }));

  r.put('/leads/:leadId', {
    ...byId,
    schema: {
      operationId: 'updateCommunityLead', tags: TAGS, summary: 'Change a CRM lead', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Given fields change, null clears. A converted lead is 422. 404 `Lead not found` also for another company\'s lead or one outside the '
        + 'user\'s locations.',
      params: LeadParams,
      body: LeadUpdate,
      response: communityResponses({ 200: LeadEnvelope }, [404, 422]),
    },
  }, async (req) => ({ lead: await leads.update(communityContext(req), req.params.leadId, req.body) }));

  r.post('/leads/:leadId/convert', {
    ...byId,
    schema: {
      operationId: 'convertCommunityLead', tags: TAGS, summary: 'Convert a CRM lead into a resident (fires resident.create)', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Creates the resident at the lead\'s location with its name, date of birth (required, from the lead or the body) and move-in date (the '
        + 'body\'s, else the lead\'s desired one; a future one gives status Inactive, "Awaiting Move-In"), firing `resident.create` (seed 000: "via ECP CRM lead '
        + 'profile"). The lead becomes Converted with the residentId. 422 when already converted.',
      params: LeadParams,
      body: LeadConversion,
      response: communityResponses({ 200: LeadEnvelope }, [404, 422]),
    },
  }, async (req) => ({ lead: await leads.convert(communityContext(req), req.params.leadId, req.body) }));
}
