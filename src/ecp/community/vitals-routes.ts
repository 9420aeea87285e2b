/**
 * The Resident File's Vitals tab (`/v1/community`): the seven vitals with units and ranges, a resident's readings over
 * time, and recording readings. Registered inside the community door's authenticated tree (its token hook and
 * error handler); each handler calls one service function.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { communityContext, communityResponses, COMMUNITY_TOKEN_SECURITY } from './http.ts';
import { ResidentParams } from './schemas.ts';
import type { CommunityVitalService } from './vitals.ts';
import { CommunityVitalKinds, CommunityVitalList, CommunityVitalQuery, CommunityVitalsRecorded, NewCommunityVitals, type NewCommunityVitalsWire } from './vitals-schemas.ts';

const TAGS = ['Community: vitals'];

/** Mounts the Vitals tab's routes (registered by `communityRoutes` under its token hook). */
export async function communityVitalRoutes(app: FastifyInstance, { communityVitals }: { communityVitals: CommunityVitalService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const byId = { config: { notFoundMessage: 'Resident not found' } } as const;

  r.get('/vital_kinds', {
    schema: {
      operationId: 'listCommunityVitalKinds', tags: TAGS, summary: 'The seven vitals: fields, units and plausible ranges', security: COMMUNITY_TOKEN_SECURITY,
      description: 'The partner API\'s vitals (`/clinical/v1/resident/vital/<kind>`) with their field names, the units ARCHITECTURE.md pins and the ranges '
        + 'the vitals service accepts (inclusive; blood pressure also needs systolic above diastolic).',
      response: communityResponses({ 200: CommunityVitalKinds }),
    },
  }, async () => communityVitals.kinds());

  r.get('/residents/:residentId/vitals', {
    ...byId,
    schema: {
      operationId: 'listCommunityResidentVitals', tags: TAGS, summary: 'A resident\'s readings over time: Vitals tab charts', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Every reading of the resident taken within `from` .. `to` (each optional), oldest first, whoever recorded it: '
        + 'the workspace\'s staff or a partner through `POST /clinical/v1/resident/vital/*`. At most the newest 2000 (`truncated`). `timeZone` is the '
        + 'location\'s, for display. Audited (`read`). 404 `Resident not found` also for another company\'s resident or one outside locationsAllowed.',
      params: ResidentParams,
      querystring: CommunityVitalQuery,
      response: communityResponses({ 200: CommunityVitalList }, [404, 422]),
    },
  }, async (req) => communityVitals.list(communityContext(req), req.params.residentId, req.query));

  r.post('/residents/:residentId/vitals', {
    ...byId,
    schema: {
      operationId: 'recordCommunityResidentVitals', tags: TAGS, summary: 'Record vitals: Vitals tab', security: COMMUNITY_TOKEN_SECURITY,
      description: 'One reading per vital given (the partner API\'s field names and units), taken at `timestamp` (default now), recorded by the signed-in '
        + 'user, all or none. The vitals service\'s plausibility checks, one sentence per problem naming the field (`systolic must be between 50 and 300 '
        + '(mmHg)`, `timestamp cannot be in the future`): 422. A discharged resident is 422. Seed 000 names no webhook event for vitals: none is sent. Audited (`create`).',
      params: ResidentParams,
      body: NewCommunityVitals,
      response: communityResponses({ 201: CommunityVitalsRecorded }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send(await communityVitals.record(communityContext(req), req.params.residentId, req.body as NewCommunityVitalsWire)));
}
