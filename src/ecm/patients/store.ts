/**
 * SQL of the ECM Patients feature. Every query filters on `organization_id`.
 *
 * The name and member_id search uses trigram GIN indexes
 * (`patients_name_trgm_idx`, `ecm_eligibility_member_id_trgm_idx`) through a
 * UNION of ids, so each side uses its own index on a clinic of 100,000 members.
 */
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { caseLoads, ecmAuthorizations, ecmEligibilityInformations, ecmStatusHistories, patients, users } from '../../db/schema.ts';
import type { PageRequest } from '../../platform/pagination.ts';
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
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function whereOf(organizationId: number, f: PatientFilters): SQL {
  const parts: SQL[] = [sql`p.organization_id = ${organizationId}`];
  const term = f.search?.trim();
  if (term) {
    const pattern = likePattern(term);
    parts.push(sql`p.id IN (
      SELECT id FROM patients WHERE organization_id = ${organizationId} AND (first_name || ' ' || last_name) ILIKE ${pattern}
      UNION
      SELECT patient_id FROM ecm_eligibility_informations WHERE organization_id = ${organizationId} AND member_id ILIKE ${pattern})`);
  }
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

/** One page of members matching `filters`, in `sort` order (ties by id), and the total count. */
export async function listPatients(
  db: Executor,
  organizationId: number,
  filters: PatientFilters,
  sort: PatientSort,
  page: PageRequest,
): Promise<{ rows: PatientListRow[]; totalCount: number }> {
  const where = whereOf(organizationId, filters);
  const dir = sort.dir === 'DESC' ? sql`DESC NULLS LAST` : sql`ASC NULLS LAST`;
  const order = sql.join([...SORT_SQL[sort.field].map((s) => sql`${s} ${dir}`), sql`p.id ${dir}`], sql`, `);
  const from = sql`FROM patients p
    JOIN ecm_eligibility_informations e ON e.patient_id = p.id
    LEFT JOIN case_loads c ON c.patient_id = p.id`;
  // Sequential, never Promise.all: `db` may be a transaction's single client.
  const list = await db.execute<PatientListRow & Record<string, unknown>>(sql`
      SELECT p.id, p.first_name, p.last_name, p.date_of_birth,
        e.id AS eligibility_id, e.member_id, e.cin, e.ecm_service_auth_id, e.ecm_provider_name,
        e.ecm_benefit_auth_eff_date, e.ecm_benefit_auth_end_date, e.acuity_level, e.member_record_status,
        c.provider_id, pu.name AS provider_name, c.olcm_user_id, ou.name AS olcm_name, c.ilcm_user_id, iu.name AS ilcm_name
      ${from}
      LEFT JOIN users pu ON pu.id = c.provider_id
      LEFT JOIN users ou ON ou.id = c.olcm_user_id
      LEFT JOIN users iu ON iu.id = c.ilcm_user_id
      WHERE ${where}
      ORDER BY ${order}
      LIMIT ${page.perPage} OFFSET ${page.offset}`);
  // The count joins only what the filters read (every member has exactly one eligibility and case load row).
  const countFrom = sql`FROM patients p
    ${usesEligibility(filters) ? sql`JOIN ecm_eligibility_informations e ON e.patient_id = p.id` : sql``}
    ${usesCaseLoad(filters) ? sql`LEFT JOIN case_loads c ON c.patient_id = p.id` : sql``}`;
  const count = await db.execute<{ count: number }>(sql`SELECT count(*)::int AS count ${countFrom} WHERE ${where}`);
  return { rows: list.rows, totalCount: count.rows[0].count };
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

/** Case load with user names, authorizations and status history of one member. */
export async function findPatientRelations(db: Executor, organizationId: number, patientId: number) {
  const caseLoad = await db.execute<{
      id: number;
      provider_id: number | null;
      provider_name: string | null;
      olcm_user_id: number | null;
      olcm_name: string | null;
      ilcm_user_id: number | null;
      ilcm_name: string | null;
    }>(sql`
      SELECT c.id, c.provider_id, pu.name AS provider_name, c.olcm_user_id, ou.name AS olcm_name,
        c.ilcm_user_id, iu.name AS ilcm_name
      FROM case_loads c
      LEFT JOIN users pu ON pu.id = c.provider_id
      LEFT JOIN users ou ON ou.id = c.olcm_user_id
      LEFT JOIN users iu ON iu.id = c.ilcm_user_id
      WHERE c.organization_id = ${organizationId} AND c.patient_id = ${patientId}`);
  const authorizations = await db
      .select()
      .from(ecmAuthorizations)
      .where(and(eq(ecmAuthorizations.organizationId, organizationId), eq(ecmAuthorizations.patientId, patientId)))
      .orderBy(asc(ecmAuthorizations.startDate), asc(ecmAuthorizations.id));
  const history = await db
      .select()
      .from(ecmStatusHistories)
      .where(and(eq(ecmStatusHistories.organizationId, organizationId), eq(ecmStatusHistories.patientId, patientId)))
      .orderBy(asc(ecmStatusHistories.changedAt), asc(ecmStatusHistories.id));
  return { caseLoad: caseLoad.rows[0], authorizations, history };
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

/** Id and display name of one member of the organization, or undefined. */
export async function findPatientName(db: Executor, organizationId: number, id: number) {
  const [row] = await db
    .select({ id: patients.id, firstName: patients.firstName, lastName: patients.lastName })
    .from(patients)
    .where(and(eq(patients.organizationId, organizationId), eq(patients.id, id)));
  return row;
}

/** Sets the member's denormalised `activities_count` and `last_activity_at`. */
export async function setActivityStats(db: Executor, id: number, count: number, lastActivityAt: Date | null) {
  await db.update(patients).set({ activitiesCount: count, lastActivityAt }).where(eq(patients.id, id));
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
