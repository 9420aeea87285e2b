/**
 * SQL of PRTF reports. Member rows and outreach rows are read through
 * server-side cursors (`DECLARE ... CURSOR`, `FETCH 1000`), so a clinic of
 * 100,000 members and millions of events is written with flat memory; the
 * member query reads the period's events once (no per-member scans).
 *
 * Counting follows the events counts exactly (src/ecm/events/store.ts
 * `countEvents`): non-cancelled events, `occurred_at` within the period's days
 * in the clinic's time zone and not after now, one PRTF category each.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inlinedSql, type Executor } from '../../db/pool.ts';
import { prtfReports, storedFiles } from '../../db/schema.ts';
import { REFERRAL_STATUSES } from '../reporting/dhcs-values.ts';

export interface Period {
  organizationId: number;
  startDate: string;
  endDate: string;
  /** The clinic's IANA time zone: the period's days are its days. */
  timeZone: string;
  /** Only members whose eligibility `ecm_npi` is this NPI. */
  npi?: string;
  /**
   * Only members of this plan: eligibility `mcp_id`, or the clinic's default plan (`defaultMcpId`) for a member
   * whose eligibility names none. `id` null: the members with no plan at all. Absent: every member.
   */
  mcp?: { id: string | null; defaultMcpId: string | null };
  /** The report whose address and phone digests the New Address / New Phone indicators compare with. */
  baselineReportId?: number | null;
}

/** The member's plan in SQL: its eligibility's, else the clinic's default. */
function planOf(p: Period): SQL {
  return sql`coalesce(el.mcp_id, ${p.mcp?.defaultMcpId ?? null}::text)`;
}

function planFilter(p: Period): SQL {
  if (!p.mcp) return sql``;
  return p.mcp.id === null ? sql`AND ${planOf(p)} IS NULL` : sql`AND ${planOf(p)} = ${p.mcp.id}::text`;
}

export interface MemberRow extends Record<string, unknown> {
  patient_id: number;
  first_name: string;
  last_name: string;
  address_street: string | null;
  address_city: string | null;
  address_state: string | null;
  address_zip: string | null;
  phone: string | null;
  member_id: string;
  cin: string | null;
  mcp_id: string | null;
  mcp_name: string | null;
  member_record_status: string;
  acuity_level: string | null;
  ecm_benefit_auth_eff_date: string | null;
  ecm_benefit_auth_end_date: string | null;
  in_person_encounters: number;
  telehealth_encounters: number;
  in_person_outreach: number;
  telehealth_outreach: number;
  last_encounter_on: string | null;
  lcm_name: string | null;
  lcm_phone: string | null;
  lcm_email: string | null;
  discontinued_on: string | null;
  /** Population of Focus keys, `;`-separated, sorted; null when none. */
  pof_keys: string | null;
  homeless: boolean | null;
  care_plan_revised_on: string | null;
  care_conference_on: string | null;
  assessment_started_on: string | null;
  assessment_completed_on: string | null;
  discontinuation_on: string | null;
  discontinuation_code: string | null;
  discontinuation_reason: string | null;
  referral_status: string | null;
  referral_status_date: string | null;
  referral_closure_reason: string | null;
  /** SHA-256 (hex) of street|city|state|zip, and of the phone: what `prtf_report_members` keeps. */
  address_digest: string;
  phone_digest: string;
  /** Changed since the baseline report (false when the member was not in it, or there is none). */
  new_address: boolean;
  new_phone: boolean;
}

/** An OTF row's cells in `OTF_COLUMNS` order (`otfCellsQuery`); null is an empty cell. */
export interface OtfRow extends Record<string, unknown> {
  mcp_id: string | null;
  mcp_name: string | null;
  provider_name: string | null;
  npi: string | null;
  tin: string | null;
  last_name: string | null;
  first_name: string | null;
  cin: string | null;
  provider_type: string | null;
  attempted_on: string;
  method: string;
  successful: 'Y' | 'N';
  duration: number | null;
}

