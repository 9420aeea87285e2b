/**
 * The ECP partner family's tables: locations, partner clients, residents and their contacts, users, vitals,
 * allergies and diagnoses, ICD-10-CM reference codes, companies, and the webhook subscriptions and outbox.
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, date, index, integer, jsonb, numeric, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, ts, updatedAt } from './columns.ts';
import { organizations } from './platform.ts';

/**
 * ECP: a senior-living company's locations (communities); `guid` is the `locationId` on the wire. `time_zone` is
 * the IANA zone an offset-less request timestamp is read in; null: the company's (`organizations.time_zone`).
 */
export const ecpLocations = pgTable(
  'ecp_locations',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    guid: text('guid').notNull(),
    name: text('name').notNull(),
    timeZone: text('time_zone'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ecp_locations_guid_key').on(t.guid), uniqueIndex('ecp_locations_org_name_key').on(t.organizationId, t.name)],
);

/**
 * ECP partner clients (OAuth2 client credentials, RFC 6749 section 4.4): the client id (GUID), the secret and the
 * Api-Key stored as SHA-256 hashes, the scopes it may request and the locations it may reach.
 */
export const partnerClients = pgTable(
  'partner_clients',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    clientId: text('client_id').notNull(),
    secretHash: text('secret_hash').notNull(),
    apiKeyHash: text('api_key_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    locationIds: integer('location_ids').array().notNull(),
    /** The client's public keys (a JWK Set) for `private_key_jwt` at `/token` (SMART Backend Services); null: secret only. */
    jwks: jsonb('jwks'),
    disabledAt: ts('disabled_at'),
    /** Tokens issued before this instant are refused (secret rotation, re-enabling). */
    tokensValidAfter: ts('tokens_valid_after').notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('partner_clients_client_id_key').on(t.clientId), uniqueIndex('partner_clients_api_key_hash_key').on(t.apiKeyHash)],
);

/** ECP residents of a location (seed 000 "resident" object). */
export const ecpResidents = pgTable(
  'ecp_residents',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    locationId: integer('location_id').notNull().references(() => ecpLocations.id),
    guid: text('guid').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    middleName: text('middle_name'),
    nickname: text('nickname'),
    suffix: text('suffix'),
    dateOfBirth: date('date_of_birth', { mode: 'string' }).notNull(),
    gender: text('gender'),
    email: text('email'),
    phone: text('phone'),
    building: text('building'),
    room: text('room'),
    /** `Full Code` or `DNR` (shown as `DNR (Do Not Resuscitate)` in webhook payloads). */
    codeStatus: text('code_status'),
    /** Seed 000 "Always Specified": not given is false, no living will on record (nullable only for old rows; the migration backfills them). */
    livingWill: boolean('living_will').default(false),
    otherAdvancedDirectives: text('other_advanced_directives'),
    moveInDate: date('move_in_date', { mode: 'string' }),
    status: text('status').notNull(),
    statusDescription: text('status_description').notNull(),
    /** `{name: value}` pairs partners match residents by. */
    externalIds: jsonb('external_ids').notNull().default(sql`'{}'::jsonb`),
    /** Seed 000 resident object `careType` ("Assisted Living", ...). */
    careType: text('care_type'),
    /** Diet object (seed 000): plans and special orders as arrays, texture and consistency as enums. */
    dietPlans: text('diet_plans').array().notNull().default(sql`'{}'::text[]`),
    foodTexture: text('food_texture'),
    fluidConsistency: text('fluid_consistency'),
    specialDietOrders: text('special_diet_orders').array().notNull().default(sql`'{}'::text[]`),
    /** Level of care object (seed 000): name, recurring amount in dollars, Monthly or Daily, effective instant. */
    levelOfCareName: text('level_of_care_name'),
    levelOfCareAmount: numeric('level_of_care_amount', { precision: 12, scale: 2 }),
    levelOfCareAmountFrequency: text('level_of_care_amount_frequency'),
    levelOfCareEffectiveAt: ts('level_of_care_effective_at'),
    /** Set while the resident is discharged (`resident.delete`); cleared on reactivation. */
    dischargedAt: ts('discharged_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('ecp_residents_external_ids_idx').using('gin', sql`${t.externalIds} jsonb_path_ops`),
    index('ecp_residents_move_in_idx').on(t.moveInDate).where(sql`${t.statusDescription} = 'Awaiting Move-In'`),
    uniqueIndex('ecp_residents_guid_key').on(t.guid),
    index('ecp_residents_location_name_idx').on(t.locationId, t.lastName, t.firstName),
    index('ecp_residents_org_identity_idx').on(t.organizationId, t.lastName, t.firstName, t.dateOfBirth),
  ],
);

/**
 * ECP resident contacts (seed 000 "POST resident/contact"); `guid` is the `contactId` on the wire. The person and how to
 * reach them; the relationship, notes and flags are per resident (`ecp_contact_residents`). `locationId`: where the
 * contact was first created.
 */
export const ecpContacts = pgTable(
  'ecp_contacts',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    locationId: integer('location_id').notNull().references(() => ecpLocations.id),
    guid: text('guid').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    address: text('address'),
    city: text('city'),
    state: text('state'),
    zip: text('zip'),
    email: text('email'),
    phone: text('phone'),
    phoneCell: text('phone_cell'),
    phoneWork: text('phone_work'),
    preferredContactMethod: text('preferred_contact_method'),
    preferredContactTime: text('preferred_contact_time'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [uniqueIndex('ecp_contacts_guid_key').on(t.guid)],
);

/**
 * Which residents a contact belongs to (the webhook contact object's `residents` array), each link with its own
 * relationship, notes and flags (seed 000: one `residents` entry per resident). Contact and residents are of one company.
 */
export const ecpContactResidents = pgTable(
  'ecp_contact_residents',
  {
    contactId: integer('contact_id').notNull().references(() => ecpContacts.id),
    residentId: integer('resident_id').notNull().references(() => ecpResidents.id),
    relationship: text('relationship'),
    notes: text('notes'),
    billingContact: boolean('billing_contact').notNull().default(false),
    healthCarePoa: boolean('health_care_poa').notNull().default(false),
    healthCarePoaActivated: boolean('health_care_poa_activated').notNull().default(false),
    primaryContact: boolean('primary_contact').notNull().default(false),
    providesProducts: boolean('provides_products').notNull().default(false),
    stateAppointedGuardian: boolean('state_appointed_guardian').notNull().default(false),
    /** Order of the `residents` array: the oldest link first. */
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.residentId] }), index('ecp_contact_residents_resident_idx').on(t.residentId)],
);

