/**
 * SQL of the community workspace's sign-in: the company a sign-in names, the ECP user signing in with their
 * credentials, the workspace's session tokens, and passwords. Owns `ecp_user_credentials` and `ecp_user_tokens`;
 * reads `ecp_users`, `ecp_locations`, `ecp_companies` and `organizations` (the user signing in, the locations in
 * their `locationsAllowed`, the company by GUID or name) as the partner door's authentication reads its client's
 * locations: one statement per request.
 */
import { and, eq, isNull, lt, ne, sql } from 'drizzle-orm';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import { ecpUserCredentials, ecpUsers, ecpUserTokens } from '../../db/schema.ts';
import type { ReachableLocation } from '../clients/service.ts';

export type EcpUserRow = typeof ecpUsers.$inferSelect;

/** An ECP company (an organization of kind `ecp_company`). */
export interface CompanyRow {
  id: number;
  name: string;
  /** Its `companyId` GUID, null until a webhook or the workspace first needed one. */
  guid: string | null;
}

/** The ECP company whose GUID (any case) or exact name is `company`; undefined when none. */
export async function findCompany(db: Executor, company: string): Promise<CompanyRow | undefined> {
  const { rows } = await db.execute<{ id: number; name: string; guid: string | null }>(sql`
    SELECT o.id, o.name, c.guid FROM organizations o LEFT JOIN ecp_companies c ON c.organization_id = o.id
    WHERE o.kind = 'ecp_company' AND (o.name = ${company} OR c.guid = upper(${company}))
    ORDER BY (o.name = ${company}) DESC LIMIT 1`);
  return rows[0];
}

/** The ECP company `organizationId`; undefined when none. */
export async function findCompanyById(db: Executor, organizationId: number): Promise<CompanyRow | undefined> {
  const { rows } = await db.execute<{ id: number; name: string; guid: string | null }>(sql`
    SELECT o.id, o.name, c.guid FROM organizations o LEFT JOIN ecp_companies c ON c.organization_id = o.id WHERE o.id = ${organizationId}`);
  return rows[0];
}

/** An ECP user with their workspace credentials (none: null hash). */
export interface LoginUser {
  user: EcpUserRow;
  passwordHash: string | null;
  mustChangePassword: boolean;
}

/** The user of company `organizationId` with `loginName` (case-insensitive), with their credentials; undefined when none. */
export async function findLoginUser(db: Executor, organizationId: number, loginName: string): Promise<LoginUser | undefined> {
  const [row] = await db.select({ user: ecpUsers, passwordHash: ecpUserCredentials.passwordHash, mustChangePassword: ecpUserCredentials.mustChangePassword })
    .from(ecpUsers)
    .leftJoin(ecpUserCredentials, eq(ecpUserCredentials.userId, ecpUsers.id))
    .where(and(eq(ecpUsers.organizationId, organizationId), sql`lower(${ecpUsers.loginName}) = lower(${loginName})`));
  return row && { user: row.user, passwordHash: row.passwordHash, mustChangePassword: row.mustChangePassword ?? false };
}

/** The user `userId` (row id) with their credentials; undefined when none. */
export async function findLoginUserById(db: Executor, userId: number): Promise<LoginUser | undefined> {
  const [row] = await db.select({ user: ecpUsers, passwordHash: ecpUserCredentials.passwordHash, mustChangePassword: ecpUserCredentials.mustChangePassword })
    .from(ecpUsers)
    .leftJoin(ecpUserCredentials, eq(ecpUserCredentials.userId, ecpUsers.id))
    .where(eq(ecpUsers.id, userId));
  return row && { user: row.user, passwordHash: row.passwordHash, mustChangePassword: row.mustChangePassword ?? false };
}

/** The user's locations (`locationsAllowed`) that belong to their company, by name. */
export async function locationsOfUser(db: Executor, user: Pick<EcpUserRow, 'organizationId' | 'locationIds'>): Promise<ReachableLocation[]> {
  if (!user.locationIds.length) return [];
  const { rows } = await db.execute<ReachableLocation>(sql`
    SELECT l.id, l.organization_id AS "organizationId", l.guid, l.name, l.time_zone AS "timeZone", coalesce(l.time_zone, o.time_zone) AS zone,
      l.created_at AS "createdAt"
    FROM ecp_locations l JOIN organizations o ON o.id = l.organization_id
    WHERE l.organization_id = ${user.organizationId} AND l.id = ANY(${sql.param(user.locationIds)}::int[]) ORDER BY l.name`);
  return rows.map((l) => ({ ...l, createdAt: new Date(l.createdAt) }));
}

/** Sets the user's password hash (creating their credentials), and whether they must change it at the next sign-in. */
export async function savePassword(tx: Executor, user: Pick<EcpUserRow, 'id' | 'organizationId'>, passwordHash: string, mustChangePassword: boolean, now: Date): Promise<void> {
  await tx.insert(ecpUserCredentials)
    .values({ userId: user.id, organizationId: user.organizationId, passwordHash, mustChangePassword, passwordChangedAt: now, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: ecpUserCredentials.userId, set: { passwordHash, mustChangePassword, passwordChangedAt: now, updatedAt: now } });
}