/** The first instant of the period: midnight of `startDate` in the clinic's time zone. */
function lo(p: Period): SQL {
  return sql`(${p.startDate}::date::timestamp AT TIME ZONE ${p.timeZone}::text)`;
}

/** The instant just past the period: midnight after `endDate` in the clinic's time zone. */
function hi(p: Period): SQL {
  return sql`((${p.endDate}::date + 1)::timestamp AT TIME ZONE ${p.timeZone}::text)`;
}

const ENCOUNTERS = sql`('in_person_encounter', 'telehealth_encounter')`;

const ADDRESS_DIGEST = sql`encode(sha256(convert_to(concat_ws('|', p.address_street, p.address_city, p.address_state, p.address_zip), 'UTF8')), 'hex')`;
const PHONE_DIGEST = sql`encode(sha256(convert_to(coalesce(p.phone, ''), 'UTF8')), 'hex')`;

/** The open referral statuses of `REFERRAL_STATUSES` (dhcs-values.ts), as an SQL list. */
const OPEN_REFERRAL = sql`(${sql.join(REFERRAL_STATUSES.filter((s) => s.open).map((s) => sql`${s.key}`), sql`, `)})`;

/**
 * One row per member in the file, by patient id, from set-based reads: each kind of data is read once for the
 * clinic and grouped by member, then joined (hash or merge joins on the patient id), never looked up member by member.
 * The clinic's events of the period are read once and grouped by member (`agg`): the four counts (not after now),
 * the latest encounter in the period, and, by the group's existence, "any non-cancelled event in the period" (future
 * ones too), which puts a member in the file as the eligibility overlap does. Only a member with no encounter in the
 * period looks further back for its most recent encounter (one index probe: a set-based read would scan every older
 * event of the clinic).
 * The reporting data (docs/decisions.md "DHCS reporting data"), each as of the period's end: POF keys (`pof`),
 * homelessness, the latest care plan revision (`cpr`), completed care conference (`conf`, on its partial index),
 * assessment started and completed (`asm`), the day of a terminated member's latest termination (`term`); the
 * discontinuation recorded in the period or still in force (`disc`); and the referral still open or whose status
 * changed in the period (`ref`, the latest such one: one RTF row per member).
 * `address_digest` / `phone_digest` are what `prtf_report_members` keeps of the row for the next report's indicators.
 */
