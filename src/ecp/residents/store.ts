/**
 * SQL of ECP residents: create, the reachable resident locked for a change, the update of `PUT /clinical/v1/resident`
 * (the given fields applied when they change something, and the audit row, in one statement built once), the list of
 * `GET /clinical/v1/resident` (its allergy names come from the allergies service), the move-in job's reads and writes, and the match of a clinical request's resident.
 */
import { and, asc, eq, getTableColumns, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { preparedStatement, type Db, type Executor } from '../../db/pool.ts';
import { rowColumnsSql, rowOf } from '../../db/rows.ts';
import { ecpLocations, ecpResidents, organizations } from '../../db/schema.ts';
import { auditInsertPlaceholderSql, type AuditValues } from '../../platform/audit.ts';
import { residentKeyValues, type ResidentKey } from '../shared/resident-key.ts';
import { residentKeySql } from '../shared/store.ts';

export type ResidentRow = typeof ecpResidents.$inferSelect;
export type NewResidentRow = typeof ecpResidents.$inferInsert;

/** The fields of `PUT /clinical/v1/resident` that are stored as given (trimmed), under the same name. */
export const INPUT_FIELDS = [
  'building', 'codeStatus', 'careType', 'dateOfBirth', 'email', 'firstName', 'gender', 'lastName', 'livingWill', 'middleName',
  'moveInDate', 'nickname', 'otherAdvancedDirectives', 'phone', 'room', 'suffix', 'externalIds',
] as const satisfies ReadonlyArray<keyof ResidentRow>;

/** The columns a resident update may set (Drizzle keys); the patch names them so. */
const PATCHABLE = [...INPUT_FIELDS, 'locationId', 'status', 'statusDescription', 'dischargedAt'] as const satisfies ReadonlyArray<keyof ResidentRow>;

export type ResidentPatch = Partial<Pick<typeof ecpResidents.$inferInsert, (typeof PATCHABLE)[number]>>;

const updateStatement = preparedStatement<Record<string, unknown>>('ecp_resident_update', () => {
  const columns = getTableColumns(ecpResidents);
  const name = (key: (typeof PATCHABLE)[number]) => sql.raw(`"${columns[key].name}"`);
  // A patched column takes the patch's value (JSON null clears it), any other keeps the current one.
  const next = sql.join(PATCHABLE.map((key) => {
    const c = columns[key];
    const value = c.getSQLType() === 'jsonb' ? sql`i.p -> ${key}::text` : sql`(i.p ->> ${key}::text)::${sql.raw(c.getSQLType())}`;
    return sql`CASE WHEN i.p ? ${key}::text THEN ${value} ELSE cur.${name(key)} END AS ${name(key)}`;
  }), sql`, `);
  const tuple = (alias: string) => sql.join(PATCHABLE.map((key) => sql`${sql.raw(alias)}.${name(key)}`), sql`, `);
  return sql`
    WITH cur AS (
      SELECT * FROM ecp_residents
      WHERE guid = ${sql.placeholder('guid')}::text AND location_id = ANY(${sql.placeholder('location_ids')}::int[])
      FOR UPDATE),
    next AS (SELECT cur.id, ${next} FROM cur, (SELECT ${sql.placeholder('patch')}::jsonb AS p) i),
    upd AS (
      UPDATE ecp_residents r SET ${sql.join(PATCHABLE.map((key) => sql`${name(key)} = next.${name(key)}`), sql`, `)},
        updated_at = ${sql.placeholder('now')}::timestamptz
      FROM cur, next
      WHERE r.id = cur.id AND next.id = cur.id AND ${sql.placeholder('apply')}::boolean
        AND (cur.discharged_at IS NULL OR ${sql.placeholder('reactivate')}::boolean)
        AND (${tuple('next')}) IS DISTINCT FROM (${tuple('cur')})
      RETURNING r.*),
    audit AS (${auditInsertPlaceholderSql({ entityType: 'resident', entityIds: sql`(SELECT array_agg(guid) FROM upd)`, when: sql`EXISTS (SELECT 1 FROM upd)` })})
    SELECT cur.guid AS "__guid", cur.discharged_at IS NOT NULL AS "__was_discharged", ${rowColumnsSql(ecpResidents, 'upd')}
    FROM cur LEFT JOIN upd ON true`;
});

/** What `updateReachableResident` found and did. */
export interface ResidentUpdateResult {
  /** The resident's GUID. */
  guid: string;
  wasDischarged: boolean;
  /** The row after the change; undefined when nothing was written (no change, refused, or `apply` false). */
  updated: ResidentRow | undefined;
}

/**
 * Locks the resident `guid` at one of `locationIds` and, when `apply` holds and the resident is not discharged (or
 * `reactivate`), writes `patch` (a key absent: unchanged; null: cleared) with `updated_at = now` and the audit row
 * (`audit`: `auditValues(ctx, 'update')`), only if it changes a value: one statement, inside the caller's transaction.
 * @returns undefined when no such resident is reachable.
 */
export async function updateReachableResident(
  tx: Executor,
  q: { guid: string; locationIds: number[]; patch: ResidentPatch; apply: boolean; reactivate: boolean; now: Date },
  audit: AuditValues,
): Promise<ResidentUpdateResult | undefined> {
  const [r] = await updateStatement(tx, {
    ...audit,
    guid: q.guid,
    location_ids: q.locationIds,
    patch: JSON.stringify(q.patch),
    apply: q.apply,
    reactivate: q.reactivate,
    now: q.now.toISOString(),
  });
  if (!r) return undefined;
  return { guid: r.__guid as string, wasDischarged: r.__was_discharged as boolean, updated: r.id === null ? undefined : rowOf(ecpResidents, r) };
}

/** Inserts a resident. @returns the stored row. */
export async function insertResident(tx: Executor, values: NewResidentRow): Promise<ResidentRow> {
  const [row] = await tx.insert(ecpResidents).values(values).returning();
  return row;
}

/**
 * The resident `guid` (upper case) at one of `locationIds`, locked for update.
 * @returns undefined when none (or `locationIds` is empty).
 */
export async function lockReachableResident(tx: Executor, guid: string, locationIds: number[]): Promise<ResidentRow | undefined> {
  if (!locationIds.length) return undefined;
  const [row] = await tx.select().from(ecpResidents)
    .where(and(eq(ecpResidents.guid, guid), inArray(ecpResidents.locationId, locationIds)))
    .for('update');
  return row;
}

/** Locks the resident row `id` until the transaction ends. */
export async function lockResident(tx: Executor, id: number): Promise<void> {
  await tx.select({ id: ecpResidents.id }).from(ecpResidents).where(eq(ecpResidents.id, id)).for('update');
}

/** Writes `values` and `updated_at = now` to the resident `id`. @returns the row after the change. */
export async function saveResident(tx: Executor, id: number, values: Partial<NewResidentRow>, now: Date): Promise<ResidentRow> {
  const [row] = await tx.update(ecpResidents).set({ ...values, updatedAt: now }).where(eq(ecpResidents.id, id)).returning();
  return row;
}

/** The filter of `GET /clinical/v1/resident`: the locations (non-empty), and the optional status, GUID and discharged ones. */
export interface ResidentListFilter {
  locationIds: number[];
  includeDischarged: boolean;
  status?: string;
  /** Upper case. */
  guid?: string;
}

function listWhere(f: ResidentListFilter): SQL | undefined {
  const where: SQL[] = [inArray(ecpResidents.locationId, f.locationIds)];
  if (!f.includeDischarged) where.push(isNull(ecpResidents.dischargedAt));
  if (f.status) where.push(eq(ecpResidents.status, f.status));
  if (f.guid) where.push(eq(ecpResidents.guid, f.guid));
  return and(...where);
}

/**
 * One page (`limit` rows from `offset`) of the residents `filter` selects, by last name, first name and id, each with its
 * location's GUID and name, and the total count.
 */
export async function listResidents(db: Db, filter: ResidentListFilter, limit: number, offset: number) {
  const where = listWhere(filter);
  const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(ecpResidents).where(where);
  const rows = await db.select({ r: ecpResidents, locationGuid: ecpLocations.guid, locationName: ecpLocations.name })
    .from(ecpResidents)
    .innerJoin(ecpLocations, eq(ecpLocations.id, ecpResidents.locationId))
    .where(where)
    .orderBy(asc(ecpResidents.lastName), asc(ecpResidents.firstName), asc(ecpResidents.id))
    .limit(limit)
    .offset(offset);
  return { total, rows };
}

/**
 * Residents with status description `statusDescription`, not discharged, whose move-in date is at most a day after
 * `now` (UTC): the candidates of the move-in job, each with its company's time zone.
 */
export async function moveInCandidates(db: Db, statusDescription: string, now: Date) {
  return db
    .select({ id: ecpResidents.id, moveInDate: ecpResidents.moveInDate, timeZone: organizations.timeZone })
    .from(ecpResidents)
    .innerJoin(organizations, eq(organizations.id, ecpResidents.organizationId))
    .where(and(
      eq(ecpResidents.statusDescription, statusDescription),
      isNull(ecpResidents.dischargedAt),
      lte(ecpResidents.moveInDate, sql`(${now.toISOString()}::timestamptz + interval '1 day')::date`),
    ));
}

/**
 * Writes `values` to the resident `id` only while its status description is still `statusDescription`.
 * @returns the row after the change, or undefined when another run changed it first.
 */
export async function saveResidentIfStatus(
  tx: Executor, id: number, statusDescription: string, values: Partial<NewResidentRow>, now: Date,
): Promise<ResidentRow | undefined> {
  const [row] = await tx.update(ecpResidents).set({ ...values, updatedAt: now })
    .where(and(eq(ecpResidents.id, id), eq(ecpResidents.statusDescription, statusDescription)))
    .returning();
  return row;
}

/** Up to `limit` residents at the location `locationId`, not discharged, that `key` identifies. */
export async function residentsByKey(tx: Executor, locationId: number, key: ResidentKey, limit: number): Promise<ResidentRow[]> {
  const values = residentKeyValues(key);
  return tx.select().from(ecpResidents)
    .where(and(eq(ecpResidents.locationId, locationId), isNull(ecpResidents.dischargedAt), residentKeySql(key.mode, (name) => sql`${values[name]}`)))
    .limit(limit);
}

/** The resident `guid` (upper case) of any company, locked for update: the operator's transfer. @returns undefined when none. */
export async function lockResidentByGuid(tx: Executor, guid: string): Promise<ResidentRow | undefined> {
  const [row] = await tx.select().from(ecpResidents).where(eq(ecpResidents.guid, guid)).for('update');
  return row;
}

/** Moves the resident `id` to the company `organizationId` and its location `locationId`. @returns the row after the move. */
export async function moveResident(tx: Executor, id: number, organizationId: number, locationId: number, now: Date): Promise<ResidentRow> {
  const [row] = await tx.update(ecpResidents).set({ organizationId, locationId, updatedAt: now }).where(eq(ecpResidents.id, id)).returning();
  return row;
}

/** Which residents a staff list shows: current (not discharged, moved in), awaiting move-in, or discharged. */
export type ResidentState = 'active' | 'awaiting_move_in' | 'discharged';

/** The filter of the community workspace's resident list. */
export interface ResidentSearch {
  /** Non-empty. */
  locationIds: number[];
  state: ResidentState;
  /** Matched case-insensitively anywhere in the first, last or nick name ("First Last" too), room, or an external id's value. */
  search?: string;
}

/** A resident row with its location's GUID and name. */
export interface ResidentWithLocation {
  r: ResidentRow;
  locationGuid: string;
  locationName: string;
}

function searchWhere(f: ResidentSearch): SQL | undefined {
  const where: SQL[] = [inArray(ecpResidents.locationId, f.locationIds)];
  if (f.state === 'discharged') where.push(sql`${ecpResidents.dischargedAt} IS NOT NULL`);
  else {
    where.push(isNull(ecpResidents.dischargedAt));
    const awaiting = sql`${ecpResidents.statusDescription} = 'Awaiting Move-In'`;
    where.push(f.state === 'awaiting_move_in' ? awaiting : sql`NOT (${awaiting})`);
  }
  const q = f.search?.trim();
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(sql`(${ecpResidents.firstName} ILIKE ${like} OR ${ecpResidents.lastName} ILIKE ${like} OR ${ecpResidents.nickname} ILIKE ${like}
      OR (${ecpResidents.firstName} || ' ' || ${ecpResidents.lastName}) ILIKE ${like} OR ${ecpResidents.room} ILIKE ${like}
      OR EXISTS (SELECT 1 FROM jsonb_each_text(${ecpResidents.externalIds}) e WHERE e.value ILIKE ${like}))`);
  }
  return and(...where);
}