/**
 * ECP users: community staff (seed 000 "POST/PUT/GET user"), not the platform's login users. `guid` is the
 * `userId` of webhooks and vitals; `locationIds` are `ecp_locations.id` (the `locationsAllowed` array).
 */
export const ecpUsers = pgTable(
  'ecp_users',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    guid: text('guid').notNull(),
    loginName: text('login_name').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    active: boolean('active').notNull().default(true),
    viewAllResidents: boolean('view_all_residents').notNull().default(false),
    userGroup: text('user_group').notNull(),
    role: text('role').notNull(),
    systemAdmin: boolean('system_admin').notNull().default(false),
    chartingInitials: text('charting_initials').notNull(),
    title: text('title'),
    address: text('address'),
    cityStateZip: text('city_state_zip'),
    phone: text('phone'),
    cellphone: text('cellphone'),
    cellCarrier: text('cell_carrier'),
    pager: text('pager'),
    email: text('email'),
    locationIds: integer('location_ids').array().notNull(),
    deactivatedAt: ts('deactivated_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('ecp_users_guid_key').on(t.guid),
    uniqueIndex('ecp_users_org_login_key').on(t.organizationId, sql`lower(${t.loginName})`),
    uniqueIndex('ecp_users_org_initials_key').on(t.organizationId, sql`lower(${t.chartingInitials})`),
    index('ecp_users_location_ids_idx').using('gin', t.locationIds),
  ],
);

/**
 * Community workspace credentials of an ECP user: the scrypt password hash (as clinic users' passwords), and whether
 * the user must choose a new password at the next sign-in (set after a System Admin or the CLI set it for them).
 * A user without a row has no password and cannot sign in.
 */
