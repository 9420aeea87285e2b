/**
 * Wire schemas of the Bulk Data export routes (kick-off query, the POST kick-off's `Parameters` body, status and file
 * paths, the complete-status manifest), for validation and the OpenAPI document.
 */
import { Type } from 'typebox';
import { OperationOutcomeSchema } from '../schemas.ts';
import { MAX_EXPORT_PATIENTS } from './parameters.ts';
import { EXPORT_TYPES } from './service.ts';

export const ExportKickOffQuery = Type.Object({
  _type: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), {
    maxItems: 20,
    description: `Comma-separated resource types to export (${EXPORT_TYPES.join(', ')}), repeatable (the values together); absent: every type the token may read.`,
  })),
  _since: Type.Optional(Type.String({ maxLength: 40, description: 'FHIR instant (or date): only resources whose meta.lastUpdated is at or after it.' })),
  _outputFormat: Type.Optional(Type.String({ maxLength: 100, description: 'application/fhir+ndjson (the default; application/ndjson and ndjson are accepted).' })),
  _typeFilter: Type.Optional(Type.String({ maxLength: 2000, description: 'Not supported: 400, or ignored with Prefer: handling=lenient.' })),
  _elements: Type.Optional(Type.String({ maxLength: 2000, description: 'Not supported: 400, or ignored with Prefer: handling=lenient.' })),
});

/** Most parameters one POST kick-off body may hold (the patients and a few others). */
const MAX_BODY_PARAMETERS = MAX_EXPORT_PATIENTS + 50;

/** One parameter of a POST kick-off: its name and its `value[x]` (the one the parameter takes; see the body's description). */
const ExportParameterSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'The parameter: _outputFormat, _since, _type, _typeFilter, _elements or patient' }),
  valueString: Type.Optional(Type.String({ maxLength: 2000, description: '_outputFormat, _type (comma-separated), _typeFilter, _elements; _since also' })),
  valueInstant: Type.Optional(Type.String({ maxLength: 40, description: '_since' })),
  valueDateTime: Type.Optional(Type.String({ maxLength: 40, description: '_since' })),
  valueReference: Type.Optional(Type.Object({
    reference: Type.Optional(Type.String({ maxLength: 200, description: 'patient: Patient/<residentId>' })),
  }, { description: 'patient' })),
});

/** Body of a POST kick-off: a FHIR `Parameters` resource (Bulk Data 2.0 "Kick-off Request", POST). */
export const ExportParametersBody = Type.Object({
  resourceType: Type.Literal('Parameters'),
  parameter: Type.Optional(Type.Array(ExportParameterSchema, { maxItems: MAX_BODY_PARAMETERS })),
}, {
  description: 'FHIR Parameters (application/fhir+json or application/json). _outputFormat (valueString, once), _since (valueInstant, '
    + 'valueDateTime or valueString, once), _type (valueString, comma-separated, repeatable), patient (valueReference Patient/<residentId>, '
    + `repeatable, at most ${MAX_EXPORT_PATIENTS}; Patient and Group level only: the export holds only these patients and their records; `
    + 'a patient the client cannot export is 400). _typeFilter, _elements and unknown names: 400, or ignored with Prefer: handling=lenient. '
    + 'Parameters go in the body only: a query string on a POST kick-off is 400.',
});

/** Largest POST kick-off body, bytes (a full list of patients fits several times over); a bigger one is 413. */
export const EXPORT_BODY_LIMIT = 256 * 1024;

export const ExportHeaders = Type.Object({
  prefer: Type.Optional(Type.String({ maxLength: 200, description: 'Must include respond-async (Bulk Data kick-off); handling=lenient ignores unsupported parameters.' })),
});

export const GroupExportParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9.-]{1,64}$', maxLength: 64, description: 'The Group: a Location id (locationId) the client reaches; its residents are exported.' }),
});

/** The export's id in its status and file URLs (random, 32 hex digits; any other id is an unknown export, 404). */
const exportId = Type.String({ pattern: '^[A-Za-z0-9]{1,64}$', maxLength: 64, description: 'The export (from the kick-off\'s Content-Location)' });

export const ExportStatusParams = Type.Object({ exportId });

export const ExportFileParams = Type.Object({
  exportId,
  file: Type.Union(EXPORT_TYPES.map((t) => Type.Literal(`${t}.ndjson`)), { description: 'The file of one resource type, as the manifest\'s output url names it' }),
});

export const ExportManifestSchema = Type.Object({
  transactionTime: Type.String({ description: 'The instant the export reflects: resources changed after it are not in it.' }),
  request: Type.String({ description: 'The kick-off request URL.' }),
  requiresAccessToken: Type.Boolean({ description: 'Always true: files are downloaded with the same bearer token (client).' }),
  output: Type.Array(Type.Object({ type: Type.String(), url: Type.String(), count: Type.Integer() })),
  error: Type.Array(Type.Object({ type: Type.String(), url: Type.String() })),
}, { description: 'Bulk Data complete-status manifest' });

const outcome = (description: string) => ({ description, content: { 'application/fhir+json': { schema: OperationOutcomeSchema } } });

/** Responses of a kick-off: 202 and the FHIR errors (a POST's also 413 and 415 for its body). */
export const kickOffResponses = (notFound: boolean, post = false) => ({
  202: outcome('Accepted: poll the status URL in Content-Location (an informational OperationOutcome)'),
  400: outcome('No Prefer: respond-async, an unsupported, unknown or malformed parameter, a patient the client cannot export, or (POST) a body that is not a Parameters resource or not JSON (OperationOutcome)'),
  401: outcome('No, an invalid or an expired bearer token (OperationOutcome; WWW-Authenticate: Bearer)'),
  403: outcome('The token may not read a requested resource type (OperationOutcome)'),
  ...(notFound ? { 404: outcome('No such Group (location) reached by the client (OperationOutcome)') } : {}),
  ...(post ? {
    413: outcome('The body is larger than 256 KiB (OperationOutcome)'),
    415: outcome('The body is not application/fhir+json or application/json (OperationOutcome)'),
  } : {}),
  429: outcome('The client already has 10 exports queued or running (OperationOutcome; Retry-After)'),
});

export const statusResponses = {
  200: { description: 'Complete: the manifest (application/json; Expires says when the files go)', content: { 'application/json': { schema: ExportManifestSchema } } },
  202: { description: 'In progress: X-Progress says how far, Retry-After when to poll again (no body)', content: { 'application/fhir+json': { schema: Type.Null() } } },
  401: outcome('No, an invalid or an expired bearer token (OperationOutcome)'),
  404: outcome('No such export of this client (unknown, cancelled or expired) (OperationOutcome)'),
  500: outcome('The export failed (OperationOutcome); start a new one'),
};

export const cancelResponses = {
  202: outcome('Cancelled: the export and its files are deleted (an informational OperationOutcome)'),
  401: outcome('No, an invalid or an expired bearer token (OperationOutcome)'),
  404: outcome('No such export of this client (unknown, already cancelled or expired) (OperationOutcome)'),
};

export const fileResponses = {
  200: { description: 'The NDJSON file: one resource per line', content: { 'application/fhir+ndjson': { schema: Type.String() } } },
  401: outcome('No, an invalid or an expired bearer token (OperationOutcome)'),
  404: outcome('No such file of a completed export of this client (OperationOutcome)'),
};
