/**
 * The webhook subscription endpoints, registered inside the `/clinical/v1` tree (partner auth hook,
 * scope check, ECP error shape). Scopes: `webhook.read` for GETs, `webhook.write` for changes.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import {
  CreatedSubscription, DeletedSubscription, DeliveryList, DeliveryQuery, DeliveryRef, NewSubscription, ReplayRequest, Resent, RotatedSecret,
  Subscription, SubscriptionChange, SubscriptionList, SubscriptionRef,
} from './schemas.ts';
import type { WebhookService } from './service.ts';

const TAGS = ['ECP webhooks'];
const DELIVERY_NOTE = ' Delivery is at least once and not ordered: receivers dedupe on `webhook-id` and order one resource\'s events by `eventTimestamp`.';

export async function webhookRoutes(app: FastifyInstance, deps: { webhooks: WebhookService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/webhook', {
    config: { scope: 'webhook.write' },
    schema: {
      tags: TAGS, operationId: 'createWebhookSubscription', summary: 'Subscribe to webhook events',
      description: 'Events of the locations granted to this client (user events: users whose locationsAllowed overlap them), optionally filtered by `locationIds`. '
        + 'Each delivery is a POST of the seed\'s root JSON with the Standard Webhooks headers `webhook-id`, `webhook-timestamp`, `webhook-signature` '
        + '(`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the secret returned here, shown once). 2xx is success; 410 disables the subscription; '
        + '429/503 honour Retry-After; anything else is retried immediately, after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (with jitter).' + DELIVERY_NOTE,
      body: NewSubscription,
      response: ecpResponses({ 200: CreatedSubscription }),
    },
  }, async (req) => deps.webhooks.createSubscription(partnerContext(req), req.body));

  r.get('/webhook', {
    config: { scope: 'webhook.read' },
    schema: {
      tags: TAGS, operationId: 'listWebhookSubscriptions', summary: "This client's webhook subscriptions",
      description: 'Without secrets.',
      response: ecpResponses({ 200: SubscriptionList }),
    },
  }, async (req) => deps.webhooks.listSubscriptions(partnerContext(req)));

  r.get('/webhook/:subscriptionId', {
    config: { scope: 'webhook.read' },
    schema: {
      tags: TAGS, operationId: 'getWebhookSubscription', summary: 'A webhook subscription',
      description: 'Another client\'s subscription is "not found".',
      params: SubscriptionRef,
      response: ecpResponses({ 200: Subscription }),
    },
  }, async (req) => deps.webhooks.getSubscription(partnerContext(req), req.params.subscriptionId));

  r.put('/webhook/:subscriptionId', {
    config: { scope: 'webhook.write' },
    schema: {
      tags: TAGS, operationId: 'updateWebhookSubscription', summary: 'Change a webhook subscription',
      description: 'Given fields replace the stored ones; `locationIds: null` removes the filter. `enabled: true` re-enables a subscription disabled by a 410, '
        + '5 days of failures or the partner, and clears its failure state; messages that failed meanwhile can be re-sent with `/replay`.',
      params: SubscriptionRef,
      body: SubscriptionChange,
      response: ecpResponses({ 200: Subscription }),
    },
  }, async (req) => deps.webhooks.updateSubscription(partnerContext(req), req.params.subscriptionId, req.body));

  r.delete('/webhook/:subscriptionId', {
    config: { scope: 'webhook.write' },
    schema: {
      tags: TAGS, operationId: 'deleteWebhookSubscription', summary: 'Delete a webhook subscription',
      description: 'Pending deliveries stop; the delivery log goes with it.',
      params: SubscriptionRef,
      response: ecpResponses({ 200: DeletedSubscription }),
    },
  }, async (req) => deps.webhooks.deleteSubscription(partnerContext(req), req.params.subscriptionId));

  r.post('/webhook/:subscriptionId/rotate-secret', {
    config: { scope: 'webhook.write' },
    schema: {
      tags: TAGS, operationId: 'rotateWebhookSecret', summary: 'Rotate the signing secret',
      description: 'Returns a new secret (shown once). For 24 hours every delivery carries two signatures in `webhook-signature` (space-separated), '
        + 'one with each secret, so the receiver can switch secrets without rejecting a message.',
      params: SubscriptionRef,
      response: ecpResponses({ 200: RotatedSecret }),
    },
  }, async (req) => deps.webhooks.rotateSecret(partnerContext(req), req.params.subscriptionId));

  r.get('/webhook/:subscriptionId/deliveries', {
    config: { scope: 'webhook.read' },
    schema: {
      tags: TAGS, operationId: 'listWebhookDeliveries', summary: 'Messages sent to a subscription, with every attempt',
      description: 'Newest first, 100 a page; each attempt with its time, HTTP status (null: no answer), latency, the first 1 KB of the answer and the error.',
      params: SubscriptionRef,
      querystring: DeliveryQuery,
      response: ecpResponses({ 200: DeliveryList }),
    },
  }, async (req) => deps.webhooks.listDeliveries(partnerContext(req), req.params.subscriptionId, req.query));

  r.post('/webhook/:subscriptionId/deliveries/:messageId/retry', {
    config: { scope: 'webhook.write' },
    schema: {
      tags: TAGS, operationId: 'retryWebhookDelivery', summary: 'Send one message again',
      description: 'The same bytes and `webhook-id`, freshly signed, with a fresh retry schedule. The subscription must be enabled.',
      params: DeliveryRef,
      response: ecpResponses({ 200: Resent }),
    },
  }, async (req) => deps.webhooks.retryDelivery(partnerContext(req), req.params.subscriptionId, req.params.messageId));

  r.post('/webhook/:subscriptionId/replay', {
    config: { scope: 'webhook.write' },
    schema: {
      tags: TAGS, operationId: 'replayWebhookDeliveries', summary: 'Send again every failed message since a time',
      description: 'Messages created at or after `since` whose delivery failed (with `includeSucceeded`, every one), each with a fresh retry schedule.',
      params: SubscriptionRef,
      body: ReplayRequest,
      response: ecpResponses({ 200: Resent }),
    },
  }, async (req) => deps.webhooks.replay(partnerContext(req), req.params.subscriptionId, req.body));
}