export function memberQuery(p: Period): SQL {
  const org = p.organizationId;
  return sql`
    WITH agg AS (
      SELECT e.patient_id,
        count(*) FILTER (WHERE e.prtf_category = 'in_person_encounter' AND e.occurred_at <= now())::int AS ipe,
        count(*) FILTER (WHERE e.prtf_category = 'telehealth_encounter' AND e.occurred_at <= now())::int AS the,
        count(*) FILTER (WHERE e.prtf_category = 'in_person_outreach' AND e.occurred_at <= now())::int AS ipo,
        count(*) FILTER (WHERE e.prtf_category = 'telehealth_outreach' AND e.occurred_at <= now())::int AS tho,
        max(e.occurred_at) FILTER (WHERE e.prtf_category IN ${ENCOUNTERS} AND e.occurred_at <= now()) AS last_encounter_at
      FROM ecm_events e
      WHERE e.organization_id = ${org} AND e.status <> 'cancelled' AND e.occurred_at >= ${lo(p)} AND e.occurred_at < ${hi(p)}
      GROUP BY e.patient_id),
    pof AS (
      SELECT mp.patient_id, string_agg(mp.population, ';' ORDER BY mp.population) AS pof_keys
      FROM ecm_member_populations mp WHERE mp.organization_id = ${org} GROUP BY mp.patient_id),
    cpr AS (
      SELECT cp.patient_id, max(cp.revised_on) AS revised_on FROM ecm_care_plan_revisions cp
      WHERE cp.organization_id = ${org} AND cp.revised_on <= ${p.endDate}::date GROUP BY cp.patient_id),
    conf AS (
      SELECT ac.patient_id, max(ac.occurred_at) AS occurred_at FROM activities ac
      WHERE ac.organization_id = ${org} AND ac.meeting_kind = 'care_conference' AND ac.deleted_at IS NULL
        AND ac.activity_type = 'meeting' AND ac.status = 'complete' AND ac.occurred_at < ${hi(p)}
      GROUP BY ac.patient_id),
    asm AS (
      SELECT s.patient_id, max(s.started_on) FILTER (WHERE s.started_on <= ${p.endDate}::date) AS started_on,
        max(s.completed_on) FILTER (WHERE s.completed_on <= ${p.endDate}::date) AS completed_on
      FROM ecm_assessments s WHERE s.organization_id = ${org} GROUP BY s.patient_id),
    term AS (
      SELECT h.patient_id, max(h.changed_at) AS changed_at FROM ecm_status_histories h
      WHERE h.organization_id = ${org} AND h.status = 'terminated_member' GROUP BY h.patient_id),
    disc AS (
      SELECT DISTINCT ON (dc.patient_id) dc.patient_id, dc.discontinued_on, dc.reason_code, dc.reason FROM ecm_discontinuations dc
      WHERE dc.organization_id = ${org} AND dc.discontinued_on <= ${p.endDate}::date
        AND (dc.discontinued_on >= ${p.startDate}::date
          OR dc.status_history_id = (SELECT h.id FROM ecm_status_histories h WHERE h.patient_id = dc.patient_id ORDER BY h.changed_at DESC, h.id DESC LIMIT 1))
      ORDER BY dc.patient_id, dc.id DESC),
    ref AS (
      SELECT DISTINCT ON (rf.patient_id) rf.patient_id, rf.status, rf.status_date, rf.loop_closure_reason FROM ecm_referrals rf
      WHERE rf.organization_id = ${org} AND rf.received_on <= ${p.endDate}::date
        AND (rf.status IN ${OPEN_REFERRAL} OR rf.status_date BETWEEN ${p.startDate}::date AND ${p.endDate}::date)
      ORDER BY rf.patient_id, rf.status_date DESC, rf.id DESC)
    SELECT p.id AS patient_id, p.first_name, p.last_name, p.address_street, p.address_city, p.address_state, p.address_zip, p.phone,
      el.member_id, el.cin, el.mcp_id, el.mcp_name, el.member_record_status, el.acuity_level,
      el.ecm_benefit_auth_eff_date::text, el.ecm_benefit_auth_end_date::text,
      coalesce(a.ipe, 0) AS in_person_encounters, coalesce(a.the, 0) AS telehealth_encounters,
      coalesce(a.ipo, 0) AS in_person_outreach, coalesce(a.tho, 0) AS telehealth_outreach,
      (coalesce(a.last_encounter_at,
        (SELECT max(e2.occurred_at) FROM ecm_events e2
          WHERE e2.patient_id = p.id AND e2.status <> 'cancelled' AND e2.prtf_category IN ${ENCOUNTERS}
            AND e2.occurred_at < ${lo(p)} AND e2.occurred_at <= now())) AT TIME ZONE ${p.timeZone}::text)::date::text AS last_encounter_on,
      lcm.name AS lcm_name, lcm.phone AS lcm_phone, lcm.email AS lcm_email,
      CASE WHEN el.member_record_status = 'terminated_member' THEN (term.changed_at AT TIME ZONE ${p.timeZone}::text)::date::text END AS discontinued_on,
      pof.pof_keys, ma.homeless,
      cpr.revised_on::text AS care_plan_revised_on,
      (conf.occurred_at AT TIME ZONE ${p.timeZone}::text)::date::text AS care_conference_on,
      asm.started_on::text AS assessment_started_on, asm.completed_on::text AS assessment_completed_on,
      disc.discontinued_on::text AS discontinuation_on, disc.reason_code AS discontinuation_code, disc.reason AS discontinuation_reason,
      ref.status AS referral_status, ref.status_date::text AS referral_status_date, ref.loop_closure_reason AS referral_closure_reason,
      ${ADDRESS_DIGEST} AS address_digest, ${PHONE_DIGEST} AS phone_digest,
      coalesce(prev.address_digest <> ${ADDRESS_DIGEST}, false) AS new_address, coalesce(prev.phone_digest <> ${PHONE_DIGEST}, false) AS new_phone
    FROM patients p
    JOIN ecm_eligibility_informations el ON el.patient_id = p.id
    LEFT JOIN agg a ON a.patient_id = p.id
    LEFT JOIN ecm_member_attributes ma ON ma.organization_id = ${org} AND ma.patient_id = p.id
    LEFT JOIN pof ON pof.patient_id = p.id
    LEFT JOIN cpr ON cpr.patient_id = p.id
    LEFT JOIN conf ON conf.patient_id = p.id
    LEFT JOIN asm ON asm.patient_id = p.id
    LEFT JOIN term ON term.patient_id = p.id
    LEFT JOIN disc ON disc.patient_id = p.id
    LEFT JOIN ref ON ref.patient_id = p.id
    LEFT JOIN prtf_report_members prev ON prev.report_id = ${p.baselineReportId ?? null}::int AND prev.organization_id = ${org} AND prev.patient_id = p.id
    LEFT JOIN case_loads cl ON cl.patient_id = p.id
    LEFT JOIN users lcm ON lcm.id = coalesce(cl.ilcm_user_id, cl.olcm_user_id)
    WHERE p.organization_id = ${org}
      ${p.npi ? sql`AND el.ecm_npi = ${p.npi}` : sql``}
      ${planFilter(p)}
      AND (a.patient_id IS NOT NULL
        OR (el.ecm_benefit_auth_eff_date <= ${p.endDate}::date
            AND (el.ecm_benefit_auth_end_date IS NULL OR el.ecm_benefit_auth_end_date >= ${p.startDate}::date)))
    ORDER BY p.id`;
}

