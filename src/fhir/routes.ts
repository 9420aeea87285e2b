/**
 * The FHIR R4 door (`/fhir/R4`): `metadata` and the SMART configuration without credentials, then Patient and
 * Observation read and search behind the bearer-token hook (`auth.ts`). Handlers are thin: validated input, one call of
 * the Patient or Observation door (which call the ECP services), the resource out as `application/fhir+json`.
 */
import type { FastifyInstance } from 'fastify';
import type { PartnerClientService } from '../ecp/clients/service.ts';
import type { OAuthService } from '../ecp/oauth/service.ts';
import type { ResidentService } from '../ecp/residents/service.ts';
import type { VitalService } from '../ecp/vitals/service.ts';
import { authenticateFhir, fhirContext } from './auth.ts';
import { capabilityStatement, FHIR_SCOPES, smartConfiguration } from './capability.ts';
import { FHIR_JSON, useFhirConventions } from './http.ts';
import { createObservationDoor, type ObservationQuery } from './observation.ts';
import { createPatientDoor, type PatientQuery } from './patient.ts';
import { FhirIdParams, fhirResponses, ObservationSearchQuery, PatientSearchQuery, resourceSchema, SmartConfigurationSchema } from './schemas.ts';

export interface FhirRouteDeps {
  oauth: OAuthService;
  partnerClients: PartnerClientService;
  residents: ResidentService;
  vitals: VitalService;
  /** `PUBLIC_URL`: the base of the links in Bundles and of the token endpoint's URL. */
  publicUrl: string;
}

const TAGS = ['FHIR R4'];

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

  const patients = createPatientDoor({ residents: deps.residents, baseUrl });
  const observations = createObservationDoor({ vitals: deps.vitals, baseUrl });

  await app.register(async (authed) => {
    authed.addHook('onRequest', authenticateFhir(deps.oauth, deps.partnerClients));
    const security = (scope: string) => [{ FhirBearer: [scope] }];

    authed.get('/Patient/:id', {
      config: { fhirScope: { resource: 'Patient', scope: FHIR_SCOPES.Patient } },
      schema: {
        tags: TAGS, operationId: 'readFhirPatient', summary: 'Read a Patient (US Core Patient) by residentId', security: security(FHIR_SCOPES.Patient),
        params: FhirIdParams, response: fhirResponses(resourceSchema('Patient', 'US Core Patient')),
      },
    }, async (req, reply) => reply.type(FHIR_JSON).send(await patients.read(fhirContext(req), (req.params as { id: string }).id)));

    authed.get('/Patient', {
      config: { fhirScope: { resource: 'Patient', scope: FHIR_SCOPES.Patient } },
      schema: {
        tags: TAGS, operationId: 'searchFhirPatients', summary: 'Search Patients (searchset Bundle, keyset paging)', security: security(FHIR_SCOPES.Patient),
        querystring: PatientSearchQuery, response: fhirResponses(resourceSchema('Bundle', 'searchset Bundle of US Core Patients'), [400, 401, 403]),
      },
    }, async (req, reply) => reply.type(FHIR_JSON).send(await patients.search(fhirContext(req), req.query as PatientQuery)));

    authed.get('/Observation/:id', {
      config: { fhirScope: { resource: 'Observation', scope: FHIR_SCOPES.Observation } },
      schema: {
        tags: TAGS, operationId: 'readFhirObservation', summary: 'Read an Observation (US Core vital sign or laboratory result)', security: security(FHIR_SCOPES.Observation),
        params: FhirIdParams, response: fhirResponses(resourceSchema('Observation', 'US Core vital-sign or laboratory Observation')),
      },
    }, async (req, reply) => reply.type(FHIR_JSON).send(await observations.read(fhirContext(req), (req.params as { id: string }).id)));

    authed.get('/Observation', {
      config: { fhirScope: { resource: 'Observation', scope: FHIR_SCOPES.Observation } },
      schema: {
        tags: TAGS, operationId: 'searchFhirObservations', summary: 'Search Observations (vital signs, glucose) by patient, category, code, date', security: security(FHIR_SCOPES.Observation),
        querystring: ObservationSearchQuery, response: fhirResponses(resourceSchema('Bundle', 'searchset Bundle of US Core Observations'), [400, 401, 403]),
      },
    }, async (req, reply) => reply.type(FHIR_JSON).send(await observations.search(fhirContext(req), req.query as ObservationQuery)));
  });
}
