/**
 * PRTF reports: the clinic's (or one plan's) return transmission of member status, encounters
 * and outreach for a period, as CSV or XLSX (one row per member, DHCS ECM return
 * transmission file fields in a versioned layout plus four count columns), each with its
 * Outreach Tracker File (one row per outreach attempt). Every count equals what the events counts report for
 * the member and period. Files are kept in Postgres storage and downloaded
 * through expiring signed URLs.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PoolClient } from 'pg';
import { clientTransaction, type Db, type Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import { neutralizeCsvCell, neutralizedCsvCellSql, toCsv } from '../../platform/csv.ts';
import type { RequestContext, UserActor } from '../../platform/context.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { IdentityService, OrganizationRow } from '../../platform/identity/service.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { systemContext } from '../../platform/context.ts';
import type { DownloadSigner, FileStorage } from '../../platform/storage.ts';
import type { Jobs } from '../../platform/jobs.ts';
import type { Mailer } from '../../platform/mail.ts';
import { dateIn } from '../../platform/time.ts';
import { OTF_PROVIDER_TYPE, OUTREACH_ATTEMPT_METHODS, outreachAttemptMethodOf, POPULATIONS_OF_FOCUS } from '../reporting/dhcs-values.ts';
import {
  defaultRtfLayout, displayPhone, mdy, OTF_COLUMNS, prtfFilename, rtfLayout, RTF_REFERRAL_STATUS,
  type RtfColumn, type RtfLayout, type RtfLayoutVersion,
} from './columns.ts';
import { MODALITIES } from '../activities/schemas.ts';
import { MONTHLY_PRTF_MAIL_QUEUE, type MonthlyPrtfMailPayload } from './queues.ts';
import * as store from './store.ts';

/** Member rows stringified and handed to storage at a time (~64 KiB of CSV at ~400 characters a row). */
const CSV_PART_ROWS = 160;

/** How long a download URL stays valid (seconds). */
export const DOWNLOAD_URL_TTL_SECONDS = 3600;

const STATUS_WORDS: Record<string, string> = {
  new_member: 'New Member',
  continuing_member: 'Continuing Member',
  pending_member: 'Pending Member',
  terminated_member: 'Terminated Member',
  inactive_member: 'Inactive Member',
};
const cap = (s: string | null) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : '');

export interface PrtfRequest {
  start_date?: string;
  end_date?: string;
  provider_npi?: string | null;
  provider_name?: string | null;
  provider_phone?: string | null;
  format?: 'csv' | 'xlsx';
  /** The RTF layout version; default: the newest whose `defaultFrom` is on or before `start_date`. */
  layout_version?: RtfLayoutVersion;
  /** One plan's file: its members (eligibility `mcp_id`, else the clinic's plan). */
  mcp_id?: string | null;
  /** One report per plan of the period's members, grouped by a batch id. */
  all_plans?: boolean;
}

/** One member's required fields still empty or invalid in a report (`GET .../prtf_reports/{id}`). */
export interface ValidationEntry {
  patient_id: number;
  member_id: string;
  problems: string[];
}

/**
 * The required RTF fields of a member row that are empty or invalid, in words a care team acts on.
 * Required: DHCS RTF member-level fields the platform fills (docs/decisions.md "DHCS reporting files").
 */
export function validationProblems(r: store.MemberRow, mcpId: string | null): string[] {
  const out: string[] = [];
  if (!mcpId) out.push('No plan (MCP identifier)');
  if (!r.cin) out.push('No CIN');
  if (!r.pof_keys) out.push('No Population of Focus');
  if (r.homeless === null) out.push('Homelessness indicator not set');
  if (!r.phone) out.push('No phone number');
  if (!r.address_street && r.homeless !== true) out.push('No residential address');
  if (!r.acuity_level) out.push('No acuity level');
  if (!r.lcm_name) out.push('No lead care manager');
  if (!r.ecm_benefit_auth_eff_date) out.push('No ECM enrollment start date');
  if (r.ecm_benefit_auth_eff_date && r.ecm_benefit_auth_end_date && r.ecm_benefit_auth_end_date < r.ecm_benefit_auth_eff_date) {
    out.push('ECM enrollment end date before its start date');
  }
  if (r.member_record_status === 'terminated_member' && !r.discontinuation_code) out.push('Terminated without a discontinuation (date, reason code, reason)');
  return out;
}

