/**
 * The platform's tables: organizations and their numbers, login users and their tokens, rate limits, the audit
 * trail, idempotency keys, stored files and signing keys, sandbox messages. ECM and ECP tables reference these.
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, inet, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { bytea, createdAt, ts, updatedAt } from './columns.ts';

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
    /** ECM: the day of the month (1-28, clinic's time zone) the monthly job generates last month's PRTF files. */
    reportingDay: integer('reporting_day').notNull().default(10),
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
