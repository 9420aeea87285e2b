/**
 * `buildApp(deps)`: the Fastify application — infrastructure first (logger,
 * JSON parser, OpenAPI, health), then the API families, each with its own auth
 * hook and error shape (ARCHITECTURE.md, "Layout"; STYLE.md rule 1).
 * Building the app has no side effects beyond the returned instance.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import { sql } from 'drizzle-orm';
import type { Config } from './config.ts';
import type { Db } from './db/pool.ts';
import { adminAccountRoutes, sessionRoutes, signInRoutes } from './ecm/account/routes.ts';
import { authenticateUser, requireAdmin, useEcmErrors } from './ecm/http.ts';
import { adminPatientRoutes, clinicPatientRoutes } from './ecm/patients/routes.ts';
import { createPatientService } from './ecm/patients/service.ts';
import { adminImportRoutes } from './ecm/imports/routes.ts';
import { createImportService } from './ecm/imports/service.ts';
import { memberAttributeRoutes } from './ecm/member-attributes/routes.ts';
import { createMemberAttributeService } from './ecm/member-attributes/service.ts';
import { carePlanRoutes } from './ecm/care-plans/routes.ts';
import { createCarePlanService } from './ecm/care-plans/service.ts';
import { assessmentRoutes } from './ecm/assessments/routes.ts';
import { createAssessmentService } from './ecm/assessments/service.ts';
import { adminDiscontinuationRoutes, clinicDiscontinuationRoutes } from './ecm/discontinuations/routes.ts';
import { createDiscontinuationService } from './ecm/discontinuations/service.ts';
import { referralRoutes } from './ecm/referrals/routes.ts';
import { createReferralService } from './ecm/referrals/service.ts';
import { activityRoutes } from './ecm/activities/routes.ts';
import { createActivityService } from './ecm/activities/service.ts';
import { eventRoutes } from './ecm/events/routes.ts';
import { createEventService } from './ecm/events/service.ts';
import { createSandboxService, sandboxRoutes } from './ecm/communications/sandbox.ts';
import { adminCommunicationRoutes, communicationRoutes, twilioWebhookRoutes } from './ecm/communications/routes.ts';
import { createCommunicationRecordReader, createCommunicationsService } from './ecm/communications/service.ts';
import type { Telephony } from './platform/telephony.ts';
import { downloadRoutes, prtfRoutes } from './ecm/prtf/routes.ts';
import { createPrtfService } from './ecm/prtf/service.ts';
import { createPartnerClientService } from './ecp/clients/service.ts';
import { createLocationService } from './ecp/locations/service.ts';
import { createOAuthService } from './ecp/oauth/service.ts';
import { tokenRoutes } from './ecp/oauth/routes.ts';
import { createResidentService } from './ecp/residents/service.ts';
import { createContactService } from './ecp/contacts/service.ts';
import { clinicalRoutes } from './ecp/routes.ts';
import { webhookEmitter } from './ecp/webhooks/triggers.ts';
import { createVitalService } from './ecp/vitals/service.ts';
import { createAllergyNameReader, createAllergyService } from './ecp/allergies/service.ts';
import { createEcpUserService } from './ecp/users/service.ts';
import { createIcd10cmService } from './ecp/codes/service.ts';
import { createDiagnosisService } from './ecp/diagnoses/service.ts';
import { createWebhookService } from './ecp/webhooks/service.ts';
import { createTransferService } from './ecp/transfers/service.ts';
import { createAssessmentService as createResidentAssessmentService } from './ecp/assessments/service.ts';
import { createCommunityAuthService } from './ecp/community/service.ts';
import { createCommunityResidentService } from './ecp/community/residents.ts';
import { communityRoutes } from './ecp/community/routes.ts';
import { createCommunityVitalService } from './ecp/community/vitals.ts';
import { createCommunityAssessmentService } from './ecp/community/assessments.ts';
import { createCommunityContactService } from './ecp/community/contacts.ts';
import { createCommunityDiagnosisService } from './ecp/community/diagnoses.ts';
import { createCommunityIntegrationService } from './ecp/community/integrations-service.ts';
import { createCommunityAdminService } from './ecp/community/admin.ts';
import { createLeadService } from './ecp/leads/service.ts';
import { createDownloadSigner, createPostgresStorage } from './platform/storage.ts';
import type { Jobs } from './platform/jobs.ts';
import type { Mailer } from './platform/mail.ts';
import { createAuditService } from './platform/audit.ts';
import { instantTexts, representableDateTimes } from './platform/validation.ts';
import { apiSecurityHeaders, auditAccessDenied, genReqId, PUBLIC_SECURITY, registerJsonParser } from './platform/http.ts';
import { docsRoutes } from './docs.ts';
import { consoleRoutes } from './console.ts';
import { createIdentityService } from './platform/identity/service.ts';
import { fhirRoutes } from './fhir/routes.ts';
import { createFhirExportService } from './fhir/export/service.ts';

export interface Services {
  identity: ReturnType<typeof createIdentityService>;
  audit: ReturnType<typeof createAuditService>;
  patients: ReturnType<typeof createPatientService>;
  events: ReturnType<typeof createEventService>;
  activities: ReturnType<typeof createActivityService>;
  sandbox: ReturnType<typeof createSandboxService>;
  communications: ReturnType<typeof createCommunicationsService>;
  prtf: ReturnType<typeof createPrtfService>;
  imports: ReturnType<typeof createImportService>;
  memberAttributes: ReturnType<typeof createMemberAttributeService>;
  carePlans: ReturnType<typeof createCarePlanService>;
  assessments: ReturnType<typeof createAssessmentService>;
  discontinuations: ReturnType<typeof createDiscontinuationService>;
  referrals: ReturnType<typeof createReferralService>;
  partnerClients: ReturnType<typeof createPartnerClientService>;
  oauth: ReturnType<typeof createOAuthService>;
  locations: ReturnType<typeof createLocationService>;
  residents: ReturnType<typeof createResidentService>;
  contacts: ReturnType<typeof createContactService>;
  vitals: ReturnType<typeof createVitalService>;
  allergies: ReturnType<typeof createAllergyService>;
  ecpUsers: ReturnType<typeof createEcpUserService>;
  codes: ReturnType<typeof createIcd10cmService>;
  diagnoses: ReturnType<typeof createDiagnosisService>;
  webhooks: ReturnType<typeof createWebhookService>;
  transfers: ReturnType<typeof createTransferService>;
  residentAssessments: ReturnType<typeof createResidentAssessmentService>;
  fhirExports: ReturnType<typeof createFhirExportService>;
  communityAuth: ReturnType<typeof createCommunityAuthService>;
  communityResidents: ReturnType<typeof createCommunityResidentService>;
  communityVitals: ReturnType<typeof createCommunityVitalService>;
  communityAssessments: ReturnType<typeof createCommunityAssessmentService>;
  communityContacts: ReturnType<typeof createCommunityContactService>;
  communityDiagnoses: ReturnType<typeof createCommunityDiagnosisService>;
  communityIntegrations: ReturnType<typeof createCommunityIntegrationService>;
  communityAdmin: ReturnType<typeof createCommunityAdminService>;
  leads: ReturnType<typeof createLeadService>;
  telephony: Telephony;
}

export interface ServiceDeps {
  db: Db;
  config: Config;
  /** pg-boss; `send` enqueues inside a transaction. */
  jobs: Pick<Jobs, 'send'>;
  mailer: Mailer;
  /** Twilio, or the sandbox provider. */
  telephony: Telephony;
  clock?: () => Date;
}

