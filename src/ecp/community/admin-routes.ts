/**
 * The community workspace's System Admin routes (`/v1/community/...`): User Logins, password resets, Location settings
 * and transfer offers. Registered inside the authenticated community tree; every route here answers 403
 * `System Admin access required` to other users. Each handler calls one method of the admin service.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CREDENTIALS_BODY_LIMIT } from '../../platform/http.ts';
import { communityContext, communityResponses, COMMUNITY_TOKEN_SECURITY, requireSystemAdmin } from './http.ts';
import type { CommunityAdminService } from './admin.ts';
import {
  AcceptTransferOffer, CommunityLocationEnvelope, CommunityLocationList, CommunityUserEnvelope, CommunityUserList, CommunityUserUpdate, LocationParams,
  LocationUpdate, NewCommunityUser, NewTransferOffer, SetPasswordBody, TransferOfferEnvelope, TransferOfferList, TransferOfferParams, TransferOfferQuery, UserParams,
} from './admin-schemas.ts';
import { ResidentParams } from './schemas.ts';

const USER_TAGS = ['Community: User Logins'];
const LOCATION_TAGS = ['Community: Location settings'];
const TRANSFER_TAGS = ['Community: transfers'];
const ADMIN_ONLY = ' System Admins only (403 `System Admin access required`).';

/** Mounts the System Admin routes on the authenticated community tree. */
export async function communityAdminRoutes(app: FastifyInstance, { communityAdmin: admin }: { communityAdmin: CommunityAdminService }) {
  app.addHook('onRequest', requireSystemAdmin);
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const userById = { config: { notFoundMessage: 'User not found' } } as const;

  r.get('/users', {
    schema: {
      operationId: 'listCommunityUsers', tags: USER_TAGS, summary: 'User Logins: the company\'s users', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Users sharing a location with the admin, deactivated ones included, by last name, with the seed\'s roles and the company\'s user groups. '
        + 'Audited (`list`).' + ADMIN_ONLY,
      response: communityResponses({ 200: CommunityUserList }),
    },
  }, async (req) => admin.listUsers(communityContext(req)));

  r.post('/users', {
    schema: {
      operationId: 'createCommunityUser', tags: USER_TAGS, summary: 'User Logins: create a user (fires user.create)', security: COMMUNITY_TOKEN_SECURITY,
      description: 'The partner API\'s `POST /clinical/v1/user` rules: `loginName` unique in the company, `userGroup` one of the company\'s, at most 3 active '
        + 'System Admins (each with an email), charting initials generated when absent. `locationsAllowed`: the admin\'s own locations (404 `Location not found` '
        + 'for any other). The user has no password until one is set (`PUT /v1/community/users/{userId}/password`).' + ADMIN_ONLY,
      body: NewCommunityUser,
      response: communityResponses({ 201: CommunityUserEnvelope }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ user: await admin.createUser(communityContext(req), req.body) }));

  r.get('/users/:userId', {
    ...userById,
    schema: {
      operationId: 'getCommunityUser', tags: USER_TAGS, summary: 'User Logins: one user', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Audited (`read`). 404 `User not found` also for another company\'s user or one sharing no location with the admin.' + ADMIN_ONLY,
      params: UserParams,
      response: communityResponses({ 200: CommunityUserEnvelope }, [404]),
    },
  }, async (req) => ({ user: await admin.getUser(communityContext(req), req.params.userId) }));

  r.put('/users/:userId', {
    ...userById,
    schema: {
      operationId: 'updateCommunityUser', tags: USER_TAGS, summary: 'User Logins: change, deactivate or reactivate a user', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Given fields change (`user.update`; nothing for no change). `active: false` deactivates (`user.delete`), `active: true` reactivates with the '
        + 'same userId (`user.create`). `locationsAllowed` replaces the user\'s locations among the admin\'s own. An admin cannot deactivate themselves or drop '
        + 'their own System Admin flag (422).' + ADMIN_ONLY,
      params: UserParams,
      body: CommunityUserUpdate,
      response: communityResponses({ 200: CommunityUserEnvelope }, [404, 422]),
    },
  }, async (req) => ({ user: await admin.updateUser(communityContext(req), req.params.userId, req.body) }));

  r.put('/users/:userId/password', {
    ...userById,
    schema: {
      operationId: 'setCommunityUserPassword', tags: USER_TAGS, summary: 'User Logins: set or reset a user\'s password', security: COMMUNITY_TOKEN_SECURITY,
      description: 'At least 8 characters. The user\'s sessions end and they must change it at their next sign-in (`mustChangePassword`). Not for the '
        + 'admin\'s own password (422; use change_password). Audited (`update` of `ecp_user_password`).' + ADMIN_ONLY,
      params: UserParams,
      body: SetPasswordBody,
      response: communityResponses({ 200: CommunityUserEnvelope }, [404, 422]),
    },
    bodyLimit: CREDENTIALS_BODY_LIMIT,
  }, async (req) => ({ user: await admin.setPassword(communityContext(req), req.params.userId, req.body.password) }));

  r.get('/locations', {
    schema: {
      operationId: 'listCommunityLocations', tags: LOCATION_TAGS, summary: 'Location settings: the admin\'s locations', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Each with its own IANA time zone (null: the company\'s) and the zone in use.' + ADMIN_ONLY,
      response: communityResponses({ 200: CommunityLocationList }),
    },
  }, async (req) => ({ locations: admin.listLocations(communityContext(req)) }));

  r.put('/locations/:locationId', {
    config: { notFoundMessage: 'Location not found' },
    schema: {
      operationId: 'updateCommunityLocation', tags: LOCATION_TAGS, summary: 'Location settings: set a location\'s time zone', security: COMMUNITY_TOKEN_SECURITY,
      description: 'An IANA name (`America/Chicago`; `US/Central` is stored as America/Chicago), or null for the company\'s zone; 422 for an unknown name. '
        + 'Partner timestamps without an offset are read in it and the workspace shows the location\'s times in it. 404 `Location not found` for a location '
        + 'outside the admin\'s. Audited (`update` of `ecp_location`).' + ADMIN_ONLY,
      params: LocationParams,
      body: LocationUpdate,
      response: communityResponses({ 200: CommunityLocationEnvelope }, [404, 422]),
    },
  }, async (req) => ({ location: await admin.updateLocation(communityContext(req), req.params.locationId, req.body.timeZone) }));

  r.post('/residents/:residentId/transfer_offers', {
    config: { notFoundMessage: 'Resident not found' },
    schema: {
      operationId: 'createCommunityTransferOffer', tags: TRANSFER_TAGS, summary: 'Offer a resident to another ECP company', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Addressed by the receiving company\'s GUID (`companyId`; 422 when no such company, or your own). Nothing moves and no event fires until '
        + 'that company\'s System Admin accepts. One open offer per resident; a discharged resident is 422.' + ADMIN_ONLY,
      params: ResidentParams,
      body: NewTransferOffer,
      response: communityResponses({ 201: TransferOfferEnvelope }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send({ offer: await admin.offerResident(communityContext(req), req.params.residentId, req.body.companyId, req.body.note) }));

  r.get('/transfer_offers', {
    schema: {
      operationId: 'listCommunityTransferOffers', tags: TRANSFER_TAGS, summary: 'Transfer offers received or sent', security: COMMUNITY_TOKEN_SECURITY,
      description: '`direction` incoming (default: offers to the company) or outgoing (sent from the admin\'s locations); `status` open (default) or all. '
        + 'Newest first, at most 200. Audited (`list`).' + ADMIN_ONLY,
      querystring: TransferOfferQuery,
      response: communityResponses({ 200: TransferOfferList }, [422]),
    },
  }, async (req) => ({ offers: await admin.listOffers(communityContext(req), req.query.direction ?? 'incoming', req.query.status ?? 'open') }));

  const offerById = { config: { notFoundMessage: 'Transfer offer not found' } } as const;

  r.post('/transfer_offers/:offerId/accept', {
    ...offerById,
    schema: {
      operationId: 'acceptCommunityTransferOffer', tags: TRANSFER_TAGS, summary: 'Accept a transfer offer (fires resident.delete and resident.create)',
      security: COMMUNITY_TOKEN_SECURITY,
      description: 'Into one of the admin\'s locations (`locationId`; 404 `Location not found` otherwise). The resident, their contacts, vitals, allergies, '
        + 'diagnoses and assessments move; the sender\'s subscribers get `resident.delete`, ours `resident.create`, with the same residentId; the sender keeps '
        + 'no access. 404 for an offer not sent to this company; 422 when no longer open.' + ADMIN_ONLY,
      params: TransferOfferParams,
      body: AcceptTransferOffer,
      response: communityResponses({ 200: TransferOfferEnvelope }, [404, 422]),
    },
  }, async (req) => ({ offer: await admin.acceptOffer(communityContext(req), req.params.offerId, req.body.locationId) }));

  r.post('/transfer_offers/:offerId/decline', {
    ...offerById,
    schema: {
      operationId: 'declineCommunityTransferOffer', tags: TRANSFER_TAGS, summary: 'Decline a transfer offer', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Nothing moves, no event. 404 for an offer not sent to this company; 422 when no longer open.' + ADMIN_ONLY,
      params: TransferOfferParams,
      response: communityResponses({ 200: TransferOfferEnvelope }, [404, 422]),
    },
  }, async (req) => ({ offer: await admin.declineOffer(communityContext(req), req.params.offerId) }));

  r.post('/transfer_offers/:offerId/withdraw', {
    ...offerById,
    schema: {
      operationId: 'withdrawCommunityTransferOffer', tags: TRANSFER_TAGS, summary: 'Withdraw a transfer offer we sent', security: COMMUNITY_TOKEN_SECURITY,
      description: 'Nothing moves, no event. 404 for an offer not sent from the admin\'s locations; 422 when no longer open.' + ADMIN_ONLY,
      params: TransferOfferParams,
      response: communityResponses({ 200: TransferOfferEnvelope }, [404, 422]),
    },
  }, async (req) => ({ offer: await admin.withdrawOffer(communityContext(req), req.params.offerId) }));
}
