/**
 * SQL of the resident update (`PUT /clinical/v1/resident`): the reachable resident locked, the given fields
 * applied when they change something, and the audit row, in one statement built once (issue 8).
 */
import { getTableColumns, sql } from 'drizzle-orm';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import { rowColumnsSql, rowOf } from '../../db/rows.ts';
import { ecpResidents } from '../../db/schema.ts';
import { auditInsertPlaceholderSql, type AuditValues } from '../../platform/audit.ts';
import type { ResidentRow } from './matching.ts';

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