/** One page of the residents `filter` selects, by last name, first name and id, with their locations, and the total count. */
export async function searchResidents(db: Db, filter: ResidentSearch, limit: number, offset: number): Promise<{ total: number; rows: ResidentWithLocation[] }> {
  const where = searchWhere(filter);
  const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(ecpResidents).where(where);
  const rows = await db.select({ r: ecpResidents, locationGuid: ecpLocations.guid, locationName: ecpLocations.name })
    .from(ecpResidents)
    .innerJoin(ecpLocations, eq(ecpLocations.id, ecpResidents.locationId))
    .where(where)
    .orderBy(asc(ecpResidents.lastName), asc(ecpResidents.firstName), asc(ecpResidents.id))
    .limit(limit)
    .offset(offset);
  return { total, rows };
}

/** The resident `guid` (upper case) at one of `locationIds`, with its location; undefined when none (or `locationIds` is empty). */
export async function findResidentWithLocation(db: Executor, guid: string, locationIds: number[]): Promise<ResidentWithLocation | undefined> {
  if (!locationIds.length) return undefined;
  const [row] = await db.select({ r: ecpResidents, locationGuid: ecpLocations.guid, locationName: ecpLocations.name })
    .from(ecpResidents)
    .innerJoin(ecpLocations, eq(ecpLocations.id, ecpResidents.locationId))
    .where(and(eq(ecpResidents.guid, guid), inArray(ecpResidents.locationId, locationIds)));
  return row;
}

