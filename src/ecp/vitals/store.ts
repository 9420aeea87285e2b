/**
 * SQL of the vitals endpoints (seed 000 "POST/GET resident/vital/*"): each request is one statement with its audit
 * row in a CTE, built once per shape and run as a named prepared statement (`preparedStatement`).
 */
import { and, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import { ecpUsers, ecpVitals } from '../../db/schema.ts';
import { auditInsertPlaceholderSql, type AuditValues } from '../../platform/audit.ts';
import type { ResidentKey } from '../shared/resident-key.ts';
import { ECP_PAGE_SIZE } from '../shared/params.ts';
import type { RecordingUserKey } from '../shared/recording-user.ts';
import { recordingUserSql, residentKeySql } from '../shared/store.ts';
import type { VitalDefinition } from './definitions.ts';

const p = (name: string) => sql`${sql.placeholder(name)}`;

type Statement<T extends Record<string, unknown>> = ReturnType<typeof preparedStatement<T>>;

/** The statement `name` of `cache`, built (once) by `build` when first asked for. */
function statementOf<T extends Record<string, unknown>>(cache: Map<string, Statement<T>>, name: string, build: () => SQL): Statement<T> {
  let run = cache.get(name);
  if (!run) {
    run = preparedStatement<T>(name, build);
    cache.set(name, run);
  }
  return run;
}

/** What the insert statement found: the user (null: no such user), how many residents matched (0, 1, 2 = several), and whether it inserted. */
interface InsertFacts extends Record<string, unknown> {
  user_active: boolean | null;
  user_has_location: boolean | null;
  residents: number;
  inserted: boolean;
}

function insertSql(def: VitalDefinition, residentMode: ResidentKey['mode'], userBy: RecordingUserKey['by']): SQL {
  const location = sql`${p('location_id')}::int`;
  return sql`
    WITH u AS (
      SELECT id, active, ${location} = ANY(location_ids) AS has_location FROM ecp_users
      WHERE organization_id = ${p('location_organization_id')}::int AND ${recordingUserSql(userBy, p('user_key'))}
      LIMIT 1),
    r AS (
      SELECT id, guid FROM ecp_residents
      WHERE location_id = ${location} AND discharged_at IS NULL AND ${residentKeySql(residentMode, p)}
      LIMIT 2),
    ok AS (SELECT u.id AS user_id, r.id AS resident_id, r.guid FROM u, r WHERE u.active AND u.has_location AND (SELECT count(*) FROM r) = 1),
    v AS (
      INSERT INTO ecp_vitals (organization_id, location_id, resident_id, user_id, vital_type, value, value2, recorded_at)
      SELECT ${p('organization_id')}::int, ${location}, ok.resident_id, ok.user_id, ${def.path}::text, ${p('value')}::numeric, ${p('value2')}::numeric,
        ${p('recorded_at')}::timestamptz
      FROM ok RETURNING id),
    audit AS (${auditInsertPlaceholderSql({ entityType: `vital.${def.path}`, entityIds: sql`(SELECT array_agg(guid) FROM ok)`, when: sql`EXISTS (SELECT 1 FROM v)` })})
    SELECT (SELECT active FROM u) AS user_active, (SELECT has_location FROM u) AS user_has_location,
      (SELECT count(*)::int FROM r) AS residents, EXISTS (SELECT 1 FROM v) AS inserted`;
}

const insertStatements = new Map<string, Statement<InsertFacts>>();

/** One reading to insert, with the checked keys of its user and resident. */
export interface NewReading {
  organizationId: number;
  location: { id: number; organizationId: number };
  user: RecordingUserKey;
  resident: ResidentKey;
  /** `residentKeyValues(resident)`. */
  residentValues: Record<string, string>;
  value: number;
  value2: number | null;
  recordedAt: Date;
}

/**
 * Inserts a reading of kind `def` and its audit row (`audit`: `auditValues(ctx, 'create')`) in one statement, only
 * when the user (of the location's company, active, allowed the location) and exactly one resident at the location
 * (not discharged) are found: otherwise nothing is written.
 * @returns what it found, for the caller's error: `user` undefined when no such user; `residents` 0, 1 or 2 (several).
 */
export async function insertReading(db: Executor, def: VitalDefinition, reading: NewReading, audit: AuditValues) {
  const name = `ecp_vital_insert_${def.path}_${reading.resident.mode}_${reading.user.by}`;
  const run = statementOf(insertStatements, name, () => insertSql(def, reading.resident.mode, reading.user.by));
  const [r] = await run(db, {
    ...audit,
    ...reading.residentValues,
    organization_id: reading.organizationId,
    location_organization_id: reading.location.organizationId,
    location_id: reading.location.id,
    user_key: reading.user.value,
    value: reading.value,
    value2: reading.value2,
    recorded_at: reading.recordedAt.toISOString(),
  });
  return {
    user: r.user_active === null ? undefined : { active: r.user_active, hasLocation: Boolean(r.user_has_location) },
    residents: r.residents,
    inserted: r.inserted,
  };
}

/** One reading of a page, with its resident and recording user (raw: `recorded_at` as PostgreSQL text). */
export interface ReadingRow extends Record<string, unknown> {
  total: number;
  value: string | number | null;
  value2: string | number | null;
  recorded_at: string | null;
  first_name: string;
  last_name: string;
  date_of_birth: string;
  guid: string;
  external_ids: unknown;
  login_name: string;
}

function pageSql(def: VitalDefinition): SQL {
  const where = sql`location_id = ${p('location_id')}::int AND vital_type = ${def.path}::text
    AND recorded_at >= coalesce(${p('from')}::timestamptz, '-infinity') AND recorded_at <= coalesce(${p('to')}::timestamptz, 'infinity')`;
  return sql`
    WITH pg AS (
      SELECT row_number() OVER (ORDER BY f.recorded_at, f.id) AS n, f.value, f.value2, f.recorded_at,
        r.first_name, r.last_name, r.date_of_birth, r.guid, r.external_ids, u.login_name
      FROM (SELECT id, value, value2, recorded_at, resident_id, user_id FROM ecp_vitals WHERE ${where}
            ORDER BY recorded_at, id LIMIT ${ECP_PAGE_SIZE} OFFSET ${p('offset')}::int) f
      JOIN ecp_residents r ON r.id = f.resident_id
      JOIN ecp_users u ON u.id = f.user_id),
    audit AS (${auditInsertPlaceholderSql({
      entityType: `vital.${def.path}`,
      // Each resident once, in the order the page first shows them.
      entityIds: sql`(SELECT array_agg(guid ORDER BY n) FROM (SELECT guid, min(n) AS n FROM pg GROUP BY guid) g)`,
    })}),
    total AS (SELECT count(*)::int AS total FROM ecp_vitals WHERE ${where})
    SELECT total.total, pg.value, pg.value2, pg.recorded_at, pg.first_name, pg.last_name, pg.date_of_birth, pg.guid, pg.external_ids, pg.login_name
    FROM total LEFT JOIN pg ON true ORDER BY pg.n`;
}

const pageStatements = new Map<string, Statement<ReadingRow>>();

/**
 * One page (100, oldest first) of a location's readings of kind `def` within `from` .. `to` (inclusive, either open),
 * the count of all of them, and the list's audit row naming the page's residents (`audit`: `auditValues(ctx, 'list')`;
 * written for an empty page too), in one statement.
 * @returns the total and the page's rows (none when the page is empty).
 */
export async function readingPage(db: Executor, def: VitalDefinition, q: { locationId: number; from: Date | null; to: Date | null; page: number }, audit: AuditValues) {
  const rows = await statementOf(pageStatements, `ecp_vital_page_${def.path}`, () => pageSql(def))(db, {
    ...audit,
    location_id: q.locationId,
    from: q.from?.toISOString() ?? null,
    to: q.to?.toISOString() ?? null,
    offset: (q.page - 1) * ECP_PAGE_SIZE,
  });
  return { total: rows[0].total, rows: rows.filter((r) => r.recorded_at !== null) };
}

/** Moves the readings of the resident `residentId` (row id) to the company `organizationId` and location `locationId`. @returns how many. */
export async function moveResidentReadings(tx: Executor, residentId: number, organizationId: number, locationId: number): Promise<number> {
  const rows = await tx.execute(sql`UPDATE ecp_vitals SET organization_id = ${organizationId}, location_id = ${locationId} WHERE resident_id = ${residentId} RETURNING id`);
  return rows.rowCount ?? 0;
}

/** A standards-based search of readings (the FHIR door's Observation search), always within `locationIds`. */
export interface ReadingSearchFilter {
  locationIds: number[];
  /** Upper-case reading GUIDs (a read by id). */
  guids?: string[];
  /** Upper-case resident GUIDs. */
  residentGuids?: string[];
  /** Path segments (`blood-ox`, ...); absent: every kind. */
  vitalTypes?: string[];
  /** Inclusive bounds of `recorded_at`. */
  from?: Date;
  to?: Date;
  /** Inclusive lower bound of `created_at` (when the reading was stored: its `meta.lastUpdated`). */
  createdFrom?: Date;
  /** Inclusive upper bound of `created_at`. */
  createdTo?: Date;
  afterId?: number;
  limit: number;
}

/** One reading found by `searchReadings`, with its resident's GUID. */
export interface FoundReading {
  /** Row id: the keyset paging key. */
  id: number;
  /** The reading's GUID. */
  guid: string;
  vitalType: string;
  value: number;
  value2: number | null;
  recordedAt: Date;
  createdAt: Date;
  residentGuid: string;
}

/** The readings `f` selects, `id` ascending after `f.afterId` (keyset paging), at most `f.limit`. */
export async function searchReadings(db: Executor, f: ReadingSearchFilter): Promise<FoundReading[]> {
  if (!f.locationIds.length || f.vitalTypes?.length === 0 || f.guids?.length === 0 || f.residentGuids?.length === 0) return [];
  const where: SQL[] = [sql`v.location_id = ANY(${sql.param(f.locationIds)}::int[])`];
  if (f.guids) where.push(sql`v.guid = ANY(${sql.param(f.guids)}::text[])`);
  if (f.residentGuids) where.push(sql`r.guid = ANY(${sql.param(f.residentGuids)}::text[])`);
  if (f.vitalTypes) where.push(sql`v.vital_type = ANY(${sql.param(f.vitalTypes)}::text[])`);
  if (f.from) where.push(sql`v.recorded_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) where.push(sql`v.recorded_at <= ${f.to.toISOString()}::timestamptz`);
  if (f.createdFrom) where.push(sql`v.created_at >= ${f.createdFrom.toISOString()}::timestamptz`);
  if (f.createdTo) where.push(sql`v.created_at <= ${f.createdTo.toISOString()}::timestamptz`);
  if (f.afterId !== undefined) where.push(sql`v.id > ${f.afterId}`);
  const result = await db.execute<{ id: string; guid: string; vital_type: string; value: string; value2: string | null; recorded_at: string; created_at: string; resident_guid: string }>(sql`
    SELECT v.id, v.guid, v.vital_type, v.value, v.value2, to_json(v.recorded_at) #>> '{}' AS recorded_at, to_json(v.created_at) #>> '{}' AS created_at, r.guid AS resident_guid
    FROM ecp_vitals v JOIN ecp_residents r ON r.id = v.resident_id
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY v.id LIMIT ${f.limit}`);
  return result.rows.map((x) => ({
    id: Number(x.id), guid: x.guid, vitalType: x.vital_type, value: Number(x.value), value2: x.value2 === null ? null : Number(x.value2),
    recordedAt: new Date(x.recorded_at), createdAt: new Date(x.created_at), residentGuid: x.resident_guid,
  }));
}

export type NewVitalRow = typeof ecpVitals.$inferInsert;

/** How many readings company `organizationId` has. */
export async function countReadings(db: Executor, organizationId: number): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(ecpVitals).where(eq(ecpVitals.organizationId, organizationId));
  return count;
}

/** Inserts reading rows as given, 1000 a statement (no checks, no audit: the demo seeder's generated history). */
export async function insertReadingRows(tx: Executor, rows: NewVitalRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await tx.insert(ecpVitals).values(rows.slice(i, i + 1000));
}

/** One of a resident's readings with the user who recorded it (the community workspace's Vitals tab). */
export interface ResidentReadingRow {
  guid: string;
  vitalType: string;
  value: number;
  value2: number | null;
  recordedAt: Date;
  userGuid: string;
  loginName: string;
  firstName: string;
  lastName: string;
}

/**
 * The readings of the resident `q.residentId` (row id) in company `q.organizationId` at `q.locationIds`, recorded
 * within `q.from` .. `q.to` (inclusive; null: open), newest first, at most `q.limit`; of the kinds `q.kinds` (path segments) when given.
 */
export async function residentReadings(db: Executor, q: {
  organizationId: number; locationIds: number[]; residentId: number; from: Date | null; to: Date | null; kinds?: string[]; limit: number;
}): Promise<ResidentReadingRow[]> {
  if (!q.locationIds.length || q.kinds?.length === 0) return [];
  return db.select({
    guid: ecpVitals.guid, vitalType: ecpVitals.vitalType, value: ecpVitals.value, value2: ecpVitals.value2, recordedAt: ecpVitals.recordedAt,
    userGuid: ecpUsers.guid, loginName: ecpUsers.loginName, firstName: ecpUsers.firstName, lastName: ecpUsers.lastName,
  }).from(ecpVitals)
    .innerJoin(ecpUsers, eq(ecpUsers.id, ecpVitals.userId))
    .where(and(
      eq(ecpVitals.organizationId, q.organizationId), inArray(ecpVitals.locationId, q.locationIds), eq(ecpVitals.residentId, q.residentId),
      q.from ? gte(ecpVitals.recordedAt, q.from) : undefined, q.to ? lte(ecpVitals.recordedAt, q.to) : undefined, q.kinds ? inArray(ecpVitals.vitalType, q.kinds) : undefined,
    ))
    .orderBy(desc(ecpVitals.recordedAt), desc(ecpVitals.id))
    .limit(q.limit);
}

/** Inserts checked readings (one of each kind) of one resident inside `tx`. @returns each reading's GUID and kind. */
export async function insertResidentReadings(tx: Executor, rows: NewVitalRow[]): Promise<Array<{ guid: string; vitalType: string }>> {
  return tx.insert(ecpVitals).values(rows).returning({ guid: ecpVitals.guid, vitalType: ecpVitals.vitalType });
}
