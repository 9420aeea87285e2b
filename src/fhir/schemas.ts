/**
 * Wire schemas of the FHIR door for validation and the OpenAPI document. Resources are described by their
 * `resourceType` and left open (`additionalProperties`): the FHIR definitions and the US Core profiles named in each
 * resource's `meta.profile` are their full description, and `GET /fhir/R4/metadata` the FHIR-native one.
 */
import { Type, type TSchema } from 'typebox';

/** A FHIR resource id (FHIR R4 datatypes.html#id). */
export const FhirIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9.-]{1,64}$', maxLength: 64, description: 'The resource id' }) });

const dates = (what: string, zoned = true) => Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 4, description: `${what}: a FHIR date or dateTime with an optional prefix eq, ge, gt, le or lt; repeat for a range.${zoned ? ' Without an offset it is read in each location\'s time zone.' : ''}` }));
const count = Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Page size (default 50).' }));
const cursor = Type.Optional(Type.String({ maxLength: 100, description: 'Paging cursor: follow the Bundle\'s next link, do not build it.' }));

export const PatientSearchQuery = Type.Object({
  _id: Type.Optional(Type.String({ maxLength: 2000, description: 'residentId; comma-separated: any of them.' })),
  identifier: Type.Optional(Type.String({ maxLength: 300, description: '[system|]value: urn:care-platform:ecp:resident-id or urn:care-platform:ecp:external-id:<name>.' })),
  name: Type.Optional(Type.String({ maxLength: 100, description: 'Start of any name part, case-insensitive.' })),
  birthdate: dates('Date of birth', false),
  _lastUpdated: dates('Last update'),
  _count: count,
  _cursor: cursor,
});

export const ObservationSearchQuery = Type.Object({
  _id: Type.Optional(Type.String({ maxLength: 2000, description: 'Observation ids; comma-separated: any of them.' })),
  patient: Type.Optional(Type.String({ maxLength: 2000, description: 'Patient/<residentId> or <residentId>; comma-separated: any of them.' })),
  subject: Type.Optional(Type.String({ maxLength: 2000, description: 'As patient.' })),
  category: Type.Optional(Type.String({ maxLength: 300, description: 'vital-signs or laboratory.' })),
  code: Type.Optional(Type.String({ maxLength: 1000, description: 'LOINC code(s), [http://loinc.org|]code, comma-separated.' })),
  date: dates('effectiveDateTime'),
  _count: count,
  _cursor: cursor,
});

const patientRef = Type.Optional(Type.String({ maxLength: 2000, description: 'Patient/<residentId> or <residentId>; comma-separated: any of them.' }));
const guidIds = (what: string) => Type.Optional(Type.String({ maxLength: 2000, description: `${what} ids; comma-separated: any of them.` }));

export const ConditionSearchQuery = Type.Object({
  _id: guidIds('Condition'),
  patient: patientRef,
  category: Type.Optional(Type.String({ maxLength: 300, description: 'problem-list-item (every diagnosis is one).' })),
  code: Type.Optional(Type.String({ maxLength: 1000, description: 'ICD-10-CM code(s), [http://hl7.org/fhir/sid/icd-10-cm|]code, dotted or not, comma-separated.' })),
  'recorded-date': dates('Time recorded'),
  _count: count,
  _cursor: cursor,
});

export const AllergySearchQuery = Type.Object({
  _id: guidIds('AllergyIntolerance'),
  patient: patientRef,
  'clinical-status': Type.Optional(Type.String({ maxLength: 300, description: 'active (every allergy on a resident\'s list is).' })),
  _count: count,
  _cursor: cursor,
});

/** `GET /Location`, `/Organization` and `/Practitioner`: by id and name. */
export const DirectorySearchQuery = Type.Object({
  _id: Type.Optional(Type.String({ maxLength: 2000, description: 'Ids; comma-separated: any of them.' })),
  name: Type.Optional(Type.String({ maxLength: 100, description: 'Start of the name, case-insensitive.' })),
  _count: count,
  _cursor: cursor,
});

export const RelatedPersonSearchQuery = Type.Object({
  _id: Type.Optional(Type.String({ maxLength: 2000, description: 'RelatedPerson ids; comma-separated: any of them.' })),
  patient: patientRef,
  name: Type.Optional(Type.String({ maxLength: 100, description: 'Start of the first or last name, case-insensitive.' })),
  _count: count,
  _cursor: cursor,
});

/** An open schema of one resource type. */
export function resourceSchema(resourceType: string, description: string): TSchema {
  return Type.Object({ resourceType: Type.Literal(resourceType), id: Type.Optional(Type.String()) }, { additionalProperties: true, description });
}

export const OperationOutcomeSchema = Type.Object({
  resourceType: Type.Literal('OperationOutcome'),
  issue: Type.Array(Type.Object({ severity: Type.String(), code: Type.String(), diagnostics: Type.Optional(Type.String()) })),
}, { description: 'FHIR OperationOutcome' });

const ERRORS: Record<number, string> = {
  400: 'A malformed search parameter or id (OperationOutcome)',
  401: 'No, an invalid or an expired bearer token (OperationOutcome; WWW-Authenticate: Bearer)',
  403: 'The token lacks the scope of this resource type (OperationOutcome)',
  404: 'No such resource at a location the client reaches (OperationOutcome)',
};

/** The response schemas of a FHIR route: `success` and the errors, all `application/fhir+json`. */
export function fhirResponses(success: TSchema, errors: number[] = [400, 401, 403, 404]) {
  const content = (schema: TSchema, description: string) => ({ description, content: { 'application/fhir+json': { schema } } });
  const out: Record<number, unknown> = { 200: content(success, String((success as { description?: string }).description ?? 'OK')) };
  for (const code of errors) out[code] = content(OperationOutcomeSchema, ERRORS[code]);
  return out;
}

export const SmartConfigurationSchema = Type.Object({
  token_endpoint: Type.String(),
  grant_types_supported: Type.Array(Type.String()),
  token_endpoint_auth_methods_supported: Type.Array(Type.String()),
  token_endpoint_auth_signing_alg_values_supported: Type.Array(Type.String()),
  scopes_supported: Type.Array(Type.String()),
  capabilities: Type.Array(Type.String()),
}, { description: 'SMART App Launch 2.0 configuration' });
