/**
 * What the FHIR door says about itself: the CapabilityStatement of `GET /metadata` (FHIR R4 capabilitystatement.html)
 * and the SMART configuration of `GET /.well-known/smart-configuration` (SMART App Launch 2.0, conformance.html).
 * Both list only what is implemented: the resources, interactions and search parameters of `routes.ts`, and the
 * token endpoint's client authentication as it is (a client secret, HTTP Basic or in the body, or a signed client
 * assertion, `private_key_jwt`).
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { CLIENT_ASSERTION_ALGORITHMS, SMART_RESOURCE_SCOPES } from '../ecp/oauth/service.ts';
import { OBSERVATION_KINDS } from './observation.ts';
import { US_CORE_PATIENT } from './patient.ts';
import { US_CORE_ALLERGY } from './allergy.ts';
import { US_CORE_CONDITION } from './condition.ts';
import { US_CORE_LOCATION, US_CORE_ORGANIZATION } from './directory.ts';
import { US_CORE_PRACTITIONER } from './practitioner.ts';
import { US_CORE_RELATED_PERSON } from './related-person.ts';

/** The scopes the FHIR door accepts, by resource (ECP scope; the SMART system scope `system/<type>.rs` opens it too). */
export const FHIR_SCOPES = SMART_RESOURCE_SCOPES;

const SP = 'http://hl7.org/fhir/SearchParameter/';
/** FHIR Bulk Data Access 2.0.0 (its OperationDefinitions and CapabilityStatement). */
const BULK = 'http://hl7.org/fhir/uv/bulkdata/';
const US_CORE_SP = 'http://hl7.org/fhir/us/core/SearchParameter/';

const COMMON: CapabilityStatementRestResource['searchParam'] = [
  { name: '_count', type: 'number', documentation: 'Page size, 1 to 200 (default 50); pages follow the Bundle\'s next link (keyset cursor `_cursor`).' },
];

const RESOURCES: CapabilityStatementRestResource[] = [
  {
    type: 'Patient',
    profile: 'http://hl7.org/fhir/StructureDefinition/Patient',
    supportedProfile: [US_CORE_PATIENT],
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    operation: [{ name: 'export', definition: `${BULK}OperationDefinition/patient-export`, documentation: 'Bulk Data: every Patient the client reaches (or the patients a POST names in its patient parameter) and their Observations, AllergyIntolerances and Conditions, as NDJSON (Prefer: respond-async); GET, or POST with a Parameters body; _type, _since, _outputFormat, patient (POST).' }],
    searchParam: [
      { name: '_id', type: 'token', definition: `${US_CORE_SP}us-core-patient-id`, documentation: 'The residentId; comma-separated ids: any of them.' },
      { name: 'identifier', type: 'token', definition: `${US_CORE_SP}us-core-patient-identifier`, documentation: 'system|value: urn:care-platform:ecp:resident-id (the residentId) or urn:care-platform:ecp:external-id:<name> (an external id); a bare value matches either.' },
      { name: 'name', type: 'string', definition: `${US_CORE_SP}us-core-patient-name`, documentation: 'Case-insensitive start of the first, middle, last name or nickname.' },
      { name: 'birthdate', type: 'date', definition: `${US_CORE_SP}us-core-patient-birthdate`, documentation: 'Prefixes eq, ge, gt, le, lt; repeat for a range.' },
      { name: '_lastUpdated', type: 'date', definition: `${SP}Resource-lastUpdated`, documentation: 'Prefixes eq, ge, gt, le, lt; repeat for a range. A date or dateTime without an offset is read in each location\'s time zone.' },
      ...COMMON!,
    ],
  },
  {
    type: 'Observation',
    profile: 'http://hl7.org/fhir/StructureDefinition/Observation',
    supportedProfile: [...new Set(OBSERVATION_KINDS.map((k) => k.profile))],
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [
      { name: '_id', type: 'token', definition: `${SP}Resource-id` },
      { name: 'patient', type: 'reference', definition: `${US_CORE_SP}us-core-observation-patient`, documentation: 'Patient/<residentId> or <residentId>.' },
      { name: 'subject', type: 'reference', definition: `${SP}Observation-subject`, documentation: 'As patient.' },
      { name: 'category', type: 'token', definition: `${US_CORE_SP}us-core-observation-category`, documentation: 'vital-signs or laboratory (system http://terminology.hl7.org/CodeSystem/observation-category).' },
      { name: 'code', type: 'token', definition: `${US_CORE_SP}us-core-observation-code`, documentation: `LOINC: ${OBSERVATION_KINDS.flatMap((k) => k.codes.map((c) => c.code)).join(', ')}.` },
      { name: 'date', type: 'date', definition: `${US_CORE_SP}us-core-observation-date`, documentation: 'effectiveDateTime; prefixes eq, ge, gt, le, lt; repeat for a range. A date or dateTime without an offset is read in each location\'s time zone.' },
      ...COMMON!,
    ],
  },
  {
    type: 'AllergyIntolerance',
    profile: 'http://hl7.org/fhir/StructureDefinition/AllergyIntolerance',
    supportedProfile: [US_CORE_ALLERGY],
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [
      { name: '_id', type: 'token', definition: `${SP}Resource-id` },
      { name: 'patient', type: 'reference', definition: `${US_CORE_SP}us-core-allergyintolerance-patient`, documentation: 'Patient/<residentId> or <residentId>.' },
      { name: 'clinical-status', type: 'token', definition: `${US_CORE_SP}us-core-allergyintolerance-clinical-status`, documentation: 'Every allergy on a resident\'s list is active.' },
      ...COMMON!,
    ],
  },
  {
    type: 'Condition',
    profile: 'http://hl7.org/fhir/StructureDefinition/Condition',
    supportedProfile: [US_CORE_CONDITION],
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [
      { name: '_id', type: 'token', definition: `${SP}Resource-id` },
      { name: 'patient', type: 'reference', definition: `${US_CORE_SP}us-core-condition-patient`, documentation: 'Patient/<residentId> or <residentId>.' },
      { name: 'category', type: 'token', definition: `${US_CORE_SP}us-core-condition-category`, documentation: 'problem-list-item (every diagnosis is one).' },
      { name: 'code', type: 'token', definition: `${US_CORE_SP}us-core-condition-code`, documentation: 'ICD-10-CM (http://hl7.org/fhir/sid/icd-10-cm), dotted or not.' },
      { name: 'recorded-date', type: 'date', definition: `${US_CORE_SP}us-core-condition-recorded-date`, documentation: 'Prefixes eq, ge, gt, le, lt; repeat for a range. A date or dateTime without an offset is read in each location\'s time zone.' },
      ...COMMON!,
    ],
  },
  ...([['Location', US_CORE_LOCATION], ['Organization', US_CORE_ORGANIZATION], ['Practitioner', US_CORE_PRACTITIONER]] as const).map(([type, profile]) => ({
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    supportedProfile: [profile],
    interaction: [{ code: 'read' as const }, { code: 'search-type' as const }],
    searchParam: [
      { name: '_id', type: 'token' as const, definition: `${SP}Resource-id` },
      { name: 'name', type: 'string' as const, definition: `${US_CORE_SP}us-core-${type.toLowerCase()}-name`, documentation: 'Case-insensitive start of the name.' },
      ...COMMON!,
    ],
  })),
  {
    type: 'RelatedPerson',
    profile: 'http://hl7.org/fhir/StructureDefinition/RelatedPerson',
    supportedProfile: [US_CORE_RELATED_PERSON],
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [
      { name: '_id', type: 'token', definition: `${US_CORE_SP}us-core-relatedperson-id` },
      { name: 'patient', type: 'reference', definition: `${US_CORE_SP}us-core-relatedperson-patient`, documentation: 'Patient/<residentId> or <residentId>.' },
      { name: 'name', type: 'string', definition: `${US_CORE_SP}us-core-relatedperson-name`, documentation: 'Case-insensitive start of the first or last name.' },
      ...COMMON!,
    ],
  },
  {
    // A Group is a location the client reaches (Group id = Location id); it is only exported, never read.
    type: 'Group',
    profile: 'http://hl7.org/fhir/StructureDefinition/Group',
    operation: [{ name: 'export', definition: `${BULK}OperationDefinition/group-export`, documentation: 'Bulk Data: the residents of one location (Group id = its Location id), or those of them a POST names in its patient parameter, and their data, as NDJSON; GET, or POST with a Parameters body.' }],
  },
];

