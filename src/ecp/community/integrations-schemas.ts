/**
 * Wire schemas of the community workspace's Integrations page and Audit log (`/v1/community/integrations/...`,
 * `/v1/community/audit_events`; System Admins only): the company's partner clients, their webhook subscriptions and
 * delivery log, and the company's audit rows. camelCase, upper-case GUIDs, as the rest of the community door.
 */
import { Type, type Static } from 'typebox';
import { DateText, Nullable } from '../../platform/schema.ts';
import { ECP_SCOPES } from '../scopes.ts';
import { DeliveryList, NewSubscription, ReplayRequest, SubscriptionList } from '../webhooks/schemas.ts';

const Guid = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const Instant = (description: string) => Type.String({ description: `${description} ISO 8601 UTC.` });

const Scope = Type.Unsafe<string>({ type: 'string', enum: [...ECP_SCOPES], description: 'An ECP OAuth2 scope.' });
const Scopes = Type.Array(Scope, { minItems: 1, maxItems: ECP_SCOPES.length, description: 'The scopes the client may request.' });
const LocationIds = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1, maxItems: 200,
  description: 'Locations the client reaches: GUIDs (or names) among the signed-in System Admin\'s locationsAllowed (any other is 404 `Location not found`).',
});
const Jwks = Type.Object({
  keys: Type.Array(Type.Object({}, { additionalProperties: true, description: 'A public JWK (RSA for RS384, EC P-384 for ES384) with its `kid`.' }), { minItems: 1, maxItems: 10 }),
}, {
  additionalProperties: true,
  description: 'A JWK Set (RFC 7517) of 1 to 10 public keys for SMART Backend Services `private_key_jwt` at `POST /token`: RSA (at least 2048 bits, RS384) '
    + 'or EC P-384 (ES384), each with a distinct `kid`; at most 16 KB; no private key members. Checked with `jose` as the CLI\'s `--jwks` is.',
});

export const PartnerClient = Type.Object({
  clientId: Type.String({ description: 'GUID: the OAuth2 client_id.' }),
  scopes: Type.Array(Type.String()),
  locations: Type.Array(Type.Object({ locationId: Type.String({ description: 'GUID' }), name: Type.String() })),
  enabled: Type.Boolean({ description: 'false: disabled, its tokens and Api-Key refused at once.' }),
  jwksKeyIds: Type.Array(Type.String(), { description: 'The `kid`s of the registered JWK Set; empty: the client authenticates with its secret only.' }),
  createdAt: Instant('Creation.'),
  updatedAt: Instant('Last change.'),
}, { description: 'A partner client of the company. Its secret and Api-Key are stored as SHA-256 hashes and shown only when issued.' });

export const ClientParams = Type.Object({ clientId: Guid('The client\'s client_id (GUID).') });
export const SubscriptionParams = Type.Object({ subscriptionId: Guid('The subscription GUID.') });
export const DeliveryParams = Type.Object({ subscriptionId: Guid('The subscription GUID.'), messageId: Guid('The message GUID (`webhook-id`).') });

export const PartnerClientList = Type.Object({ clients: Type.Array(PartnerClient) });
export const PartnerClientEnvelope = Type.Object({ client: PartnerClient });

export const NewPartnerClient = Type.Object({
  scopes: Type.Optional(Scopes),
  locationIds: LocationIds,
  jwks: Type.Optional(Jwks),
});
export type NewPartnerClientWire = Static<typeof NewPartnerClient>;

const ClientSecret = {
  clientSecret: Type.String({ description: 'The client secret, shown this once.' }),
  clientSecretBase64: Type.String({ description: 'The same secret, base64-encoded (as seed 000\'s `/token` sample sends it).' }),
};
const ApiKey = { apiKey: Type.String({ description: 'The Api-Key (`authorization: Api-Key <key>`), shown this once.' }) };

export const CreatedPartnerClient = Type.Object({ client: PartnerClient, ...ClientSecret, ...ApiKey, companyId: Type.String({ description: 'The company GUID.' }) });
export const RotatedClientSecret = Type.Object({ client: PartnerClient, ...ClientSecret });
export const RotatedApiKey = Type.Object({ client: PartnerClient, ...ApiKey });

