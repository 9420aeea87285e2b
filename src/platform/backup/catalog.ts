/**
 * What a backup reads from PostgreSQL's catalog: every user table of every non-system schema, its columns,
 * the sequences, the applied migrations, and each schema's DDL (this server has no pg_dump). Run inside the
 * backup's snapshot transaction with `search_path = pg_catalog`, so every name the `pg_get_*def` functions
 * print is schema-qualified. Objects that belong to an extension are left to the extension.
 */
import type pg from 'pg';

export interface TableInfo {
  schema: string;
  name: string;
  /** Columns copied (stored columns: generated ones are recomputed). */
  columns: string[];
  /** A partitioned parent: its data is read through the parent, its partitions carry none of their own. */
  partitioned: boolean;
}

export interface SequenceInfo {
  schema: string;
  name: string;
  lastValue: string;
  isCalled: boolean;
}

export interface SchemaDdl {
  name: string;
  /** Statements that recreate the schema's objects on an empty database, in order. */
  statements: string[];
}

export interface AppliedMigration {
  hash: string;
  createdAt: string;
}

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;
const NOT_EXTENSION = (classOid: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${classOid}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The user schemas (extension-made and system ones excluded). */
export async function listSchemas(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ nspname: string }>(
    `SELECT n.nspname FROM pg_namespace n WHERE ${USER_SCHEMAS} AND ${NOT_EXTENSION('pg_namespace', 'n.oid')} ORDER BY n.nspname`,
  );
  return rows.map((r) => r.nspname);
}

/**
 * Every user table whose rows a backup carries, parents before the tables whose foreign keys point at them
 * (a cycle is broken arbitrarily; restore loads with triggers off where it may).
 */
export async function listTables(client: pg.ClientBase): Promise<TableInfo[]> {
  const { rows } = await client.query<{ oid: number; schema: string; name: string; kind: string; columns: string[] | null }>(`
    SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
           (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS columns
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${USER_SCHEMAS} AND ${NOT_EXTENSION('pg_class', 'c.oid')}
     ORDER BY n.nspname, c.relname`);
  const { rows: fks } = await client.query<{ child: number; parent: number }>(
    `SELECT conrelid::int AS child, confrelid::int AS parent FROM pg_constraint WHERE contype = 'f' AND conrelid <> confrelid AND conparentid = 0`,
  );
  const byOid = new Map(rows.map((r) => [r.oid, r]));
  const parents = new Map<number, number[]>();
  for (const fk of fks) if (byOid.has(fk.child)) parents.set(fk.child, [...(parents.get(fk.child) ?? []), fk.parent]);
  const ordered: typeof rows = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (oid: number) => {
    if (state.has(oid) || !byOid.has(oid)) return;
    state.set(oid, 'visiting');
    for (const p of parents.get(oid) ?? []) visit(p);
    state.set(oid, 'done');
    ordered.push(byOid.get(oid)!);
  };
  for (const r of rows) visit(r.oid);
  return ordered.map((r) => ({ schema: r.schema, name: r.name, columns: r.columns ?? [], partitioned: r.kind === 'p' }));
}