/** The CapabilityStatement of the server whose FHIR base is `baseUrl` and token endpoint `tokenUrl`. */
export function capabilityStatement(baseUrl: string, tokenUrl: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-07',
    publisher: 'Care Platform',
    kind: 'instance',
    software: { name: 'Care Platform' },
    implementation: { description: 'Care Platform FHIR R4 door over the ECP senior-living data', url: baseUrl },
    instantiates: [`${BULK}CapabilityStatement/bulk-data`],
    fhirVersion: '4.0.1',
    format: ['json'],
    implementationGuide: ['http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core|6.1.0'],
    rest: [{
      mode: 'server',
      documentation: 'Read-only (Bulk Data exports aside). Every request but /metadata and /.well-known/smart-configuration needs Authorization: Bearer <access token from the token endpoint>.',
      security: {
        cors: false,
        service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
        description: `OAuth 2.0 client credentials at ${tokenUrl}; a client sees only the residents of the locations it was granted.`,
        extension: [{
          url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
          extension: [{ url: 'token', valueUri: tokenUrl }],
        }],
      },
      resource: RESOURCES,
      operation: [{
        name: 'export', definition: `${BULK}OperationDefinition/export`,
        documentation: 'Bulk Data (system level): Patient, Observation, AllergyIntolerance, Condition as NDJSON; GET, or POST with a Parameters body; _type, _since, _outputFormat (patient only at Patient and Group level); poll the Content-Location, download with the same bearer token.',
      }],
    }],
  };
}

/** The SMART configuration (`.well-known/smart-configuration`): the token endpoint and what it really supports. */
export function smartConfiguration(tokenUrl: string) {
  return {
    token_endpoint: tokenUrl,
    grant_types_supported: ['client_credentials'],
    // Secrets (HTTP Basic or the body) and signed client assertions from a client with a registered JWKS.
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post'],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    scopes_supported: ['system/*.rs', ...Object.keys(FHIR_SCOPES).map((t) => `system/${t}.rs`), ...new Set(Object.values(FHIR_SCOPES))],
    capabilities: ['client-confidential-asymmetric', 'client-confidential-symmetric', 'permission-v2'],
  };
}
