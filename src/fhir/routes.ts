/**
 * The FHIR R4 door (`/fhir/R4`): `metadata` and the SMART configuration without credentials, then read and search of
 * each resource type and the Bulk Data export (`export/`) behind the bearer-token hook (`auth.ts`). Handlers are thin: validated input, one call of the
 * resource's door (which calls the ECP service), the resource out as `application/fhir+json`.
 */
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import type { AllergyService } from '../ecp/allergies/service.ts';
import type { PartnerClientService } from '../ecp/clients/service.ts';
import type { DiagnosisService } from '../ecp/diagnoses/service.ts';
import type { OAuthService } from '../ecp/oauth/service.ts';
import type { ResidentService } from '../ecp/residents/service.ts';
import type { VitalService } from '../ecp/vitals/service.ts';
import type { EcpUserService } from '../ecp/users/service.ts';
import type { ContactService } from '../ecp/contacts/service.ts';
import type { IdentityService } from '../platform/identity/service.ts';
import { exportRoutes } from './export/routes.ts';
import type { FhirExportService } from './export/service.ts';
import type { RequestContext } from '../platform/context.ts';
import { createAllergyDoor } from './allergy.ts';
import { authenticateFhir, fhirContext, type FhirActor } from './auth.ts';
import { capabilityStatement, FHIR_SCOPES, smartConfiguration } from './capability.ts';
import { createConditionDoor } from './condition.ts';
import { createDirectoryDoor } from './directory.ts';
import { createPractitionerDoor } from './practitioner.ts';
import { createRelatedPersonDoor } from './related-person.ts';
import { FHIR_JSON, useFhirConventions } from './http.ts';
import { createObservationDoor } from './observation.ts';
import { createPatientDoor } from './patient.ts';
import {
  AllergySearchQuery, ConditionSearchQuery, DirectorySearchQuery, FhirIdParams, fhirResponses, ObservationSearchQuery, PatientSearchQuery, RelatedPersonSearchQuery, resourceSchema, SmartConfigurationSchema,
} from './schemas.ts';

export interface FhirRouteDeps {
  oauth: OAuthService;
  partnerClients: PartnerClientService;
  residents: ResidentService;
  vitals: VitalService;
  allergies: AllergyService;
  diagnoses: DiagnosisService;
  ecpUsers: EcpUserService;
  contacts: ContactService;
  /** The company's Organization. */
  identity: IdentityService;
  /** Bulk Data export (`$export`, status, files). */
  exports: FhirExportService;
  /** `PUBLIC_URL`: the base of the links in Bundles and of the token endpoint's URL. */
  publicUrl: string;
}

const TAGS = ['FHIR R4'];

/** What one resource type's read and search routes need. */
interface ResourceRoutes {
  type: keyof typeof FHIR_SCOPES;
  profile: string;
  query: TSchema;
  door: {
    read(ctx: RequestContext<FhirActor>, id: string): Promise<unknown>;
    search(ctx: RequestContext<FhirActor>, query: never): Promise<unknown>;
  };
  search: string;
}

/** `GET /<type>/{id}` (operationId `readFhir<type>`) and `GET /<type>` (`searchFhir<type>s`). */
function registerResource(app: FastifyInstance, r: ResourceRoutes) {
  const scope = FHIR_SCOPES[r.type];
  const config = { fhirScope: { resource: r.type, scope } };
  const security = [{ FhirBearer: [scope] }];
  app.get(`/${r.type}/:id`, {
    config,
    schema: {
      tags: TAGS, operationId: `readFhir${r.type}`, summary: `Read a ${r.type} (${r.profile})`, security,
      params: FhirIdParams, response: fhirResponses(resourceSchema(r.type, r.profile)),
    },
  }, async (req, reply) => reply.type(FHIR_JSON).send(await r.door.read(fhirContext(req), (req.params as { id: string }).id)));
  app.get(`/${r.type}`, {
    config,
    schema: {
      tags: TAGS, operationId: `searchFhir${r.type}s`, summary: `Search ${r.type}s by ${r.search} (searchset Bundle, keyset paging)`, security,
      querystring: r.query, response: fhirResponses(resourceSchema('Bundle', `searchset Bundle of ${r.profile} resources`), [400, 401, 403]),
    },
  }, async (req, reply) => reply.type(FHIR_JSON).send(await r.door.search(fhirContext(req), req.query as never)));
}

/** Registered with prefix `/fhir/R4`. */
export async function fhirRoutes(app: FastifyInstance, deps: FhirRouteDeps) {
  useFhirConventions(app);
  const baseUrl = `${deps.publicUrl}/fhir/R4`;
  const tokenUrl = `${deps.publicUrl}/token`;
  const capability = capabilityStatement(baseUrl, tokenUrl);
  const smart = smartConfiguration(tokenUrl);

  app.get('/metadata', {
    schema: {
      tags: TAGS, operationId: 'getFhirCapabilityStatement', summary: 'FHIR CapabilityStatement (what this server implements)', security: [],
      response: fhirResponses(resourceSchema('CapabilityStatement', 'FHIR R4 CapabilityStatement'), []),
    },
  }, async (_req, reply) => reply.type(FHIR_JSON).send(capability));

  app.get('/.well-known/smart-configuration', {
    schema: { tags: TAGS, operationId: 'getSmartConfiguration', summary: 'SMART configuration (token endpoint, client authentication)', security: [], response: { 200: SmartConfigurationSchema } },
  }, async () => smart);

  await app.register(async (authed) => {
    authed.addHook('onRequest', authenticateFhir(deps.oauth, deps.partnerClients));
    registerResource(authed, {
      type: 'Patient', profile: 'US Core Patient', query: PatientSearchQuery, search: '_id, identifier, name, birthdate, _lastUpdated',
      door: createPatientDoor({ residents: deps.residents, baseUrl }),
    });
    registerResource(authed, {
      type: 'Observation', profile: 'US Core vital-sign or laboratory Observation', query: ObservationSearchQuery, search: 'patient, category, code, date',
      door: createObservationDoor({ vitals: deps.vitals, baseUrl }),
    });
    registerResource(authed, {
      type: 'AllergyIntolerance', profile: 'US Core AllergyIntolerance', query: AllergySearchQuery, search: 'patient, clinical-status',
      door: createAllergyDoor({ allergies: deps.allergies, baseUrl }),
    });
    registerResource(authed, {
      type: 'Condition', profile: 'US Core Condition Problems and Health Concerns', query: ConditionSearchQuery, search: 'patient, category, code, recorded-date',
      door: createConditionDoor({ diagnoses: deps.diagnoses, baseUrl }),
    });
    const directory = createDirectoryDoor({ identity: deps.identity, baseUrl });
    registerResource(authed, { type: 'Location', profile: 'US Core Location', query: DirectorySearchQuery, search: '_id, name', door: directory.locations });
    registerResource(authed, { type: 'Organization', profile: 'US Core Organization', query: DirectorySearchQuery, search: '_id, name', door: directory.organizations });
    registerResource(authed, {
      type: 'Practitioner', profile: 'US Core Practitioner', query: DirectorySearchQuery, search: '_id, name',
      door: createPractitionerDoor({ users: deps.ecpUsers, baseUrl }),
    });
    registerResource(authed, {
      type: 'RelatedPerson', profile: 'US Core RelatedPerson', query: RelatedPersonSearchQuery, search: '_id, patient, name',
      door: createRelatedPersonDoor({ contacts: deps.contacts, baseUrl }),
    });
    exportRoutes(authed, { exports: deps.exports, publicUrl: deps.publicUrl });
  });
}