export interface PrtfDeps {
  db: Db;
  /** Mails the clinic's admins when the monthly run's files are ready (absent: no mail). */
  mailer?: Mailer;
  /** Enqueues those mails (`ecm.monthly-prtf-mail`), each retried on `mailRetry` (doubling) until SMTP takes it. */
  jobs?: Pick<Jobs, 'send'>;
  mailRetry?: { limit: number; delaySeconds: number };
  identity: IdentityService;
  storage: FileStorage;
  signer: DownloadSigner;
  clock?: () => Date;
}

/** Today's date (`YYYY-MM-DD`) in `timeZone` (the platform's `dateIn`, under the name the PRTF code uses). */
export const dayIn: (timeZone: string, at: Date) => string = dateIn;

interface Header {
  org: OrganizationRow;
  npi: string;
  providerName: string;
  providerPhone: string;
  producedOn: string;
  period: string;
  layout: RtfLayout;
}

const POF_NAMES: ReadonlyMap<string, string> = new Map(POPULATIONS_OF_FOCUS.map((p) => [p.key, p.name]));
const yn = (v: boolean | null | undefined) => (v === true ? 'Y' : v === false ? 'N' : '');

/**
 * A member row's cell for every RTF column any layout version holds (`RtfColumn`); a layout picks and orders them.
 * `Member POF` is DHCS's POF names, `;`-separated (DHCS's POF codes are not found: `DHCS_SOURCES.ecmPopulationsOfFocus`).
 * The Discontinuation Date is the recorded discontinuation's, else (a member terminated another way) the day of
 * its latest termination. New Address / New Phone Number: Y when it differs from the plan's last submitted report
 * that listed the member, else N.
 */
function memberValues(r: store.MemberRow, h: Header): Record<RtfColumn, string | number> {
  const pofs = r.pof_keys ? r.pof_keys.split(';').map((k) => POF_NAMES.get(k) ?? k) : [];
  return {
    'Primary Payer (MCP) Identifier': r.mcp_id ?? h.org.mcpId ?? '',
    'MCP Name': r.mcp_name ?? h.org.mcpName ?? '',
    'Member Client Index Number (CIN)': r.cin || r.member_id,
    'Member Last Name': r.last_name,
    'Member First Name': r.first_name,
    'Member New Address Indicator': yn(r.new_address),
    'Member Homelessness Indicator': yn(r.homeless),
    'Member Residential Address': r.address_street ?? '',
    'Member Residential City': r.address_city ?? '',
    'Member Residential State': r.address_state ?? '',
    'Member Residential Zip': r.address_zip ?? '',
    'Member New Phone Number Indicator': yn(r.new_phone),
    'Member Phone Number': displayPhone(r.phone),
    'Member POF Indicator': pofs.length > 0 ? 'Y' : 'N',
    'Member POF': pofs.join(';'),
    'Member ECM Status': STATUS_WORDS[r.member_record_status] ?? r.member_record_status,
    'Member Acuity Level': cap(r.acuity_level),
    'ECM Enrollment Start Date': mdy(r.ecm_benefit_auth_eff_date),
    'ECM Enrollment End Date': mdy(r.ecm_benefit_auth_end_date),
    'Date of Latest Care Plan Revision': mdy(r.care_plan_revised_on),
    'Date of Most Recent Care Conference': mdy(r.care_conference_on),
    'Date Assessment Started': mdy(r.assessment_started_on),
    'Date of Most Recent Completed Assessment': mdy(r.assessment_completed_on),
    'Date of Most Recent Encounter with Member': mdy(r.last_encounter_on),
    'ECM Lead Care Manager Name': r.lcm_name ?? '',
    'ECM Lead Care Manager Phone Number': displayPhone(r.lcm_phone),
    'ECM Lead Care Manager Email': r.lcm_email ?? '',
    'Discontinuation Date': mdy(r.discontinuation_on ?? r.discontinued_on),
    'Discontinuation Reason Code': r.discontinuation_code ?? '',
    'Discontinuation Reason': r.discontinuation_reason ?? '',
    'Referral Status': r.referral_status ? (RTF_REFERRAL_STATUS[r.referral_status] ?? r.referral_status) : '',
    'Date of Referral Status Update': mdy(r.referral_status_date),
    'Reason for Referral Loop Closure': r.referral_closure_reason ?? '',
    'In Person': r.in_person_encounters,
    'Telephonic/Video': r.telehealth_encounters,
    'Member Information Return Transmission File Production Date': h.producedOn,
    'Member Information File Reporting Period': h.period,
    'ECM Provider Name': h.providerName,
    'ECM Provider National Provider Identifier (NPI)': h.npi,
    'ECM Provider Tax ID Number (TIN)': h.org.tin ?? '',
    'ECM Provider Phone Number': h.providerPhone,
    'In-Person Encounters': r.in_person_encounters,
    'Telehealth Encounters': r.telehealth_encounters,
    'In-Person Outreach': r.in_person_outreach,
    'Telehealth Outreach': r.telehealth_outreach,
  };
}

