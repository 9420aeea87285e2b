/**
 * The Drizzle schema: every table of the platform. drizzle-kit generates the SQL
 * migrations in `migrations/` from this file (`npm run db:generate`); migrations
 * are never edited once landed.
 *
 * Every tenant-owned table carries `organization_id` (ARCHITECTURE.md, "Processes
 * and scale"); timestamps are `timestamptz` (UTC), dates are `date` read as
 * `YYYY-MM-DD` strings.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  index,
  inet,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });
const createdAt = () => ts('created_at').notNull().defaultNow();
const updatedAt = () => ts('updated_at').notNull().defaultNow();

/** An ECM clinic or an ECP company, with its settings (ARCHITECTURE.md, "Organization settings"). */
export const organizations = pgTable(
  'organizations',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind').notNull().default('ecm_clinic'),
    npi: text('npi'),
    tin: text('tin'),
    phone: text('phone'),
    timeZone: text('time_zone').notNull().default('America/Los_Angeles'),
    mcpId: text('mcp_id'),
    mcpName: text('mcp_name'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('organizations_name_key').on(t.name)],
);

/**
 * The Twilio numbers of an organization, in order (the first is the one it sends from). The number is the
 * primary key, so a number belongs to at most one organization and an inbound webhook's `To` finds exactly one.
 */
export const organizationPhoneNumbers = pgTable(
  'organization_phone_numbers',
  {
    number: text('number').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    position: integer('position').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('organization_phone_numbers_organization_id_position_key').on(t.organizationId, t.position)],
);

/** Login users of a clinic (roles admin, care_coordinator, provider). */
export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    role: text('role').notNull(),
    active: boolean('active').notNull().default(true),
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    index('users_organization_id_idx').on(t.organizationId, t.role),
  ],
);

/** Sign-in tokens (`X-User-Token`), stored only as SHA-256 hashes. */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id').notNull().references(() => users.id),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('auth_tokens_token_hash_key').on(t.tokenHash), index('auth_tokens_user_id_idx').on(t.userId)],
);

/** Fixed-window counters (sign-in throttling); kept in Postgres so every process shares them. */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: ts('window_start').notNull(),
  count: integer('count').notNull(),
});

/** One row per request that read or changed PHI (FHIR AuditEvent; HIPAA 164.312(b)). */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityIds: text('entity_ids').array().notNull(),
    ip: inet('ip'),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_events_org_created_idx').on(t.organizationId, t.createdAt),
    index('audit_events_entity_idx').using('gin', t.entityIds),
  ],
);

/** ECM members (patients) of a clinic. */
export const patients = pgTable(
  'patients',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    gender: text('gender'),
    phone: text('phone'),
    email: text('email'),
    addressStreet: text('address_street'),
    addressCity: text('address_city'),
    addressState: text('address_state'),
    addressZip: text('address_zip'),
    services: text('services').array().notNull().default(sql`'{ecm}'::text[]`),
    activitiesCount: integer('activities_count').notNull().default(0),
    lastActivityAt: ts('last_activity_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('patients_org_name_idx').on(t.organizationId, t.lastName, t.firstName, t.id),
    index('patients_name_trgm_idx').using('gin', sql`(${t.firstName} || ' ' || ${t.lastName}) gin_trgm_ops`),
    index('patients_org_created_idx').on(t.organizationId, t.createdAt),
    index('patients_org_phone_idx').on(t.organizationId, t.phone),
  ],
);

/** ECM eligibility of a member (one per patient), as the plan's Member Information File gives it. */
export const ecmEligibilityInformations = pgTable(
  'ecm_eligibility_informations',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    memberId: text('member_id').notNull(),
    cin: text('cin'),
    ecmServiceAuthId: text('ecm_service_auth_id'),
    ecmProviderName: text('ecm_provider_name'),
    ecmNpi: text('ecm_npi'),
    /** The member's managed-care plan (MIF MCP_ID, MCP_NAME); the clinic's settings when absent. */
    mcpId: text('mcp_id'),
    mcpName: text('mcp_name'),
    ecmBenefitAuthEffDate: date('ecm_benefit_auth_eff_date', { mode: 'string' }),
    ecmBenefitAuthEndDate: date('ecm_benefit_auth_end_date', { mode: 'string' }),
    acuityLevel: text('acuity_level'),
    memberRecordStatus: text('member_record_status').notNull().default('new_member'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('ecm_eligibility_patient_key').on(t.patientId),
    uniqueIndex('ecm_eligibility_org_member_id_key').on(t.organizationId, t.memberId),
    index('ecm_eligibility_member_id_trgm_idx').using('gin', sql`${t.memberId} gin_trgm_ops`),
    index('ecm_eligibility_org_status_idx').on(t.organizationId, t.memberRecordStatus, t.acuityLevel),
  ],
);

