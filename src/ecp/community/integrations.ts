/**
 * The community workspace's Integrations page and Audit log routes (System Admins only: every other user gets 403
 * `System Admin access required`): the company's partner clients (create, change, disable, rotate the secret or
 * Api-Key, register a JWK Set), their webhook subscriptions, the delivery log, retry and Send test event; and the
 * company's audit rows. Registered inside the community door's authenticated tree (its `X-User-Token` hook and error
 * handler); each handler calls one service method.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { communityContext, communityResponses, COMMUNITY_TOKEN_SECURITY, requireSystemAdmin } from './http.ts';
import {
  AuditLogPage, AuditLogQuery, ClientParams, CommunityDeliveryList, CommunityDeliveryQuery, CommunitySubscriptionList, CreatedCommunitySubscription,
  CommunityReplayRequest, CreatedPartnerClient, DeliveryParams, JwksBody, NewCommunitySubscription, NewPartnerClient, PartnerClientChange, PartnerClientEnvelope, PartnerClientList,
  ResentDeliveries, RotatedApiKey, RotatedClientSecret, SentTestEvent, SubscriptionParams,
} from './integrations-schemas.ts';
import type { CommunityIntegrationService } from './integrations-service.ts';

const TAGS = ['Community: integrations'];
const AUDIT_TAGS = ['Community: audit log'];
const ADMIN = ' System Admins only (403 `System Admin access required` for other users).';
const S = COMMUNITY_TOKEN_SECURITY;

/** Mounts the Integrations and Audit log routes (inside the community door's authenticated tree). */
export async function communityIntegrationRoutes(app: FastifyInstance, { communityIntegrations: svc }: { communityIntegrations: CommunityIntegrationService }) {
  app.addHook('onRequest', requireSystemAdmin);
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const client = { config: { notFoundMessage: 'Partner client not found' } } as const;
  const subscription = { config: { notFoundMessage: 'Subscription not found' } } as const;

  r.get('/integrations/clients', {
    schema: {
      operationId: 'listCommunityPartnerClients', tags: TAGS, summary: 'The company\'s partner clients', security: S,
      description: 'Oldest first, with scopes, locations, enabled and the registered JWKS key ids; never a secret or key.' + ADMIN,
      response: communityResponses({ 200: PartnerClientList }),
    },
  }, async (req) => svc.listClients(communityContext(req)));

  r.post('/integrations/clients', {
    schema: {
      operationId: 'createCommunityPartnerClient', tags: TAGS, summary: 'Create a partner client', security: S,
      description: 'At `locationIds` (among the System Admin\'s locationsAllowed; 404 `Location not found` otherwise) with `scopes` (default all), '
        + 'optionally with its JWK Set for SMART Backend Services. Answers the client secret and Api-Key this once (stored as SHA-256 hashes), '
        + 'as `care ecp clients create` prints them. Audited (`create`, `partner_client`).' + ADMIN,
      body: NewPartnerClient,
      response: communityResponses({ 201: CreatedPartnerClient }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send(await svc.createClient(communityContext(req), req.body)));

  r.get('/integrations/clients/:clientId', {
    ...client,
    schema: {
      operationId: 'getCommunityPartnerClient', tags: TAGS, summary: 'A partner client', security: S,
      description: '404 `Partner client not found` also for another company\'s client.' + ADMIN,
      params: ClientParams,
      response: communityResponses({ 200: PartnerClientEnvelope }, [404]),
    },
  }, async (req) => svc.getClient(communityContext(req), req.params.clientId));

  r.put('/integrations/clients/:clientId', {
    ...client,
    schema: {
      operationId: 'updateCommunityPartnerClient', tags: TAGS, summary: 'Change a partner client\'s scopes, locations, or disable it', security: S,
      description: 'Given fields replace. `enabled: false` stops its tokens and Api-Key at once; `true` enables it again (tokens issued before stay refused). '
        + 'New scopes and locations apply from the client\'s next request. Audited (`update`).' + ADMIN,
      params: ClientParams,
      body: PartnerClientChange,
      response: communityResponses({ 200: PartnerClientEnvelope }, [404, 422]),
    },
  }, async (req) => svc.updateClient(communityContext(req), req.params.clientId, req.body));

  r.post('/integrations/clients/:clientId/rotate_secret', {
    ...client,
    schema: {
      operationId: 'rotateCommunityPartnerClientSecret', tags: TAGS, summary: 'Issue a new client secret', security: S,
      description: 'The new secret is answered this once; tokens issued before are refused. Audited.' + ADMIN,
      params: ClientParams,
      response: communityResponses({ 200: RotatedClientSecret }, [404]),
    },
  }, async (req) => svc.rotateSecret(communityContext(req), req.params.clientId));

  r.post('/integrations/clients/:clientId/rotate_api_key', {
    ...client,
    schema: {
      operationId: 'rotateCommunityPartnerClientApiKey', tags: TAGS, summary: 'Issue a new Api-Key', security: S,
      description: 'The new Api-Key is answered this once; the old one stops at once. Audited.' + ADMIN,
      params: ClientParams,
      response: communityResponses({ 200: RotatedApiKey }, [404]),
    },
  }, async (req) => svc.rotateApiKey(communityContext(req), req.params.clientId));

  r.put('/integrations/clients/:clientId/jwks', {
    ...client,
    schema: {
      operationId: 'setCommunityPartnerClientJwks', tags: TAGS, summary: 'Register the client\'s JWK Set (SMART Backend Services)', security: S,
      description: 'Replaces the client\'s public keys for `private_key_jwt` at `POST /token` (RS384 or ES384 client assertions). Checked as '
        + '`care ecp clients set-jwks` checks it: public keys only, RSA of 2048+ bits or EC P-384, distinct `kid`s, at most 10 keys and 16 KB; '
        + '422 names the problem. Audited.' + ADMIN,
      params: ClientParams,
      body: JwksBody,
      response: communityResponses({ 200: PartnerClientEnvelope }, [404, 422]),
    },
    bodyLimit: 32 * 1024,
  }, async (req) => svc.setJwks(communityContext(req), req.params.clientId, req.body.jwks));

  r.delete('/integrations/clients/:clientId/jwks', {
    ...client,
    schema: {
      operationId: 'deleteCommunityPartnerClientJwks', tags: TAGS, summary: 'Remove the client\'s JWK Set', security: S,
      description: 'The client then authenticates with its secret only. Audited.' + ADMIN,
      params: ClientParams,
      response: communityResponses({ 200: PartnerClientEnvelope }, [404]),
    },
  }, async (req) => svc.clearJwks(communityContext(req), req.params.clientId));

  r.get('/integrations/clients/:clientId/subscriptions', {
    ...client,
    schema: {
      operationId: 'listCommunityWebhookSubscriptions', tags: TAGS, summary: 'A partner client\'s webhook subscriptions', security: S,
      description: 'Oldest first, without secrets.' + ADMIN,
      params: ClientParams,
      response: communityResponses({ 200: CommunitySubscriptionList }, [404]),
    },
  }, async (req) => svc.listSubscriptions(communityContext(req), req.params.clientId));

  r.post('/integrations/clients/:clientId/subscriptions', {
    ...client,
    schema: {
      operationId: 'createCommunityWebhookSubscription', tags: TAGS, summary: 'Subscribe a callback URL for a partner client', security: S,
      description: 'The partner API\'s `POST /clinical/v1/webhook` for that client: an https URL resolving to public addresses only (the outbound guard), '
        + 'the seed\'s event names (default all 12), optionally some of the client\'s locations. The Standard Webhooks signing secret is answered this once. '
        + 'Audited (`create`, `webhook_subscription`).' + ADMIN,
      params: ClientParams,
      body: NewCommunitySubscription,
      response: communityResponses({ 201: CreatedCommunitySubscription }, [404, 422]),
    },
  }, async (req, reply) => reply.code(201).send(await svc.createSubscription(communityContext(req), req.params.clientId, req.body)));

  r.delete('/integrations/subscriptions/:subscriptionId', {
    ...subscription,
    schema: {
      operationId: 'deleteCommunityWebhookSubscription', tags: TAGS, summary: 'Delete a webhook subscription', security: S,
      description: 'Pending deliveries stop; the delivery log goes with it. 404 `Subscription not found` also for another company\'s. Audited.' + ADMIN,
      params: SubscriptionParams,
      response: communityResponses({ 204: { type: 'null', description: 'Deleted' } }, [404]),
    },
  }, async (req, reply) => {
    await svc.deleteSubscription(communityContext(req), req.params.subscriptionId);
    return reply.code(204).send();
  });

  r.get('/integrations/subscriptions/:subscriptionId/deliveries', {
    ...subscription,
    schema: {
      operationId: 'listCommunityWebhookDeliveries', tags: TAGS, summary: 'The delivery log of a subscription', security: S,
      description: 'Messages sent to the subscription, newest first, 100 a page, each with its status and every attempt (time, HTTP status, latency, '
        + 'the first 1 KB of the answer, error).' + ADMIN,
      params: SubscriptionParams,
      querystring: CommunityDeliveryQuery,
      response: communityResponses({ 200: CommunityDeliveryList }, [404, 422]),
    },
  }, async (req) => svc.listDeliveries(communityContext(req), req.params.subscriptionId, req.query));

  r.post('/integrations/subscriptions/:subscriptionId/deliveries/:messageId/retry', {
    config: { notFoundMessage: 'Delivery not found' },
    schema: {
      operationId: 'retryCommunityWebhookDelivery', tags: TAGS, summary: 'Send one message again', security: S,
      description: 'The same bytes and `webhook-id`, freshly signed, with a fresh retry schedule. 422 when the subscription is disabled. Audited.' + ADMIN,
      params: DeliveryParams,
      response: communityResponses({ 200: ResentDeliveries }, [404, 422]),
    },
  }, async (req) => svc.retryDelivery(communityContext(req), req.params.subscriptionId, req.params.messageId));

  r.post('/integrations/subscriptions/:subscriptionId/replay', {
    ...subscription,
    schema: {
      operationId: 'replayCommunityWebhookDeliveries', tags: TAGS, summary: 'Send again every failed message since a time', security: S,
      description: 'Messages created at or after `since` whose delivery failed (with `includeSucceeded`, every one), each with a fresh retry schedule. '
        + '422 when the subscription is disabled. Audited.' + ADMIN,
      params: SubscriptionParams,
      body: CommunityReplayRequest,
      response: communityResponses({ 200: ResentDeliveries }, [404, 422]),
    },
  }, async (req) => svc.replay(communityContext(req), req.params.subscriptionId, req.body));

  r.post('/integrations/subscriptions/:subscriptionId/test', {
    ...subscription,
    schema: {
      operationId: 'sendCommunityWebhookTestEvent', tags: TAGS, summary: 'Send test event', security: S,
      description: 'Queues one signed message to this subscription only, through the outbox and dispatcher like every event (Standard Webhooks headers '
        + '`webhook-id`, `webhook-timestamp`, `webhook-signature`; retries; the delivery log): the seed\'s envelope with `eventName` `webhook.test`, '
        + '`locationId` null and `data.test` = `{message, subscriptionId}`. Receivers should answer 2xx and otherwise ignore an event name they do not '
        + 'know. 422 when the subscription is disabled. Audited (`create`, `webhook_test_event`).' + ADMIN,
      params: SubscriptionParams,
      response: communityResponses({ 202: SentTestEvent }, [404, 422]),
    },
  }, async (req, reply) => reply.code(202).send(await svc.sendTestEvent(communityContext(req), req.params.subscriptionId)));

  r.get('/audit_events', {
    schema: {
      operationId: 'listCommunityAuditEvents', tags: AUDIT_TAGS, summary: 'The company\'s audit log', security: S,
      description: 'Who read or changed which records, and sign-ins, of the company (its staff, partner clients and the system), newest first; '
        + 'filters by user (id or part of the name), action and days (in `timeZone`); keyset pages (`nextCursor`), stable while rows arrive. '
        + 'The rows hold record ids, never PHI values.' + ADMIN,
      querystring: AuditLogQuery,
      response: communityResponses({ 200: AuditLogPage }, [422]),
    },
  }, async (req) => svc.auditLog(communityContext(req), req.query));
}
