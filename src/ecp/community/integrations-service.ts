/**
 * The community workspace's Integrations page and Audit log (System Admins; issue 19, and issue 21's JWKS upload), on
 * the partner API's own services: partner clients through `clients/service.ts` (secrets and Api-Keys shown once,
 * stored hashed; JWK Sets checked by `checkJwks`, as `care ecp clients create --jwks` does), subscriptions, the
 * delivery log, retries and Send test event through `webhooks/service.ts` (same outbound guard, outbox and
 * dispatcher). Every object is the signed-in user's company's: another company's client or subscription is 404, a
 * location outside the user's `locationsAllowed` is 404. Changes are audited as the user.
 */
import type { RequestContext } from '../../platform/context.ts';
import type { AuditService } from '../../platform/audit.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { ClientSummary, PartnerClientService } from '../clients/service.ts';
import type { SubscriptionOwner, WebhookService } from '../webhooks/service.ts';
import type { CommunityActor } from './service.ts';
import type {
  AuditLogQueryWire, CommunityDeliveryQueryWire, CommunityReplayRequestWire, NewPartnerClientWire, PartnerClientChangeWire,
} from './integrations-schemas.ts';
import type { NewSubscriptionWire } from '../webhooks/schemas.ts';

type Ctx = RequestContext<CommunityActor>;
const CLIENT_NOT_FOUND = 'Partner client not found';
const SUBSCRIPTION_NOT_FOUND = 'Subscription not found';
export const AUDIT_PAGE_SIZE = 50;

/** A client as the wire shows it (instants as ISO 8601). */
function clientWire(c: ClientSummary) {
  return { ...c, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}

/** The opaque audit cursor: base64url of `createdAt|id`. */
function encodeCursor(c: { createdAt: string; id: number }): string {
  return Buffer.from(`${c.createdAt}|${c.id}`, 'utf8').toString('base64url');
}

/** @throws ValidationError `cursor is invalid` for anything `encodeCursor` did not make. */
function decodeCursor(cursor: string): { createdAt: string; id: number } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(createdAt ?? '') || !/^\d{1,18}$/.test(id ?? '')) throw new ValidationError(['cursor is invalid']);
  return { createdAt, id: Number(id) };
}