/**
 * What every OTF row repeats: the provider's columns and the plan of a member whose eligibility names none. The
 * provider's columns are written as given (a CSV's caller neutralises them once, `neutralizeCsvCell`); the plan
 * goes through the query's `cell` with the member's own.
 */
export interface OtfConstants {
  defaultMcpId: string | null;
  defaultMcpName: string | null;
  providerName: string;
  npi: string;
  tin: string | null;
  providerType: string;
}

/**
 * The Outreach Tracker File's cells (the columns of `OTF_COLUMNS`, in order), one row per outreach attempt of the
 * period, by member then time, formatted by PostgreSQL so a CSV can be written by `COPY` without a row in Node:
 * dates MM/DD/YYYY, empty cells NULL, the minutes an integer. `methods` maps (event type, modality) to the method's
 * words (built from `outreachAttemptMethodOf`, the one rule; an unlisted modality gets the words of none); `cell` wraps each text cell (the CSV's formula
 * neutralising, or nothing for XLSX).
 * An outreach attempt: a contact attempt (call, SMS, email, appointment, meeting) the one PRTF rule puts in an
 * outreach category (src/ecm/events/prtf.ts); encounters are not outreach attempts. The activity is read only for an
 * appointment or meeting counted as telehealth outreach (its modality tells a phone call from video); the
 * inbound-SMS probe runs only for an SMS or email attempt, Successful (Y) when the member answered within 72 hours.
 */