export const ecpUserCredentials = pgTable('ecp_user_credentials', {
  userId: integer('user_id').primaryKey().references(() => ecpUsers.id),
  organizationId: integer('organization_id').notNull().references(() => organizations.id),
  passwordHash: text('password_hash').notNull(),
  mustChangePassword: boolean('must_change_password').notNull().default(false),
  passwordChangedAt: ts('password_changed_at').notNull().defaultNow(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Community workspace sessions (`X-User-Token` of `/v1/community`), stored only as SHA-256 hashes, with the same
 * lifetimes as clinic tokens (`auth_tokens`): idle and absolute limits from `created_at` and `last_used_at`.
 */
export const ecpUserTokens = pgTable(
  'ecp_user_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id').notNull().references(() => ecpUsers.id),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('ecp_user_tokens_token_hash_key').on(t.tokenHash), index('ecp_user_tokens_user_id_idx').on(t.userId)],
);

/** The user groups a company has enabled (seed 000 `userGroup`); a company without rows has the documented defaults. */
export const ecpUserGroups = pgTable(
  'ecp_user_groups',
  {
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.name] })],
);

/**
 * ECP vital readings (seed 000 "POST/GET resident/vital/*"): `vitalType` is the path segment (`blood-ox`, ...);
 * `value` the reading in the unit ARCHITECTURE.md pins, `value2` the diastolic of a blood pressure.
 */
export const ecpVitals = pgTable(
  'ecp_vitals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    locationId: integer('location_id').notNull().references(() => ecpLocations.id),
    residentId: integer('resident_id').notNull().references(() => ecpResidents.id),
    userId: integer('user_id').notNull().references(() => ecpUsers.id),
    /** The reading's id outside the database: the FHIR `Observation.id` (ARCHITECTURE.md, "FHIR identities"). */
    guid: text('guid').notNull().default(sql`upper(gen_random_uuid()::text)`),
    vitalType: text('vital_type').notNull(),
    value: numeric('value', { precision: 8, scale: 2, mode: 'number' }).notNull(),
    value2: numeric('value2', { precision: 8, scale: 2, mode: 'number' }),
    recordedAt: ts('recorded_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('ecp_vitals_location_type_time_idx').on(t.locationId, t.vitalType, t.recordedAt, t.id),
    uniqueIndex('ecp_vitals_guid_key').on(t.guid),
    // One resident's readings over time (the community workspace's Vitals tab charts).
    index('ecp_vitals_resident_time_idx').on(t.residentId, t.recordedAt),
  ],
);

/** A resident's documented allergies (seed 000 "POST/GET resident/allergy"), one row per allergy, unique case-insensitively. */
export const ecpAllergies = pgTable(
  'ecp_allergies',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    residentId: integer('resident_id').notNull().references(() => ecpResidents.id),
    /** The allergy's id outside the database: the FHIR `AllergyIntolerance.id`. */
    guid: text('guid').notNull().default(sql`upper(gen_random_uuid()::text)`),
    allergy: text('allergy').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ecp_allergies_resident_allergy_key').on(t.residentId, sql`lower(${t.allergy})`), uniqueIndex('ecp_allergies_guid_key').on(t.guid)],
);

/** A resident's diagnoses (seed 000 "POST/GET resident/diagnosis"); `code` undotted ICD-10-CM, shown dotted. */
export const ecpDiagnoses = pgTable(
  'ecp_diagnoses',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    locationId: integer('location_id').notNull().references(() => ecpLocations.id),
    residentId: integer('resident_id').notNull().references(() => ecpResidents.id),
    userId: integer('user_id').notNull().references(() => ecpUsers.id),
    /** The diagnosis's id outside the database: the FHIR `Condition.id` (ARCHITECTURE.md, "FHIR identities"). */
    guid: text('guid').notNull().default(sql`upper(gen_random_uuid()::text)`),
    code: text('code'),
    diagnosis: text('diagnosis'),
    comment: text('comment'),
    /** The fiscal year of the code set the code was checked against (null: syntax only). */
    codeSetYear: integer('code_set_year'),
    recordedAt: ts('recorded_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ecp_diagnoses_location_time_idx').on(t.locationId, t.recordedAt, t.id), uniqueIndex('ecp_diagnoses_guid_key').on(t.guid)],
);