/** Who cares for a member: the provider, the outreach (OLCM) and intensive (ILCM) lead care managers. */
export const caseLoads = pgTable(
  'case_loads',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    providerId: integer('provider_id').references(() => users.id),
    olcmUserId: integer('olcm_user_id').references(() => users.id),
    ilcmUserId: integer('ilcm_user_id').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('case_loads_patient_key').on(t.patientId),
    index('case_loads_provider_idx').on(t.organizationId, t.providerId),
    index('case_loads_olcm_idx').on(t.organizationId, t.olcmUserId),
    index('case_loads_ilcm_idx').on(t.organizationId, t.ilcmUserId),
  ],
);

/** ECM service authorizations from the plan. */
export const ecmAuthorizations = pgTable(
  'ecm_authorizations',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    authNo: text('auth_no').notNull(),
    authType: text('auth_type'),
    authorizationType: text('authorization_type'),
    status: text('status').notNull(),
    startDate: date('start_date', { mode: 'string' }),
    expirationDate: date('expiration_date', { mode: 'string' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('ecm_authorizations_org_auth_no_key').on(t.organizationId, t.authNo),
    index('ecm_authorizations_patient_idx').on(t.patientId, t.status),
  ],
);

/** Every change of a member's `member_record_status`, with who or what changed it. */
export const ecmStatusHistories = pgTable(
  'ecm_status_histories',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    status: text('status').notNull(),
    changedAt: ts('changed_at').notNull().defaultNow(),
    changedBy: text('changed_by').notNull(),
    changedByUserId: integer('changed_by_user_id').references(() => users.id),
  },
  (t) => [index('ecm_status_histories_patient_idx').on(t.patientId, t.changedAt)],
);

/**
 * SMS to or from a member (seed 004). Created by the Communications API; `sms`
 * activities reference one of the same patient (`text_message_id`).
 */
export const textMessages = pgTable(
  'text_messages',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    direction: text('direction').notNull(),
    fromNumber: text('from_number').notNull(),
    toNumber: text('to_number').notNull(),
    body: text('body').notNull(),
    /** Twilio message status (queued, sent, delivered, undelivered, failed, received, ...) or `unknown`. */
    status: text('status').notNull(),
    twilioSid: text('twilio_sid'),
    errorCode: integer('error_code'),
    errorMessage: text('error_message'),
    sentByUserId: integer('sent_by_user_id').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('text_messages_patient_idx').on(t.patientId, t.createdAt),
    uniqueIndex('text_messages_twilio_sid_key').on(t.twilioSid),
  ],
);

/** A phone call with a member (seed 004); `call` activities reference one of the same patient (`voice_call_id`). */
export const voiceCalls = pgTable(
  'voice_calls',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    direction: text('direction').notNull(),
    fromNumber: text('from_number').notNull(),
    toNumber: text('to_number').notNull(),
    /** Twilio call status (queued, ringing, in-progress, completed, busy, no-answer, failed, canceled) or `unknown`. */
    status: text('status').notNull(),
    twilioSid: text('twilio_sid'),
    /** Seconds, as Twilio reports `CallDuration`. */
    durationSeconds: integer('duration_seconds'),
    /** True when the bridged leg completed with a duration > 0 (not voicemail). */
    memberReached: boolean('member_reached'),
    /** The `<Dial>` leg to the coordinator (outbound) or lead care manager (inbound): DialCallStatus. */
    dialStatus: text('dial_status'),
    /** DialCallDuration, seconds. */
    dialDurationSeconds: integer('dial_duration_seconds'),
    errorCode: integer('error_code'),
    errorMessage: text('error_message'),
    placedByUserId: integer('placed_by_user_id').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('voice_calls_patient_idx').on(t.patientId, t.createdAt),
    uniqueIndex('voice_calls_twilio_sid_key').on(t.twilioSid),
  ],
);