/**
 * Wires every service with its explicit dependencies (STYLE.md rule 4): each gets the services it calls and
 * the configuration values it reads, never the whole `Config` (docs/decisions.md, "Import boundaries").
 */
export function createServices({ db, config, jobs, mailer, telephony, clock }: ServiceDeps): Services {
  // One session policy for both X-User-Token doors (clinic and community workspace).
  const sessionPolicy = {
    sessionIdleTimeoutMinutes: config.sessionIdleTimeoutMinutes,
    sessionMaxAgeHours: config.sessionMaxAgeHours,
    signInAccountLimit: config.signInAccountLimit,
    signInIpLimit: config.signInIpLimit,
    signInWindowMinutes: config.signInWindowMinutes,
  };
  const identity = createIdentityService({ db, policy: sessionPolicy, clock });
  const partnerClients = createPartnerClientService({ db, identity });
  const locations = createLocationService();
  const patients = createPatientService({ db });
  const codes = createIcd10cmService({ db, archiveLimits: config.archiveLimits, clock });
  const events = createEventService({ db, patients });
  const memberAttributes = createMemberAttributeService({ db, patients });
  const discontinuations = createDiscontinuationService({ db, patients });
  const mail = {
    attachmentHosts: config.mailAttachmentHosts,
    allowPrivateUrls: config.outboundAllowPrivateUrls,
    attachmentMaxBytes: config.mailAttachmentMaxBytes,
    retryLimit: config.mailRetryLimit,
    retryDelaySeconds: config.mailRetryDelaySeconds,
    fetchTimeoutMs: config.smtpTimeoutMs,
  };
  const activities = createActivityService({ db, mail, jobs, mailer, patients, events, communications: createCommunicationRecordReader(), clock });
  const delivery = {
    webhookAllowPrivateUrls: config.outboundAllowPrivateUrls,
    webhookRetrySchedule: config.webhookRetrySchedule,
    webhookTimeoutMs: config.webhookTimeoutMs,
    logLevel: config.logLevel,
    jobsPollSeconds: config.jobsPollSeconds,
  };
  const webhooks = createWebhookService({ db, delivery, clock });
  // Every ECP change reports its webhook event to the outbox in its own transaction.
  const emit = webhookEmitter((tx, event) => webhooks.recordWebhookEvent(tx, event));
  const contacts = createContactService({ db, locations, emit, clock });
  const diagnoses = createDiagnosisService({ db, locations, codes, clock });
  const residents = createResidentService({ db, locations, allergyNames: createAllergyNameReader({ db }), emit, clock });
  const allergies = createAllergyService({ db, locations, emit });
  const vitals = createVitalService({ db, locations, clock });
  const residentAssessments = createResidentAssessmentService({ db, residents, locations, clock });
  const audit = createAuditService({ db });
  const ecpUsers = createEcpUserService({ db, locations, emit, clock });
  const communityAuth = createCommunityAuthService({ db, policy: sessionPolicy, companyGuid: webhooks.companyGuid, clock });
  const transfers = createTransferService({ db, contacts, emit, clock });
  return {
    identity,
    audit,
    patients,
    events,
    activities,
    sandbox: createSandboxService({ db }),
    communications: createCommunicationsService({
      db, publicUrl: config.publicUrl, reconcileDelaySeconds: config.twilioReconcileDelaySeconds, telephony, jobs, patients, activities, identity, clock,
    }),
    imports: createImportService({
      db, urlHosts: config.importUrlHosts, dataDir: config.dataDir, archiveLimits: config.archiveLimits, identity, patients, memberAttributes, discontinuations, clock,
    }),
    memberAttributes,
    carePlans: createCarePlanService({ db, patients }),
    assessments: createAssessmentService({ db, patients }),
    discontinuations,
    referrals: createReferralService({ db, patients }),
    partnerClients,
    oauth: createOAuthService({ db, clients: partnerClients, jwtSecret: config.ecpJwtSecret, tokenUrl: `${config.publicUrl}/token`, clock }),
    locations,
    residents,
    contacts,
    communityAuth,
    communityResidents: createCommunityResidentService({ residents, allergies }),
    vitals,
    communityVitals: createCommunityVitalService({ residents, vitals, clock }),
    communityAssessments: createCommunityAssessmentService({ residents, residentAssessments }),
    communityContacts: createCommunityContactService({ residents, contacts }),
    communityDiagnoses: createCommunityDiagnosisService({ residents, diagnoses, codes }),
    communityIntegrations: createCommunityIntegrationService({
      partnerClients, webhooks, audit, companyTimeZone: async (id) => (await identity.getOrganization(id)).timeZone,
    }),
    communityAdmin: createCommunityAdminService({ db, users: ecpUsers, auth: communityAuth, partnerClients, residents, transfers, companyGuid: webhooks.companyGuid }),
    leads: createLeadService({ db, residents, clock }),
    allergies,
    ecpUsers,
    codes,
    diagnoses,
    webhooks,
    transfers,
    residentAssessments,
    prtf: createPrtfService({ db, identity, mailer, jobs, mailRetry: { limit: config.mailRetryLimit, delaySeconds: config.mailRetryDelaySeconds }, storage: createPostgresStorage(), signer: createDownloadSigner({ db, publicUrl: config.publicUrl }), clock }),
    fhirExports: createFhirExportService({
      db, jobs, storage: createPostgresStorage(), partnerClients, residents, vitals, allergies, diagnoses,
      baseUrl: `${config.publicUrl}/fhir/R4`, ttlHours: config.fhirExportTtlHours, clock,
    }),
    telephony,
  };
}