export function otfCellsQuery(p: Period, k: OtfConstants, methods: ReadonlyArray<{ eventType: string; modality: string | null; label: string }>, cell: (text: SQL) => SQL): SQL {
  const text = (v: SQL) => cell(sql`nullif(${v}, '')`);
  // The method as one CASE per event type over the modality (a join would evaluate the modality lookup twice).
  const byType = new Map<string, Array<{ modality: string | null; label: string }>>();
  for (const m of methods) byType.set(m.eventType, [...(byType.get(m.eventType) ?? []), m]);
  const method = sql`CASE o.event_type ${sql.join([...byType].map(([type, ms]) => {
    const none = ms.find((m) => m.modality === null)?.label ?? null;
    const whens = ms.filter((m) => m.modality !== null).map((m) => sql`WHEN ${m.modality}::text THEN ${m.label}::text`);
    return whens.length ? sql`WHEN ${type}::text THEN CASE o.modality ${sql.join(whens, sql` `)} ELSE ${none}::text END` : sql`WHEN ${type}::text THEN ${none}::text`;
  }), sql` `)} END`;
  return sql`
    SELECT ${text(sql`coalesce(o.mcp_id, ${k.defaultMcpId}::text)`)} AS mcp_id, ${text(sql`coalesce(o.mcp_name, ${k.defaultMcpName}::text)`)} AS mcp_name,
      nullif(${k.providerName}::text, '') AS provider_name, nullif(${k.npi}::text, '') AS npi, nullif(${k.tin}::text, '') AS tin,
      ${text(sql`o.last_name`)} AS last_name, ${text(sql`o.first_name`)} AS first_name, ${text(sql`o.cin`)} AS cin,
      nullif(${k.providerType}::text, '') AS provider_type, to_char(o.attempted_on, 'MM/DD/YYYY') AS attempted_on,
      ${method} AS method, CASE WHEN o.replied THEN 'Y' ELSE 'N' END AS successful, o.duration
    FROM (
      SELECT e.patient_id, el.mcp_id, el.mcp_name, p.first_name, p.last_name, coalesce(el.cin, el.member_id) AS cin,
        (e.occurred_at AT TIME ZONE ${p.timeZone}::text)::date AS attempted_on, e.occurred_at, e.id, e.event_type, e.duration,
        CASE WHEN e.event_type IN ('appointment', 'meeting') AND e.prtf_category = 'telehealth_outreach'
          THEN (SELECT a.modality FROM activities a WHERE a.id = e.activity_id) END AS modality,
        CASE WHEN e.event_type IN ('sms', 'email') THEN EXISTS (SELECT 1 FROM text_messages tm WHERE tm.patient_id = e.patient_id
          AND tm.direction = 'inbound' AND tm.created_at > e.occurred_at AND tm.created_at <= e.occurred_at + interval '72 hours')
          ELSE false END AS replied
      FROM ecm_events e
      JOIN patients p ON p.id = e.patient_id
      JOIN ecm_eligibility_informations el ON el.patient_id = p.id
      WHERE e.organization_id = ${p.organizationId} AND e.status <> 'cancelled' AND e.prtf_category IN ('in_person_outreach', 'telehealth_outreach')
        AND e.event_type IN ('call', 'sms', 'email', 'appointment', 'meeting')
        AND e.occurred_at >= ${lo(p)} AND e.occurred_at < ${hi(p)} AND e.occurred_at <= now()
        ${p.npi ? sql`AND el.ecm_npi = ${p.npi}` : sql``}
        ${planFilter(p)}) o
    ORDER BY o.patient_id, o.occurred_at, o.id`;
}

/**
 * Yields the rows of `query` in batches of `batch`, from a server-side cursor in `tx` (a transaction).
 * A cursor is planned for its first `cursor_tuple_fraction` (10 %) of rows, which picks fast-start plans (ordered
 * index walks over every event of the clinic); these cursors are always read to the end, so they are planned for
 * all rows, with room for the per-member aggregate in memory (`work_mem`), for this transaction only.
 */