/** Everything a care team does with or for a member (seed 003). Deleting sets `deleted_at`. */
export const activities = pgTable(
  'activities',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    activityType: text('activity_type').notNull(),
    status: text('status').notNull().default('created'),
    message: text('message'),
    subject: text('subject'),
    body: text('body'),
    occurredAt: ts('occurred_at').notNull().defaultNow(),
    bookedAt: ts('booked_at'),
    dueAt: ts('due_at'),
    /** Minutes. */
    duration: integer('duration'),
    modality: text('modality'),
    outcome: text('outcome'),
    emailTo: text('email_to'),
    emailAttachments: text('email_attachments').array().notNull().default(sql`'{}'::text[]`),
    emailStatus: text('email_status'),
    emailError: text('email_error'),
    emailAttempts: integer('email_attempts').notNull().default(0),
    emailSentAt: ts('email_sent_at'),
    transcript: text('transcript'),
    performedById: integer('performed_by_id').references(() => users.id),
    assignedToId: integer('assigned_to_id').notNull().references(() => users.id),
    parentId: integer('parent_id'),
    blockedById: integer('blocked_by_id'),
    blockingId: integer('blocking_id'),
    voiceCallId: integer('voice_call_id').references(() => voiceCalls.id),
    textMessageId: integer('text_message_id').references(() => textMessages.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    index('activities_patient_idx').on(t.patientId, t.createdAt.desc(), t.id.desc()).where(sql`${t.deletedAt} IS NULL`),
    index('activities_org_assignee_idx').on(t.organizationId, t.assignedToId, t.status).where(sql`${t.deletedAt} IS NULL`),
    index('activities_org_created_idx').on(t.organizationId, t.createdAt.desc(), t.id.desc()).where(sql`${t.deletedAt} IS NULL`),
    index('activities_parent_idx').on(t.parentId).where(sql`${t.parentId} IS NOT NULL`),
    index('activities_text_message_idx').on(t.textMessageId).where(sql`${t.textMessageId} IS NOT NULL`),
    index('activities_voice_call_idx').on(t.voiceCallId).where(sql`${t.voiceCallId} IS NOT NULL`),
  ],
);

/** Comments on an activity. */
export const activityComments = pgTable(
  'activity_comments',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    activityId: integer('activity_id').notNull().references(() => activities.id),
    userId: integer('user_id').notNull().references(() => users.id),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('activity_comments_activity_idx').on(t.activityId, t.createdAt)],
);

/** ECM events (seed 002): one per activity that makes one, with its single PRTF category. */
export const ecmEvents = pgTable(
  'ecm_events',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    activityId: integer('activity_id').notNull().references(() => activities.id),
    eventType: text('event_type').notNull(),
    status: text('status').notNull(),
    occurredAt: ts('occurred_at').notNull(),
    subject: text('subject'),
    body: text('body'),
    /** Minutes. */
    duration: integer('duration'),
    /** telehealth_encounter, in_person_encounter, telehealth_outreach, in_person_outreach, or null. */
    prtfCategory: text('prtf_category'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('ecm_events_activity_key').on(t.activityId),
    index('ecm_events_patient_idx').on(t.patientId, t.occurredAt.desc(), t.id.desc()),
    // Covers the counts: an index-only scan of a clinic's month.
    index('ecm_events_org_occurred_idx').on(t.organizationId, t.occurredAt, t.eventType, t.prtfCategory).where(sql`${t.status} <> 'cancelled'`),
  ],
);

/** What the sandbox providers would have sent (no SMTP or Twilio configured); never used in production. */
export const sandboxMessages = pgTable(
  'sandbox_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    channel: text('channel').notNull(),
    toAddress: text('to_address').notNull(),
    fromAddress: text('from_address'),
    subject: text('subject'),
    body: text('body'),
    metadata: jsonb('metadata').notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [index('sandbox_messages_org_idx').on(t.organizationId, t.createdAt)],
);

