/**
 * SQL of the ECM Patients feature. Every query filters on `organization_id`.
 *
 * The name and member_id search uses trigram GIN indexes
 * (`patients_name_trgm_idx`, `ecm_eligibility_member_id_trgm_idx`) through a
 * UNION of ids, so each side uses its own index on a clinic of 100,000 members.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import { auditInsertPlaceholderSql, type AuditValues } from '../../platform/audit.ts';
import { caseLoads, ecmEligibilityInformations, ecmStatusHistories, patients, users } from '../../db/schema.ts';
import type { PageRequest } from '../../platform/pagination.ts';
import { escapeLike } from '../../platform/values.ts';
import type { SortField } from './schemas.ts';

export interface PatientFilters {
  search?: string;
  status?: string;
  acuityLevel?: string;
  providerId?: number;
  olcmUserId?: number;
  ilcmUserId?: number;
  authorizationStatus?: string;
  /** Members whose case load names this user as provider, OLCM or ILCM. */
  assignedToUserId?: number;
}

export interface PatientSort {
  field: SortField;
  dir: 'ASC' | 'DESC';
}

const SORT_SQL: Record<SortField, SQL[]> = {
  id: [sql`p.id`],
  name: [sql`p.last_name`, sql`p.first_name`],
  first_name: [sql`p.first_name`],
  last_name: [sql`p.last_name`],
  date_of_birth: [sql`p.date_of_birth`],
  member_id: [sql`e.member_id`],
  acuity_level: [sql`CASE e.acuity_level WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 END`],
  member_record_status: [sql`e.member_record_status`],
  ecm_benefit_auth_eff_date: [sql`e.ecm_benefit_auth_eff_date`],
  ecm_benefit_auth_end_date: [sql`e.ecm_benefit_auth_end_date`],
  activities_count: [sql`p.activities_count`],
  last_activity_at: [sql`p.last_activity_at`],
  created_at: [sql`p.created_at`],
  updated_at: [sql`p.updated_at`],
};

/** `%term%` for LIKE, with the term's own `%`, `_` and `\` taken literally. */
function likePattern(term: string): string {
  return `%${escapeLike(term)}%`;
}

/**
 * The members that match a search term, by name or member_id: a `UNION` of ids so each side uses its own trigram
 * index. It is the costly part of a search, so a list computes it once (a materialized CTE) for its page and its count.
 */
function searchMatchSql(organizationId: number, term: string): SQL {
  const pattern = likePattern(term);
  return sql`SELECT id FROM patients WHERE organization_id = ${organizationId} AND (first_name || ' ' || last_name) ILIKE ${pattern}
      UNION
      SELECT patient_id FROM ecm_eligibility_informations WHERE organization_id = ${organizationId} AND member_id ILIKE ${pattern}`;
}

/** The list's conditions; a search term reads the `match` CTE (`searchMatchSql`). */
function whereOf(organizationId: number, f: PatientFilters): SQL {
  const parts: SQL[] = [sql`p.organization_id = ${organizationId}`];
  if (f.search?.trim()) parts.push(sql`p.id IN (SELECT id FROM match)`);
  if (f.status) parts.push(sql`e.member_record_status = ${f.status}`);
  if (f.acuityLevel) parts.push(sql`e.acuity_level = ${f.acuityLevel}`);
  if (f.providerId !== undefined) parts.push(sql`c.provider_id = ${f.providerId}`);
  if (f.olcmUserId !== undefined) parts.push(sql`c.olcm_user_id = ${f.olcmUserId}`);
  if (f.ilcmUserId !== undefined) parts.push(sql`c.ilcm_user_id = ${f.ilcmUserId}`);
  if (f.assignedToUserId !== undefined) {
    const u = f.assignedToUserId;
    parts.push(sql`(c.provider_id = ${u} OR c.olcm_user_id = ${u} OR c.ilcm_user_id = ${u})`);
  }
  if (f.authorizationStatus) {
    parts.push(sql`EXISTS (SELECT 1 FROM ecm_authorizations a
      WHERE a.patient_id = p.id AND a.organization_id = ${organizationId} AND a.status = ${f.authorizationStatus})`);
  }
  return sql.join(parts, sql` AND `);
}

