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
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../audit.ts';
import type { RequestContext, Role, UserActor } from '../context.ts';
import { hashPassword, hashToken, newToken } from '../crypto.ts';
import { isUniqueViolation, NotFoundError, uniqueViolationKey, UnauthorizedError, ValidationError } from '../errors.ts';
import type { PageRequest } from '../pagination.ts';
import { toE164 } from '../phone.ts';
import { checkSignIn, sessionExpired, sessionNeedsTouch, TOKEN_TOUCH_INTERVAL_SECONDS, type SessionPolicy } from './sessions.ts';
import * as store from './store.ts';
import type { UserRow } from './store.ts';

export type { OrganizationRow, UserRow } from './store.ts';

export const INVALID_TOKEN = 'Invalid or missing token';
export const INVALID_CREDENTIALS = 'Invalid email or password';

/** Where a sign-in attempt came from, for its audit row. */
export interface SignInOrigin {
  /** Client IP as the server saw it. */
  ip: string;
  requestId: string | null;
}

export type { SessionPolicy } from './sessions.ts';

export interface IdentityDeps {
  db: Db;
  policy: SessionPolicy;
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
  reporting_day?: number;
  phone_numbers?: string[];
}

function phoneOrError(input: string | null | undefined, field: string, errors: string[]): string | null | undefined {
  if (input === undefined || input === null || input === '') return input === '' ? null : input;
  const e164 = toE164(input);
  if (!e164) errors.push(`${field} is not a valid phone number`);
  return e164;
}

