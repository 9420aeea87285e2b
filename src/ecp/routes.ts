/**
 * The `/clinical/v1` route tree of the ECP partner API: one auth hook (bearer + Api-Key + scope), the ECP error
 * shape, the scope of each route in its OpenAPI security requirement, and the feature route files (each feature's
 * `routes.ts`) assembled under them. No endpoint is defined here.
 */
import type { FastifyInstance } from 'fastify';
import { authenticatePartner } from './auth.ts';
import type { PartnerClientService } from './clients/service.ts';
import { mergeBodyIntoQuery, useEcpErrors } from './http.ts';
import type { LocationService } from './locations/service.ts';
import type { OAuthService } from './oauth/service.ts';
import type { ContactService } from './contacts/service.ts';
import type { ResidentService } from './residents/service.ts';
import { userRoutes } from './users/routes.ts';
import type { EcpUserService } from './users/service.ts';
import type { Icd10cmService } from './codes/service.ts';
import type { DiagnosisService } from './diagnoses/service.ts';
import type { VitalService } from './vitals/service.ts';
import type { AllergyService } from './allergies/service.ts';
import type { WebhookService } from './webhooks/service.ts';
import type { AssessmentService } from './assessments/service.ts';
import { locationRoutes } from './locations/routes.ts';
import { residentRoutes } from './residents/routes.ts';
import { contactRoutes } from './contacts/routes.ts';
import { codeRoutes } from './codes/routes.ts';
import { diagnosisRoutes } from './diagnoses/routes.ts';
import { vitalRoutes } from './vitals/routes.ts';
import { allergyRoutes } from './allergies/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { assessmentRoutes } from './assessments/routes.ts';

/** The services the `/clinical/v1` tree calls; app.ts passes them from its service set. */
export interface ClinicalRouteDeps {
  oauth: OAuthService;
  partnerClients: PartnerClientService;
  locations: LocationService;
  residents: ResidentService;
  contacts: ContactService;
  vitals: VitalService;
  allergies: AllergyService;
  ecpUsers: EcpUserService;
  codes: Icd10cmService;
  diagnoses: DiagnosisService;
  webhooks: WebhookService;
  residentAssessments: AssessmentService;
}

/** Registered with prefix `/clinical/v1`. */
export async function clinicalRoutes(app: FastifyInstance, deps: ClinicalRouteDeps) {
  useEcpErrors(app);
  app.addHook('onRequest', authenticatePartner(deps.oauth, deps.partnerClients));
  app.addHook('preValidation', mergeBodyIntoQuery);
  // A route's scope is its OpenAPI security requirement (OpenAPI 3.1 allows role names for any scheme); routes
  // declare no `security` of their own, except the few without a scope (PARTNER_SECURITY). One place decides each
  // route's security: a route with a scope that also declares `security` is a mistake, refused at start-up.
  app.addHook('onRoute', (opts) => {
    const scope = opts.config?.scope;
    if (!scope || !opts.schema) return;
    if (opts.schema.security) throw new Error(`${opts.method} ${opts.url}: a route with a scope takes its OpenAPI security from the scope; remove its \`security\``);
    opts.schema = { ...opts.schema, security: [{ PartnerBearer: [scope], PartnerApiKey: [] }] };
  });
  // Feature route files (each a plugin over the same auth hook and error shape), each given only its own service
  // (and not this tree's prefix, which they must not add again). The order is the OpenAPI document's order of paths.
  await app.register(locationRoutes, { locations: deps.locations });
  await app.register(residentRoutes, { residents: deps.residents });
  await app.register(contactRoutes, { contacts: deps.contacts });
  await app.register(vitalRoutes, { vitals: deps.vitals });
  await app.register(allergyRoutes, { allergies: deps.allergies });
  await app.register(assessmentRoutes, { assessments: deps.residentAssessments });
  await app.register(userRoutes, { ecpUsers: deps.ecpUsers });
  await app.register(codeRoutes, { codes: deps.codes });
  await app.register(diagnosisRoutes, { diagnoses: deps.diagnoses });
  await app.register(webhookRoutes, { webhooks: deps.webhooks });
}