const usesEligibility = (f: PatientFilters) => Boolean(f.status || f.acuityLevel);
const usesCaseLoad = (f: PatientFilters) =>
  f.providerId !== undefined || f.olcmUserId !== undefined || f.ilcmUserId !== undefined || f.assignedToUserId !== undefined;

export interface PatientListRow {
  id: number;
  first_name: string;
  last_name: string;
  date_of_birth: string | null;
  eligibility_id: number;
  member_id: string;
  cin: string | null;
  ecm_service_auth_id: string | null;
  ecm_provider_name: string | null;
  ecm_benefit_auth_eff_date: string | null;
  ecm_benefit_auth_end_date: string | null;
  acuity_level: string | null;
  member_record_status: string;
  provider_id: number | null;
  provider_name: string | null;
  olcm_user_id: number | null;
  olcm_name: string | null;
  ilcm_user_id: number | null;
  ilcm_name: string | null;
}

/**
 * A user's name by id, as a scalar subquery: evaluated for the page's rows only, and three of them plan far faster
 * than three more joins (planning was half of a search's database time).
 */
const userName = (id: SQL) => sql`(SELECT name FROM users WHERE id = ${id})`;

/** The audit row of a list statement, given the ids it returned (a `text[]` expression over its CTEs); built by the service with `auditInsertSql`. */
export type AuditOf = (ids: SQL) => SQL;

/**
 * One page of members matching `filters`, in `sort` order (ties by id), the total count, and the audit row naming
 * the page's ids, in one statement: a search's trigram match runs once (CTE `match`) for both the page and the count.
 */
export async function listPatients(
  db: Executor,
  organizationId: number,
  filters: PatientFilters,
  sort: PatientSort,
  page: PageRequest,
  audit: AuditOf,
): Promise<{ rows: PatientListRow[]; totalCount: number }> {
  const term = filters.search?.trim();
  const where = whereOf(organizationId, filters);
  const dir = sort.dir === 'DESC' ? sql`DESC NULLS LAST` : sql`ASC NULLS LAST`;
  const order = sql.join([...SORT_SQL[sort.field].map((s) => sql`${s} ${dir}`), sql`p.id ${dir}`], sql`, `);
  // The count joins only what the filters read (every member has exactly one eligibility and case load row); a
  // search alone is counted from its match (both sides of the UNION already keep to the organization).
  const onlySearch = term !== undefined && term !== '' && Object.entries(filters).every(([k, v]) => k === 'search' || v === undefined);
  const countFrom = sql`FROM patients p
    ${usesEligibility(filters) ? sql`JOIN ecm_eligibility_informations e ON e.patient_id = p.id` : sql``}
    ${usesCaseLoad(filters) ? sql`LEFT JOIN case_loads c ON c.patient_id = p.id` : sql``}`;
  // `rn` keeps the page's order through the CTE; the LEFT JOIN answers one row (the total) even for an empty page.
  const { rows } = await db.execute<PatientListRow & { rn: number | null; total_count: number } & Record<string, unknown>>(sql`
    WITH ${term ? sql`match AS MATERIALIZED (${searchMatchSql(organizationId, term)}),` : sql``}
    page AS (
      SELECT p.id, p.first_name, p.last_name, p.date_of_birth,
        e.id AS eligibility_id, e.member_id, e.cin, e.ecm_service_auth_id, e.ecm_provider_name,
        e.ecm_benefit_auth_eff_date, e.ecm_benefit_auth_end_date, e.acuity_level, e.member_record_status,
        c.provider_id, ${userName(sql`c.provider_id`)} AS provider_name, c.olcm_user_id, ${userName(sql`c.olcm_user_id`)} AS olcm_name,
        c.ilcm_user_id, ${userName(sql`c.ilcm_user_id`)} AS ilcm_name,
        row_number() OVER (ORDER BY ${order}) AS rn
      FROM patients p
      JOIN ecm_eligibility_informations e ON e.patient_id = p.id
      LEFT JOIN case_loads c ON c.patient_id = p.id
      WHERE ${where}
      ORDER BY ${order}
      LIMIT ${page.perPage} OFFSET ${page.offset}),
    audit AS (${audit(sql`(SELECT array_agg(id::text ORDER BY rn) FROM page)`)})
    SELECT t.total_count, page.* FROM (SELECT count(*)::int AS total_count ${onlySearch ? sql`FROM match` : sql`${countFrom} WHERE ${where}`}) t
    LEFT JOIN page ON true
    ORDER BY page.rn`);
  const totalCount = rows[0].total_count;
  const list = rows.filter((r) => r.rn !== null);
  for (const r of list) {
    delete (r as Partial<typeof r>).rn;
    delete (r as Partial<typeof r>).total_count;
  }
  return { rows: list, totalCount };
}