/** The 422 sentence for a Twilio number another organization holds. */
function numberInUse(number: string): string {
  return `Phone number ${number} is already in use`;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function createIdentityService({ db, policy, clock = () => new Date() }: IdentityDeps) {

  async function issueToken(userId: number, organizationId: number, tx: Executor = db): Promise<{ token: string; id: number }> {
    const token = newToken();
    const { id } = await store.insertToken(tx, userId, organizationId, hashToken(token));
    return { token, id };
  }

  /**
   * The context of a sign-in attempt that names `user`: the audit row goes to that user's clinic, so an attempt
   * on one clinic's account is seen by that clinic's admins only.
   */
  function attemptContext(user: UserRow, from: SignInOrigin): RequestContext {
    return { actor: { kind: 'user', id: String(user.id), name: user.name, organizationId: user.organizationId }, ip: from.ip, requestId: from.requestId };
  }

  return {
    /** Issues a token for a user without a password (CLI, demo data, tests). @returns the token in clear. */
    issueToken: async (userId: number, organizationId: number): Promise<string> => (await issueToken(userId, organizationId)).token,

    /**
     * Checks an email and password and issues a token. Every attempt whose email names a user writes one audit row
     * in that user's clinic (entity `session`, the attempted email as its id): `sign_in`, or `sign_in_failed` for a
     * wrong password, a deactivated user or a throttled attempt. An email that names no user has no clinic to be
     * audited in: only the request log (401, IP) records it.
     * @returns `{ token, user }` (the token in clear, this once).
     * @throws UnauthorizedError `Invalid email or password` (same for an unknown email, a wrong password, a deactivated user);
     *         TooManyRequestsError when the account or the IP is over its limit.
     */
    async signIn(email: string, password: string, from: SignInOrigin) {
      const attempted = email.trim();
      const user = await store.findUserByEmail(db, attempted);
      await checkSignIn(db, policy, {
        accountKey: `sign_in:account:${attempted.toLowerCase()}`,
        ip: from.ip,
        password,
        passwordHash: user?.passwordHash,
        active: user?.active ?? false,
        invalidMessage: INVALID_CREDENTIALS,
        auditRefusal: user && (() => recordAudit(db, attemptContext(user, from), { action: 'sign_in_failed', entityType: 'session', entityIds: [attempted] })),
      });
      if (!user) throw new UnauthorizedError(INVALID_CREDENTIALS); // checkSignIn refused it already
      const { token } = await db.transaction(async (tx) => {
        const issued = await issueToken(user.id, user.organizationId, tx);
        await recordAudit(tx, attemptContext(user, from), { action: 'sign_in', entityType: 'session', entityIds: [attempted] });
        return issued;
      });
      return { token, user };
    },

    /** Revokes the token a request presented; one audit row (`sign_out`, entity `session`). */
    async signOut(ctx: RequestContext<UserActor>): Promise<void> {
      await db.transaction(async (tx) => {
        await store.revokeToken(tx, ctx.actor.tokenId, clock());
        await recordAudit(tx, ctx, { action: 'sign_out', entityType: 'session', entityIds: [] });
      });
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
      if (!row || !row.user.active || sessionExpired(policy, row, now)) throw new UnauthorizedError(INVALID_TOKEN);
      if (sessionNeedsTouch(row, now)) await store.touchToken(db, row.tokenId, now, TOKEN_TOUCH_INTERVAL_SECONDS);
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
     * Changes the clinic's settings (NPI, TIN, phone, time zone, MCP, phone numbers); `phone_numbers` replaces
     * the clinic's Twilio numbers, in order (the first is the one it sends from).
     * @throws ValidationError for a malformed NPI (10 digits), TIN (9 digits), phone or an unknown IANA time zone,
     *         and `Phone number <E.164> is already in use` for a number another organization holds (a number
     *         belongs to one organization, so inbound SMS and calls reach one clinic); nothing is changed then.
     */
    async updateOrganization(ctx: RequestContext, s: OrganizationSettings) {
      const errors: string[] = [];
      if (s.npi && !/^\d{10}$/.test(s.npi)) errors.push('NPI must be 10 digits');
      if (s.tin && !/^\d{2}-?\d{7}$/.test(s.tin)) errors.push('TIN must be 9 digits');
      if (s.time_zone !== undefined && !isTimeZone(s.time_zone)) errors.push('Time zone is not a known IANA time zone');
      if (s.reporting_day !== undefined && !(Number.isInteger(s.reporting_day) && s.reporting_day >= 1 && s.reporting_day <= 28)) errors.push('Reporting day must be a day of the month from 1 to 28');
      const phone = phoneOrError(s.phone, 'Phone', errors);
      const numbers = s.phone_numbers?.map((n) => phoneOrError(n, `Phone number ${n}`, errors));
      if (errors.length) throw new ValidationError(errors);
      const organizationId = ctx.actor.organizationId;
      const wanted = numbers && [...new Set(numbers as string[])];
      try {
        return await db.transaction(async (tx) => {
          await store.updateOrganization(tx, organizationId, {
            name: s.name?.trim(),
            npi: s.npi,
            tin: s.tin,
            phone,
            timeZone: s.time_zone,
            mcpId: s.mcp_id,
            mcpName: s.mcp_name,
            reportingDay: s.reporting_day,
          });
          if (wanted) {
            // Every taken number at once; the primary key still decides between two saves racing for one.
            const taken = await store.phoneNumbersHeldElsewhere(tx, organizationId, wanted);
            if (taken.length) throw new ValidationError(wanted.filter((n) => taken.includes(n)).map(numberInUse));
            await store.replacePhoneNumbers(tx, organizationId, wanted);
          }
          await recordAudit(tx, ctx, { action: 'update', entityType: 'organization', entityIds: [organizationId] });
          return (await store.findOrganization(tx, organizationId))!;
        });
      } catch (err) {
        if (isUniqueViolation(err, 'organizations_name_key')) throw new ValidationError(['Name has already been taken']);
        if (isUniqueViolation(err, 'organization_phone_numbers_pkey')) {
          // Another save took a number between the check and the insert; it has committed, so it can be named.
          const taken = await store.phoneNumbersHeldElsewhere(db, organizationId, wanted ?? []);
          const named = taken.length ? wanted!.filter((n) => taken.includes(n)) : [uniqueViolationKey(err) ?? ''];
          throw new ValidationError(named.map(numberInUse));
        }
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