/** Which of the residents `guids` (upper case) are at one of `locationIds`: one query, for a caller checking a list. */
export async function residentGuidsAt(db: Executor, guids: string[], locationIds: number[]): Promise<Set<string>> {
  if (!guids.length || !locationIds.length) return new Set();
  const rows = await db.select({ guid: ecpResidents.guid }).from(ecpResidents)
    .where(and(inArray(ecpResidents.guid, guids), inArray(ecpResidents.locationId, locationIds)));
  return new Set(rows.map((r) => r.guid));
}

/**
 * A standards-based search of residents (the FHIR door's Patient search): every criterion optional and ANDed, always
 * within `locationIds` (the client's reachable locations; discharged residents included). Rows come in `id` order after
 * `afterId` (keyset paging: a resident inserted later never shifts a page already read).
 */
export interface ResidentSearchFilter {
  locationIds: number[];
  /** Upper-case GUIDs (`residentId`). */
  guids?: string[];
  /** An external id: `name` and `value`, or `value` alone (any name), or a `residentId` when `name` is absent. */
  identifier?: { name?: string; value: string };
  /** Case-insensitive prefix of the first, middle, last name or nickname. */
  name?: string;
  /** Inclusive `YYYY-MM-DD` bounds of the date of birth. */
  birthDateFrom?: string;
  birthDateTo?: string;
  /** Inclusive bounds of `updated_at`. */
  updatedFrom?: Date;
  updatedTo?: Date;
  afterId?: number;
  limit: number;
}

