/**
 * Whole table rows through hand-written statements (a CTE's `RETURNING *`, say): the select list names each column
 * by its Drizzle key, and the raw values (timestamps as PostgreSQL text) are mapped as Drizzle maps its own results,
 * so a statement built once (`preparedStatement`) answers the same row type as a Drizzle query.
 */
import { getTableColumns, sql, type Column, type SQL, type Table } from 'drizzle-orm';

const columnLists = new WeakMap<Table, Array<[string, Column]>>();
const columnsOf = (table: Table) => {
  let list = columnLists.get(table);
  if (!list) columnLists.set(table, (list = Object.entries(getTableColumns(table))));
  return list;
};

/** The select list `alias."column" AS "key", ...` of every column of `table`. */
export function rowColumnsSql(table: Table, alias: string): SQL {
  return sql.raw(columnsOf(table).map(([key, c]) => `${alias}."${c.name}" AS "${key}"`).join(', '));
}

/** A raw row selected with `rowColumnsSql(table, ...)`, typed and mapped as Drizzle's `table.$inferSelect`. */
export function rowOf<T extends Table>(table: T, raw: Record<string, unknown>): T['$inferSelect'] {
  const row: Record<string, unknown> = {};
  for (const [key, c] of columnsOf(table)) row[key] = raw[key] === null || raw[key] === undefined ? null : c.mapFromDriverValue(raw[key]);
  return row as T['$inferSelect'];
}