/** A member row's cells in `layout`'s column order. */
function memberCells(r: store.MemberRow, h: Header): Array<string | number> {
  const v = memberValues(r, h);
  return h.layout.columns.map((c) => v[c]);
}

const METHOD_LABELS: ReadonlyMap<string, string> = new Map(OUTREACH_ATTEMPT_METHODS.map((m) => [m.key, m.label]));

/**
 * The OTF method's words of every (event type, modality) an outreach attempt can have, from the one rule
 * (`outreachAttemptMethodOf`); modality '' stands for none.
 */
const OTF_METHODS = (['call', 'sms', 'email', 'appointment', 'meeting'] as const).flatMap((eventType) =>
  [null, ...MODALITIES].map((modality) => ({ eventType, modality, label: METHOD_LABELS.get(outreachAttemptMethodOf(eventType, modality))! })));

/** An OTF row's cells (`store.otfCellsQuery`) in `OTF_COLUMNS` order, for the XLSX writer. */
function otfCells(r: store.OtfRow): Cells {
  return [
    r.mcp_id ?? '', r.mcp_name ?? '', r.provider_name ?? '', r.npi ?? '', r.tin ?? '', r.last_name ?? '', r.first_name ?? '', r.cin ?? '',
    r.provider_type ?? '', r.attempted_on, r.method, r.successful, r.duration ?? '',
  ];
}

type Cells = Array<string | number>;