/** One member in the detail shape's parts: patient, eligibility, case load with user names, and (JSON) authorizations and status history. */
export interface PatientDetailRow extends Record<string, unknown> {
  id: number;
  first_name: string;
  last_name: string;
  date_of_birth: string | null;
  gender: string | null;
  phone: string | null;
  email: string | null;
  address_street: string | null;
  address_city: string | null;
  address_state: string | null;
  address_zip: string | null;
  services: string[];
  activities_count: number;
  last_activity_at: string | null;
  created_at: string;
  updated_at: string;
  eligibility_id: number;
  member_id: string;
  cin: string | null;
  ecm_service_auth_id: string | null;
  ecm_provider_name: string | null;
  ecm_npi: string | null;
  ecm_benefit_auth_eff_date: string | null;
  ecm_benefit_auth_end_date: string | null;
  acuity_level: string | null;
  member_record_status: string;
  eligibility_created_at: string;
  eligibility_updated_at: string;
  case_load_id: number;
  provider_id: number | null;
  provider_name: string | null;
  olcm_user_id: number | null;
  olcm_name: string | null;
  ilcm_user_id: number | null;
  ilcm_name: string | null;
  /** Oldest start first (then id). */
  authorizations: Array<{ id: number; auth_no: string; auth_type: string | null; authorization_type: string | null; status: string; start_date: string | null; expiration_date: string | null }>;
  /** Oldest first (then id); `changed_at` as JSON renders a timestamptz. */
  status_history: Array<{ id: number; status: string; changed_at: string; changed_by: string }>;
}

// The hot read of members: built once, a named statement parsed and planned once per connection.
const patientDetail = preparedStatement<PatientDetailRow>('patients_detail', () => {
  const organizationId = sql.placeholder('organization_id');
  return sql`
    WITH m AS (
      SELECT p.id, p.first_name, p.last_name, p.date_of_birth, p.gender, p.phone, p.email,
        p.address_street, p.address_city, p.address_state, p.address_zip, p.services, p.activities_count, p.last_activity_at,
        p.created_at, p.updated_at,
        e.id AS eligibility_id, e.member_id, e.cin, e.ecm_service_auth_id, e.ecm_provider_name, e.ecm_npi,
        e.ecm_benefit_auth_eff_date, e.ecm_benefit_auth_end_date, e.acuity_level, e.member_record_status,
        e.created_at AS eligibility_created_at, e.updated_at AS eligibility_updated_at
      FROM patients p JOIN ecm_eligibility_informations e ON e.patient_id = p.id
      WHERE p.organization_id = ${organizationId}::int AND p.id = ${sql.placeholder('id')}::int),
    audit AS (${auditInsertPlaceholderSql({ entityType: 'patient', entityIds: sql`(SELECT array_agg(id::text) FROM m)`, when: sql`EXISTS (SELECT 1 FROM m)` })})
    SELECT m.*,
      c.id AS case_load_id, c.provider_id, ${userName(sql`c.provider_id`)} AS provider_name, c.olcm_user_id, ${userName(sql`c.olcm_user_id`)} AS olcm_name,
      c.ilcm_user_id, ${userName(sql`c.ilcm_user_id`)} AS ilcm_name,
      (SELECT coalesce(json_agg(json_build_object('id', a.id, 'auth_no', a.auth_no, 'auth_type', a.auth_type,
          'authorization_type', a.authorization_type, 'status', a.status, 'start_date', a.start_date, 'expiration_date', a.expiration_date)
          ORDER BY a.start_date, a.id), '[]'::json)
        FROM ecm_authorizations a WHERE a.organization_id = ${organizationId}::int AND a.patient_id = m.id) AS authorizations,
      (SELECT coalesce(json_agg(json_build_object('id', h.id, 'status', h.status, 'changed_at', h.changed_at, 'changed_by', h.changed_by)
          ORDER BY h.changed_at, h.id), '[]'::json)
        FROM ecm_status_histories h WHERE h.organization_id = ${organizationId}::int AND h.patient_id = m.id) AS status_history
    FROM m
    LEFT JOIN case_loads c ON c.organization_id = ${organizationId}::int AND c.patient_id = m.id`;
});

