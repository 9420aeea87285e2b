/** Wire schemas of the webhook subscription endpoints, request and response side by side. */
import { Type, type Static } from 'typebox';
import { DateTimeText, Nullable } from '../../platform/schema.ts';
import { WEBHOOK_EVENT_NAMES, type WebhookEventName } from './payloads.ts';

const EventName = Type.Unsafe<WebhookEventName>({ type: 'string', enum: [...WEBHOOK_EVENT_NAMES], description: 'One of the 12 event names of seed 000.' });
const EventNames = Type.Array(EventName, { minItems: 1, maxItems: 12, description: 'Events to receive; default all 12.' });
const LocationFilter = Type.Unsafe<string[] | null>({
  type: ['array', 'null'], items: { type: 'string', minLength: 1, maxLength: 100 }, minItems: 1, maxItems: 1000,
  description: 'Location GUIDs (or names) the client reaches; only their events are sent. Omitted or null: every location the client reaches.',
});
const CallbackUrl = Type.String({
  minLength: 1, maxLength: 2000,
  description: 'https URL resolving to public addresses only (checked again before every delivery). `OUTBOUND_ALLOW_PRIVATE_URLS=true` also allows http and private addresses (development and tests).',
});
const Guid = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const Ts = (description: string) => Type.String({ description: `${description} ISO 8601 UTC with milliseconds, e.g. 2025-05-05T13:37:27.473+00:00.` });

export const NewSubscription = Type.Object({
  callbackUrl: CallbackUrl,
  eventNames: Type.Optional(EventNames),
  locationIds: Type.Optional(LocationFilter),
});
export type NewSubscriptionWire = Static<typeof NewSubscription>;

export const SubscriptionChange = Type.Object({
  callbackUrl: Type.Optional(CallbackUrl),
  eventNames: Type.Optional(EventNames),
  locationIds: Type.Optional(LocationFilter),
  enabled: Type.Optional(Type.Boolean({ description: 'false pauses deliveries; true re-enables and clears the failure state.' })),
});
export type SubscriptionChangeWire = Static<typeof SubscriptionChange>;

export const SubscriptionRef = Type.Object({ subscriptionId: Guid('The subscription GUID.') });
export const DeliveryRef = Type.Object({ subscriptionId: Guid('The subscription GUID.'), messageId: Guid('The message GUID (`webhook-id`).') });

export const CreatedSubscription = Type.Object({
  result: Type.Literal('Success'),
  subscriptionId: Type.String({ description: 'GUID of the subscription.' }),
  secret: Type.String({ description: 'Standard Webhooks signing secret (`whsec_` + base64). Shown this once; keep it to verify `webhook-signature`.' }),
});

export const RotatedSecret = Type.Object({
  result: Type.Literal('Success'),
  subscriptionId: Type.String(),
  secret: Type.String({ description: 'The new signing secret, shown this once.' }),
  previousSecretValidUntil: Ts('Until then deliveries carry a signature with the previous secret too.'),
});

const SubscriptionFields = {
  subscriptionId: Type.String({ description: 'GUID of the subscription.' }),
  companyId: Type.String({ description: 'The company GUID, as in the payloads\' `companyId`.' }),
  callbackUrl: Type.String(),
  eventNames: Type.Array(Type.String()),
  locationIds: Nullable(Type.Array(Type.String(), { description: "Location GUIDs of the filter; null: every location the client reaches." })),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String({ description: 'Why deliveries stopped: 410 Gone, 5 days of failures, or the partner.' })),
  failingSince: Nullable(Ts('First failed attempt since the last success.')),
  previousSecretValidUntil: Nullable(Ts('While set, the previous secret also signs.')),
  createdAt: Ts('Creation.'),
  updatedAt: Ts('Last change.'),
};
export const Subscription = Type.Object({ result: Type.Literal('Success'), ...SubscriptionFields });
export const SubscriptionList = Type.Object({
  result: Type.Literal('Success'),
  data: Type.Array(Type.Object(SubscriptionFields)),
  numberOfResults: Type.Integer(),
});
export const DeletedSubscription = Type.Object({ result: Type.Literal('Success'), subscriptionId: Type.String() });

export const DeliveryQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('withdrawn')], { description: 'Only deliveries in this state.' })),
  eventName: Type.Optional(EventName),
  messageId: Type.Optional(Guid('Only this message.')),
  since: Type.Optional(DateTimeText({ description: 'Only messages created at or after this instant (ISO 8601).' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: '100 a page, newest first.' })),
});
export type DeliveryQueryWire = Static<typeof DeliveryQuery>;

export const DeliveryList = Type.Object({
  result: Type.Literal('Success'),
  data: Type.Array(Type.Object({
    messageId: Type.String({ description: 'The message GUID: the payload `id` and the `webhook-id` header.' }),
    eventName: Type.String(),
    eventTimestamp: Ts('The payload\'s eventTimestamp.'),
    status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('withdrawn')], {
      description: '`withdrawn`: the message is about a resident who moved to another company; it is never sent, retried or replayed again.',
    }),
    nextAttemptAt: Nullable(Ts('When a pending delivery is tried next.')),
    attempts: Type.Array(Type.Object({
      attemptedAt: Ts('When the attempt was made.'),
      statusCode: Nullable(Type.Integer({ description: 'HTTP status; null when no answer came.' })),
      latencyMs: Type.Integer(),
      response: Nullable(Type.String({ description: 'The first 1 KB of the answer.' })),
      error: Nullable(Type.String()),
    })),
  })),
  numberOfResults: Type.Integer({ description: 'Deliveries matching the filters (all pages).' }),
});

export const Resent = Type.Object({ result: Type.Literal('Success'), numberOfResults: Type.Integer({ description: 'Deliveries queued again.' }) });

export const ReplayRequest = Type.Object({
  since: DateTimeText({ description: 'Messages created at or after this instant (ISO 8601).' }),
  includeSucceeded: Type.Optional(Type.Boolean({ default: false, description: 'Also re-send messages already delivered (default: failed ones only).' })),
});