/** `s` with LIKE's wildcards escaped, for a prefix match. */
const likePrefix = (s: string) => `${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The residents `f` selects, each with its location's GUID and name, `id` ascending, at most `f.limit`. */
export async function searchResidentRecords(db: Executor, f: ResidentSearchFilter) {
  if (!f.locationIds.length) return [];
  const where: SQL[] = [inArray(ecpResidents.locationId, f.locationIds)];
  if (f.guids) where.push(inArray(ecpResidents.guid, f.guids.length ? f.guids : ['']));
  if (f.identifier) {
    const { name, value } = f.identifier;
    where.push(name === undefined
      ? sql`(${ecpResidents.guid} = ${value.toUpperCase()} OR jsonb_path_exists(${ecpResidents.externalIds}, '$.* ? (@ == $v)', jsonb_build_object('v', ${value}::text)))`
      : sql`${ecpResidents.externalIds} @> jsonb_build_object(${name}::text, ${value}::text)`);
  }
  if (f.name) {
    const p = likePrefix(f.name);
    where.push(sql`(lower(${ecpResidents.firstName}) LIKE ${p} OR lower(${ecpResidents.lastName}) LIKE ${p}
      OR lower(coalesce(${ecpResidents.middleName}, '')) LIKE ${p} OR lower(coalesce(${ecpResidents.nickname}, '')) LIKE ${p})`);
  }
  if (f.birthDateFrom) where.push(sql`${ecpResidents.dateOfBirth} >= ${f.birthDateFrom}::date`);
  if (f.birthDateTo) where.push(sql`${ecpResidents.dateOfBirth} <= ${f.birthDateTo}::date`);
  if (f.updatedFrom) where.push(sql`${ecpResidents.updatedAt} >= ${f.updatedFrom.toISOString()}::timestamptz`);
  if (f.updatedTo) where.push(sql`${ecpResidents.updatedAt} <= ${f.updatedTo.toISOString()}::timestamptz`);
  if (f.afterId !== undefined) where.push(sql`${ecpResidents.id} > ${f.afterId}`);
  return db.select({ r: ecpResidents, locationGuid: ecpLocations.guid, locationName: ecpLocations.name })
    .from(ecpResidents)
    .innerJoin(ecpLocations, eq(ecpLocations.id, ecpResidents.locationId))
    .where(and(...where))
    .orderBy(asc(ecpResidents.id))
    .limit(f.limit);
}

/** How many residents company `organizationId` has (discharged ones too). */
export async function countResidents(db: Executor, organizationId: number): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(ecpResidents).where(eq(ecpResidents.organizationId, organizationId));
  return count;
}

/** Every resident of company `organizationId`, by id. */
export async function residentsOfCompany(db: Executor, organizationId: number): Promise<ResidentRow[]> {
  return db.select().from(ecpResidents).where(eq(ecpResidents.organizationId, organizationId)).orderBy(ecpResidents.id);
}

/** The resident `guid` (upper case) at the location `locationId` (discharged ones too), or undefined. */
export async function residentAtLocation(tx: Executor, guid: string, locationId: number): Promise<ResidentRow | undefined> {
  const [row] = await tx.select().from(ecpResidents).where(and(eq(ecpResidents.guid, guid), eq(ecpResidents.locationId, locationId)));
  return row;
}

/** Locks the residents' rows `ids` in id order until the transaction ends. */
export async function lockResidentsInOrder(tx: Executor, ids: number[]): Promise<void> {
  if (ids.length) await tx.select({ id: ecpResidents.id }).from(ecpResidents).where(inArray(ecpResidents.id, [...ids].sort((a, b) => a - b))).orderBy(ecpResidents.id).for('update');
}