/** Current values of every user sequence (read after the tables, so never below an id they hold). */
export async function listSequences(client: pg.ClientBase): Promise<SequenceInfo[]> {
  const { rows } = await client.query<{ schema: string; name: string }>(`
    SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'S' AND ${USER_SCHEMAS} AND ${NOT_EXTENSION('pg_class', 'c.oid')} ORDER BY 1, 2`);
  const out: SequenceInfo[] = [];
  for (const r of rows) {
    const { rows: [v] } = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${qualified(r.schema, r.name)}`);
    out.push({ ...r, lastValue: v.last_value, isCalled: v.is_called });
  }
  return out;
}

/** The migrations drizzle recorded as applied, oldest first (none when its table does not exist). */
export async function listMigrations(client: pg.ClientBase, schema = 'drizzle', table = '__drizzle_migrations'): Promise<AppliedMigration[]> {
  const { rows: [exists] } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [qualified(schema, table)]);
  if (!exists.t) return [];
  const { rows } = await client.query<{ hash: string; created_at: string }>(`SELECT hash, created_at::text FROM ${qualified(schema, table)} ORDER BY created_at, id`);
  return rows.map((r) => ({ hash: r.hash, createdAt: r.created_at }));
}

/**
 * The statements that recreate schema `name`: enum types, functions, sequences, tables (partitions made as
 * tables, then attached, as pg-boss makes them), constraints, indexes, foreign keys, sequence ownership and
 * triggers. Not covered (none in this platform; a backup with them restores without them): views, domains,
 * composite types, rules, row-level policies, grants.
 */
export async function schemaDdl(client: pg.ClientBase, name: string): Promise<SchemaDdl> {
  const q = async <T extends pg.QueryResultRow>(text: string) => (await client.query<T>(text, [name])).rows;
  const statements = [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)}`];
  const enums = await q<{ name: string; labels: string[] }>(`
    SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
     WHERE n.nspname = $1 AND ${NOT_EXTENSION('pg_type', 't.oid')} GROUP BY t.typname ORDER BY t.typname`);
  for (const e of enums) statements.push(`CREATE TYPE ${qualified(name, e.name)} AS ENUM (${e.labels.map(literal).join(', ')})`);
  const functions = await q<{ def: string }>(`
    SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = $1 AND p.prokind IN ('f', 'p') AND ${NOT_EXTENSION('pg_proc', 'p.oid')} ORDER BY p.proname, p.oid`);
  statements.push(...functions.map((f) => f.def));
  const sequences = await q<{ name: string; type: string; start: string; inc: string; min: string; max: string; cache: string; cycle: boolean }>(`
    SELECT c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS inc,
           s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle
      FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND ${NOT_EXTENSION('pg_class', 'c.oid')}
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')
     ORDER BY c.relname`);
  for (const s of sequences) {
    statements.push(`CREATE SEQUENCE ${qualified(name, s.name)} AS ${s.type} INCREMENT BY ${s.inc} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache}${s.cycle ? ' CYCLE' : ''}`);
  }
  const tables = await q<{ oid: number; name: string; partkey: string | null; parent: string | null; bound: string | null }>(`
    SELECT c.oid::int AS oid, c.relname AS name,
           CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
           (SELECT format('%I.%I', pn.nspname, pc.relname) FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
              JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid AND c.relispartition) AS parent,
           CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND ${NOT_EXTENSION('pg_class', 'c.oid')}
     ORDER BY c.relispartition, c.relname`);
  for (const t of tables) {
    const cols = (await client.query<{ name: string; type: string; notnull: boolean; def: string | null; identity: string; generated: string }>(`
      SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
             pg_get_expr(ad.adbin, ad.adrelid) AS def, a.attidentity AS identity, a.attgenerated AS generated
        FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
       WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [t.oid])).rows;
    const colDefs = cols.map((c) => {
      let d = `${quoteIdent(c.name)} ${c.type}`;
      if (c.generated === 's' && c.def) d += ` GENERATED ALWAYS AS (${c.def}) STORED`;
      else if (c.identity) d += ` GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
      else if (c.def) d += ` DEFAULT ${c.def}`;
      if (c.notnull) d += ' NOT NULL';
      return d;
    });
    statements.push(`CREATE TABLE ${qualified(name, t.name)} (${colDefs.join(', ')})${t.partkey ? ` PARTITION BY ${t.partkey}` : ''}`);
  }
  const constraints = await q<{ table: string; name: string; def: string; type: string }>(`
    SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS def, k.contype AS type
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND k.contype IN ('p', 'u', 'c', 'x', 'f') AND ${NOT_EXTENSION('pg_class', 'c.oid')}
     ORDER BY k.contype = 'f', c.relname, k.conname`);
  const addConstraint = (k: (typeof constraints)[number]) => `ALTER TABLE ${qualified(name, k.table)} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.def}`;
  statements.push(...constraints.filter((k) => k.type !== 'f').map(addConstraint));
  const indexes = await q<{ def: string }>(`
    SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND ${NOT_EXTENSION('pg_class', 'c.oid')}
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
     ORDER BY c.relispartition, i.indexrelid`);
  // A partitioned index prints as `ON ONLY parent`; made before its partitions are attached, it covers them as they come.
  statements.push(...indexes.map((i) => i.def.replace(/ ON ONLY /, ' ON ')));
  statements.push(...constraints.filter((k) => k.type === 'f').map(addConstraint));
  for (const t of tables) if (t.parent) statements.push(`ALTER TABLE ${t.parent} ATTACH PARTITION ${qualified(name, t.name)} ${t.bound}`);
  const owned = await q<{ seq: string; tbl: string; col: string }>(`
    SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col
      FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace n ON n.oid = s.relnamespace
      JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE n.nspname = $1 AND d.deptype = 'a' AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass`);
  for (const o of owned) statements.push(`ALTER SEQUENCE ${qualified(name, o.seq)} OWNED BY ${qualified(name, o.tbl)}.${quoteIdent(o.col)}`);
  const triggers = await q<{ def: string }>(`
    SELECT pg_get_triggerdef(tg.oid) AS def FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND NOT tg.tgisinternal AND tg.tgparentid = 0 ORDER BY tg.tgname`);
  statements.push(...triggers.map((t) => t.def));
  return { name, statements };
}