/**
 * SMS opt-outs, per pair of (clinic number, member phone) as carriers and Twilio keep them: a number that
 * texted STOP (or that Twilio refused with 21610) gets no SMS from that clinic number until it texts START.
 */
export const smsOptOuts = pgTable(
  'sms_opt_outs',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    clinicNumber: text('clinic_number').notNull(),
    memberPhone: text('member_phone').notNull(),
    /** `keyword` (STOP, ...) or `twilio_21610`. */
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('sms_opt_outs_pair_key').on(t.clinicNumber, t.memberPhone)],
);

/** Inbound SMS and calls whose sender matched no member, or several: kept for an admin to assign, never dropped. */
export const unmatchedCommunications = pgTable(
  'unmatched_communications',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    channel: text('channel').notNull(),
    fromNumber: text('from_number').notNull(),
    toNumber: text('to_number').notNull(),
    body: text('body'),
    twilioSid: text('twilio_sid').notNull(),
    /** Ids of the members sharing the sender's number (empty: nobody has it). */
    candidatePatientIds: integer('candidate_patient_ids').array().notNull().default(sql`'{}'::int[]`),
    receivedAt: ts('received_at').notNull().defaultNow(),
    assignedPatientId: integer('assigned_patient_id').references(() => patients.id),
    assignedAt: ts('assigned_at'),
    assignedByUserId: integer('assigned_by_user_id').references(() => users.id),
    activityId: integer('activity_id').references(() => activities.id),
  },
  (t) => [
    uniqueIndex('unmatched_communications_sid_key').on(t.twilioSid),
    index('unmatched_communications_open_idx').on(t.organizationId, t.receivedAt).where(sql`${t.assignedPatientId} IS NULL`),
  ],
);

/**
 * Idempotency keys of POSTs that send (ARCHITECTURE.md, "Reliability"): the first response is stored and
 * replayed for a retried request with the same key; kept in Postgres so every API process sees them.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** Null while the first request is still running. */
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('idempotency_keys_scope_key').on(t.organizationId, t.scope, t.key)],
);

/**
 * Files the platform produces or receives (PRTF reports, imported files), stored in Postgres in chunks
 * behind the storage interface (`platform/storage.ts`), so no file lives on one API host and a large file is
 * written and read with flat memory.
 */
export const storedFiles = pgTable(
  'stored_files',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    /** Random, unguessable id used in download URLs (never the serial id). */
    publicId: text('public_id').notNull(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull().default(0),
    sha256: text('sha256'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('stored_files_public_id_key').on(t.publicId)],
);

/** The content of a stored file, in order. */
export const storedFileChunks = pgTable(
  'stored_file_chunks',
  {
    fileId: integer('file_id').notNull().references(() => storedFiles.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.seq] })],
);

/** Keys that sign download URLs; generated on first use and kept in Postgres (no state on one host). */
export const signingKeys = pgTable('signing_keys', {
  name: text('name').primaryKey(),
  secret: text('secret').notNull(),
  createdAt: createdAt(),
});

/** PRTF reports (the DHCS ECM return transmission file) generated for a clinic. */
export const prtfReports = pgTable(
  'prtf_reports',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    filename: text('filename').notNull(),
    format: text('format').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }).notNull(),
    providerNpi: text('provider_npi'),
    providerName: text('provider_name'),
    providerPhone: text('provider_phone'),
    patientCount: integer('patient_count').notNull(),
    fileId: integer('file_id').notNull().references(() => storedFiles.id),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('prtf_reports_org_idx').on(t.organizationId, t.createdAt)],
);

/** Member Information File imports: what each file created, updated and rejected. */
export const mifImports = pgTable(
  'mif_imports',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    source: text('source').notNull(),
    fileType: text('file_type').notNull(),
    filename: text('filename'),
    createdCount: integer('created_count').notNull().default(0),
    updatedCount: integer('updated_count').notNull().default(0),
    rejectedCount: integer('rejected_count').notNull().default(0),
    /** `[{row, member_id, messages}]`. */
    errors: jsonb('errors').notNull().default(sql`'[]'::jsonb`),
    unknownColumns: text('unknown_columns').array().notNull().default(sql`'{}'::text[]`),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('mif_imports_org_idx').on(t.organizationId, t.createdAt)],
);