async function* cursor<T extends Record<string, unknown>>(tx: Executor, name: string, query: SQL, batch = 1000): AsyncGenerator<T[]> {
  await tx.execute(sql`SELECT set_config('cursor_tuple_fraction', '1', true), set_config('work_mem', '64MB', true)`);
  await tx.execute(sql`DECLARE ${sql.identifier(name)} NO SCROLL CURSOR FOR ${query}`);
  try {
    for (;;) {
      const { rows } = await tx.execute<T>(sql`FETCH ${sql.raw(String(batch))} FROM ${sql.identifier(name)}`);
      if (rows.length > 0) yield rows as T[];
      if (rows.length < batch) return;
    }
  } finally {
    await tx.execute(sql`CLOSE ${sql.identifier(name)}`);
  }
}

/** The report's member rows, by patient id, in batches. */
export function memberBatches(tx: Executor, p: Period): AsyncGenerator<MemberRow[]> {
  return cursor<MemberRow>(tx, 'prtf_members', memberQuery(p));
}

/** The OTF's rows (`otfCellsQuery`) in batches, from a cursor: for the XLSX writer. */
export function otfBatches(tx: Executor, p: Period, k: OtfConstants, methods: Parameters<typeof otfCellsQuery>[2]): AsyncGenerator<OtfRow[]> {
  return cursor<OtfRow>(tx, 'prtf_outreach', otfCellsQuery(p, k, methods, (v) => v));
}

/**
 * Writes the OTF's rows as CSV (PostgreSQL's `COPY ... TO STDOUT (FORMAT csv)`: RFC 4180 quoting, NULL as an empty
 * cell, `\n` line ends) into `dest`, on `client` (the transaction's connection, which runs nothing else meanwhile).
 * `cell` neutralises formula-like text (`neutralizedCsvCellSql`). Resolves when `dest` has all of it.
 */
export async function copyOtfCsv(client: PoolClient, p: Period, k: OtfConstants, methods: Parameters<typeof otfCellsQuery>[2], cell: (text: SQL) => SQL, dest: Writable): Promise<void> {
  // The literals are written in with quotes doubled, which is safe only with standard strings (PostgreSQL's default).
  await client.query('SET LOCAL standard_conforming_strings = on');
  await client.query(`SELECT set_config('cursor_tuple_fraction', '1', true), set_config('work_mem', '64MB', true)`);
  await pipeline(client.query(copyTo(`COPY (${inlinedSql(otfCellsQuery(p, k, methods, cell))}) TO STDOUT WITH (FORMAT csv)`)), dest);
}

export type PrtfReportRow = typeof prtfReports.$inferSelect;

export async function insertReport(db: Executor, values: typeof prtfReports.$inferInsert): Promise<PrtfReportRow> {
  const [row] = await db.insert(prtfReports).values(values).returning();
  return row;
}

const otfFiles = alias(storedFiles, 'otf_files');

/** One report of the organization with its file's public id (and its OTF's, when it has one). */
export async function findReport(db: Executor, organizationId: number, id: number) {
  const [row] = await db
    .select({ report: prtfReports, publicId: storedFiles.publicId, otfPublicId: otfFiles.publicId, otfFilename: otfFiles.filename })
    .from(prtfReports)
    .innerJoin(storedFiles, eq(storedFiles.id, prtfReports.fileId))
    .leftJoin(otfFiles, eq(otfFiles.id, prtfReports.otfFileId))
    .where(and(eq(prtfReports.organizationId, organizationId), eq(prtfReports.id, id)));
  return row;
}

/** A page of the organization's reports, newest first. */
export async function listReports(db: Executor, organizationId: number, limit: number, offset: number) {
  const rows = await db
    .select({ report: prtfReports, publicId: storedFiles.publicId, otfPublicId: otfFiles.publicId, otfFilename: otfFiles.filename })
    .from(prtfReports)
    .innerJoin(storedFiles, eq(storedFiles.id, prtfReports.fileId))
    .leftJoin(otfFiles, eq(otfFiles.id, prtfReports.otfFileId))
    .where(eq(prtfReports.organizationId, organizationId))
    .orderBy(desc(prtfReports.createdAt), desc(prtfReports.id))
    .limit(limit)
    .offset(offset);
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(prtfReports).where(eq(prtfReports.organizationId, organizationId));
  return { rows, totalCount: count };
}

