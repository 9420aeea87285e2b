/**
 * SQL of the imports feature: the import history (`mif_imports`,
 * `authorization_files`) and the members' authorizations (`ecm_authorizations`).
 * Members themselves are written through the patients service. Every query
 * filters on `organization_id`; bulk writes pass one array parameter per column
 * (`unnest`), so a file of any size is a handful of statements.
 */
import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { authorizationFiles, mifImports } from '../../db/schema.ts';
import type { PageRequest } from '../../platform/pagination.ts';
import type { AuthorizationFact, AuthorizationStatus } from '../patients/member-status.ts';

export type MifImportRow = typeof mifImports.$inferSelect;

/**
 * Serialises the imports of one organization (both kinds touch member statuses): held until the transaction ends.
 */
export async function lockImports(db: Executor, organizationId: number): Promise<void> {
  await db.execute(sql`SELECT pg_advisory_xact_lock(hashtext('ecm-imports'), ${organizationId}::int)`);
}

export async function insertMifImport(db: Executor, values: typeof mifImports.$inferInsert): Promise<MifImportRow> {
  const [row] = await db.insert(mifImports).values(values).returning();
  return row;
}

/** A page of the organization's MIF imports, newest first, and the total count. */
export async function listMifImports(db: Executor, organizationId: number, page: PageRequest) {
  const rows = await db
    .select()
    .from(mifImports)
    .where(eq(mifImports.organizationId, organizationId))
    .orderBy(desc(mifImports.createdAt), desc(mifImports.id))
    .limit(page.perPage)
    .offset(page.offset);
  const [{ total }] = await db.select({ total: count() }).from(mifImports).where(eq(mifImports.organizationId, organizationId));
  return { rows, totalCount: total };
}

export async function findMifImport(db: Executor, organizationId: number, id: number): Promise<MifImportRow | undefined> {
  const [row] = await db.select().from(mifImports).where(and(eq(mifImports.organizationId, organizationId), eq(mifImports.id, id)));
  return row;
}

export async function insertAuthorizationFile(db: Executor, values: typeof authorizationFiles.$inferInsert) {
  const [row] = await db.insert(authorizationFiles).values(values).returning();
  return row;
}

export interface StoredAuthorization extends AuthorizationFact {
  authNo: string;
  patientId: number;
  authType: string | null;
  authorizationType: string | null;
}

interface AuthorizationSqlRow extends Record<string, unknown> {
  id: number;
  auth_no: string;
  patient_id: number;
  auth_type: string | null;
  authorization_type: string | null;
  status: string;
  start_date: string | null;
  expiration_date: string | null;
}

function authorizationOf(r: AuthorizationSqlRow): StoredAuthorization {
  return {
    id: r.id,
    authNo: r.auth_no,
    patientId: r.patient_id,
    authType: r.auth_type,
    authorizationType: r.authorization_type,
    status: r.status as AuthorizationStatus,
    startDate: r.start_date,
    expirationDate: r.expiration_date,
  };
}

const AUTH_COLUMNS = sql`id, auth_no, patient_id, auth_type, authorization_type, status, start_date::text, expiration_date::text`;

/** The organization's authorizations whose `auth_no` is in `authNos`. */
export async function authorizationsByAuthNo(db: Executor, organizationId: number, authNos: string[]): Promise<StoredAuthorization[]> {
  if (authNos.length === 0) return [];
  const { rows } = await db.execute<AuthorizationSqlRow>(sql`
    SELECT ${AUTH_COLUMNS} FROM ecm_authorizations
    WHERE organization_id = ${organizationId} AND auth_no = ANY(${sql.param(authNos)}::text[])`);
  return rows.map(authorizationOf);
}

/** Every authorization of each of `patientIds`. */
export async function authorizationsOfPatients(db: Executor, organizationId: number, patientIds: number[]): Promise<StoredAuthorization[]> {
  if (patientIds.length === 0) return [];
  const { rows } = await db.execute<AuthorizationSqlRow>(sql`
    SELECT ${AUTH_COLUMNS} FROM ecm_authorizations
    WHERE organization_id = ${organizationId} AND patient_id = ANY(${sql.param(patientIds)}::int[])`);
  return rows.map(authorizationOf);
}

/** One authorization row to write: `id` null creates it. */
export interface AuthorizationWrite {
  id: number | null;
  authNo: string;
  patientId: number;
  authType: string | null;
  authorizationType: string | null;
  status: string;
  startDate: string | null;
  expirationDate: string | null;
}

function authorizationValues(rows: AuthorizationWrite[]) {
  const p = <T>(f: (r: AuthorizationWrite) => T) => sql.param(rows.map(f));
  return sql`unnest(${p((r) => r.id)}::int[], ${p((r) => r.authNo)}::text[], ${p((r) => r.patientId)}::int[], ${p((r) => r.authType)}::text[],
    ${p((r) => r.authorizationType)}::text[], ${p((r) => r.status)}::text[], ${p((r) => r.startDate)}::date[], ${p((r) => r.expirationDate)}::date[])
    AS v(id, auth_no, patient_id, auth_type, authorization_type, status, start_date, expiration_date)`;
}

/** Creates the rows without an id and replaces the columns of those with one (values already merged by the caller). */
export async function writeAuthorizations(db: Executor, organizationId: number, rows: AuthorizationWrite[]): Promise<void> {
  const created = rows.filter((r) => r.id === null);
  const updated = rows.filter((r) => r.id !== null);
  if (created.length) {
    await db.execute(sql`
      INSERT INTO ecm_authorizations (organization_id, auth_no, patient_id, auth_type, authorization_type, status, start_date, expiration_date)
      SELECT ${organizationId}, auth_no, patient_id, auth_type, authorization_type, status, start_date, expiration_date FROM ${authorizationValues(created)}`);
  }
  if (updated.length) {
    await db.execute(sql`
      UPDATE ecm_authorizations a SET patient_id = v.patient_id, auth_type = v.auth_type, authorization_type = v.authorization_type,
        status = v.status, start_date = v.start_date, expiration_date = v.expiration_date, updated_at = now()
      FROM ${authorizationValues(updated)}
      WHERE a.id = v.id AND a.organization_id = ${organizationId}`);
  }
}

/** Organizations with an approval that expired before `beforeDate` (YYYY-MM-DD) and a member not yet terminated. */
export async function organizationsWithExpiredApprovals(db: Executor, beforeDate: string): Promise<number[]> {
  const { rows } = await db.execute<{ organization_id: number }>(sql`
    SELECT DISTINCT a.organization_id FROM ecm_authorizations a
    JOIN ecm_eligibility_informations e ON e.patient_id = a.patient_id
    WHERE a.status = 'Approved' AND a.expiration_date < ${beforeDate}::date AND e.member_record_status <> 'terminated_member'`);
  return rows.map((r) => r.organization_id);
}

/**
 * Members of the organization, not `terminated_member`, with an approval that expired before `today`
 * (candidates for the expiry rule, which decides).
 */
export async function membersWithExpiredApprovals(db: Executor, organizationId: number, today: string): Promise<number[]> {
  const { rows } = await db.execute<{ patient_id: number }>(sql`
    SELECT DISTINCT a.patient_id FROM ecm_authorizations a
    JOIN ecm_eligibility_informations e ON e.patient_id = a.patient_id
    WHERE a.organization_id = ${organizationId} AND a.status = 'Approved' AND a.expiration_date < ${today}::date
      AND e.member_record_status <> 'terminated_member'`);
  return rows.map((r) => r.patient_id);
}