/** The first and last day (YYYY-MM-DD) of the month before the one `today` (YYYY-MM-DD) is in. */
export function previousMonth(today: string): { start: string; end: string } {
  const [y, m] = today.split('-').map(Number);
  const start = new Date(Date.UTC(y, m - 2, 1));
  const end = new Date(Date.UTC(y, m - 1, 0));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

export function createPrtfService({ db, identity, storage, signer, mailer, jobs, mailRetry = { limit: 5, delaySeconds: 60 }, clock = () => new Date() }: PrtfDeps) {
  async function wire(row: store.PrtfReportRow, publicId: string, otf: { publicId: string | null; filename: string | null }) {
    const expiresAt = new Date(clock().getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000);
    return {
      id: row.id,
      filename: row.filename,
      format: row.format as 'csv' | 'xlsx',
      start_date: row.startDate,
      end_date: row.endDate,
      provider_npi: row.providerNpi,
      provider_name: row.providerName,
      provider_phone: row.providerPhone,
      patient_count: row.patientCount,
      layout_version: row.layoutVersion as RtfLayoutVersion,
      mcp_id: row.mcpId,
      batch_id: row.batchId,
      submitted_on: row.submittedOn,
      submitted_by_user_id: row.submittedByUserId,
      validation_summary: { members_with_problems: row.membersWithProblems },
      url: await signer.url(publicId, expiresAt),
      otf_filename: otf.filename,
      otf_url: otf.publicId ? await signer.url(otf.publicId, expiresAt) : null,
      expires_at: expiresAt.toISOString(),
      created_at: row.createdAt.toISOString(),
    };
  }

  /**
   * The RTF's member rows in batches, each row's cells in the layout's order. Each batch's digests and validation
   * problems are staged in the database (`store.stageMembers`) before the batch is yielded, so nothing per member
   * stays in memory across batches.
   */
  async function* rtfBatches(tx: Executor, p: store.Period, h: Header, mcpOf: (r: store.MemberRow) => string | null): AsyncGenerator<Cells[]> {
    for await (const batch of store.memberBatches(tx, p)) {
      await store.stageMembers(tx, batch.map((r) => {
        const problems = validationProblems(r, mcpOf(r));
        const any = problems.length > 0;
        return { patientId: r.patient_id, addressDigest: r.address_digest, phoneDigest: r.phone_digest, memberId: any ? r.member_id : null, problems: any ? problems : null };
      }));
      yield batch.map((r) => memberCells(r, h));
    }
  }

  /** What every OTF row repeats, from the report's header; for a CSV, the provider's cells neutralised here, once. */
  function otfConstants(h: Header, csv: boolean): store.OtfConstants {
    const out = (v: string | null) => (v !== null && csv ? neutralizeCsvCell(v) : v);
    return { defaultMcpId: h.org.mcpId ?? null, defaultMcpName: h.org.mcpName ?? null, providerName: out(h.providerName)!, npi: out(h.npi)!, tin: out(h.org.tin ?? null), providerType: out(OTF_PROVIDER_TYPE)! };
  }

  /**
   * Stores the OTF (one row per outreach attempt). CSV: PostgreSQL writes the rows (`store.copyOtfCsv`) into a
   * temporary file, which is then stored: no row passes through JavaScript, and the transaction's connection does
   * one thing at a time. XLSX: the rows from a cursor through the streaming workbook writer.
   */
  async function storeOtf(tx: Db, client: PoolClient, organizationId: number, filename: string, format: 'csv' | 'xlsx', p: store.Period, h: Header) {
    if (format === 'xlsx') {
      return storeFile(tx, organizationId, filename, format, 'Outreach Tracker', OTF_COLUMNS, mapBatches(store.otfBatches(tx, p, otfConstants(h, false), OTF_METHODS), otfCells));
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'care-otf-'));
    try {
      const tmp = path.join(dir, filename);
      const out = createWriteStream(tmp);
      out.write(toCsv([OTF_COLUMNS]));
      await store.copyOtfCsv(client, p, otfConstants(h, true), OTF_METHODS, neutralizedCsvCellSql, out);
      return await storage.put(tx, { organizationId, filename, contentType: 'text/csv; charset=utf-8' }, createReadStream(tmp));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * CSV text (`toCsv`: RFC 4180 quoting, formula-like cells neutralised) in parts of about 64 KiB: the header,
   * then the rows. A part per cursor batch (~350 KB) is a large string, which V8 allocates in the old
   * generation and keeps until the next major GC (peak RSS at full size 273 MB against 260 MB with small parts).
   */
  async function* csvContent(columns: readonly string[], batches: AsyncGenerator<Cells[]>): AsyncGenerator<string> {
    yield toCsv([columns]);
    for await (const batch of batches) {
      for (let i = 0; i < batch.length; i += CSV_PART_ROWS) yield toCsv(batch.slice(i, i + CSV_PART_ROWS));
    }
  }

  /**
   * Writes a one-sheet XLSX workbook with exceljs's streaming writer to `filename` (a temporary file: the cursor
   * reads and the storage writes then use the transaction's connection one after the other). Text goes in as typed
   * string cells, which spreadsheets never evaluate, so it is written as it is (the CSV's formula neutralising
   * would only corrupt it here).
   */
  async function writeXlsx(sheet: string, columns: readonly string[], batches: AsyncGenerator<Cells[]>, filename: string): Promise<void> {
    // exceljs is loaded on first use: it costs start-up time and memory in every process.
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename, useStyles: true });
    const ws = workbook.addWorksheet(sheet);
    ws.addRow([...columns]).commit();
    for await (const batch of batches) for (const row of batch) ws.addRow(row).commit();
    ws.commit();
    await workbook.commit();
  }

  /** `batches` with each row mapped by `f`. */
  async function* mapBatches<T>(batches: AsyncGenerator<T[]>, f: (row: T) => Cells): AsyncGenerator<Cells[]> {
    for await (const batch of batches) yield batch.map(f);
  }

  /** Stores one file of `format` (CSV streamed; XLSX through a temporary file). */
  async function storeFile(tx: Executor, organizationId: number, filename: string, format: 'csv' | 'xlsx', sheet: string, columns: readonly string[], batches: AsyncGenerator<Cells[]>) {
    const meta = {
      organizationId,
      filename,
      contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
    if (format === 'csv') return storage.put(tx, meta, csvContent(columns, batches));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'care-prtf-'));
    try {
      const tmp = path.join(dir, filename);
      await writeXlsx(sheet, columns, batches, tmp);
      return await storage.put(tx, meta, createReadStream(tmp));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Generates and stores one report (one plan's when `mcp` is given) in its own transaction. */
  async function generateOne(
    ctx: RequestContext, org: OrganizationRow, npi: string, input: PrtfRequest, base: store.Period,
    mcp: store.Period['mcp'], batchId: string | null,
  ) {
    const format = input.format ?? 'csv';
    const now = clock();
    const producedOn = dayIn(org.timeZone, now);
    const header: Header = {
      org,
      npi,
      providerName: input.provider_name || org.name,
      providerPhone: displayPhone(input.provider_phone || org.phone),
      producedOn: mdy(producedOn),
      period: `${mdy(input.start_date)} - ${mdy(input.end_date)}`,
      layout: input.layout_version ? rtfLayout(input.layout_version) : defaultRtfLayout(input.start_date!),
    };
    const filename = prtfFilename(npi, mcp ? mcp.id : null, input.start_date!, producedOn, format);
    return clientTransaction(db, 'repeatable read', async (tx, client) => {
        const mcpId = mcp ? mcp.id : null;
        const period: store.Period = { ...base, mcp, baselineReportId: await store.lastSubmittedReportId(tx, org.id, mcpId) };
        const mcpOf = (r: store.MemberRow) => (mcp ? mcp.id : (r.mcp_id ?? org.mcpId ?? null));
        await store.createMemberStage(tx);
        const file = await storeFile(tx, org.id, filename, format, 'RTF', header.layout.columns, rtfBatches(tx, period, header, mcpOf));
        const otfName = prtfFilename(npi, mcp ? mcp.id : null, input.start_date!, producedOn, format, 'OTF');
        const otf = await storeOtf(tx, client, org.id, otfName, format, period, header);
        const inserted = await store.insertReport(tx, {
          organizationId: org.id,
          filename,
          format,
          startDate: period.startDate,
          endDate: period.endDate,
          providerNpi: input.provider_npi || null,
          providerName: input.provider_name || null,
          providerPhone: input.provider_phone || null,
          patientCount: 0,
          fileId: file.id,
          otfFileId: otf.id,
          createdByUserId: ctx.actor.kind === 'user' ? (ctx.actor as UserActor).userId : null,
          layoutVersion: header.layout.version,
          mcpId,
          batchId,
        });
        const members = await store.insertReportMembers(tx, org.id, inserted.id);
        const report = await store.setReportCounts(tx, org.id, inserted.id, members.patientIds.length, members.withProblems);
        await recordAudit(tx, ctx, { action: 'export', entityType: 'patient', entityIds: members.patientIds });
        return wire(report, file.publicId, { publicId: otf.publicId, filename: otfName });
    });
  }

  return {
    /**
     * Generates a report (`POST /v1/admin/clinic/ecm/prtf_reports`): the clinic's, one plan's (`mcp_id`), or one
     * per plan of the period's members (`all_plans`, grouped by a new `batch_id`).
     * File name `PRTF_<NPI>[_<MCP id>]_<MMYYYY of the period start>_<MMDDYYYY of generation>` in the clinic's time
     * zone; with no `provider_npi`, the clinic's NPI.
     * @throws ValidationError for missing or reversed dates, a malformed NPI, no NPI at all, or `mcp_id` with `all_plans`.
     */
    async generate(ctx: RequestContext, input: PrtfRequest) {
      const errors: string[] = [];
      if (!input.start_date) errors.push("Start date can't be blank");
      if (!input.end_date) errors.push("End date can't be blank");
      if (input.start_date && input.end_date && input.end_date < input.start_date) errors.push('End date must be on or after the start date');
      if (input.provider_npi && !/^\d{10}$/.test(input.provider_npi)) errors.push('Provider NPI must be 10 digits');
      if (input.all_plans && input.mcp_id) errors.push('Give mcp_id or all_plans, not both');
      if (errors.length) throw new ValidationError(errors);
      const org = await identity.getOrganization(ctx.actor.organizationId);
      const npi = input.provider_npi || org.npi;
      if (!npi) throw new ValidationError(['The clinic has no NPI: set it in the organization settings or pass provider_npi']);
      const base: store.Period = { organizationId: org.id, startDate: input.start_date!, endDate: input.end_date!, timeZone: org.timeZone, npi: input.provider_npi || undefined };
      if (!input.all_plans) {
        const mcp = input.mcp_id ? { id: input.mcp_id, defaultMcpId: org.mcpId ?? null } : undefined;
        const report = await generateOne(ctx, org, npi, input, base, mcp, null);
        return { message: 'PRTF report generated successfully', prtf_report: report, batch_id: null, prtf_reports: [report] };
      }
      const plans = await store.plansOfPeriod(db, { ...base, mcp: { id: null, defaultMcpId: org.mcpId ?? null } });
      const batchId = randomUUID();
      const reports = [];
      for (const id of plans) reports.push(await generateOne(ctx, org, npi, input, base, { id, defaultMcpId: org.mcpId ?? null }, batchId));
      return { message: `${reports.length} PRTF reports generated successfully`, prtf_report: reports[0] ?? null, batch_id: batchId, prtf_reports: reports };
    },

    /**
     * The monthly run (job `ecm.monthly-prtf`): for every clinic whose reporting day has come (`reporting_day`,
     * default 10, in its time zone) and that has no monthly batch for last month yet, generates last month's files
     * for every plan (CSV, the default layout of the period), then enqueues one mail job per active admin
     * (`deliverMonthlyMail`), so a mail SMTP refuses is retried with backoff, not lost. A clinic with no NPI is skipped.
     * @returns the batches made, by organization id.
     */
    async runMonthly(): Promise<Map<number, { batchId: string; reports: number; membersWithProblems: number }>> {
      const now = clock();
      const out = new Map<number, { batchId: string; reports: number; membersWithProblems: number }>();
      for (const orgId of await store.clinicsDueForMonthlyRun(db, now)) {
        const org = await identity.getOrganization(orgId);
        if (!org.npi) continue;
        const { start, end } = previousMonth(dayIn(org.timeZone, now));
        const made = await this.generate(systemContext(orgId, 'Monthly PRTF run'), { start_date: start, end_date: end, all_plans: true });
        if (made.prtf_reports.length === 0) continue;
        const summary = { batchId: made.batch_id!, reports: made.prtf_reports.length, membersWithProblems: made.prtf_reports.reduce((n, r) => n + r.validation_summary.members_with_problems, 0) };
        out.set(orgId, summary);
        if (!mailer || !jobs) continue;
        const admins = (await identity.listUsers(orgId, { page: 1, perPage: 100, offset: 0 }, 'admin')).rows.filter((u) => u.active);
        await db.transaction(async (tx) => {
          for (const admin of admins) {
            await jobs.send<MonthlyPrtfMailPayload>(tx, { name: MONTHLY_PRTF_MAIL_QUEUE, retry: { ...mailRetry, backoff: true } }, { organizationId: orgId, batchId: summary.batchId, userId: admin.id });
          }
        });
      }
      return out;
    },

    /**
     * Sends one admin the "files are ready" mail of a monthly batch (job `ecm.monthly-prtf-mail`): the period, and per
     * plan its id, member count and how many members have fields to fix; no names or ids of members (no PHI). Nothing
     * is sent to an admin no longer active, or for a batch that no longer exists.
     * @throws the mailer's error when SMTP refuses or cannot be reached: the job queue retries it with backoff.
     */
    async deliverMonthlyMail({ organizationId, batchId, userId }: MonthlyPrtfMailPayload): Promise<void> {
      if (!mailer) return;
      const reports = await store.batchReports(db, organizationId, batchId);
      if (reports.length === 0) return;
      const admin = await identity.getUser(organizationId, userId).catch((err: unknown) => {
        if (err instanceof NotFoundError) return null;
        throw err;
      });
      if (!admin || !admin.active) return;
      const { startDate: start, endDate: end } = reports[0];
      const plans = reports.map((r) => `${r.mcpId ?? '(no plan)'}: ${r.patientCount} members, ${r.membersWithProblems} with fields to fix`);
      await mailer.send({
        organizationId,
        to: admin.email,
        subject: `PRTF files for ${start.slice(0, 7)} are ready`,
        text: [
          `The PRTF and Outreach Tracker files for ${mdy(start)} - ${mdy(end)} are ready (${reports.length} plans):`,
          ...plans.map((p) => `- ${p}`),
          '',
          'Open Reports in the console to review the validation list, download the files and mark them submitted.',
        ].join('\n'),
        attachments: [],
      });
    },

    /**
     * Marks a report submitted to its plan (`POST .../prtf_reports/{id}/submission`): the day (default today in the
     * clinic's time zone) and the admin. The plan's next reports compare addresses and phones with it.
     * @throws NotFoundError `PRTF report not found`; ValidationError when already submitted or the day is in the future.
     */
    async submit(ctx: RequestContext<UserActor>, id: number, input: { submitted_on?: string }) {
      const org = await identity.getOrganization(ctx.actor.organizationId);
      const today = dayIn(org.timeZone, clock());
      const on = input.submitted_on ?? today;
      return db.transaction(async (tx) => {
        const found = await store.findReport(tx, org.id, id);
        if (!found) throw new NotFoundError('PRTF report not found');
        const errors: string[] = [];
        if (found.report.submittedOn) errors.push('The report is already marked submitted');
        if (on > today) errors.push('Submitted on cannot be in the future');
        if (on < dayIn(org.timeZone, found.report.createdAt)) errors.push('Submitted on cannot be before the report was generated');
        if (errors.length) throw new ValidationError(errors);
        const row = await store.markSubmitted(tx, org.id, id, on, ctx.actor.userId);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'prtf_report', entityIds: [id] });
        return { message: 'PRTF report marked submitted', prtf_report: await wire(row!, found.publicId, { publicId: found.otfPublicId, filename: found.otfFilename }) };
      });
    },

    /** `GET .../prtf_reports`: newest first, each with a fresh download URL. */
    async list(ctx: RequestContext, q: { page?: number; per_page?: number; page_size?: number }) {
      const page = pageRequest(q);
      const { rows, totalCount } = await store.listReports(db, ctx.actor.organizationId, page.perPage, page.offset);
      return { prtf_reports: await Promise.all(rows.map((r) => wire(r.report, r.publicId, { publicId: r.otfPublicId, filename: r.otfFilename }))), pagination: paginationOf(page, totalCount) };
    },

    /** `GET .../prtf_reports/{id}` with a fresh download URL. @throws NotFoundError `PRTF report not found`. */
    async get(ctx: RequestContext, id: number) {
      const row = await store.findReport(db, ctx.actor.organizationId, id);
      if (!row) throw new NotFoundError('PRTF report not found');
      const validation: ValidationEntry[] = await store.reportValidation(db, ctx.actor.organizationId, id);
      return { prtf_report: { ...(await wire(row.report, row.publicId, { publicId: row.otfPublicId, filename: row.otfFilename })), validation } };
    },

    /**
     * Opens a file behind a signed download URL; writes an audit row for the organization.
     * @throws ForbiddenError `Invalid or expired download link` (also for an unknown file).
     */
    async openDownload(publicId: string, expires: number, signature: string) {
      if (!(await signer.verify(publicId, expires, signature, clock()))) throw new ForbiddenError('Invalid or expired download link');
      const file = await storage.find(db, publicId);
      if (!file) throw new ForbiddenError('Invalid or expired download link');
      await recordAudit(db, systemContext(file.organizationId, 'Signed download'), { action: 'read', entityType: 'stored_file', entityIds: [file.id] });
      return { file, content: storage.read(db, file.id) };
    },
  };
}

export type PrtfService = ReturnType<typeof createPrtfService>;
