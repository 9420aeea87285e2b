/**
 * The ECM clinic family's tables: members (patients) and their eligibility, case loads, authorizations and status
 * history, communications, activities and ECM events, PRTF reports and file imports.
 */
import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, serial, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, ts, updatedAt } from './columns.ts';
import { organizations, storedFiles, users } from './platform.ts';

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
    /** Null: nobody yet (an inbound SMS from a member without an outreach lead care manager). */
    assignedToId: integer('assigned_to_id').references(() => users.id),
    parentId: integer('parent_id'),
    blockedById: integer('blocked_by_id'),
    blockingId: integer('blocking_id'),
    voiceCallId: integer('voice_call_id').references(() => voiceCalls.id),
    textMessageId: integer('text_message_id').references(() => textMessages.id),
    /** `meeting` activities: `care_conference` for a care conference (RTF "Date of Most Recent Care Conference"). */
    meetingKind: text('meeting_kind'),
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
    // The PRTF's "Date of Most Recent Care Conference": the clinic's care conferences without reading its activities.
    index('activities_care_conference_idx').on(t.organizationId, t.patientId, t.occurredAt)
      .where(sql`${t.meetingKind} = 'care_conference' AND ${t.deletedAt} IS NULL`),
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
    /** The RTF layout version the file follows (`RTF_LAYOUTS` in src/ecm/prtf/columns.ts). */
    layoutVersion: text('layout_version').notNull().default('rtf-2023'),
    /** The plan the file is for (members whose eligibility `mcp_id` is this); null: every member of the clinic. */
    mcpId: text('mcp_id'),
    /** Reports generated together for every plan share a batch id. */
    batchId: uuid('batch_id'),
    /** Marked submitted to the plan by an admin: the day and who. */
    submittedOn: date('submitted_on', { mode: 'string' }),
    submittedByUserId: integer('submitted_by_user_id').references(() => users.id),
    /** The report's Outreach Tracker File (same period, plan and format). */
    otfFileId: integer('otf_file_id').references(() => storedFiles.id),
    /**
     * No longer written: reports made before the validation list moved to `prtf_report_members.problems` had it here
     * (`[{patient_id, member_id, problems}]`); the migration that moved it left `[]`. Drop in a later migration.
     */
    validation: jsonb('validation').notNull().default(sql`'[]'::jsonb`),
    /** How many of the report's members have required fields empty or invalid (`prtf_report_members.problems`). */
    membersWithProblems: integer('members_with_problems').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index('prtf_reports_org_idx').on(t.organizationId, t.createdAt),
    index('prtf_reports_submitted_idx').on(t.organizationId, t.mcpId, t.submittedOn).where(sql`${t.submittedOn} IS NOT NULL`),
  ],
);

/**
 * What each report said of a member's address and phone, as SHA-256 digests (no PHI copy): the next report for the
 * plan compares with the last submitted one for its New Address / New Phone Number indicators.
 */
export const prtfReportMembers = pgTable(
  'prtf_report_members',
  {
    reportId: integer('report_id').notNull().references(() => prtfReports.id),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    addressDigest: text('address_digest').notNull(),
    phoneDigest: text('phone_digest').notNull(),
    /** The member's required fields empty or invalid at generation (sentences, `validationProblems`); null: none. */
    problems: jsonb('problems'),
    /** The member id the validation list shows (set with `problems`). */
    memberId: text('member_id'),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.patientId] })],
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

/** A member's attributes for DHCS reporting that are not eligibility: homelessness (one row per member, when set). */
export const ecmMemberAttributes = pgTable('ecm_member_attributes', {
  patientId: integer('patient_id').primaryKey().references(() => patients.id),
  organizationId: integer('organization_id').notNull().references(() => organizations.id),
  /** Null: not known. */
  homeless: boolean('homeless'),
  updatedAt: updatedAt(),
});

/** A member's ECM Populations of Focus (several per member), keys of `src/ecm/reporting/dhcs-values.ts`. */
export const ecmMemberPopulations = pgTable(
  'ecm_member_populations',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    population: text('population').notNull(),
    /** `staff` or `mif`. */
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ecm_member_populations_patient_key').on(t.patientId, t.population), index('ecm_member_populations_org_idx').on(t.organizationId)],
);

/** Revisions of a member's care plan: date, author, summary. */
export const ecmCarePlanRevisions = pgTable(
  'ecm_care_plan_revisions',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    revisedOn: date('revised_on', { mode: 'string' }).notNull(),
    authorUserId: integer('author_user_id').notNull().references(() => users.id),
    summary: text('summary').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('ecm_care_plan_revisions_patient_idx').on(t.organizationId, t.patientId, t.revisedOn)],
);

/** A member's assessments: started, completed, by whom. */
export const ecmAssessments = pgTable(
  'ecm_assessments',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    title: text('title'),
    startedOn: date('started_on', { mode: 'string' }).notNull(),
    completedOn: date('completed_on', { mode: 'string' }),
    assessedByUserId: integer('assessed_by_user_id').notNull().references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('ecm_assessments_patient_idx').on(t.organizationId, t.patientId, t.startedOn)],
);

/** Ends of a member's ECM: date, the plan's reason code, the reason in words. The latest one may be in force. */
export const ecmDiscontinuations = pgTable(
  'ecm_discontinuations',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    discontinuedOn: date('discontinued_on', { mode: 'string' }).notNull(),
    reasonCode: text('reason_code').notNull(),
    reason: text('reason').notNull(),
    recordedByUserId: integer('recorded_by_user_id').references(() => users.id),
    /** The status-history entry it wrote. */
    statusHistoryId: integer('status_history_id').notNull().references(() => ecmStatusHistories.id),
    createdAt: createdAt(),
  },
  (t) => [index('ecm_discontinuations_patient_idx').on(t.organizationId, t.patientId, t.id)],
);

/** Closed-loop referrals of a member (received from the plan or another referring entity), with their current status. */
export const ecmReferrals = pgTable(
  'ecm_referrals',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    patientId: integer('patient_id').notNull().references(() => patients.id),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    /** The referring entity (the plan, a hospital, a clinic, ...). */
    source: text('source').notNull(),
    /** The service referred to (ECM or a Community Support). */
    service: text('service').notNull(),
    status: text('status').notNull(),
    statusDate: date('status_date', { mode: 'string' }).notNull(),
    loopClosureReason: text('loop_closure_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('ecm_referrals_patient_idx').on(t.organizationId, t.patientId, t.receivedOn)],
);

/** Every status a referral went through, with its date (the CLR "Date of Referral Status Update"). */
export const ecmReferralStatusChanges = pgTable(
  'ecm_referral_status_changes',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id').notNull().references(() => organizations.id),
    referralId: integer('referral_id').notNull().references(() => ecmReferrals.id),
    status: text('status').notNull(),
    statusDate: date('status_date', { mode: 'string' }).notNull(),
    loopClosureReason: text('loop_closure_reason'),
    changedByUserId: integer('changed_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('ecm_referral_status_changes_referral_idx').on(t.referralId, t.id)],
);