/**
 * One member of the organization with everything the detail shape shows, and its audit row (`audit`: `auditValues`
 * of the request; written only when the member exists), in one statement: one round trip, atomic without a transaction.
 * @returns the row, or undefined for an unknown id or another organization's member.
 */
export async function findPatientDetail(db: Executor, organizationId: number, id: number, audit: AuditValues): Promise<PatientDetailRow | undefined> {
  const [row] = await patientDetail(db, { organization_id: organizationId, id, ...audit });
  return row;
}

export type PatientRow = typeof patients.$inferSelect;
export type EligibilityRow = typeof ecmEligibilityInformations.$inferSelect;

/** The patient and eligibility rows of one member of the organization, optionally locked for update. */
export async function findPatient(db: Executor, organizationId: number, id: number, forUpdate = false) {
  const q = db
    .select({ patient: patients, eligibility: ecmEligibilityInformations })
    .from(patients)
    .innerJoin(ecmEligibilityInformations, eq(ecmEligibilityInformations.patientId, patients.id))
    .where(and(eq(patients.organizationId, organizationId), eq(patients.id, id)));
  const [row] = await (forUpdate ? q.for('update', { of: [patients, ecmEligibilityInformations] }) : q);
  return row;
}

export async function insertPatient(db: Executor, values: typeof patients.$inferInsert) {
  const [row] = await db.insert(patients).values(values).returning();
  return row;
}

export async function updatePatient(db: Executor, id: number, values: Partial<typeof patients.$inferInsert>) {
  await db.update(patients).set({ ...values, updatedAt: new Date() }).where(eq(patients.id, id));
}

export async function insertEligibility(db: Executor, values: typeof ecmEligibilityInformations.$inferInsert) {
  const [row] = await db.insert(ecmEligibilityInformations).values(values).returning();
  return row;
}

export async function updateEligibility(db: Executor, id: number, values: Partial<typeof ecmEligibilityInformations.$inferInsert>) {
  await db.update(ecmEligibilityInformations).set({ ...values, updatedAt: new Date() }).where(eq(ecmEligibilityInformations.id, id));
}

/** Creates or changes the member's case load (one per member). */
export async function upsertCaseLoad(db: Executor, values: typeof caseLoads.$inferInsert) {
  await db
    .insert(caseLoads)
    .values(values)
    .onConflictDoUpdate({
      target: caseLoads.patientId,
      set: {
        ...(values.providerId !== undefined && { providerId: values.providerId }),
        ...(values.olcmUserId !== undefined && { olcmUserId: values.olcmUserId }),
        ...(values.ilcmUserId !== undefined && { ilcmUserId: values.ilcmUserId }),
        updatedAt: new Date(),
      },
    });
}

export async function insertStatusHistory(db: Executor, values: typeof ecmStatusHistories.$inferInsert) {
  await db.insert(ecmStatusHistories).values(values);
}

/** Which of `ids` are users of the organization, with their roles. */
export async function findUsersIn(db: Executor, organizationId: number, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: users.id, role: users.role, active: users.active })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), inArray(users.id, ids)));
}