export async function insertToken(tx: Executor, userId: number, organizationId: number, tokenHash: string): Promise<number> {
  const [row] = await tx.insert(ecpUserTokens).values({ userId, organizationId, tokenHash }).returning({ id: ecpUserTokens.id });
  return row.id;
}

/** A live token with its user, their credentials' flag and their company's locations among `locationsAllowed`. */
export interface TokenWithUser {
  tokenId: number;
  createdAt: Date;
  lastUsedAt: Date;
  mustChangePassword: boolean;
  user: Pick<EcpUserRow, 'id' | 'guid' | 'organizationId' | 'loginName' | 'firstName' | 'lastName' | 'active' | 'systemAdmin' | 'role' | 'userGroup'>;
  locations: ReachableLocation[];
}

// Every /v1/community request runs it: built once, a named statement parsed and planned once per connection.
const tokenWithUser = preparedStatement<{
  token_id: string | number; created_at: string; last_used_at: string; must_change_password: boolean | null;
  id: number; guid: string; organization_id: number; login_name: string; first_name: string; last_name: string; active: boolean;
  system_admin: boolean; role: string; user_group: string;
  locations: Array<{ id: number; organizationId: number; guid: string; name: string; timeZone: string | null; zone: string; createdAt: string }>;
}>('community_token_with_user', () => sql`
  SELECT t.id AS token_id, t.created_at, t.last_used_at, c.must_change_password,
    u.id, u.guid, u.organization_id, u.login_name, u.first_name, u.last_name, u.active, u.system_admin, u.role, u.user_group,
    coalesce((SELECT json_agg(json_build_object('id', l.id, 'organizationId', l.organization_id, 'guid', l.guid, 'name', l.name,
          'timeZone', l.time_zone, 'zone', coalesce(l.time_zone, o.time_zone), 'createdAt', l.created_at) ORDER BY l.name)
      FROM ecp_locations l JOIN organizations o ON o.id = l.organization_id
      WHERE l.id = ANY(u.location_ids) AND l.organization_id = u.organization_id), '[]'::json) AS locations
  FROM ecp_user_tokens t JOIN ecp_users u ON u.id = t.user_id LEFT JOIN ecp_user_credentials c ON c.user_id = u.id
  WHERE t.token_hash = ${sql.placeholder('hash')}::text AND t.revoked_at IS NULL`);

/** The live (not revoked) token with this hash, with its user; undefined when none. */
export async function findTokenWithUser(db: Executor, tokenHash: string): Promise<TokenWithUser | undefined> {
  const [r] = await tokenWithUser(db, { hash: tokenHash });
  return r && {
    tokenId: Number(r.token_id),
    createdAt: new Date(r.created_at),
    lastUsedAt: new Date(r.last_used_at),
    mustChangePassword: r.must_change_password ?? false,
    user: {
      id: r.id, guid: r.guid, organizationId: r.organization_id, loginName: r.login_name, firstName: r.first_name, lastName: r.last_name,
      active: r.active, systemAdmin: r.system_admin, role: r.role, userGroup: r.user_group,
    },
    locations: r.locations.map((l) => ({ ...l, createdAt: new Date(l.createdAt) })),
  };
}

/** Moves `last_used_at` to `now` unless it moved less than `minAgeSeconds` ago. */
export async function touchToken(db: Executor, tokenId: number, now: Date, minAgeSeconds: number): Promise<void> {
  await db.update(ecpUserTokens).set({ lastUsedAt: now })
    .where(and(eq(ecpUserTokens.id, tokenId), lt(ecpUserTokens.lastUsedAt, new Date(now.getTime() - minAgeSeconds * 1000))));
}

export async function revokeToken(db: Executor, tokenId: number, now: Date): Promise<void> {
  await db.update(ecpUserTokens).set({ revokedAt: now }).where(eq(ecpUserTokens.id, tokenId));
}

/** Revokes every live token of the user, but `exceptTokenId` when given (the session that changed the password). */
export async function revokeUserTokens(db: Executor, userId: number, now: Date, exceptTokenId?: number): Promise<void> {
  await db.update(ecpUserTokens).set({ revokedAt: now })
    .where(and(eq(ecpUserTokens.userId, userId), isNull(ecpUserTokens.revokedAt), exceptTokenId === undefined ? undefined : ne(ecpUserTokens.id, exceptTokenId)));
}

/** Which of `userIds` (`ecp_users.id`) have a workspace password, and whether they must change it; absent: no password. */
export async function credentialFlags(db: Executor, userIds: number[]): Promise<Map<number, { mustChangePassword: boolean }>> {
  if (!userIds.length) return new Map();
  const rows = await db.select({ userId: ecpUserCredentials.userId, mustChangePassword: ecpUserCredentials.mustChangePassword })
    .from(ecpUserCredentials).where(sql`${ecpUserCredentials.userId} = ANY(${sql.param(userIds)}::int[])`);
  return new Map(rows.map((r) => [r.userId, { mustChangePassword: r.mustChangePassword }]));
}
