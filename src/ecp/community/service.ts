/**
 * The community workspace's sign-in and sessions: ECP users (the company's staff, seed 000 "user") sign in with
 * their company (GUID or exact name), `loginName` and password and get an `X-User-Token`. The rules are the
 * clinic's, from `platform/identity/sessions.ts`: scrypt passwords, throttling per account (company + login name)
 * and per IP, idle and absolute session limits, revocation at sign-out and when the password changes, and an audit
 * row for every sign-in, refused sign-in (of an existing user) and sign-out, in the user's company.
 * A deactivated user cannot sign in and their tokens stop at once. A user sees only the locations in their
 * `locationsAllowed`. After a password set for them (System Admin, CLI with `mustChange`), a user must change it
 * before anything else.
 */
import type { Db } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { hashPassword, hashToken, newToken } from '../../platform/crypto.ts';
import { NotFoundError, UnauthorizedError, ValidationError } from '../../platform/errors.ts';
import { checkSignIn, sessionExpired, sessionNeedsTouch, TOKEN_TOUCH_INTERVAL_SECONDS, type SessionPolicy } from '../../platform/identity/sessions.ts';
import type { EcpActor } from '../auth.ts';
import type { ReachableLocation } from '../clients/service.ts';
import * as store from './store.ts';
import type { EcpUserRow } from './store.ts';

export const INVALID_TOKEN = 'Invalid or missing token';
export const INVALID_CREDENTIALS = 'Invalid company, login name or password';
export const PASSWORD_CHANGE_REQUIRED = 'Password change required: change your password first (POST /v1/community/auth/change_password)';
const MIN_PASSWORD = 8;

/** A community user acting in the workspace: an ECP actor whose locations are their `locationsAllowed`. */
export interface CommunityActor extends EcpActor {
  kind: 'ecp_user';
  /** The user's GUID (`userId` on the ECP wire), also the audit rows' actor id. */
  id: string;
  /** `ecp_users.id`. */
  userId: number;
  loginName: string;
  systemAdmin: boolean;
  role: string;
  userGroup: string;
  mustChangePassword: boolean;
  /** The `ecp_user_tokens` row the request presented. */
  tokenId: number;
}

/** Where a sign-in attempt came from. */
export interface SignInOrigin {
  ip: string;
  requestId: string | null;
}

/** The signed-in user as the workspace shows them. */
export interface SessionUser {
  userId: string;
  loginName: string;
  firstName: string;
  lastName: string;
  role: string;
  userGroup: string;
  systemAdmin: boolean;
  mustChangePassword: boolean;
  locationsAllowed: Array<{ locationId: string; name: string; timeZone: string }>;
}

function sessionUser(user: Pick<EcpUserRow, 'guid' | 'loginName' | 'firstName' | 'lastName' | 'role' | 'userGroup' | 'systemAdmin'>, mustChangePassword: boolean, locations: ReachableLocation[]): SessionUser {
  return {
    userId: user.guid,
    loginName: user.loginName,
    firstName: user.firstName,
    lastName: user.lastName,
    role: user.role,
    userGroup: user.userGroup,
    systemAdmin: user.systemAdmin,
    mustChangePassword,
    locationsAllowed: locations.map((l) => ({ locationId: l.guid, name: l.name, timeZone: l.zone })),
  };
}

function passwordProblems(field: string, password: string): string[] {
  return password.length < MIN_PASSWORD ? [`${field} is too short (minimum is ${MIN_PASSWORD} characters)`] : [];
}