/** Id and display name of one member of the organization, or undefined; optionally locked for update. */
export async function findPatientName(db: Executor, organizationId: number, id: number, forUpdate = false) {
  const q = db
    .select({ id: patients.id, firstName: patients.firstName, lastName: patients.lastName })
    .from(patients)
    .where(and(eq(patients.organizationId, organizationId), eq(patients.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  return row;
}

/** Id, name and phone (E.164) of one member, or undefined. */
export async function findPatientContact(db: Executor, organizationId: number, id: number) {
  const [row] = await db
    .select({ id: patients.id, firstName: patients.firstName, lastName: patients.lastName, phone: patients.phone })
    .from(patients)
    .where(and(eq(patients.organizationId, organizationId), eq(patients.id, id)));
  return row;
}

/** Ids of the organization's members whose phone is `phone` (E.164). */
export async function patientIdsByPhone(db: Executor, organizationId: number, phone: string): Promise<number[]> {
  const rows = await db.select({ id: patients.id }).from(patients).where(and(eq(patients.organizationId, organizationId), eq(patients.phone, phone)));
  return rows.map((r) => r.id);
}

/** The member's outreach lead care manager (case load `olcm_user_id`), when an active user; undefined otherwise. */
export async function outreachLeadCareManager(db: Executor, organizationId: number, patientId: number) {
  const { rows } = await db.execute<{ id: number; name: string }>(sql`
    SELECT u.id, u.name FROM case_loads c JOIN users u ON u.id = c.olcm_user_id AND u.active AND u.organization_id = c.organization_id
      WHERE c.organization_id = ${organizationId} AND c.patient_id = ${patientId}
    LIMIT 1`);
  return rows[0];
}

/** The member's lead care manager: the ILCM, else the OLCM, else the clinic's first active admin. */
export async function leadCareManager(db: Executor, organizationId: number, patientId: number) {
  const { rows } = await db.execute<{ id: number; name: string; phone: string | null }>(sql`
    SELECT u.id, u.name, u.phone FROM case_loads c JOIN users u ON u.id = c.ilcm_user_id AND u.active
      WHERE c.organization_id = ${organizationId} AND c.patient_id = ${patientId}
    UNION ALL
    SELECT u.id, u.name, u.phone FROM case_loads c JOIN users u ON u.id = c.olcm_user_id AND u.active
      WHERE c.organization_id = ${organizationId} AND c.patient_id = ${patientId}
    UNION ALL
    (SELECT u.id, u.name, u.phone FROM users u WHERE u.organization_id = ${organizationId} AND u.role = 'admin' AND u.active ORDER BY u.id LIMIT 1)
    LIMIT 1`);
  return rows[0];
}

// ---- Bulk writes of the Member Information File import, reached through the patients service ----

/** A member's eligibility key facts, for matching import rows on `member_id`. */
export interface MemberKey {
  patientId: number;
  memberId: string;
  memberRecordStatus: string;
}

/** The members of the organization whose `member_id` is in `memberIds` (one query, any number of ids). */
export async function membersByMemberId(db: Executor, organizationId: number, memberIds: string[]): Promise<MemberKey[]> {
  if (memberIds.length === 0) return [];
  const { rows } = await db.execute<{ patient_id: number; member_id: string; member_record_status: string }>(sql`
    SELECT patient_id, member_id, member_record_status FROM ecm_eligibility_informations
    WHERE organization_id = ${organizationId} AND member_id = ANY(${sql.param(memberIds)}::text[])`);
  return rows.map((r) => ({ patientId: r.patient_id, memberId: r.member_id, memberRecordStatus: r.member_record_status }));
}

/** Current `member_record_status` of each of `patientIds` (members of the organization). */
export async function memberStatuses(db: Executor, organizationId: number, patientIds: number[]): Promise<Map<number, string>> {
  if (patientIds.length === 0) return new Map();
  const { rows } = await db.execute<{ patient_id: number; member_record_status: string }>(sql`
    SELECT patient_id, member_record_status FROM ecm_eligibility_informations
    WHERE organization_id = ${organizationId} AND patient_id = ANY(${sql.param(patientIds)}::int[])`);
  return new Map(rows.map((r) => [r.patient_id, r.member_record_status]));
}

/** Patient and eligibility columns of one imported member; `undefined`/null: not given (an update keeps the stored value). */
export interface MemberColumns {
  memberId: string;
  firstName: string | null;
  lastName: string | null;
  dateOfBirth: string | null;
  gender: string | null;
  phone: string | null;
  email: string | null;
  addressStreet: string | null;
  addressCity: string | null;
  addressState: string | null;
  addressZip: string | null;
  cin: string | null;
  ecmServiceAuthId: string | null;
  ecmProviderName: string | null;
  ecmNpi: string | null;
  ecmBenefitAuthEffDate: string | null;
  ecmBenefitAuthEndDate: string | null;
  acuityLevel: string | null;
  mcpId: string | null;
  mcpName: string | null;
}

const col = <T>(rows: MemberColumns[], f: (r: MemberColumns) => T) => sql.param(rows.map(f));

/** The imported values as a relation `v(...)` of parallel arrays (one parameter per column, any number of rows). */
function memberValues(rows: MemberColumns[], patientIds: number[]) {
  return sql`unnest(
      ${sql.param(patientIds)}::int[], ${col(rows, (r) => r.memberId)}::text[],
      ${col(rows, (r) => r.firstName)}::text[], ${col(rows, (r) => r.lastName)}::text[], ${col(rows, (r) => r.dateOfBirth)}::date[],
      ${col(rows, (r) => r.gender)}::text[], ${col(rows, (r) => r.phone)}::text[], ${col(rows, (r) => r.email)}::text[],
      ${col(rows, (r) => r.addressStreet)}::text[], ${col(rows, (r) => r.addressCity)}::text[], ${col(rows, (r) => r.addressState)}::text[],
      ${col(rows, (r) => r.addressZip)}::text[], ${col(rows, (r) => r.cin)}::text[], ${col(rows, (r) => r.ecmServiceAuthId)}::text[],
      ${col(rows, (r) => r.ecmProviderName)}::text[], ${col(rows, (r) => r.ecmNpi)}::text[], ${col(rows, (r) => r.ecmBenefitAuthEffDate)}::date[],
      ${col(rows, (r) => r.ecmBenefitAuthEndDate)}::date[], ${col(rows, (r) => r.acuityLevel)}::text[],
      ${col(rows, (r) => r.mcpId)}::text[], ${col(rows, (r) => r.mcpName)}::text[]
    ) AS v(patient_id, member_id, first_name, last_name, date_of_birth, gender, phone, email, address_street, address_city,
      address_state, address_zip, cin, ecm_service_auth_id, ecm_provider_name, ecm_npi, ecm_benefit_auth_eff_date,
      ecm_benefit_auth_end_date, acuity_level, mcp_id, mcp_name)`;
}

/**
 * Creates members in bulk: patient, eligibility (with `statuses[i]`) and an empty case load each, in `db`'s
 * transaction, with set-based statements (a 50,000-row file is a handful of statements).
 * `firstName` and `lastName` must be set. Returns the new patient ids, in the order of `rows`.
 */
export async function insertMembers(db: Executor, organizationId: number, rows: MemberColumns[], statuses: string[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const ids = await db.execute<{ id: number }>(sql`
    SELECT nextval(pg_get_serial_sequence('patients', 'id'))::int AS id FROM generate_series(1, ${rows.length})`);
  const patientIds = ids.rows.map((r) => r.id);
  const v = memberValues(rows, patientIds);
  await db.execute(sql`
    INSERT INTO patients (id, organization_id, first_name, last_name, date_of_birth, gender, phone, email,
      address_street, address_city, address_state, address_zip)
    SELECT patient_id, ${organizationId}, first_name, last_name, date_of_birth, gender, phone, email,
      address_street, address_city, address_state, address_zip
    FROM ${v}`);
  await db.execute(sql`
    INSERT INTO ecm_eligibility_informations (organization_id, patient_id, member_id, cin, ecm_service_auth_id, ecm_provider_name,
      ecm_npi, mcp_id, mcp_name, ecm_benefit_auth_eff_date, ecm_benefit_auth_end_date, acuity_level, member_record_status)
    SELECT ${organizationId}, v.patient_id, v.member_id, v.cin, v.ecm_service_auth_id, v.ecm_provider_name,
      v.ecm_npi, v.mcp_id, v.mcp_name, v.ecm_benefit_auth_eff_date, v.ecm_benefit_auth_end_date, v.acuity_level, s.status
    FROM ${v} JOIN unnest(${sql.param(patientIds)}::int[], ${sql.param(statuses)}::text[]) AS s(patient_id, status) ON s.patient_id = v.patient_id`);
  await db.execute(sql`
    INSERT INTO case_loads (organization_id, patient_id) SELECT ${organizationId}, unnest(${sql.param(patientIds)}::int[])`);
  return patientIds;
}

/**
 * Changes members in bulk (`patientIds[i]` is the member of `rows[i]`): every null column keeps the stored
 * value; a missing CIN falls back to the member id. Does not touch `member_record_status`.
 */
export async function updateMembers(db: Executor, organizationId: number, patientIds: number[], rows: MemberColumns[]): Promise<void> {
  if (rows.length === 0) return;
  const v = memberValues(rows, patientIds);
  await db.execute(sql`
    UPDATE patients p SET
      first_name = COALESCE(v.first_name, p.first_name), last_name = COALESCE(v.last_name, p.last_name),
      date_of_birth = COALESCE(v.date_of_birth, p.date_of_birth), gender = COALESCE(v.gender, p.gender),
      phone = COALESCE(v.phone, p.phone), email = COALESCE(v.email, p.email),
      address_street = COALESCE(v.address_street, p.address_street), address_city = COALESCE(v.address_city, p.address_city),
      address_state = COALESCE(v.address_state, p.address_state), address_zip = COALESCE(v.address_zip, p.address_zip),
      updated_at = now()
    FROM ${v}
    WHERE p.id = v.patient_id AND p.organization_id = ${organizationId}`);
  await db.execute(sql`
    UPDATE ecm_eligibility_informations e SET
      cin = COALESCE(v.cin, e.cin, e.member_id), ecm_service_auth_id = COALESCE(v.ecm_service_auth_id, e.ecm_service_auth_id),
      ecm_provider_name = COALESCE(v.ecm_provider_name, e.ecm_provider_name), ecm_npi = COALESCE(v.ecm_npi, e.ecm_npi),
      mcp_id = COALESCE(v.mcp_id, e.mcp_id), mcp_name = COALESCE(v.mcp_name, e.mcp_name),
      ecm_benefit_auth_eff_date = COALESCE(v.ecm_benefit_auth_eff_date, e.ecm_benefit_auth_eff_date),
      ecm_benefit_auth_end_date = COALESCE(v.ecm_benefit_auth_end_date, e.ecm_benefit_auth_end_date),
      acuity_level = COALESCE(v.acuity_level, e.acuity_level),
      updated_at = now()
    FROM ${v}
    WHERE e.patient_id = v.patient_id AND e.organization_id = ${organizationId}`);
}

/** Sets `member_record_status` of members in bulk and appends one status-history entry each, by `changedBy`. */
export async function setMemberStatuses(
  db: Executor,
  organizationId: number,
  changes: Array<{ patientId: number; status: string }>,
  by: { changedBy: string; changedByUserId: number | null },
): Promise<void> {
  if (changes.length === 0) return;
  await db.execute(sql`
    UPDATE ecm_eligibility_informations e SET member_record_status = v.status, updated_at = now()
    FROM ${statusValues(changes)} WHERE e.patient_id = v.patient_id AND e.organization_id = ${organizationId}`);
  await insertStatusHistories(db, organizationId, changes, by);
}

/** Sets one member's `member_record_status` and appends its status-history entry. @returns the entry's id. */
export async function setMemberStatus(
  db: Executor,
  organizationId: number,
  patientId: number,
  status: string,
  by: { changedBy: string; changedByUserId: number | null },
): Promise<number> {
  await db.execute(sql`
    UPDATE ecm_eligibility_informations SET member_record_status = ${status}, updated_at = now()
    WHERE patient_id = ${patientId} AND organization_id = ${organizationId}`);
  const { rows } = await db.execute<{ id: number }>(sql`
    INSERT INTO ecm_status_histories (organization_id, patient_id, status, changed_by, changed_by_user_id)
    VALUES (${organizationId}, ${patientId}, ${status}, ${by.changedBy}, ${by.changedByUserId}::int) RETURNING id`);
  return rows[0].id;
}

/** The id of the latest status-history entry of each of `patientIds` (members of the organization). */
export async function latestStatusHistoryIds(db: Executor, organizationId: number, patientIds: number[]): Promise<Map<number, number>> {
  if (patientIds.length === 0) return new Map();
  const { rows } = await db.execute<{ patient_id: number; id: number }>(sql`
    SELECT DISTINCT ON (patient_id) patient_id, id FROM ecm_status_histories
    WHERE organization_id = ${organizationId} AND patient_id = ANY(${sql.param(patientIds)}::int[])
    ORDER BY patient_id, changed_at DESC, id DESC`);
  return new Map(rows.map((r) => [r.patient_id, r.id]));
}

function statusValues(changes: Array<{ patientId: number; status: string }>) {
  return sql`unnest(${sql.param(changes.map((c) => c.patientId))}::int[], ${sql.param(changes.map((c) => c.status))}::text[]) AS v(patient_id, status)`;
}

/**
 * Appends one status-history entry per change, by `changedBy`, at the transaction's time (the database clock, as
 * every other writer of the history uses, so entries of different writers keep their order).
 */
export async function insertStatusHistories(
  db: Executor,
  organizationId: number,
  changes: Array<{ patientId: number; status: string }>,
  by: { changedBy: string; changedByUserId: number | null },
): Promise<void> {
  if (changes.length === 0) return;
  await db.execute(sql`
    INSERT INTO ecm_status_histories (organization_id, patient_id, status, changed_by, changed_by_user_id)
    SELECT ${organizationId}, v.patient_id, v.status, ${by.changedBy}, ${by.changedByUserId}::int
    FROM ${statusValues(changes)}`);
}

/** Date (in `timeZone`) of the latest status-history entry of each of `patientIds`. */
export async function lastStatusChangeDates(db: Executor, organizationId: number, patientIds: number[], timeZone: string): Promise<Map<number, string>> {
  if (patientIds.length === 0) return new Map();
  const { rows } = await db.execute<{ patient_id: number; day: string }>(sql`
    SELECT patient_id, (max(changed_at) AT TIME ZONE ${timeZone})::date::text AS day FROM ecm_status_histories
    WHERE organization_id = ${organizationId} AND patient_id = ANY(${sql.param(patientIds)}::int[])
    GROUP BY patient_id`);
  return new Map(rows.map((r) => [r.patient_id, r.day]));
}

// ---- Lead care managers ----

export interface LeadCareManagerRow {
  id: number;
  name: string;
  email: string;
  phone: string | null;
  role: string;
  olcm_count: number;
  ilcm_count: number;
  members_count: number;
}

/**
 * The organization's active care coordinators and admins (who can be OLCM or ILCM), by name, with how many
 * members each leads as OLCM, as ILCM, and in all (a member led in both roles counts once).
 */
export async function listLeadCareManagers(db: Executor, organizationId: number, page: PageRequest) {
  const where = sql`u.organization_id = ${organizationId} AND u.active AND u.role IN ('care_coordinator', 'admin')`;
  const { rows } = await db.execute<LeadCareManagerRow & Record<string, unknown>>(sql`
    SELECT u.id, u.name, u.email, u.phone, u.role,
      (SELECT count(*)::int FROM case_loads c WHERE c.organization_id = ${organizationId} AND c.olcm_user_id = u.id) AS olcm_count,
      (SELECT count(*)::int FROM case_loads c WHERE c.organization_id = ${organizationId} AND c.ilcm_user_id = u.id) AS ilcm_count,
      (SELECT count(*)::int FROM case_loads c WHERE c.organization_id = ${organizationId} AND (c.olcm_user_id = u.id OR c.ilcm_user_id = u.id)) AS members_count
    FROM users u WHERE ${where}
    ORDER BY u.name, u.id
    LIMIT ${page.perPage} OFFSET ${page.offset}`);
  const count = await db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM users u WHERE ${where}`);
  return { rows, totalCount: count.rows[0].count };
}
