/**
 * HTTP routes of PRTF reports (admin) and of signed file downloads.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { UserActor } from '../../platform/context.ts';
import { contextOf, PUBLIC_SECURITY } from '../../platform/http.ts';
import { PageQuery, Pagination } from '../../platform/pagination.ts';
import { DateText, LimitedString, Nullable } from '../../platform/schema.ts';
import { EcmErrors, ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import { OTF_COLUMNS, RTF_LAYOUTS, RTF_LAYOUT_VERSIONS } from './columns.ts';
import type { PrtfService } from './service.ts';

const tags = ['PRTF reports'];

const PrtfReportFields = {
  id: Type.Integer(),
  filename: Type.String({ description: 'PRTF_<NPI>_<MMYYYY of the period start>_<MMDDYYYY of generation>.csv (or .xlsx).' }),
  format: Type.Enum(['csv', 'xlsx']),
  start_date: Type.String({ format: 'date' }),
  end_date: Type.String({ format: 'date' }),
  provider_npi: Nullable(Type.String()),
  provider_name: Nullable(Type.String()),
  provider_phone: Nullable(Type.String()),
  patient_count: Type.Integer({ description: 'Rows (members) in the file.' }),
  layout_version: Type.Enum(RTF_LAYOUT_VERSIONS, { description: 'The RTF layout version the file follows.' }),
  mcp_id: Nullable(Type.String({ description: "The plan the file is for (its members: eligibility mcp_id, else the clinic's plan); null: a file of the whole clinic, or of the members with no plan in a batch." })),
  batch_id: Nullable(Type.String({ format: 'uuid', description: 'Shared by the reports generated together for every plan (all_plans).' })),
  submitted_on: Nullable(Type.String({ format: 'date', description: 'The day an admin marked the report submitted to the plan.' })),
  submitted_by_user_id: Nullable(Type.Integer()),
  validation_summary: Type.Object({ members_with_problems: Type.Integer({ description: 'Members with a required field empty or invalid (the list: GET .../prtf_reports/{id}).' }) }),
  url: Type.String({ description: 'Signed download URL, valid until expires_at.' }),
  otf_filename: Nullable(Type.String({ description: 'The Outreach Tracker File: OTF_<NPI>[_<MCP id>]_<MMYYYY>_<MMDDYYYY>.csv (or .xlsx); null for reports made before it existed.' })),
  otf_url: Nullable(Type.String({ description: 'Signed download URL of the Outreach Tracker File, valid until expires_at.' })),
  expires_at: Type.String({ format: 'date-time' }),
  created_at: Type.String({ format: 'date-time' }),
};
const PrtfReport = Type.Object(PrtfReportFields);

const PrtfBody = Type.Object({
  start_date: Type.Optional(DateText({ description: 'First day of the period (required).' })),
  end_date: Type.Optional(DateText({ description: 'Last day of the period, not before start_date (required).' })),
  provider_npi: Type.Optional(Nullable(LimitedString('identifier', { description: "Only members whose eligibility ecm_npi is this NPI; default all, and the clinic's NPI in the file." }))),
  provider_name: Type.Optional(Nullable(LimitedString('name', { description: "ECM Provider Name in the file (default the clinic's name)." }))),
  provider_phone: Type.Optional(Nullable(LimitedString('phone', { description: "ECM Provider Phone Number in the file (default the clinic's phone)." }))),
  format: Type.Optional(Type.Enum(['csv', 'xlsx'], { description: 'csv (default) or xlsx, for the RTF and the Outreach Tracker File alike.' })),
  mcp_id: Type.Optional(Nullable(LimitedString('identifier', { description: "One plan's file: the members whose eligibility mcp_id is this (or, with none, whose clinic plan is). Default: the whole clinic." }))),
  all_plans: Type.Optional(Type.Boolean({ description: 'One report per plan of the period\'s members, grouped by one batch_id. Not with mcp_id.' })),
  layout_version: Type.Optional(Type.Enum(RTF_LAYOUT_VERSIONS, {
    description: 'RTF layout version. Default: rtf-clr-2025-07 (with the Closed-Loop Referral elements) for a period starting on or after 2025-07-01, rtf-2023 before.',
  })),
});

const ValidationEntry = Type.Object({
  patient_id: Type.Integer(),
  member_id: Type.String(),
  problems: Type.Array(Type.String(), { description: 'The required fields still empty or invalid, in words.' }),
});

const PrtfReportDetail = Type.Object({
  ...PrtfReportFields,
  validation: Type.Array(ValidationEntry, { description: 'Per member of the file, the required fields still empty or invalid when it was generated.' }),
});

const CreatedReports = Type.Object({
  message: Type.String(),
  prtf_report: Nullable(PrtfReport),
  batch_id: Nullable(Type.String({ format: 'uuid' })),
  prtf_reports: Type.Array(PrtfReport, { description: 'Every report generated: one, or one per plan with all_plans.' }),
});

const SubmissionBody = Type.Object({
  submission: Type.Optional(Type.Object({ submitted_on: Type.Optional(DateText({ description: "Default: today in the clinic's time zone." })) })),
});

const LAYOUTS_TEXT = RTF_LAYOUTS.map((l) => `${l.version} (default from ${l.defaultFrom}): ${l.columns.join('; ')}`).join('. ');

/** Registered under `/v1/admin`. */
export async function prtfRoutes(app: FastifyInstance, { prtf }: { prtf: PrtfService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/clinic/ecm/prtf_reports', {
    schema: {
      tags, operationId: 'createPrtfReport', summary: 'Generate a PRTF report', security: USER_TOKEN_SECURITY,
      description: `One row per member with ECM eligibility overlapping the period or any event in it. Layout versions and their columns, in order: ${LAYOUTS_TEXT}. Every report also writes its Outreach Tracker File (otf_url): one row per outreach attempt of the period (encounters are not outreach attempts), columns ${OTF_COLUMNS.join('; ')}. Counts are the events counts of the member and period (see the events counts endpoint). Dates MM/DD/YYYY. Fields the platform does not hold are empty.`,
      body: PrtfBody,
      response: ecmResponses({ 201: CreatedReports }, [403, 422]),
    },
  }, async (req, reply) => reply.code(201).send(await prtf.generate(contextOf<UserActor>(req), req.body ?? {})));

  r.get('/clinic/ecm/prtf_reports', {
    schema: {
      tags, operationId: 'listPrtfReports', summary: 'List PRTF reports', security: USER_TOKEN_SECURITY, querystring: Type.Object(PageQuery),
      response: ecmResponses({ 200: Type.Object({ prtf_reports: Type.Array(PrtfReport), pagination: Pagination }) }, [403, 422]),
    },
  }, async (req) => prtf.list(contextOf(req), req.query));

  r.get('/clinic/ecm/prtf_reports/:id', {
    config: { notFoundMessage: 'PRTF report not found' },
    schema: {
      tags, operationId: 'getPrtfReport', summary: 'Get a PRTF report (fresh download URL)', security: USER_TOKEN_SECURITY, params: Type.Object({ id: Type.Integer() }),
      response: ecmResponses({ 200: Type.Object({ prtf_report: PrtfReportDetail }) }, [403, 404]),
    },
  }, async (req) => prtf.get(contextOf(req), req.params.id));

  r.post('/clinic/ecm/prtf_reports/:id/submission', {
    config: { notFoundMessage: 'PRTF report not found' },
    schema: {
      tags, operationId: 'submitPrtfReport', summary: 'Mark a PRTF report submitted to its plan', security: USER_TOKEN_SECURITY,
      description: "Records the day and the admin. The plan's next reports set the New Address / New Phone Number indicators against the last report marked submitted.",
      params: Type.Object({ id: Type.Integer() }), body: SubmissionBody,
      response: ecmResponses({ 200: Type.Object({ message: Type.String(), prtf_report: PrtfReport }) }, [403, 404, 422]),
    },
  }, async (req) => prtf.submit(contextOf<UserActor>(req), req.params.id, req.body?.submission ?? {}));
}

/** `GET /v1/downloads/{public_id}`: a stored file behind an expiring signed URL (no token; the signature is the credential). */
export async function downloadRoutes(app: FastifyInstance, { prtf }: { prtf: PrtfService }) {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/downloads/:public_id', {
    schema: {
      tags: ['Downloads'], operationId: 'downloadFile', summary: 'Download a file through a signed URL', security: PUBLIC_SECURITY,
      description: 'URLs come from the resources that produce files (PRTF reports). An expired, tampered or unknown link is 403.',
      params: Type.Object({ public_id: LimitedString('key') }),
      querystring: Type.Object({ expires: Type.Integer(), signature: LimitedString('key') }),
      response: { 200: { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, 403: EcmErrors, 422: EcmErrors },
    },
  }, async (req, reply) => {
    const { file, content } = await prtf.openDownload(req.params.public_id, req.query.expires, req.query.signature);
    reply
      .header('content-type', file.contentType)
      .header('content-length', String(file.byteSize))
      .header('content-disposition', `attachment; filename="${file.filename.replace(/"/g, '')}"`)
      .header('cache-control', 'private, no-store');
    return reply.send(Readable.from(content) as never);
  });
}
