/**
 * The audit trail: one row per request that reads or changes PHI, written in the
 * same transaction as the change (FHIR AuditEvent; HIPAA 164.312(b);
 * ARCHITECTURE.md, "Security"). A list writes one row naming every record id it returned.
 * Authentication is audited too (HIPAA 164.308(a)(5)(ii)(C), log-in monitoring): clinic
 * sign-in, failed sign-in and sign-out, ECP token grants and refusals, and every 403 answered
 * to an authenticated actor (docs/decisions.md, "Authentication audit").
 */
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { auditEvents } from '../db/schema.ts';
import type { Executor } from '../db/pool.ts';
import type { RequestContext } from './context.ts';
import type { PageRequest } from './pagination.ts';

export type AuditAction =
  | 'read' | 'list' | 'create' | 'update' | 'delete' | 'export' | 'import'
  // Authentication and access control (entity types `session`, `access_token`, `endpoint`).
  | 'sign_in' | 'sign_in_failed' | 'sign_out' | 'token_granted' | 'token_refused' | 'access_denied';

export interface AuditEntry {
  action: AuditAction;
  /** Singular snake_case entity name: `patient`, `activity`, `user`, `resident`, ... */
  entityType: string;
  entityIds: Array<string | number>;
}

/**
 * Inserts one audit row for `ctx`'s actor inside `tx`, as a statement of its own. The row is written by the same
 * INSERT as `auditInsertSql` and `auditInsertPlaceholderSql` (one definition of an audit row, `auditInsert`).
 */
export async function recordAudit(tx: Executor, ctx: RequestContext, entry: AuditEntry): Promise<void> {
  await tx.execute(auditInsertSql(ctx, entry));
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  /** Inclusive lower bound, UTC. */
  from?: Date;
  /** Exclusive upper bound, UTC. */
  to?: Date;
}

/** A page of an organization's audit rows, newest first, and the total count. */
export async function listAuditEvents(db: Executor, organizationId: number, q: AuditQuery, page: PageRequest) {
  const where: SQL[] = [eq(auditEvents.organizationId, organizationId)];
  if (q.entityType) where.push(eq(auditEvents.entityType, q.entityType));
  if (q.entityId) where.push(sql`${auditEvents.entityIds} @> ARRAY[${q.entityId}]::text[]`);
  if (q.actorId) where.push(eq(auditEvents.actorId, q.actorId));
  if (q.action) where.push(eq(auditEvents.action, q.action));
  if (q.from) where.push(gte(auditEvents.createdAt, q.from));
  if (q.to) where.push(lt(auditEvents.createdAt, q.to));
  const cond = and(...where);
  const rows = await db.select().from(auditEvents).where(cond).orderBy(desc(auditEvents.createdAt), desc(auditEvents.id)).limit(page.perPage).offset(page.offset);
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(auditEvents).where(cond);
  return { rows, totalCount: count };
}

/** Which of an organization's audit rows a keyset page shows (the community workspace's Audit log). */
export interface AuditKeysetQuery {
  /** The actor: their id (exact, case-insensitive) or part of their name. */
  user?: string;
  action?: string;
  /** Days `YYYY-MM-DD`, inclusive, read in `timeZone`. */
  fromDate?: string;
  toDate?: string;
  /** IANA zone the days are read in. */
  timeZone: string;
  /** The last row of the previous page (`nextCursor`); none: the newest rows. */
  after?: { createdAt: string; id: number };
  limit: number;
}

/** One row of a keyset page, with `cursor`: its position as the next page's `after`. */
export type AuditRowWithCursor = typeof auditEvents.$inferSelect & { cursor: { createdAt: string; id: number } };

/**
 * A keyset page of the organization's audit rows, newest first by (created_at, id): `limit` rows after `after`, so a
 * page is stable while new rows arrive (unlike offsets). The cursor keeps `created_at` to the microsecond.
 */
export async function auditKeysetPage(db: Executor, organizationId: number, q: AuditKeysetQuery): Promise<AuditRowWithCursor[]> {
  const where: SQL[] = [eq(auditEvents.organizationId, organizationId)];
  if (q.user) {
    where.push(sql`(lower(${auditEvents.actorId}) = lower(${q.user}) OR ${auditEvents.actorName} ILIKE ${`%${q.user.replace(/[\\%_]/g, (c) => `\\${c}`)}%`})`);
  }
  if (q.action) where.push(eq(auditEvents.action, q.action));
  if (q.fromDate) where.push(sql`${auditEvents.createdAt} >= (${q.fromDate}::date)::timestamp AT TIME ZONE ${q.timeZone}`);
  if (q.toDate) where.push(sql`${auditEvents.createdAt} < (${q.toDate}::date + 1)::timestamp AT TIME ZONE ${q.timeZone}`);
  if (q.after) where.push(sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${q.after.createdAt}::timestamptz, ${q.after.id}::bigint)`);
  const rows = await db.select({
    row: auditEvents,
    at: sql<string>`to_char(${auditEvents.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  }).from(auditEvents).where(and(...where)).orderBy(desc(auditEvents.createdAt), desc(auditEvents.id)).limit(q.limit);
  return rows.map((r) => ({ ...r.row, cursor: { createdAt: r.at, id: r.row.id } }));
}