/** The reports of a batch (one per plan), by plan id, nulls last. */
export async function batchReports(db: Executor, organizationId: number, batchId: string): Promise<PrtfReportRow[]> {
  return db.select().from(prtfReports)
    .where(and(eq(prtfReports.organizationId, organizationId), eq(prtfReports.batchId, batchId)))
    .orderBy(sql`${prtfReports.mcpId} NULLS LAST`, prtfReports.id);
}

/**
 * The plans (eligibility `mcp_id`, else `defaultMcpId`; null for none) of the members a report of the period
 * holds (eligibility overlapping it, or a non-cancelled event in it), sorted, nulls last.
 */
export async function plansOfPeriod(db: Executor, p: Period & { mcp: { id: null; defaultMcpId: string | null } }): Promise<Array<string | null>> {
  const { rows } = await db.execute<{ mcp_id: string | null }>(sql`
    SELECT DISTINCT ${planOf(p)} AS mcp_id FROM ecm_eligibility_informations el
    WHERE el.organization_id = ${p.organizationId}
      ${p.npi ? sql`AND el.ecm_npi = ${p.npi}` : sql``}
      AND ((el.ecm_benefit_auth_eff_date <= ${p.endDate}::date
            AND (el.ecm_benefit_auth_end_date IS NULL OR el.ecm_benefit_auth_end_date >= ${p.startDate}::date))
        OR EXISTS (SELECT 1 FROM ecm_events e WHERE e.organization_id = ${p.organizationId} AND e.patient_id = el.patient_id
          AND e.status <> 'cancelled' AND e.occurred_at >= ${lo(p)} AND e.occurred_at < ${hi(p)}))
    ORDER BY 1 NULLS LAST`);
  return rows.map((r) => r.mcp_id);
}

/**
 * The ECM clinics whose monthly run is due at `now`: their day of the month (in their time zone) is on or after
 * their `reporting_day`, and no report of the monthly run (no user, a batch) covers last month yet. On or after,
 * not on: a run missed while no worker ran catches up later in the month.
 */
export async function clinicsDueForMonthlyRun(db: Executor, now: Date): Promise<number[]> {
  const local = sql`(${now.toISOString()}::timestamptz AT TIME ZONE o.time_zone)`;
  const { rows } = await db.execute<{ id: number }>(sql`
    SELECT o.id FROM organizations o
    WHERE o.kind = 'ecm_clinic' AND extract(day FROM ${local})::int >= o.reporting_day
      AND NOT EXISTS (SELECT 1 FROM prtf_reports r WHERE r.organization_id = o.id AND r.created_by_user_id IS NULL
        AND r.batch_id IS NOT NULL AND r.start_date = (date_trunc('month', ${local}) - interval '1 month')::date)
    ORDER BY o.id`);
  return rows.map((r) => r.id);
}

/** The id of the plan's last report marked submitted (latest `submitted_on`, then id), or null. */
export async function lastSubmittedReportId(db: Executor, organizationId: number, mcpId: string | null): Promise<number | null> {
  const { rows } = await db.execute<{ id: number }>(sql`
    SELECT id FROM prtf_reports WHERE organization_id = ${organizationId} AND submitted_on IS NOT NULL
      AND mcp_id IS NOT DISTINCT FROM ${mcpId}::text
    ORDER BY submitted_on DESC, id DESC LIMIT 1`);
  return rows[0]?.id ?? null;
}

