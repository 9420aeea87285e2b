/**
 * SQL for organizations, login users and their tokens.
 */
import { and, asc, eq, getTableColumns, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import { authTokens, organizationPhoneNumbers, organizations, users } from '../../db/schema.ts';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import type { PageRequest } from '../pagination.ts';

/** An organization's row with its Twilio numbers (`organization_phone_numbers`, in order: the first sends). */
export type OrganizationRow = typeof organizations.$inferSelect & { phoneNumbers: string[] };
export type UserRow = typeof users.$inferSelect;

const organizationColumns = {
  ...getTableColumns(organizations),
  phoneNumbers: sql<string[]>`coalesce((SELECT array_agg(n.number ORDER BY n.position)
    FROM ${organizationPhoneNumbers} n WHERE n.organization_id = ${organizations.id}), '{}')`.as('phone_numbers'),
};

function selectOrganization(db: Executor) {
  return db.select(organizationColumns).from(organizations);
}

export async function findOrganizationByName(db: Executor, name: string): Promise<OrganizationRow | undefined> {
  const [row] = await selectOrganization(db).where(eq(organizations.name, name));
  return row;
}

export async function findOrganization(db: Executor, id: number): Promise<OrganizationRow | undefined> {
  const [row] = await selectOrganization(db).where(eq(organizations.id, id));
  return row;
}

/** Inserts the organization unless one of that name exists; returns it either way. */
export async function upsertOrganization(
  db: Executor,
  values: typeof organizations.$inferInsert,
): Promise<OrganizationRow> {
  await db.insert(organizations).values(values).onConflictDoNothing({ target: organizations.name });
  return (await findOrganizationByName(db, values.name))!;
}

/** Changes the organization's own columns (its numbers: `replacePhoneNumbers`). */
export async function updateOrganization(db: Executor, id: number, values: Partial<typeof organizations.$inferInsert>): Promise<void> {
  await db.update(organizations).set({ ...values, updatedAt: new Date() }).where(eq(organizations.id, id));
}

/** Which of `numbers` (E.164) another organization than `organizationId` holds. */
export async function phoneNumbersHeldElsewhere(db: Executor, organizationId: number, numbers: string[]): Promise<string[]> {
  if (numbers.length === 0) return [];
  const rows = await db
    .select({ number: organizationPhoneNumbers.number })
    .from(organizationPhoneNumbers)
    .where(and(inArray(organizationPhoneNumbers.number, numbers), ne(organizationPhoneNumbers.organizationId, organizationId)));
  return rows.map((r) => r.number);
}

/**
 * Makes `numbers` (E.164, no repeats) the organization's numbers, in that order.
 * @throws the unique violation of `organization_phone_numbers_pkey` when another organization holds one of them.
 */
export async function replacePhoneNumbers(db: Executor, organizationId: number, numbers: string[]): Promise<void> {
  await db.delete(organizationPhoneNumbers).where(eq(organizationPhoneNumbers.organizationId, organizationId));
  if (numbers.length === 0) return;
  await db.insert(organizationPhoneNumbers).values(numbers.map((number, position) => ({ number, organizationId, position })));
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
  return row;
}

export async function findUser(db: Executor, organizationId: number, id: number): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(and(eq(users.organizationId, organizationId), eq(users.id, id)));
  return row;
}

export async function listUsers(db: Executor, organizationId: number, page: PageRequest, role?: string) {
  const cond = and(eq(users.organizationId, organizationId), role ? eq(users.role, role) : undefined);
  // Sequential: `db` may be a transaction's single client.
  const rows = await db.select().from(users).where(cond).orderBy(asc(users.name), asc(users.id)).limit(page.perPage).offset(page.offset);
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(users).where(cond);
  return { rows, totalCount: count };
}

export async function insertUser(db: Executor, values: typeof users.$inferInsert): Promise<UserRow> {
  const [row] = await db.insert(users).values(values).returning();
  return row;
}

export async function updateUser(
  db: Executor,
  organizationId: number,
  id: number,
  values: Partial<typeof users.$inferInsert>,
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(users.organizationId, organizationId), eq(users.id, id)))
    .returning();
  return row;
}

export async function insertToken(db: Executor, userId: number, organizationId: number, tokenHash: string) {
  const [row] = await db.insert(authTokens).values({ userId, organizationId, tokenHash }).returning({ id: authTokens.id });
  return row;
}

/** The columns of a token and its user that authenticating a request needs. */
export interface TokenWithUser {
  tokenId: number;
  /** Sign-in time (the absolute session lifetime runs from it). */
  createdAt: Date;
  lastUsedAt: Date;
  user: Pick<UserRow, 'id' | 'organizationId' | 'name' | 'role' | 'active'>;
}

// Every ECM request runs it: built once, a named statement parsed and planned once per connection.
const tokenWithUser = preparedStatement<{ token_id: string | number; created_at: string; last_used_at: string; id: number; organization_id: number; name: string; role: string; active: boolean }>(
  'identity_token_with_user',
  () => sql`SELECT t.id AS token_id, t.created_at, t.last_used_at, u.id, u.organization_id, u.name, u.role, u.active
    FROM auth_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ${sql.placeholder('hash')}::text AND t.revoked_at IS NULL`,
);

/** The live (not revoked) token with this hash, joined to its user. */
export async function findTokenWithUser(db: Executor, tokenHash: string): Promise<TokenWithUser | undefined> {
  const [r] = await tokenWithUser(db, { hash: tokenHash });
  return r && {
    tokenId: Number(r.token_id),
    createdAt: new Date(r.created_at),
    lastUsedAt: new Date(r.last_used_at),
    user: { id: r.id, organizationId: r.organization_id, name: r.name, role: r.role, active: r.active },
  };
}

/** Moves `last_used_at` to `now` unless it moved less than `minAgeSeconds` ago (at most one write a minute). */
export async function touchToken(db: Executor, tokenId: number, now: Date, minAgeSeconds: number): Promise<void> {
  await db
    .update(authTokens)
    .set({ lastUsedAt: now })
    .where(and(eq(authTokens.id, tokenId), lt(authTokens.lastUsedAt, new Date(now.getTime() - minAgeSeconds * 1000))));
}

export async function revokeToken(db: Executor, tokenId: number, now: Date): Promise<void> {
  await db.update(authTokens).set({ revokedAt: now }).where(eq(authTokens.id, tokenId));
}

export async function revokeUserTokens(db: Executor, userId: number, now: Date): Promise<void> {
  await db.update(authTokens).set({ revokedAt: now }).where(and(eq(authTokens.userId, userId), isNull(authTokens.revokedAt)));
}

/** The organization that holds phone number `number` (E.164): at most one, the number being the key. */
export async function findOrganizationByPhoneNumber(db: Executor, number: string): Promise<OrganizationRow | undefined> {
  const [row] = await selectOrganization(db)
    .innerJoin(organizationPhoneNumbers, eq(organizationPhoneNumbers.organizationId, organizations.id))
    .where(eq(organizationPhoneNumbers.number, number));
  return row;
}