export interface AppDeps {
  config: Config;
  db: Db;
  services: Services;
  /** Resolves when the database answers; `/readyz` uses it. */
  ping?: () => Promise<void>;
  /** Finish time of the newest good scheduled backup (`/readyz` reports its age); omitted: backups are not scheduled. */
  newestBackup?: () => Promise<Date | undefined>;
  /** The process's pino logger (redaction configured by `loggerOptions`); omitted: no request logs. */
  loggerInstance?: FastifyBaseLogger;
}

/** Builds the HTTP application (not listening). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db, services } = deps;
  const app = Fastify({
    ...(deps.loggerInstance ? { loggerInstance: deps.loggerInstance } : { logger: false }),
    genReqId,
    requestIdHeader: false,
    return503OnClosing: true,
    ajv: {
      customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: true, useDefaults: true },
      onCreate: (ajv: unknown) => {
        representableDateTimes(ajv as Parameters<typeof representableDateTimes>[0]);
        instantTexts(ajv as Parameters<typeof instantTexts>[0]);
      },
    },
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 10 * 1024 * 1024,
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onSend', auditAccessDenied(services.audit.record));
  // HSTS only where browsers reach this server over https; no CSP here (the console and /docs set their own).
  const https = config.publicUrl.startsWith('https:');
  await app.register(helmet, apiSecurityHeaders(https));
  registerJsonParser(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Care Platform API',
        // The version of the API contract, not of the package: it changes when the wire does.
        version: '0.1.0',
        description:
          'ECM clinic API (members, activities, events, communications, PRTF) and ECP partner API. ' +
          'ECM endpoints authenticate with `X-User-Token` (from `POST /v1/auth/sign_in`) and answer errors as `{"errors": [...]}`.',
        // The repository grants no license (package.json is private, there is no LICENSE file): docs/decisions.md.
        license: { name: 'Proprietary: all rights reserved', identifier: 'LicenseRef-Proprietary' },
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          UserToken: { type: 'apiKey', in: 'header', name: 'X-User-Token', description: 'Token from POST /v1/auth/sign_in.' },
          PartnerBearer: { type: 'apiKey', in: 'header', name: 'auth-bearer', description: '"Bearer <access_token from POST /token>".' },
          PartnerApiKey: { type: 'apiKey', in: 'header', name: 'authorization', description: '"Api-Key <key of the same partner client>".' },
          FhirBearer: {
            type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
            description: '/fhir/R4 only: "Authorization: Bearer <access_token from POST /token>" (no Api-Key). The scope named is the one the resource needs (or system/<Resource>.rs).',
          },
          ClientBasic: {
            type: 'http', scheme: 'basic',
            description: 'POST /token only: client_id and the raw client secret as HTTP Basic (RFC 6749 section 2.3.1), instead of client_id and client_secret in the body.',
          },
          TwilioSignature: {
            type: 'apiKey', in: 'header', name: 'X-Twilio-Signature',
            description: 'Set by Twilio on the webhooks it calls, not by API clients: base64 HMAC-SHA1, keyed with TWILIO_AUTH_TOKEN, of PUBLIC_URL + path + query '
              + 'followed by every posted parameter sorted by name (name, then value), as Twilio\'s request validation defines it. A missing or wrong signature is 403 and nothing is stored.',
          },
          CommunityUserToken: { type: 'apiKey', in: 'header', name: 'X-User-Token', description: 'Token from POST /v1/community/auth/sign_in (community workspace).' },
        },
      },
    },
  });

  const ping = deps.ping ?? (async () => void (await db.execute(sql`SELECT 1`)));
  app.get('/healthz', { schema: { tags: ['Operations'], operationId: 'getLiveness', summary: 'Process is alive', security: PUBLIC_SECURITY } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['Operations'], operationId: 'getReadiness', summary: 'Database is reachable (503 otherwise)', security: PUBLIC_SECURITY } }, async (req, reply) => {
    try {
      await Promise.race([ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
    // Ready either way; the detail says which ICD-10-CM years diagnoses are checked against, and warns when none is
    // loaded or the newest is older than the fiscal year in effect.
    const codeSets = await services.codes.status().catch(() => undefined);
    // Scheduled backups: how old the newest good one is, the recovery point if the disk failed now.
    const newest = deps.newestBackup ? await deps.newestBackup().catch(() => undefined) : undefined;
    const backup = deps.newestBackup
      ? { backup: newest ? { newest_at: newest.toISOString(), age_seconds: Math.round((Date.now() - newest.getTime()) / 1000) } : { newest_at: null, age_seconds: null } }
      : {};
    const icd10cm = codeSets ? { icd10cm: { fiscal_years: codeSets.fiscalYears, current_fiscal_year: codeSets.currentFiscalYear } } : {};
    return { status: 'ready', ...icd10cm, ...(codeSets?.warning ? { checks: { icd10cm: codeSets.warning } } : {}), ...backup };
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(docsRoutes, { openApiUrl: '/openapi.json', title: 'Care Platform API', publicUrl: config.publicUrl });

  // ECM family: everything under /v1 shares the error shape; all but sign-in need X-User-Token.
  // Each route plugin is given the services it calls, by name (docs/decisions.md, "Import boundaries").
  const { identity, audit, patients, activities, events, sandbox, communications, imports, prtf, telephony } = services;
  await app.register(async (v1) => {
    useEcmErrors(v1);
    await v1.register(signInRoutes, { identity, audit });
    await v1.register(twilioWebhookRoutes, { prefix: '/clinic/webhooks/twilio', communications, telephony, publicUrl: config.publicUrl });
    await v1.register(downloadRoutes, { prtf });
    await v1.register(async (authed) => {
      authed.addHook('onRequest', authenticateUser(identity));
      await authed.register(sessionRoutes, { identity, audit });
      await authed.register(async (clinic) => {
        await clinic.register(clinicPatientRoutes, { patients, identity });
        await clinic.register(activityRoutes, { activities });
        await clinic.register(eventRoutes, { events });
        await clinic.register(sandboxRoutes, { sandbox });
        await clinic.register(communicationRoutes, { communications });
        await clinic.register(memberAttributeRoutes, { memberAttributes: services.memberAttributes });
        await clinic.register(carePlanRoutes, { carePlans: services.carePlans });
        await clinic.register(assessmentRoutes, { assessments: services.assessments });
        await clinic.register(clinicDiscontinuationRoutes, { discontinuations: services.discontinuations });
        await clinic.register(referralRoutes, { referrals: services.referrals });
      }, { prefix: '/clinic' });
      await authed.register(async (admin) => {
        admin.addHook('onRequest', requireAdmin);
        await admin.register(adminAccountRoutes, { identity, audit });
        await admin.register(adminPatientRoutes, { patients });
        await admin.register(adminImportRoutes, { imports });
        await admin.register(adminCommunicationRoutes, { communications });
        await admin.register(prtfRoutes, { prtf });
        await admin.register(adminDiscontinuationRoutes, { discontinuations: services.discontinuations });
      }, { prefix: '/admin' });
    });
  }, { prefix: '/v1' });

  // ECP family: the OAuth2 token endpoint and the /clinical/v1 tree, each with its own error shape.
  await app.register(tokenRoutes, { oauth: services.oauth });
  await app.register(clinicalRoutes, {
    prefix: '/clinical/v1',
    oauth: services.oauth,
    partnerClients: services.partnerClients,
    locations: services.locations,
    residents: services.residents,
    contacts: services.contacts,
    vitals: services.vitals,
    allergies: services.allergies,
    ecpUsers: services.ecpUsers,
    codes: services.codes,
    diagnoses: services.diagnoses,
    webhooks: services.webhooks,
    residentAssessments: services.residentAssessments,
  });

  // Community door: senior-living staff (ECP users) in the workspace, on the ECP services, `{"errors": [...]}` errors.
  await app.register(communityRoutes, {
    prefix: '/v1/community',
    communityAuth: services.communityAuth,
    communityResidents: services.communityResidents,
    communityVitals: services.communityVitals,
    communityAssessments: services.communityAssessments,
    communityContacts: services.communityContacts,
    communityDiagnoses: services.communityDiagnoses,
    communityIntegrations: services.communityIntegrations,
    communityAdmin: services.communityAdmin,
    leads: services.leads,
  });

  // The FHIR R4 door over the same ECP data: bearer tokens from /token, OperationOutcome errors.
  await app.register(fhirRoutes, {
    prefix: '/fhir/R4',
    oauth: services.oauth,
    partnerClients: services.partnerClients,
    residents: services.residents,
    vitals: services.vitals,
    allergies: services.allergies,
    diagnoses: services.diagnoses,
    ecpUsers: services.ecpUsers,
    contacts: services.contacts,
    identity: services.identity,
    exports: services.fhirExports,
    publicUrl: config.publicUrl,
  });

  // The care team console (web/), built by `npm run build`, at /app, with its own Content-Security-Policy.
  await app.register(consoleRoutes, { https });

  return app;
}
