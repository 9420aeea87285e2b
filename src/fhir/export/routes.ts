/**
 * The Bulk Data export routes of the FHIR door (Bulk Data Access 2.0): `GET` and `POST` (a `Parameters` body)
 * `/$export`, `/Patient/$export` and `/Group/{id}/$export` (kick-off, `Prefer: respond-async`), `GET` and
 * `DELETE /bulkstatus/{exportId}` (status, cancel) and `GET /bulkfiles/{exportId}/{type}.ndjson` (a file, with the
 * same client's bearer token). Registered inside the FHIR door's bearer-token hook; each handler calls one service
 * function.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import { registerJsonParser } from '../../platform/http.ts';
import { fhirContext } from '../auth.ts';
import { FHIR_JSON, operationOutcome } from '../http.ts';
import { parametersOfBody, parametersOfQuery, type BodyParameter, type ExportLevel, type ExportParameter } from './parameters.ts';
import {
  cancelResponses, EXPORT_BODY_LIMIT, ExportFileParams, ExportHeaders, ExportKickOffQuery, ExportParametersBody, ExportStatusParams, fileResponses,
  GroupExportParams, kickOffResponses, statusResponses,
} from './schemas.ts';
import { POLL_SECONDS, type FhirExportService } from './service.ts';

const TAGS = ['FHIR R4'];
const security = [{ FhirBearer: ['system/*.rs'] }];

const info = (diagnostics: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics }] });

/** The `Prefer` header of a kick-off. @throws ValidationError without `respond-async` (Bulk Data 2.0: the kick-off is asynchronous only). */
function preferOf(req: FastifyRequest): { lenient: boolean } {
  const prefer = String(req.headers.prefer ?? '');
  if (!/(^|[\s,;])respond-async($|[\s,;])/i.test(prefer)) throw new ValidationError(['A Bulk Data kick-off needs the header "Prefer: respond-async"']);
  return { lenient: /handling\s*=\s*lenient/i.test(prefer) };
}

/** Registers the export routes on the FHIR door's authenticated scope. */
export function exportRoutes(app: FastifyInstance, { exports, publicUrl }: { exports: FhirExportService; publicUrl: string }) {
  // FHIR's own media type for the POST kick-off's body, parsed as the app parses application/json.
  registerJsonParser(app, 'application/fhir+json');

  /** A kick-off handler: `parametersOf` reads the request's parameters (GET: the query, POST: the body). */
  const kickOff = (level: ExportLevel, parametersOf: (req: FastifyRequest) => ExportParameter[]) => async (req: FastifyRequest, reply: FastifyReply) => {
    const { lenient } = preferOf(req);
    const { statusUrl } = await exports.kickOff(fhirContext(req), {
      level, groupId: (req.params as { id?: string }).id, parameters: parametersOf(req), requestUrl: `${publicUrl}${req.url}`, lenient,
    });
    return reply.code(202).header('content-location', statusUrl).type(FHIR_JSON).send(info('Export accepted; poll the status URL in Content-Location'));
  };
  const fromQuery = (req: FastifyRequest) => parametersOfQuery(req.query as Record<string, unknown>);
  const fromBody = (req: FastifyRequest) => parametersOfBody((req.body as { parameter?: BodyParameter[] }).parameter, req.query as Record<string, unknown>);

  const kickOffSchema = (operationId: string, summary: string, notFound = false) => ({
    tags: TAGS, operationId, summary, security, querystring: ExportKickOffQuery, headers: ExportHeaders, response: kickOffResponses(notFound),
  });
  const postSchema = (operationId: string, summary: string, notFound = false) => ({
    tags: TAGS, operationId, summary, security, headers: ExportHeaders, consumes: ['application/fhir+json', 'application/json'],
    body: ExportParametersBody, response: kickOffResponses(notFound, true),
  });
  const SYSTEM = 'Bulk Data: export every resident\'s data the client reaches (system level, NDJSON, asynchronous)';
  const PATIENT = 'Bulk Data: export all Patients (or, POST, the patients named) and their data (asynchronous)';
  const GROUP = 'Bulk Data: export the residents of one location (Group id = locationId; or, POST, the patients named there) and their data (asynchronous)';

  app.get('/$export', { schema: kickOffSchema('startFhirSystemExport', SYSTEM) }, kickOff('system', fromQuery));
  app.get('/Patient/$export', { schema: kickOffSchema('startFhirPatientExport', PATIENT) }, kickOff('patient', fromQuery));
  app.get('/Group/:id/$export', { schema: { ...kickOffSchema('startFhirGroupExport', GROUP, true), params: GroupExportParams } }, kickOff('group', fromQuery));
  app.post('/$export', { bodyLimit: EXPORT_BODY_LIMIT, schema: postSchema('startFhirSystemExportPost', `${SYSTEM}; parameters in a Parameters body`) }, kickOff('system', fromBody));
  app.post('/Patient/$export', { bodyLimit: EXPORT_BODY_LIMIT, schema: postSchema('startFhirPatientExportPost', `${PATIENT}; parameters in a Parameters body`) }, kickOff('patient', fromBody));
  app.post('/Group/:id/$export', {
    bodyLimit: EXPORT_BODY_LIMIT, schema: { ...postSchema('startFhirGroupExportPost', `${GROUP}; parameters in a Parameters body`, true), params: GroupExportParams },
  }, kickOff('group', fromBody));

  app.get('/bulkstatus/:exportId', {
    config: { fhirPlainJson: true },
    schema: { tags: TAGS, operationId: 'getFhirExportStatus', summary: 'Bulk Data: status of an export (202 in progress, 200 the manifest)', security, params: ExportStatusParams, response: statusResponses },
  }, async (req, reply) => {
    const s = await exports.status(fhirContext(req), (req.params as { exportId: string }).exportId);
    if (s.state === 'in-progress') return reply.code(202).header('x-progress', s.progress).header('retry-after', String(POLL_SECONDS)).send();
    if (s.state === 'failed') return reply.code(500).type(FHIR_JSON).send(operationOutcome('exception', [s.error]));
    return reply.code(200).header('expires', s.expiresAt.toUTCString()).type('application/json; charset=utf-8').send(s.manifest);
  });

  app.delete('/bulkstatus/:exportId', {
    schema: { tags: TAGS, operationId: 'cancelFhirExport', summary: 'Bulk Data: cancel an export and delete its files', security, params: ExportStatusParams, response: cancelResponses },
  }, async (req, reply) => {
    await exports.cancel(fhirContext(req), (req.params as { exportId: string }).exportId);
    return reply.code(202).type(FHIR_JSON).send(info('Export cancelled; its files are deleted'));
  });

  app.get('/bulkfiles/:exportId/:file', {
    schema: { tags: TAGS, operationId: 'downloadFhirExportFile', summary: 'Bulk Data: one NDJSON file of a completed export', security, params: ExportFileParams, response: fileResponses },
  }, async (req, reply) => {
    const { exportId, file } = req.params as { exportId: string; file: string };
    const { content } = await exports.download(fhirContext(req), exportId, file);
    return reply.code(200).type('application/fhir+ndjson').send(Readable.from(content));
  });
}