/** Imported ICD-10-CM code sets (CMS yearly distribution), one row per fiscal year (starting October 1 of the year before). */
export const icd10cmCodeSets = pgTable('icd10cm_code_sets', {
  fiscalYear: integer('fiscal_year').primaryKey(),
  source: text('source').notNull(),
  codeCount: integer('code_count').notNull(),
  importedAt: ts('imported_at').notNull().defaultNow(),
});

/** ICD-10-CM codes of a fiscal year (reference data, not tenant-owned); `code` undotted, upper-case. */
export const icd10cmCodes = pgTable(
  'icd10cm_codes',
  {
    fiscalYear: integer('fiscal_year').notNull().references(() => icd10cmCodeSets.fiscalYear, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    billable: boolean('billable').notNull(),
    shortDescription: text('short_description').notNull(),
    longDescription: text('long_description').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.fiscalYear, t.code] }),
    index('icd10cm_codes_description_trgm_idx').using('gin', sql`${t.longDescription} gin_trgm_ops`),
  ],
);

/**
 * ECP: the company GUID (`companyId` of webhook payloads) of an organization, created on first use. A table of
 * its own rather than a column of `organizations`, which ECM clinics share.
 */
export const ecpCompanies = pgTable(
  'ecp_companies',
  {
    organizationId: integer('organization_id').primaryKey().references(() => organizations.id),
    guid: text('guid').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ecp_companies_guid_key').on(t.guid)],
);

/**
 * ECP webhook subscriptions: owned by the partner client that created them. `locationIds` (null: every
 * location the client reaches) filters by `ecp_locations.id`. The Standard Webhooks signing secret (`whsec_...`) is
 * kept as issued because every delivery must be signed with it (a hash could not sign); after a rotation the
 * previous one also signs until `previousSecretExpiresAt`.
 */
export const ecpWebhookSubscriptions = pgTable(
  'ecp_webhook_subscriptions',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    partnerClientId: integer('partner_client_id').notNull().references(() => partnerClients.id),
    guid: text('guid').notNull(),
    callbackUrl: text('callback_url').notNull(),
    eventNames: text('event_names').array().notNull(),
    locationIds: integer('location_ids').array(),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    disabledAt: ts('disabled_at'),
    /** First failed attempt since the last success; 5 days of failures disable the subscription. */
    failingSince: ts('failing_since'),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: ts('previous_secret_expires_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('ecp_webhook_subscriptions_guid_key').on(t.guid),
    index('ecp_webhook_subscriptions_org_idx').on(t.organizationId),
    index('ecp_webhook_subscriptions_client_idx').on(t.partnerClientId),
  ],
);

/**
 * The webhook outbox: one message per change, written in the change's transaction. `id` is the message GUID (the
 * envelope's `id` and the `webhook-id` header); `payload` is the JSON text exactly as every attempt sends it.
 * `resourceKey` + `eventTimestamp` keep timestamps strictly increasing per resource.
 */
export const ecpWebhookMessages = pgTable(
  'ecp_webhook_messages',
  {
    id: text('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    locationId: integer('location_id').references(() => ecpLocations.id),
    eventName: text('event_name').notNull(),
    resourceKey: text('resource_key').notNull(),
    eventTimestamp: ts('event_timestamp').notNull(),
    payload: text('payload').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ecp_webhook_messages_org_time_idx').on(t.organizationId, t.createdAt)],
);

/** The last `eventTimestamp` given to a resource (`resident:<guid>`, ...); the row lock orders concurrent changes. */
export const ecpWebhookResourceClocks = pgTable('ecp_webhook_resource_clocks', {
  resourceKey: text('resource_key').primaryKey(),
  lastEventAt: ts('last_event_at').notNull(),
});

/**
 * One message for one subscription: `pending` until an attempt succeeds (`succeeded`) or the retry schedule is
 * spent (`failed`). `attempts` counts every attempt ever made (a job carries the attempt number it is for, so a
 * stale job does nothing); `scheduleIndex` is the position in the retry schedule (reset by a manual retry);
 * `leaseUntil` marks an attempt in flight, so two workers never send the same attempt.
 */
export const ecpWebhookDeliveries = pgTable(
  'ecp_webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    messageId: text('message_id').notNull().references(() => ecpWebhookMessages.id),
    subscriptionId: integer('subscription_id').notNull().references(() => ecpWebhookSubscriptions.id, { onDelete: 'cascade' }),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    scheduleIndex: integer('schedule_index').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    leaseUntil: ts('lease_until'),
    lastAttemptAt: ts('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastLatencyMs: integer('last_latency_ms'),
    succeededAt: ts('succeeded_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('ecp_webhook_deliveries_message_subscription_key').on(t.messageId, t.subscriptionId),
    index('ecp_webhook_deliveries_subscription_idx').on(t.subscriptionId, t.createdAt),
    index('ecp_webhook_deliveries_pending_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // The dispatcher's retry claim: without it, a backlog of first attempts is walked to find no retry.
    index('ecp_webhook_deliveries_retry_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending' AND ${t.attempts} > 0`),
  ],
);

/** Every delivery attempt: when, HTTP status (null: no answer), latency, the first 1 KB of the answer, the error. */
export const ecpWebhookAttempts = pgTable(
  'ecp_webhook_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: bigint('delivery_id', { mode: 'number' }).notNull().references(() => ecpWebhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: ts('attempted_at').notNull(),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    responseBody: text('response_body'),
    error: text('error'),
  },
  (t) => [index('ecp_webhook_attempts_delivery_idx').on(t.deliveryId, t.attemptedAt)],
);

/**
 * A company's assessment templates: questions whose chosen answers carry points (none: the score is entered whole)
 * and the table of score ranges that maps the total score to a level of care (name, amount, frequency).
 * `questions`: `[{questionId, text, choices: [{answer, points}]}]`; `levels`: `[{minScore, maxScore, name, amount,
 * amountFrequency}]`, ranges inclusive and disjoint (checked by the assessments service).
 */
export const ecpAssessmentTemplates = pgTable(
  'ecp_assessment_templates',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    guid: text('guid').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    questions: jsonb('questions').notNull().default(sql`'[]'::jsonb`),
    levels: jsonb('levels').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('ecp_assessment_templates_guid_key').on(t.guid), uniqueIndex('ecp_assessment_templates_org_name_key').on(t.organizationId, sql`lower(${t.name})`)],
);

/**
 * Completed assessments of a resident: the template (its name as it was), the answers (null when the score was
 * entered whole), the total score, the level of care it set, the ECP user who completed it and when.
 */
export const ecpAssessments = pgTable(
  'ecp_assessments',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    locationId: integer('location_id').notNull().references(() => ecpLocations.id),
    residentId: integer('resident_id').notNull().references(() => ecpResidents.id),
    templateId: integer('template_id').notNull().references(() => ecpAssessmentTemplates.id),
    userId: integer('user_id').notNull().references(() => ecpUsers.id),
    guid: text('guid').notNull(),
    templateName: text('template_name').notNull(),
    answers: jsonb('answers'),
    score: integer('score').notNull(),
    levelOfCareName: text('level_of_care_name').notNull(),
    levelOfCareAmount: numeric('level_of_care_amount', { precision: 12, scale: 2 }),
    levelOfCareAmountFrequency: text('level_of_care_amount_frequency'),
    completedAt: ts('completed_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('ecp_assessments_guid_key').on(t.guid),
    index('ecp_assessments_location_time_idx').on(t.locationId, t.completedAt, t.id),
    index('ecp_assessments_resident_time_idx').on(t.residentId, t.completedAt),
  ],
);

/**
 * Community workspace: a System Admin's offer of a resident to another ECP company (seed 000 "Resident is transferred
 * to/from ECP account"), addressed by that company's GUID. `status`: `offered` until the receiving company's System
 * Admin accepts it into one of their locations (`accepted`, the transfer service runs) or declines it (`declined`), or
 * the sender withdraws it (`withdrawn`). At most one open offer per resident.
 */
export const ecpTransferOffers = pgTable(
  'ecp_transfer_offers',
  {
    id: serial('id').primaryKey(),
    guid: text('guid').notNull(),
    residentId: integer('resident_id').notNull().references(() => ecpResidents.id),
    /** The resident's GUID, which the transfer keeps. */
    residentGuid: text('resident_guid').notNull(),
    fromOrganizationId: integer('from_organization_id').notNull().references(() => organizations.id),
    toOrganizationId: integer('to_organization_id').notNull().references(() => organizations.id),
    /** Kept as offered: the resident's name and birth date, so the receiving admin can recognise them before accepting. */
    residentName: text('resident_name').notNull(),
    residentDateOfBirth: date('resident_date_of_birth', { mode: 'string' }),
    fromLocationId: integer('from_location_id').notNull().references(() => ecpLocations.id),
    note: text('note'),
    status: text('status').notNull().default('offered'),
    offeredByUserId: integer('offered_by_user_id').notNull().references(() => ecpUsers.id),
    decidedByUserId: integer('decided_by_user_id').references(() => ecpUsers.id),
    toLocationId: integer('to_location_id').references(() => ecpLocations.id),
    decidedAt: ts('decided_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('ecp_transfer_offers_guid_key').on(t.guid),
    uniqueIndex('ecp_transfer_offers_open_key').on(t.residentId).where(sql`status = 'offered'`),
    index('ecp_transfer_offers_to_idx').on(t.toOrganizationId, t.status),
    index('ecp_transfer_offers_from_idx').on(t.fromOrganizationId, t.status),
  ],
);

/**
 * Community workspace: CRM leads, prospective residents of one location (issue 19 "CRM leads": name, contact, desired
 * move-in date, source, status). Converting a lead creates the resident (seed 000: `resident.create` "via ECP CRM lead
 * profile") and keeps its id here.
 */
export const ecpLeads = pgTable(
  'ecp_leads',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    locationId: integer('location_id').notNull().references(() => ecpLocations.id),
    guid: text('guid').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    contactName: text('contact_name'),
    contactPhone: text('contact_phone'),
    contactEmail: text('contact_email'),
    desiredMoveInDate: date('desired_move_in_date', { mode: 'string' }),
    source: text('source'),
    status: text('status').notNull().default('New'),
    notes: text('notes'),
    residentId: integer('resident_id').references(() => ecpResidents.id),
    /** That resident's GUID. */
    residentGuid: text('resident_guid'),
    convertedAt: ts('converted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('ecp_leads_guid_key').on(t.guid), index('ecp_leads_location_idx').on(t.organizationId, t.locationId, t.status)],
);

/**
 * FHIR Bulk Data exports (`/fhir/R4/$export`, owned by `src/fhir/export/`): who asked (the partner client, its
 * company, the token's scopes, where from), what (level `system` / `patient` / `group` with the group's location,
 * the resource types, `_since`, the `patient` list), the job's state and progress, and when done the NDJSON files
 * (`stored_files` ids, one per type, with their resource counts) until `expires_at`. `public_id` names it in the
 * status and file URLs.
 */
export const fhirExports = pgTable(
  'fhir_exports',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    publicId: text('public_id').notNull(),
    clientId: text('client_id').notNull(),
    scopes: text('scopes').array().notNull(),
    level: text('level').notNull(),
    groupLocationId: integer('group_location_id').references(() => ecpLocations.id),
    types: text('types').array().notNull(),
    since: ts('since'),
    /** The `patient` parameter (POST kick-off): upper-case `residentId`s the export is narrowed to; null exports every patient it reaches. */
    patients: text('patients').array(),
    requestUrl: text('request_url').notNull(),
    /** `queued`, `running`, `completed` or `failed`; a cancelled export is deleted. */
    status: text('status').notNull().default('queued'),
    progress: text('progress'),
    /** `[{type, fileId, count}]` once completed. */
    output: jsonb('output'),
    error: text('error'),
    ip: text('ip'),
    requestId: text('request_id'),
    /** The manifest's `transactionTime`: resources changed after it are not in the export. */
    transactionTime: ts('transaction_time').notNull(),
    completedAt: ts('completed_at'),
    expiresAt: ts('expires_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('fhir_exports_public_id_key').on(t.publicId), index('fhir_exports_expires_idx').on(t.expiresAt)],
);