export const PartnerClientChange = Type.Object({
  scopes: Type.Optional(Scopes),
  locationIds: Type.Optional(LocationIds),
  enabled: Type.Optional(Type.Boolean({ description: 'false disables the client (its tokens stop at once); true enables it again (tokens issued before are refused).' })),
});
export type PartnerClientChangeWire = Static<typeof PartnerClientChange>;

export const JwksBody = Type.Object({ jwks: Jwks });

const SubscriptionItem = SubscriptionList.properties.data.items;
export const CommunitySubscription = Type.Object({ ...SubscriptionItem.properties, clientId: Type.String({ description: 'The partner client it belongs to.' }) });
export const CommunitySubscriptionList = Type.Object({ subscriptions: Type.Array(CommunitySubscription) });
export const NewCommunitySubscription = NewSubscription;
export const CreatedCommunitySubscription = Type.Object({
  subscription: CommunitySubscription,
  secret: Type.String({ description: 'Standard Webhooks signing secret (`whsec_` + base64), shown this once.' }),
});

export const CommunityDeliveryQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('withdrawn')], { description: 'Only deliveries in this state.' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: '100 a page, newest first (default 1).' })),
});
export type CommunityDeliveryQueryWire = Static<typeof CommunityDeliveryQuery>;
export const CommunityDeliveryList = Type.Object({
  deliveries: DeliveryList.properties.data,
  totalCount: Type.Integer({ description: 'Deliveries matching the filter (all pages).' }),
  timeZone: Type.String({ description: 'IANA zone the workspace shows times in: the signed-in user\'s locations\' zone, else the company\'s.' }),
});
export const CommunityReplayRequest = ReplayRequest;
export type CommunityReplayRequestWire = Static<typeof CommunityReplayRequest>;
export const ResentDeliveries = Type.Object({ resent: Type.Integer({ description: 'Deliveries queued again.' }) });
export const SentTestEvent = Type.Object({
  messageId: Type.String({ description: 'The test message\'s GUID: its `id` and `webhook-id`; it shows in the delivery log.' }),
  eventTimestamp: Instant('The envelope\'s eventTimestamp.'),
});

export const AUDIT_ACTIONS = ['read', 'list', 'create', 'update', 'delete', 'export', 'import', 'sign_in', 'sign_in_failed', 'sign_out', 'token_granted', 'token_refused', 'access_denied'] as const;

export const AuditLogQuery = Type.Object({
  user: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The actor: their id (a userId or client_id) or part of their name.' })),
  action: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...AUDIT_ACTIONS], description: 'Only this action.' })),
  from: Type.Optional(DateText({ description: 'From this day (YYYY-MM-DD, in `timeZone`), inclusive.' })),
  to: Type.Optional(DateText({ description: 'To this day (YYYY-MM-DD, in `timeZone`), inclusive.' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The previous page\'s `nextCursor`.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Rows per page (default 50).' })),
});
export type AuditLogQueryWire = Static<typeof AuditLogQuery>;

export const AuditLogEntry = Type.Object({
  id: Type.Integer(),
  at: Instant('When.'),
  actorType: Type.String({ description: 'ecp_user (community staff), partner (a partner client), system, user.' }),
  actorId: Nullable(Type.String({ description: 'The userId or client_id.' })),
  actorName: Nullable(Type.String()),
  action: Type.String(),
  entityType: Type.String({ description: 'resident, contact, session, partner_client, webhook_subscription, ...' }),
  entityIds: Type.Array(Type.String(), { description: 'The records read or changed (GUIDs; a login name for sign-ins).' }),
  ip: Nullable(Type.String()),
});

export const AuditLogPage = Type.Object({
  auditEvents: Type.Array(AuditLogEntry, { description: 'Newest first.' }),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next (older) page; null on the last page.' })),
  timeZone: Type.String({ description: 'IANA zone the workspace shows times in (and reads `from`/`to` in): the signed-in user\'s locations\' zone, else the company\'s.' }),
});