/** What a report keeps of one member row: the digests of its address and phone, and its validation problems. */
export interface ReportMemberStage {
  patientId: number;
  addressDigest: string;
  phoneDigest: string;
  /** Null when the member has no problem. */
  memberId: string | null;
  problems: string[] | null;
}

/**
 * Creates the transaction's staging table of report members (`ON COMMIT DROP`): rows are staged batch by batch while
 * the file streams, before the report row they belong to exists, so no per-member list is held in memory.
 */
export async function createMemberStage(tx: Executor): Promise<void> {
  await tx.execute(sql`CREATE TEMP TABLE prtf_member_stage (patient_id int NOT NULL, address_digest text NOT NULL,
    phone_digest text NOT NULL, member_id text, problems jsonb) ON COMMIT DROP`);
}

/** Stages one batch of member rows (one statement, arrays unnested). */
export async function stageMembers(tx: Executor, rows: ReportMemberStage[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    INSERT INTO prtf_member_stage (patient_id, address_digest, phone_digest, member_id, problems)
    SELECT u.patient_id, u.address_digest, u.phone_digest, u.member_id, u.problems::jsonb
    FROM unnest(${sql.param(rows.map((r) => r.patientId))}::int[], ${sql.param(rows.map((r) => r.addressDigest))}::text[],
      ${sql.param(rows.map((r) => r.phoneDigest))}::text[], ${sql.param(rows.map((r) => r.memberId))}::text[],
      ${sql.param(rows.map((r) => (r.problems ? JSON.stringify(r.problems) : null)))}::text[])
      AS u(patient_id, address_digest, phone_digest, member_id, problems)`);
}

/**
 * Moves the staged members to `prtf_report_members` of `reportId`; returns the ids of the report's members (the
 * audit row lists them) and how many have problems.
 */
export async function insertReportMembers(tx: Executor, organizationId: number, reportId: number): Promise<{ patientIds: number[]; withProblems: number }> {
  const { rows } = await tx.execute<{ ids: number[] | null; with_problems: number }>(sql`
    WITH moved AS (
      INSERT INTO prtf_report_members (report_id, organization_id, patient_id, address_digest, phone_digest, member_id, problems)
      SELECT ${reportId}, ${organizationId}, s.patient_id, s.address_digest, s.phone_digest, s.member_id, s.problems
      FROM prtf_member_stage s
      RETURNING patient_id, problems)
    SELECT array_agg(patient_id ORDER BY patient_id) AS ids, (count(*) FILTER (WHERE problems IS NOT NULL))::int AS with_problems FROM moved`);
  return { patientIds: rows[0]?.ids ?? [], withProblems: rows[0]?.with_problems ?? 0 };
}

/** A report's validation list: its members with problems, by patient id. */
export async function reportValidation(db: Executor, organizationId: number, reportId: number) {
  const { rows } = await db.execute<{ patient_id: number; member_id: string; problems: string[] }>(sql`
    SELECT patient_id, member_id, problems FROM prtf_report_members
    WHERE organization_id = ${organizationId} AND report_id = ${reportId} AND problems IS NOT NULL
    ORDER BY patient_id`);
  return rows;
}

/** Sets the report's member count and its count of members with problems. */
export async function setReportCounts(tx: Executor, organizationId: number, reportId: number, patientCount: number, membersWithProblems: number): Promise<PrtfReportRow> {
  const [row] = await tx.update(prtfReports).set({ patientCount, membersWithProblems })
    .where(and(eq(prtfReports.organizationId, organizationId), eq(prtfReports.id, reportId))).returning();
  return row;
}

/** Marks a report of the organization submitted; null when there is no such report. */
export async function markSubmitted(db: Executor, organizationId: number, id: number, submittedOn: string, userId: number): Promise<PrtfReportRow | null> {
  const [row] = await db.update(prtfReports).set({ submittedOn, submittedByUserId: userId })
    .where(and(eq(prtfReports.organizationId, organizationId), eq(prtfReports.id, id))).returning();
  return row ?? null;
}