/** Reading the audit trail (admin), and writing rows that go with no change of their own (a refused request). */
export function createAuditService({ db }: { db: Executor }) {
  return {
    /** Inserts one audit row for `ctx`'s actor, in a statement of its own. */
    record: (ctx: RequestContext, entry: AuditEntry) => recordAudit(db, ctx, entry),
    /** A page of the organization's audit rows, newest first, and the total count. */
    list: (organizationId: number, q: AuditQuery, page: PageRequest) => listAuditEvents(db, organizationId, q, page),
    /** A keyset page of the organization's audit rows, newest first (`auditKeysetPage`). */
    page: (organizationId: number, q: AuditKeysetQuery) => auditKeysetPage(db, organizationId, q),
  };
}
export type AuditService = ReturnType<typeof createAuditService>;

/**
 * The audit insert as a SQL fragment, to ride in a `WITH` clause of the statement that reads or writes the PHI
 * (`WITH ..., audit AS (${auditInsertSql(ctx, entry)}) SELECT ...`): one round trip instead of a transaction around
 * two statements, and still all-or-nothing (one statement). `entityIds` is a list of ids, or a SQL expression of
 * type `text[]` over the statement's other CTEs (the ids a page returned, say). `when`, a boolean SQL expression
 * over those CTEs, writes the row only when it holds (a read that found nothing records nothing). Same row as
 * `recordAudit`.
 */
export function auditInsertSql(
  ctx: RequestContext,
  entry: { action: AuditAction; entityType: string; entityIds: Array<string | number> | SQL; when?: SQL },
): SQL {
  const ids = Array.isArray(entry.entityIds) ? sql`${sql.param(entry.entityIds.map(String))}::text[]` : sql`coalesce(${entry.entityIds}, ARRAY[]::text[])`;
  return auditInsert(auditValues(ctx, entry.action), entry.entityType, ids, entry.when);
}

/** The per-request values of an audit row: who, what action, from where. */
export interface AuditValues extends Record<string, unknown> {
  audit_organization_id: number;
  audit_actor_type: string;
  audit_actor_id: string | null;
  audit_actor_name: string;
  audit_action: AuditAction;
  audit_ip: string | null;
  audit_request_id: string | null;
}

/** `ctx`'s actor, the action and the request, as the values of `auditInsertPlaceholderSql`'s placeholders. */
export function auditValues(ctx: RequestContext, action: AuditAction): AuditValues {
  return {
    audit_organization_id: ctx.actor.organizationId,
    audit_actor_type: ctx.actor.kind,
    audit_actor_id: ctx.actor.id,
    audit_actor_name: ctx.actor.name,
    audit_action: action,
    audit_ip: ctx.ip,
    audit_request_id: ctx.requestId,
  };
}

/**
 * `auditInsertSql` for a statement built once (`preparedStatement`): the actor, action and request are placeholders
 * (`audit_*`, filled with `auditValues(ctx, action)`); the entity type is fixed, the ids and `when` are SQL over the
 * statement's CTEs as in `auditInsertSql`.
 */
export function auditInsertPlaceholderSql(entry: { entityType: string; entityIds: SQL; when?: SQL }): SQL {
  const p = Object.fromEntries(
    ['audit_organization_id', 'audit_actor_type', 'audit_actor_id', 'audit_actor_name', 'audit_action', 'audit_ip', 'audit_request_id'].map((k) => [k, sql.placeholder(k)]),
  ) as Record<keyof AuditValues, unknown>;
  return auditInsert(p, entry.entityType, sql`coalesce(${entry.entityIds}, ARRAY[]::text[])`, entry.when);
}

function auditInsert(v: Record<keyof AuditValues, unknown>, entityType: string, ids: SQL, when: SQL | undefined): SQL {
  return sql`INSERT INTO audit_events (organization_id, actor_type, actor_id, actor_name, action, entity_type, entity_ids, ip, request_id)
    SELECT ${v.audit_organization_id}::int, ${v.audit_actor_type}::text, ${v.audit_actor_id}::text, ${v.audit_actor_name}::text, ${v.audit_action}::text,
      ${entityType}::text, ${ids}, ${v.audit_ip}::inet, ${v.audit_request_id}::text${when ? sql` WHERE ${when}` : sql``}`;
}