/** Authorization file imports. */
export const authorizationFiles = pgTable(
  'authorization_files',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    source: text('source').notNull(),
    fileType: text('file_type').notNull(),
    filename: text('filename'),
    importedCount: integer('imported_count').notNull().default(0),
    updatedCount: integer('updated_count').notNull().default(0),
    rejectedCount: integer('rejected_count').notNull().default(0),
    /** `[{row, messages}]`. */
    errors: jsonb('errors').notNull().default(sql`'[]'::jsonb`),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('authorization_files_org_idx').on(t.organizationId, t.createdAt)],
);

/** ECP: a senior-living company's locations (communities); `guid` is the `locationId` on the wire. */
export const ecpLocations = pgTable(
  'ecp_locations',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    guid: text('guid').notNull(),
    name: text('name').notNull(),
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
    livingWill: boolean('living_will'),
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

/** ECP resident contacts (seed 000 "POST resident/contact"); `guid` is the `contactId` on the wire. */
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
    notes: text('notes'),
    phone: text('phone'),
    phoneCell: text('phone_cell'),
    phoneWork: text('phone_work'),
    preferredContactMethod: text('preferred_contact_method'),
    preferredContactTime: text('preferred_contact_time'),
    relationship: text('relationship'),
    billingContact: boolean('billing_contact').notNull().default(false),
    healthCarePoa: boolean('health_care_poa').notNull().default(false),
    healthCarePoaActivated: boolean('health_care_poa_activated').notNull().default(false),
    primaryContact: boolean('primary_contact').notNull().default(false),
    providesProducts: boolean('provides_products').notNull().default(false),
    stateAppointedGuardian: boolean('state_appointed_guardian').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [uniqueIndex('ecp_contacts_guid_key').on(t.guid)],
);

/** Which residents a contact belongs to (the webhook contact object's `residents` array). */
export const ecpContactResidents = pgTable(
  'ecp_contact_residents',
  {
    contactId: integer('contact_id').notNull().references(() => ecpContacts.id),
    residentId: integer('resident_id').notNull().references(() => ecpResidents.id),
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
    vitalType: text('vital_type').notNull(),
    value: numeric('value', { precision: 8, scale: 2, mode: 'number' }).notNull(),
    value2: numeric('value2', { precision: 8, scale: 2, mode: 'number' }),
    recordedAt: ts('recorded_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ecp_vitals_location_type_time_idx').on(t.locationId, t.vitalType, t.recordedAt, t.id)],
);

/** A resident's documented allergies (seed 000 "POST/GET resident/allergy"), one row per allergy, unique case-insensitively. */
export const ecpAllergies = pgTable(
  'ecp_allergies',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    residentId: integer('resident_id').notNull().references(() => ecpResidents.id),
    allergy: text('allergy').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ecp_allergies_resident_allergy_key').on(t.residentId, sql`lower(${t.allergy})`)],
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
    code: text('code'),
    diagnosis: text('diagnosis'),
    comment: text('comment'),
    /** The fiscal year of the code set the code was checked against (null: syntax only). */
    codeSetYear: integer('code_set_year'),
    recordedAt: ts('recorded_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ecp_diagnoses_location_time_idx').on(t.locationId, t.recordedAt, t.id)],
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
 * ECP webhook subscriptions (issue 6): owned by the partner client that created them. `locationIds` (null: every
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
    // The dispatcher's retry claim (issue 8): without it, a backlog of first attempts is walked to find no retry.
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
 * Every backup the scheduled job attempted: when, where, how big, its SHA-256 and whether it succeeded
 * (`/readyz` reports the age of the newest good one). Not tenant-owned: a backup holds every organization.
 */
export const backups = pgTable('backups', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
  /** `succeeded` or `failed`. */
  outcome: text('outcome').notNull(),
  file: text('file').notNull(),
  bytes: bigint('bytes', { mode: 'number' }),
  sha256: text('sha256'),
  tables: integer('tables'),
  rows: bigint('rows', { mode: 'number' }),
  /** Why it failed (no PHI: file-system and database messages). */
  error: text('error'),
}, (t) => [index('backups_outcome_finished_idx').on(t.outcome, t.finishedAt)]);