export function createCommunityAuthService({ db, policy, companyGuid, clock = () => new Date() }: {
  db: Db;
  policy: SessionPolicy;
  /** The company GUID of an organization, created on first use (the webhooks service's). */
  companyGuid: (organizationId: number) => Promise<string>;
  clock?: () => Date;
}) {
  /** The context of an attempt naming `user`: audited in the user's company, as the user. */
  const attemptContext = (user: EcpUserRow, from: SignInOrigin): RequestContext => ({
    actor: { kind: 'ecp_user', id: user.guid, name: `${user.firstName} ${user.lastName}`, organizationId: user.organizationId },
    ip: from.ip,
    requestId: from.requestId,
  });

  return {
    /**
     * `POST /v1/community/auth/sign_in`: checks the company (GUID or exact name), login name (case-insensitive) and
     * password and issues a token. Throttled per company and login name (failures) and per IP (all attempts, shared
     * with clinic sign-in). Every attempt naming an existing user writes an audit row in that user's company
     * (entity `session`, the login name as its id): `sign_in`, or `sign_in_failed`.
     * @returns `{ token, user }` (the token in clear, this once).
     * @throws UnauthorizedError `Invalid company, login name or password` (the same for an unknown company or login, a
     *   wrong password, a user without a password and a deactivated user); TooManyRequestsError (429).
     */
    async signIn(company: string, loginName: string, password: string, from: SignInOrigin) {
      const companyName = company.trim();
      const login = loginName.trim();
      const org = companyName ? await store.findCompany(db, companyName) : undefined;
      const found = org ? await store.findLoginUser(db, org.id, login) : undefined;
      await checkSignIn(db, policy, {
        accountKey: `community_sign_in:account:${org ? org.id : companyName.toLowerCase()}:${login.toLowerCase()}`,
        ip: from.ip,
        password,
        passwordHash: found?.passwordHash ?? undefined,
        active: found?.user.active ?? false,
        invalidMessage: INVALID_CREDENTIALS,
        auditRefusal: found && (() => recordAudit(db, attemptContext(found.user, from), { action: 'sign_in_failed', entityType: 'session', entityIds: [found.user.loginName] })),
      });
      if (!found) throw new UnauthorizedError(INVALID_CREDENTIALS); // checkSignIn refused it already
      const token = newToken();
      await db.transaction(async (tx) => {
        await store.insertToken(tx, found.user.id, found.user.organizationId, hashToken(token));
        await recordAudit(tx, attemptContext(found.user, from), { action: 'sign_in', entityType: 'session', entityIds: [found.user.loginName] });
      });
      return { token, user: sessionUser(found.user, found.mustChangePassword, await store.locationsOfUser(db, found.user)) };
    },

    /**
     * Resolves a workspace `X-User-Token` to its actor, with the user's allowed locations.
     * @throws UnauthorizedError `Invalid or missing token` for a missing, unknown or revoked token, one idle longer than
     *   `sessionIdleTimeoutMinutes` or signed in more than `sessionMaxAgeHours` ago, or a deactivated user.
     */
    async authenticate(token: string | undefined): Promise<CommunityActor> {
      if (!token) throw new UnauthorizedError(INVALID_TOKEN);
      const row = await store.findTokenWithUser(db, hashToken(token));
      const now = clock();
      if (!row || !row.user.active || sessionExpired(policy, row, now)) throw new UnauthorizedError(INVALID_TOKEN);
      if (sessionNeedsTouch(row, now)) await store.touchToken(db, row.tokenId, now, TOKEN_TOUCH_INTERVAL_SECONDS);
      const u = row.user;
      return {
        kind: 'ecp_user',
        id: u.guid,
        userId: u.id,
        name: `${u.firstName} ${u.lastName}`,
        organizationId: u.organizationId,
        loginName: u.loginName,
        systemAdmin: u.systemAdmin,
        role: u.role,
        userGroup: u.userGroup,
        mustChangePassword: row.mustChangePassword,
        tokenId: row.tokenId,
        locationIds: row.locations.map((l) => l.id),
        locations: row.locations,
      };
    },

    /** `DELETE /v1/community/auth/sign_out`: revokes the presented token; one audit row (`sign_out`). */
    async signOut(ctx: RequestContext<CommunityActor>): Promise<void> {
      await db.transaction(async (tx) => {
        await store.revokeToken(tx, ctx.actor.tokenId, clock());
        await recordAudit(tx, ctx, { action: 'sign_out', entityType: 'session', entityIds: [ctx.actor.loginName] });
      });
    },

    /**
     * `GET /v1/community/me`: the signed-in user, their company and allowed locations.
     * @throws NotFoundError when the user vanished meanwhile.
     */
    async me(ctx: RequestContext<CommunityActor>) {
      const found = await store.findLoginUserById(db, ctx.actor.userId);
      if (!found) throw new NotFoundError('User not found');
      const org = await store.findCompanyById(db, ctx.actor.organizationId);
      return {
        user: sessionUser(found.user, found.mustChangePassword, ctx.actor.locations),
        company: { companyId: await companyGuid(ctx.actor.organizationId), name: org?.name ?? '' },
      };
    },

    /**
     * `POST /v1/community/auth/change_password`: checks the current password (throttled and audited as a sign-in
     * attempt, so a stolen token cannot guess it), stores the new one, clears `mustChangePassword` and revokes the
     * user's other sessions (this one stays signed in). Audit: `update` of `ecp_user_password`.
     * @throws ValidationError `newPassword is too short ...`, `newPassword must differ from currentPassword`;
     *   UnauthorizedError `Current password is incorrect` (401); TooManyRequestsError (429).
     */
    async changePassword(ctx: RequestContext<CommunityActor>, currentPassword: string, newPassword: string, from: SignInOrigin) {
      const problems = passwordProblems('newPassword', newPassword);
      if (newPassword === currentPassword) problems.push('newPassword must differ from currentPassword');
      if (problems.length) throw new ValidationError(problems);
      const found = await store.findLoginUserById(db, ctx.actor.userId);
      if (!found) throw new UnauthorizedError(INVALID_TOKEN);
      await checkSignIn(db, policy, {
        accountKey: `community_sign_in:account:${found.user.organizationId}:${found.user.loginName.toLowerCase()}`,
        ip: from.ip,
        password: currentPassword,
        passwordHash: found.passwordHash ?? undefined,
        active: found.user.active,
        invalidMessage: 'Current password is incorrect',
        auditRefusal: () => recordAudit(db, ctx, { action: 'sign_in_failed', entityType: 'session', entityIds: [found.user.loginName] }),
      });
      const hash = await hashPassword(newPassword);
      const now = clock();
      await db.transaction(async (tx) => {
        await store.savePassword(tx, found.user, hash, false, now);
        await store.revokeUserTokens(tx, found.user.id, now, ctx.actor.tokenId);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'ecp_user_password', entityIds: [found.user.guid] });
      });
      return sessionUser(found.user, false, ctx.actor.locations);
    },

    /**
     * Sets a user's workspace password (the CLI's `care ecp users set-password`; a System Admin's reset), revoking their
     * sessions. `mustChange`: the user must choose a new one at the next sign-in (an admin-set password).
     * @throws NotFoundError `No user with loginName X in company Y` (also for an unknown company); ValidationError for a short password.
     */
    async setPassword(ctx: RequestContext, company: string, loginName: string, password: string, opts: { mustChange: boolean }) {
      const problems = passwordProblems('password', password);
      if (problems.length) throw new ValidationError(problems);
      const org = await store.findCompany(db, company.trim());
      const found = org ? await store.findLoginUser(db, org.id, loginName.trim()) : undefined;
      if (!org || !found || (ctx.actor.kind !== 'system' && ctx.actor.organizationId !== org.id)) {
        throw new NotFoundError(`No user with loginName ${loginName.trim()} in company ${company.trim()}`);
      }
      const hash = await hashPassword(password);
      const now = clock();
      const actx: RequestContext = ctx.actor.kind === 'system' ? { ...ctx, actor: { ...ctx.actor, organizationId: org.id } } : ctx;
      await db.transaction(async (tx) => {
        await store.savePassword(tx, found.user, hash, opts.mustChange, now);
        await store.revokeUserTokens(tx, found.user.id, now);
        await recordAudit(tx, actx, { action: 'update', entityType: 'ecp_user_password', entityIds: [found.user.guid] });
      });
      return { user: found.user, company: org };
    },
  };
}

export type CommunityAuthService = ReturnType<typeof createCommunityAuthService>;
