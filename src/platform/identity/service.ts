/**
 * Identity: organizations and their settings, login users, sign-in tokens.
 *
 * Tokens are 32 random bytes sent as `X-User-Token` and stored as SHA-256
 * hashes; they expire after `sessionIdleTimeoutMinutes` without use and
 * `sessionMaxAgeHours` after sign-in however active, and their
 * `last_used_at` is written at most once a minute. Sign-in is throttled per
 * account (failed attempts) and per IP (all attempts), with counters in
 * Postgres. Passwords are scrypt hashes. (ARCHITECTURE.md, "Security"; issue
 * "Foundation", "Clinic identity and access".)
 */
import type { Config } from '../../config.ts';
import type { Db } from '../../db/pool.ts';
import { recordAudit } from '../audit.ts';
import type { RequestContext, Role, UserActor } from '../context.ts';
import { dummyPasswordHash, hashPassword, hashToken, newToken, verifyPassword } from '../crypto.ts';
import { isUniqueViolation, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../errors.ts';
import type { PageRequest } from '../pagination.ts';
import { toE164 } from '../phone.ts';
import { hitCounter, peekCounter, resetCounter } from '../rate-limit.ts';
import * as store from './store.ts';

export type { OrganizationRow, UserRow } from './store.ts';

/** How often, at most, a token's `last_used_at` is written (seconds). */
const TOKEN_TOUCH_INTERVAL_SECONDS = 60;
export const INVALID_TOKEN = 'Invalid or missing token';
export const INVALID_CREDENTIALS = 'Invalid email or password';

export interface IdentityDeps {
  db: Db;
  config: Pick<Config, 'sessionIdleTimeoutMinutes' | 'sessionMaxAgeHours' | 'signInAccountLimit' | 'signInIpLimit' | 'signInWindowMinutes'>;
  clock?: () => Date;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  phone?: string | null;
}

export interface UserChanges {
  name?: string;
  phone?: string | null;
  role?: Role;
  active?: boolean;
  password?: string;
}

export interface OrganizationSettings {
  name?: string;
  npi?: string | null;
  tin?: string | null;
  phone?: string | null;
  time_zone?: string;
  mcp_id?: string | null;
  mcp_name?: string | null;
  phone_numbers?: string[];
}

function phoneOrError(input: string | null | undefined, field: string, errors: string[]): string | null | undefined {
  if (input === undefined || input === null || input === '') return input === '' ? null : input;
  const e164 = toE164(input);
  if (!e164) errors.push(`${field} is not a valid phone number`);
  return e164;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function createIdentityService({ db, config, clock = () => new Date() }: IdentityDeps) {
  const windowSeconds = config.signInWindowMinutes * 60;

  async function issueToken(userId: number, organizationId: number): Promise<string> {
    const token = newToken();
    await store.insertToken(db, userId, organizationId, hashToken(token));
    return token;
  }

  return {
    issueToken,

    /**
     * Checks an email and password and issues a token.
     * @returns `{ token, user }` (the token in clear, this once).
     * @throws UnauthorizedError `Invalid email or password` (same for an unknown email, a wrong password, a deactivated user);
     *         TooManyRequestsError when the account or the IP is over its limit.
     */
    async signIn(email: string, password: string, ip: string) {
      const accountKey = `sign_in:account:${email.trim().toLowerCase()}`;
      const ipKey = `sign_in:ip:${ip}`;
      const ipCount = await hitCounter(db, ipKey, windowSeconds);
      if (ipCount.count > config.signInIpLimit) {
        throw new TooManyRequestsError('Too many sign-in attempts from this address; try again later', ipCount.resetsInSeconds);
      }
      const failures = await peekCounter(db, accountKey, windowSeconds);
      if (failures.count >= config.signInAccountLimit) {
        throw new TooManyRequestsError('Too many failed sign-in attempts for this account; try again later', failures.resetsInSeconds);
      }
      const user = await store.findUserByEmail(db, email.trim());
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      if (!user || !ok || !user.active) {
        await hitCounter(db, accountKey, windowSeconds);
        throw new UnauthorizedError(INVALID_CREDENTIALS);
      }
      await resetCounter(db, accountKey);
      const token = await issueToken(user.id, user.organizationId);
      return { token, user };
    },

    /** Revokes the token a request presented. */
    async signOut(actor: UserActor): Promise<void> {
      await store.revokeToken(db, actor.tokenId, clock());
    },

    /**
     * Resolves an `X-User-Token` to its actor.
     * @throws UnauthorizedError `Invalid or missing token` for a missing, unknown or revoked token, one idle for
     *         longer than `sessionIdleTimeoutMinutes` or issued more than `sessionMaxAgeHours` ago, or a deactivated user.
     */
    async authenticate(token: string | undefined): Promise<UserActor> {
      if (!token) throw new UnauthorizedError(INVALID_TOKEN);
      const row = await store.findTokenWithUser(db, hashToken(token));
      const now = clock();
      if (!row || !row.user.active) throw new UnauthorizedError(INVALID_TOKEN);
      if (now.getTime() - row.lastUsedAt.getTime() > config.sessionIdleTimeoutMinutes * 60_000) {
        throw new UnauthorizedError(INVALID_TOKEN);
      }
      // An absolute limit too: a stolen token kept busy would otherwise never expire.
      if (now.getTime() - row.createdAt.getTime() > config.sessionMaxAgeHours * 3_600_000) {
        throw new UnauthorizedError(INVALID_TOKEN);
      }
      if (now.getTime() - row.lastUsedAt.getTime() > TOKEN_TOUCH_INTERVAL_SECONDS * 1000) {
        await store.touchToken(db, row.tokenId, now, TOKEN_TOUCH_INTERVAL_SECONDS);
      }
      return {
        kind: 'user',
        id: String(row.user.id),
        userId: row.user.id,
        name: row.user.name,
        organizationId: row.user.organizationId,
        role: row.user.role as Role,
        tokenId: row.tokenId,
      };
    },

    async getUser(organizationId: number, id: number) {
      const user = await store.findUser(db, organizationId, id);
      if (!user) throw new NotFoundError('User not found');
      return user;
    },

    listUsers(organizationId: number, page: PageRequest, role?: Role) {
      return store.listUsers(db, organizationId, page, role);
    },

    /**
     * Creates a login user in `organizationId`.
     * @throws ValidationError `Email has already been taken`, `Password is too short (minimum is 8 characters)`, bad phone.
     */
    async createUser(ctx: RequestContext, input: NewUser) {
      const errors: string[] = [];
      const phone = phoneOrError(input.phone, 'Phone', errors);
      if (input.password.length < 8) errors.push('Password is too short (minimum is 8 characters)');
      if (errors.length) throw new ValidationError(errors);
      const passwordHash = await hashPassword(input.password);
      try {
        return await db.transaction(async (tx) => {
          const user = await store.insertUser(tx, {
            organizationId: ctx.actor.organizationId,
            email: input.email.trim(),
            name: input.name.trim(),
            role: input.role,
            phone: phone ?? null,
            passwordHash,
          });
          await recordAudit(tx, ctx, { action: 'create', entityType: 'user', entityIds: [user.id] });
          return user;
        });
      } catch (err) {
        if (isUniqueViolation(err, 'users_email_key')) throw new ValidationError(['Email has already been taken']);
        throw err;
      }
    },

    /**
     * Changes a user; deactivating revokes every token of the user at once.
     * @throws NotFoundError `User not found` (also for another organization's user); ValidationError.
     */
    async updateUser(ctx: RequestContext, id: number, changes: UserChanges) {
      const errors: string[] = [];
      const phone = phoneOrError(changes.phone, 'Phone', errors);
      if (changes.password !== undefined && changes.password.length < 8) errors.push('Password is too short (minimum is 8 characters)');
      if (errors.length) throw new ValidationError(errors);
      const passwordHash = changes.password !== undefined ? await hashPassword(changes.password) : undefined;
      return db.transaction(async (tx) => {
        const user = await store.updateUser(tx, ctx.actor.organizationId, id, {
          name: changes.name?.trim(),
          phone,
          role: changes.role,
          active: changes.active,
          passwordHash,
        });
        if (!user) throw new NotFoundError('User not found');
        if (changes.active === false || passwordHash) await store.revokeUserTokens(tx, id, clock());
        await recordAudit(tx, ctx, { action: 'update', entityType: 'user', entityIds: [id] });
        return user;
      });
    },

    async getOrganization(organizationId: number) {
      const org = await store.findOrganization(db, organizationId);
      if (!org) throw new NotFoundError('Organization not found');
      return org;
    },

    /**
     * Changes the clinic's settings (NPI, TIN, phone, time zone, MCP, phone numbers).
     * @throws ValidationError for a malformed NPI (10 digits), TIN (9 digits), phone or an unknown IANA time zone.
     */
    async updateOrganization(ctx: RequestContext, s: OrganizationSettings) {
      const errors: string[] = [];
      if (s.npi && !/^\d{10}$/.test(s.npi)) errors.push('NPI must be 10 digits');
      if (s.tin && !/^\d{2}-?\d{7}$/.test(s.tin)) errors.push('TIN must be 9 digits');
      if (s.time_zone !== undefined && !isTimeZone(s.time_zone)) errors.push('Time zone is not a known IANA time zone');
      const phone = phoneOrError(s.phone, 'Phone', errors);
      const numbers = s.phone_numbers?.map((n) => phoneOrError(n, `Phone number ${n}`, errors));
      if (errors.length) throw new ValidationError(errors);
      try {
        return await db.transaction(async (tx) => {
          const org = await store.updateOrganization(tx, ctx.actor.organizationId, {
            name: s.name?.trim(),
            npi: s.npi,
            tin: s.tin,
            phone,
            timeZone: s.time_zone,
            mcpId: s.mcp_id,
            mcpName: s.mcp_name,
            phoneNumbers: numbers ? [...new Set(numbers as string[])] : undefined,
          });
          await recordAudit(tx, ctx, { action: 'update', entityType: 'organization', entityIds: [org.id] });
          return org;
        });
      } catch (err) {
        if (isUniqueViolation(err, 'organizations_name_key')) throw new ValidationError(['Name has already been taken']);
        throw err;
      }
    },

    /** Finds an organization by its exact name, creating an ECM clinic of that name if there is none. */
    ensureOrganization(name: string, defaults: Partial<typeof import('../../db/schema.ts').organizations.$inferInsert> = {}) {
      return store.upsertOrganization(db, { ...defaults, name });
    },

    findOrganizationByName(name: string) {
      return store.findOrganizationByName(db, name);
    },

    /** The organization whose settings list `number` (E.164) among its phone numbers (inbound Twilio webhooks). */
    findOrganizationByPhoneNumber(number: string) {
      return store.findOrganizationByPhoneNumber(db, number);
    },

    findUserByEmail(email: string) {
      return store.findUserByEmail(db, email);
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