export function createCommunityIntegrationService({ partnerClients, webhooks, audit, companyTimeZone }: {
  partnerClients: PartnerClientService;
  webhooks: WebhookService;
  audit: AuditService;
  /** The company's IANA time zone (`organizations.time_zone`). */
  companyTimeZone: (organizationId: number) => Promise<string>;
}) {
  /** The company's client `clientId` as its subscriptions' owner, with its summary. @throws NotFoundError. */
  async function ownClient(ctx: Ctx, clientId: string): Promise<{ summary: ClientSummary; owner: SubscriptionOwner }> {
    const summary = await partnerClients.companyClient(ctx.actor.organizationId, clientId);
    const row = summary && await partnerClients.findByClientId(summary.clientId);
    if (!summary || !row) throw new NotFoundError(CLIENT_NOT_FOUND);
    return { summary, owner: { clientId: row.clientId, organizationId: row.organizationId, locationIds: row.locationIds } };
  }

  /** The company's subscription `subscriptionId` and its client as owner. @throws NotFoundError. */
  async function ownSubscription(ctx: Ctx, subscriptionId: string) {
    const found = await webhooks.companySubscription(ctx.actor.organizationId, subscriptionId);
    if (!found) throw new NotFoundError(SUBSCRIPTION_NOT_FOUND);
    const { owner } = await ownClient(ctx, found.clientId);
    return { subscriptionId: found.guid, owner };
  }

  /** Row ids of locations (GUIDs or names) among the user's `locationsAllowed`. @throws NotFoundError `Location not found`. */
  function allowedLocationIds(ctx: Ctx, values: string[]): number[] {
    return [...new Set(values.map((v) => {
      const t = v.trim();
      const found = ctx.actor.locations.find((l) => l.guid === t.toUpperCase() || l.name === t);
      if (!found) throw new NotFoundError('Location not found');
      return found.id;
    }))];
  }

  /** The zone the workspace shows times in: the user's locations' zone when they share one, else the company's. */
  async function workspaceZone(ctx: Ctx): Promise<string> {
    const zones = [...new Set(ctx.actor.locations.map((l) => l.zone))];
    return zones.length === 1 ? zones[0] : companyTimeZone(ctx.actor.organizationId);
  }

  const record = (ctx: Ctx, action: 'create' | 'update' | 'delete', entityType: string, ids: string[]) => audit.record(ctx, { action, entityType, entityIds: ids });

  async function subscriptionsOf(ctx: Ctx, client: { summary: ClientSummary; owner: SubscriptionOwner }) {
    const { data } = await webhooks.listSubscriptions(ctx, client.owner);
    return data.map((s) => ({ ...s, clientId: client.summary.clientId }));
  }

  return {
    /** `GET /integrations/clients`: the company's partner clients, oldest first (no secrets). */
    async listClients(ctx: Ctx) {
      return { clients: (await partnerClients.companyClients(ctx.actor.organizationId)).map(clientWire) };
    },

    /** `GET /integrations/clients/{clientId}`. @throws NotFoundError. */
    async getClient(ctx: Ctx, clientId: string) {
      return { client: clientWire((await ownClient(ctx, clientId)).summary) };
    },

    /**
     * `POST /integrations/clients`: a new client at the given locations with the given scopes (default all), and
     * optionally its JWK Set. Audited (`create`, `partner_client`).
     * @returns the client, its secret and Api-Key in clear (this once) and the company GUID.
     * @throws NotFoundError a location outside locationsAllowed; ValidationError a bad JWK Set.
     */
    async createClient(ctx: Ctx, body: NewPartnerClientWire) {
      const locationIds = allowedLocationIds(ctx, body.locationIds);
      const { credentials, client } = await partnerClients.createCompanyClient(ctx.actor.organizationId, locationIds, body.scopes?.join(' '), { jwks: body.jwks });
      await record(ctx, 'create', 'partner_client', [client.clientId]);
      return {
        client: clientWire(client),
        clientSecret: credentials.client_secret,
        clientSecretBase64: credentials.client_secret_base64,
        apiKey: credentials.api_key,
        companyId: credentials.companyId,
      };
    },

    /**
     * `PUT /integrations/clients/{clientId}`: scopes, locations (among the user's), enabled. Disabling stops the
     * client's tokens at once; enabling refuses tokens issued before. Audited (`update`).
     */
    async updateClient(ctx: Ctx, clientId: string, body: PartnerClientChangeWire) {
      const { summary } = await ownClient(ctx, clientId);
      const locationIds = body.locationIds === undefined ? undefined : allowedLocationIds(ctx, body.locationIds);
      if (body.scopes !== undefined || locationIds !== undefined) await partnerClients.setGrants(summary.clientId, { scopes: body.scopes?.join(' '), locationIds });
      if (body.enabled !== undefined && body.enabled !== summary.enabled) await partnerClients.setDisabled(summary.clientId, !body.enabled);
      await record(ctx, 'update', 'partner_client', [summary.clientId]);
      return this.getClient(ctx, summary.clientId);
    },

    /** `POST .../rotate_secret`: a new secret (shown once); tokens issued before are refused. Audited. */
    async rotateSecret(ctx: Ctx, clientId: string) {
      const { summary } = await ownClient(ctx, clientId);
      const r = await partnerClients.rotateSecret(summary.clientId);
      await record(ctx, 'update', 'partner_client_secret', [summary.clientId]);
      return { ...(await this.getClient(ctx, summary.clientId)), clientSecret: r.client_secret, clientSecretBase64: r.client_secret_base64 };
    },

    /** `POST .../rotate_api_key`: a new Api-Key (shown once); the old one stops at once. Audited. */
    async rotateApiKey(ctx: Ctx, clientId: string) {
      const { summary } = await ownClient(ctx, clientId);
      const r = await partnerClients.rotateApiKey(summary.clientId);
      await record(ctx, 'update', 'partner_client_api_key', [summary.clientId]);
      return { ...(await this.getClient(ctx, summary.clientId)), apiKey: r.api_key };
    },

    /** `PUT .../jwks`: registers (replaces) the client's JWK Set (`checkJwks`). Audited. @throws ValidationError. */
    async setJwks(ctx: Ctx, clientId: string, jwks: unknown) {
      const { summary } = await ownClient(ctx, clientId);
      await partnerClients.setJwks(summary.clientId, jwks);
      await record(ctx, 'update', 'partner_client_jwks', [summary.clientId]);
      return this.getClient(ctx, summary.clientId);
    },

    /** `DELETE .../jwks`: the client authenticates with its secret only. Audited. */
    async clearJwks(ctx: Ctx, clientId: string) {
      const { summary } = await ownClient(ctx, clientId);
      await partnerClients.clearJwks(summary.clientId);
      await record(ctx, 'delete', 'partner_client_jwks', [summary.clientId]);
      return this.getClient(ctx, summary.clientId);
    },

    /** `GET .../clients/{clientId}/subscriptions`: the client's subscriptions, oldest first, without secrets. */
    async listSubscriptions(ctx: Ctx, clientId: string) {
      return { subscriptions: await subscriptionsOf(ctx, await ownClient(ctx, clientId)) };
    },

    /**
     * `POST .../clients/{clientId}/subscriptions`: the webhook service's subscription for that client (callback URL
     * through the outbound guard, the seed's event names, the client's locations). Audited by that service, as the user.
     * @returns the subscription and its signing secret (this once).
     */
    async createSubscription(ctx: Ctx, clientId: string, body: NewSubscriptionWire) {
      const client = await ownClient(ctx, clientId);
      const created = await webhooks.createSubscription(ctx, body, client.owner);
      const subscription = (await subscriptionsOf(ctx, client)).find((s) => s.subscriptionId === created.subscriptionId);
      if (!subscription) throw new NotFoundError(SUBSCRIPTION_NOT_FOUND);
      return { subscription, secret: created.secret };
    },

    /** `DELETE /integrations/subscriptions/{subscriptionId}`: the subscription and its delivery log. */
    async deleteSubscription(ctx: Ctx, subscriptionId: string) {
      const s = await ownSubscription(ctx, subscriptionId);
      await webhooks.deleteSubscription(ctx, s.subscriptionId, s.owner);
    },

    /** `GET .../subscriptions/{subscriptionId}/deliveries`: newest first, 100 a page, each with every attempt. */
    async listDeliveries(ctx: Ctx, subscriptionId: string, q: CommunityDeliveryQueryWire) {
      const s = await ownSubscription(ctx, subscriptionId);
      const r = await webhooks.listDeliveries(ctx, s.subscriptionId, { status: q.status, page: q.page }, s.owner);
      return { deliveries: r.data, totalCount: r.numberOfResults, timeZone: await workspaceZone(ctx) };
    },

    /** `POST .../deliveries/{messageId}/retry`: the same message again, fresh schedule. @throws NotFoundError; ValidationError (disabled). */
    async retryDelivery(ctx: Ctx, subscriptionId: string, messageId: string) {
      const s = await ownSubscription(ctx, subscriptionId);
      try {
        return { resent: (await webhooks.retryDelivery(ctx, s.subscriptionId, messageId, s.owner)).numberOfResults };
      } catch (err) {
        if (err instanceof ValidationError && err.messages[0]?.startsWith('No message')) throw new NotFoundError('Delivery not found');
        throw err;
      }
    },

    /**
     * `POST .../subscriptions/{subscriptionId}/replay`: every message since `since` that failed (with
     * `includeSucceeded`, every one) again, each with a fresh schedule. @throws ValidationError (disabled).
     */
    async replay(ctx: Ctx, subscriptionId: string, body: CommunityReplayRequestWire) {
      const s = await ownSubscription(ctx, subscriptionId);
      return { resent: (await webhooks.replay(ctx, s.subscriptionId, body, s.owner)).numberOfResults };
    },

    /** `POST .../subscriptions/{subscriptionId}/test`: Send test event (`webhooks.sendTestEvent`). */
    async sendTestEvent(ctx: Ctx, subscriptionId: string) {
      const s = await ownSubscription(ctx, subscriptionId);
      return webhooks.sendTestEvent(ctx, s.subscriptionId, s.owner);
    },

    /**
     * `GET /audit_events`: the company's audit rows, newest first, keyset-paged; filters by user (id or part of the
     * name), action and days in the workspace's zone (the user's locations' zone when they share one, else the
     * company's). Shows what the rows hold (ids, never PHI values).
     * @throws ValidationError for a malformed cursor or `from` after `to`.
     */
    async auditLog(ctx: Ctx, q: AuditLogQueryWire) {
      if (q.from && q.to && q.from > q.to) throw new ValidationError(['from must not be after to']);
      const timeZone = await workspaceZone(ctx);
      const limit = q.limit ?? AUDIT_PAGE_SIZE;
      const rows = await audit.page(ctx.actor.organizationId, {
        user: q.user?.trim() || undefined, action: q.action, fromDate: q.from, toDate: q.to, timeZone,
        after: q.cursor ? decodeCursor(q.cursor) : undefined, limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return {
        auditEvents: page.map((a) => ({
          id: a.id, at: a.createdAt.toISOString(), actorType: a.actorType, actorId: a.actorId, actorName: a.actorName,
          action: a.action, entityType: a.entityType, entityIds: a.entityIds, ip: a.ip,
        })),
        nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].cursor) : null,
        timeZone,
      };
    },
  };
}

export type CommunityIntegrationService = ReturnType<typeof createCommunityIntegrationService>;
