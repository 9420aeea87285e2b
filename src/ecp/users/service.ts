/**
 * ECP users, the community's staff accounts (seed 000, "POST/PUT/GET clinical/v1/user"; webhook "user Object").
 *
 * Rules, as the seed states them or as docs/decisions.md pins them:
 * - `loginName` is unique in the company case-insensitively, deactivated users included (the row keeps it).
 * - `chartingInitials` are unique in the company case-insensitively; when absent they are the first two letters
 *   of the first and last names ("JaBa" for James Baum), then "JaBa2", "JaBa3", ... (at most 5 characters).
 * - `userGroup` must precisely match one of the company's `ecp_user_groups`, or the six defaults when it has none.
 * - At most 3 active system admins per company; a system admin needs an email.
 * - A partner sees and changes only users sharing at least one location with its client; PUT `location` replaces
 *   the user's locations among those the client reaches and keeps the others.
 * - Deactivation keeps the row (and its `userId`); reactivation clears `deactivated_at`.
 * User writes of one company are serialised by an advisory lock, so the uniqueness and admin-count checks hold
 * under concurrency; the unique indexes back them up.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { isUniqueViolation, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { EcpActor } from '../auth.ts';
import { newGuid } from '../shared/ids.ts';
import { ignoreChanges, type EmitEcpChange } from '../events.ts';
import type { LocationRow, LocationService } from '../locations/service.ts';
import { findLocationsById } from '../clients/service.ts';
import { recordingUserKey, recordingUserProblem } from '../shared/recording-user.ts';
import * as store from './store.ts';

export type { UserRow, UserSearchFilter } from './store.ts';
import { DEFAULT_USER_GROUPS, MAX_SYSTEM_ADMINS, type NewUserWire, type UserDetailsWire, type UserUpdateWire } from './schemas.ts';
import { isEmailAddress } from '../../platform/validation.ts';

export type EcpUserRow = store.EcpUserRow;

/**
 * What a mutation did, which decides its webhook event (seed 000 "Event Types"): `created` → `user.create`,
 * `reactivated` → `user.create` (same `userId`), `updated` → `user.update`, `deactivated` → `user.delete`
 * (carrying the last state), `unchanged` → none.
 */
export type UserChange = 'created' | 'updated' | 'deactivated' | 'reactivated' | 'unchanged';

/** A committed user mutation: the full stored row and what happened to it. */
export interface UserMutation {
  user: EcpUserRow;
  change: UserChange;
}

const MAX_INITIALS = 5;
const AUDIT_ENTITY = 'ecp_user';

/** Trimmed optional text: `undefined` stays (not sent), empty becomes null (cleared). */
const optionalText = (v: string | undefined): string | null | undefined => (v === undefined ? undefined : v.trim() || null);

/** Up to two letters of a name, the first upper-case, the second lower-case ("James" → "Ja"). */
function twoLetters(name: string): string {
  const chars = Array.from(name.trim());
  const letters = chars.filter((c) => /\p{L}/u.test(c));
  const [a = '', b = ''] = letters.length ? letters : chars;
  return a.toUpperCase() + b.toLowerCase();
}

/**
 * Charting initials for a new user (seed 000: "If not provided, system will auto-generate"): the first two
 * letters of the first and the last name ("James", "Baum" → "JaBa"); if taken, the same followed by 2, 3, ...
 * shortened so the whole stays within 5 characters ("JaBa2", ..., "JaB10").
 * @param taken lower-cased initials already used in the company.
 * @returns the first free candidate, or null when every candidate is taken.
 */
export function generateChartingInitials(firstName: string, lastName: string, taken: ReadonlySet<string>): string | null {
  const base = Array.from(twoLetters(firstName) + twoLetters(lastName) || 'U').slice(0, MAX_INITIALS - 1);
  if (!taken.has(base.join('').toLowerCase())) return base.join('');
  for (let n = 2; n < 10_000; n++) {
    const suffix = String(n);
    const candidate = base.slice(0, MAX_INITIALS - suffix.length).join('') + suffix;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
  return null;
}

export function createEcpUserService({ db, locations, emit = ignoreChanges, clock = () => new Date() }: {
  db: Db;
  locations: LocationService;
  emit?: EmitEcpChange;
  clock?: () => Date;
}) {
  /** Reports a user change to the webhook outbox (seed 000 user events), through the client's locations the user has. */
  const report = (tx: Executor, actor: EcpActor, user: EcpUserRow, change: UserChange) => {
    const eventName = change === 'created' || change === 'reactivated' ? 'user.create'
      : change === 'deactivated' ? 'user.delete'
        : change === 'updated' && user.active ? 'user.update' : undefined;
    if (!eventName) return Promise.resolve();
    return emit(tx, { eventName, user, viaLocationIds: user.locationIds.filter((id) => actor.locationIds.includes(id)) });
  };

  /** Serialises user writes of one company until the transaction ends. */
  const lockCompanyUsers = store.lockCompanyUsers;

  /**
   * The user with `loginName` (case-insensitive) in the client's company sharing a location with the client.
   * @throws NotFoundError (400 on the ECP wire) `No user with loginName X`.
   */
  async function findVisible(tx: Executor, actor: EcpActor, loginName: string): Promise<EcpUserRow> {
    const name = loginName.trim();
    const user = actor.locationIds.length === 0 ? undefined : await store.userByLoginAtLocations(tx, actor.organizationId, name, actor.locationIds);
    if (!user) throw new NotFoundError(`No user with loginName ${name}`);
    return user;
  }

  /** `ecp_locations.id` of the named or identified locations, in order, without repeats. @throws `location is invalid`. */
  async function resolveLocations(tx: Executor, actor: EcpActor, values: string[]): Promise<number[]> {
    if (values.length === 0) throw new ValidationError(['location must name at least one location']);
    const ids: number[] = [];
    for (const value of values) {
      const location = await locations.resolve(actor, value);
      if (!ids.includes(location.id)) ids.push(location.id);
    }
    return ids;
  }

  /** The company's enabled user groups: its own rows, or the seed's defaults when it has none. */
  async function userGroups(tx: Executor, organizationId: number): Promise<readonly string[]> {
    const names = await store.userGroupNames(tx, organizationId);
    return names.length ? names : DEFAULT_USER_GROUPS;
  }

  async function checkUserGroup(tx: Executor, organizationId: number, group: string, problems: string[]): Promise<void> {
    const groups = await userGroups(tx, organizationId);
    if (!groups.includes(group)) problems.push(`userGroup must be one of the company's user groups: ${groups.join(', ')}`);
  }

  /** True when another user of the company (`exceptId` excluded) has this `field` value, case-insensitively. */
  const taken = store.userValueTaken;

  async function newChartingInitials(tx: Executor, organizationId: number, firstName: string, lastName: string): Promise<string> {
    const first = Array.from(twoLetters(firstName) || 'U')[0];
    const used = await store.chartingInitialsStartingWith(tx, organizationId, first);
    const initials = generateChartingInitials(firstName, lastName, new Set(used));
    if (!initials) throw new ValidationError(['chartingInitials could not be generated for this name; send chartingInitials']);
    return initials;
  }

  const activeSystemAdmins = store.countActiveSystemAdmins;

  const adminLimit = `systemAdmin: this company already has ${MAX_SYSTEM_ADMINS} active system admins, the most allowed`;

  /** Runs a user write, mapping a unique-index race the checks did not see to the same 400 the checks give. */
  async function write<T>(loginName: string, initials: () => string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err, 'ecp_users_org_login_key')) throw new ValidationError([`loginName ${loginName.trim()} is already taken`]);
      if (isUniqueViolation(err, 'ecp_users_org_initials_key')) throw new ValidationError([`chartingInitials ${initials() ?? ''} is already used by another user of this company`]);
      throw err;
    }
  }

  return {
    /**
     * `POST /clinical/v1/user` (seed 000): creates an active (unless `active: false`) user of the client's
     * company at the given locations. Defaults: active true, viewAllResidents false, systemAdmin false,
     * chartingInitials generated.
     * @returns the stored row and `change: "created"`.
     * @throws ValidationError (400) naming the field: `location is invalid`, `loginName X is already taken`,
     *   `chartingInitials X is already used ...`, an unknown userGroup, a system admin without email or over the
     *   limit of 3, a malformed email.
     */
    async createUser(ctx: RequestContext<EcpActor>, input: NewUserWire): Promise<UserMutation> {
      const { actor } = ctx;
      const loginName = input.loginName.trim();
      const firstName = input.firstName.trim();
      const lastName = input.lastName.trim();
      const email = optionalText(input.email) ?? null;
      const givenInitials = optionalText(input.chartingInitials) ?? undefined;
      const active = input.active ?? true;
      const systemAdmin = input.systemAdmin ?? false;
      const problems: string[] = [];
      if (!loginName) problems.push('loginName is required');
      if (!firstName) problems.push('firstName is required');
      if (!lastName) problems.push('lastName is required');
      if (email && !isEmailAddress(email)) problems.push('email is not a valid email address');
      if (systemAdmin && !email) problems.push('email is required when systemAdmin is true');
      if (problems.length) throw new ValidationError(problems);

      let chartingInitials = givenInitials;
      return write(loginName, () => chartingInitials, () => db.transaction(async (tx) => {
        await lockCompanyUsers(tx, actor.organizationId);
        const locationIds = await resolveLocations(tx, actor, input.location);
        await checkUserGroup(tx, actor.organizationId, input.userGroup, problems);
        if (await taken(tx, actor.organizationId, 'loginName', loginName)) problems.push(`loginName ${loginName} is already taken`);
        if (givenInitials && (await taken(tx, actor.organizationId, 'chartingInitials', givenInitials))) {
          problems.push(`chartingInitials ${givenInitials} is already used by another user of this company`);
        }
        if (systemAdmin && active && (await activeSystemAdmins(tx, actor.organizationId)) >= MAX_SYSTEM_ADMINS) problems.push(adminLimit);
        if (problems.length) throw new ValidationError(problems);

        chartingInitials ??= await newChartingInitials(tx, actor.organizationId, firstName, lastName);
        const now = clock();
        const [user] = await store.insertUsers(tx, [{
            organizationId: actor.organizationId,
            guid: newGuid(),
            loginName,
            firstName,
            lastName,
            active,
            viewAllResidents: input.viewAllResidents ?? false,
            userGroup: input.userGroup,
            role: input.role,
            systemAdmin,
            chartingInitials,
            title: optionalText(input.title) ?? null,
            address: optionalText(input.address) ?? null,
            cityStateZip: optionalText(input.cityStateZip) ?? null,
            phone: optionalText(input.phone) ?? null,
            cellphone: optionalText(input.cellphone) ?? null,
            cellCarrier: input.cellCarrier ?? null,
            pager: optionalText(input.pager) ?? null,
            email,
            locationIds,
            deactivatedAt: active ? null : now,
            createdAt: now,
            updatedAt: now,
          }]);
        // Webhook event decided here: `created` (user.create), also for a user created inactive.
        await recordAudit(tx, ctx, { action: 'create', entityType: AUDIT_ENTITY, entityIds: [user.guid] });
        await report(tx, actor, user, 'created');
        return { user, change: 'created' as const };
      }));
    },

    /**
     * `PUT /clinical/v1/user` (seed 000): finds the user by `loginName` among those sharing a location with the
     * client and updates every field present. `location` replaces the user's reachable locations (others kept);
     * `active: false` deactivates, `active: true` reactivates with the same `userId`.
     * @returns the stored row and what changed (`updated`, `deactivated`, `reactivated` or `unchanged`).
     * @throws NotFoundError (400) `No user with loginName X`; ValidationError (400) as for create.
     */
    async updateUser(ctx: RequestContext<EcpActor>, input: UserUpdateWire): Promise<UserMutation> {
      const { actor } = ctx;
      const problems: string[] = [];
      const patch: Partial<store.NewEcpUserRow> = {};
      for (const field of ['firstName', 'lastName'] as const) {
        if (input[field] === undefined) continue;
        const value = input[field].trim();
        if (value) patch[field] = value;
        else problems.push(`${field} is required`);
      }
      for (const field of ['title', 'address', 'cityStateZip', 'phone', 'cellphone', 'pager', 'email'] as const) {
        const value = optionalText(input[field]);
        if (value !== undefined) patch[field] = value;
      }
      if (patch.email && !isEmailAddress(patch.email)) problems.push('email is not a valid email address');
      if (input.cellCarrier !== undefined) patch.cellCarrier = input.cellCarrier || null;
      if (input.role !== undefined) patch.role = input.role;
      if (input.viewAllResidents !== undefined) patch.viewAllResidents = input.viewAllResidents;
      if (input.systemAdmin !== undefined) patch.systemAdmin = input.systemAdmin;
      // Empty initials are "not set": the column is required and the seed only generates them on creation.
      const initials = optionalText(input.chartingInitials) ?? undefined;
      if (problems.length) throw new ValidationError(problems);

      return write(input.loginName, () => initials, () => db.transaction(async (tx) => {
        await lockCompanyUsers(tx, actor.organizationId);
        const user = await findVisible(tx, actor, input.loginName);
        if (input.location !== undefined) {
          const given = await resolveLocations(tx, actor, input.location);
          const kept = user.locationIds.filter((id) => !actor.locationIds.includes(id) && !given.includes(id));
          patch.locationIds = [...given, ...kept];
        }
        if (input.userGroup !== undefined) {
          if (input.userGroup !== user.userGroup) await checkUserGroup(tx, actor.organizationId, input.userGroup, problems);
          patch.userGroup = input.userGroup;
        }
        if (initials !== undefined) {
          if (initials.toLowerCase() !== user.chartingInitials.toLowerCase() && (await taken(tx, actor.organizationId, 'chartingInitials', initials, user.id))) {
            problems.push(`chartingInitials ${initials} is already used by another user of this company`);
          }
          patch.chartingInitials = initials;
        }
        const active = input.active ?? user.active;
        const systemAdmin = patch.systemAdmin ?? user.systemAdmin;
        const email = patch.email !== undefined ? patch.email : user.email;
        if (systemAdmin && !email) problems.push('email is required when systemAdmin is true');
        const becomesActiveAdmin = systemAdmin && active && !(user.systemAdmin && user.active);
        if (becomesActiveAdmin && (await activeSystemAdmins(tx, actor.organizationId, user.id)) >= MAX_SYSTEM_ADMINS) problems.push(adminLimit);
        if (problems.length) throw new ValidationError(problems);

        // Webhook event decided here: the active flag's transition wins over field changes made in the same request.
        const now = clock();
        let change: UserChange;
        if (!user.active && active) {
          change = 'reactivated';
          Object.assign(patch, { active: true, deactivatedAt: null });
        } else if (user.active && !active) {
          change = 'deactivated';
          Object.assign(patch, { active: false, deactivatedAt: now });
        } else {
          change = differs(user, patch) ? 'updated' : 'unchanged';
        }
        let saved = user;
        if (change !== 'unchanged') {
          saved = await store.updateUser(tx, user.id, patch, now);
        }
        await recordAudit(tx, ctx, { action: 'update', entityType: AUDIT_ENTITY, entityIds: [user.guid] });
        await report(tx, actor, saved, change);
        return { user: saved, change };
      }));
    },

    /** The company's user groups a user may be given: its own enabled ones, or the seed's six defaults. */
    userGroupsOf: (organizationId: number) => userGroups(db, organizationId),

    /**
     * `GET /clinical/v1/user` (seed 000): the user with `loginName` (case-insensitive) among those sharing a
     * location with the client, deactivated users included (`active: false`).
     * @returns the wire answer: every field beside `result`, `location` the GUIDs of the user's locations the
     *   client reaches, absent optional values null.
     * @throws NotFoundError (400) `No user with loginName X`.
     */
    async getUser(ctx: RequestContext<EcpActor>, loginName: string): Promise<UserDetailsWire> {
      return db.transaction(async (tx) => {
        const user = await findVisible(tx, ctx.actor, loginName);
        const reachable = user.locationIds.filter((id) => ctx.actor.locationIds.includes(id));
        const rows = await findLocationsById(tx, reachable);
        const guidOf = new Map(rows.map((r) => [r.id, r.guid]));
        await recordAudit(tx, ctx, { action: 'read', entityType: AUDIT_ENTITY, entityIds: [user.guid] });
        return {
          result: 'Success' as const,
          userId: user.guid,
          loginName: user.loginName,
          location: reachable.map((id) => guidOf.get(id)).filter((g): g is string => g !== undefined),
          firstName: user.firstName,
          lastName: user.lastName,
          active: user.active,
          viewAllResidents: user.viewAllResidents,
          userGroup: user.userGroup,
          role: user.role,
          systemAdmin: user.systemAdmin,
          chartingInitials: user.chartingInitials,
          title: user.title,
          address: user.address,
          cityStateZip: user.cityStateZip,
          phone: user.phone,
          cellphone: user.cellphone,
          cellCarrier: user.cellCarrier,
          pager: user.pager,
          email: user.email,
        };
      });
    },

    /**
     * The company's users sharing a location with the client that `filter` selects (deactivated ones included), `id`
     * ascending after `filter.afterId` (keyset paging): the FHIR door's Practitioner read and search. One audit row
     * names the users returned (`read`, written only when found; `list`, written for an empty search too).
     * @returns up to `filter.limit` users, and `more` when further ones follow.
     */
    async searchUsers(ctx: RequestContext<EcpActor>, filter: Omit<store.UserSearchFilter, 'locationIds' | 'organizationId'>, action: 'read' | 'list'): Promise<{ rows: store.UserRow[]; more: boolean }> {
      return db.transaction(async (tx) => {
        const found = await store.searchUsers(tx, { ...filter, limit: filter.limit + 1, organizationId: ctx.actor.organizationId, locationIds: ctx.actor.locationIds });
        const rows = found.slice(0, filter.limit);
        if (rows.length || action === 'list') await recordAudit(tx, ctx, { action, entityType: AUDIT_ENTITY, entityIds: rows.map((u) => u.guid) });
        return { rows, more: found.length > rows.length };
      });
    },
  };
}

/** True when applying `patch` would change a stored value of `user`. */
function differs(user: EcpUserRow, patch: Partial<store.NewEcpUserRow>): boolean {
  return Object.entries(patch).some(([key, value]) => {
    const current = user[key as keyof EcpUserRow];
    if (Array.isArray(value) && Array.isArray(current)) return value.length !== current.length || value.some((v, i) => v !== current[i]);
    return value !== current;
  });
}

export type EcpUserService = ReturnType<typeof createEcpUserService>;

/**
 * The user recording a clinical record at `location`: `userId` (GUID) or else `loginName` (case-insensitive) within the
 * location's company, inside the caller's transaction (the diagnosis endpoint; the vitals store resolves it in SQL).
 * @throws ValidationError when neither is given, no such user, the user is inactive, or lacks the location.
 */
export async function resolveRecordingUser(
  tx: Executor,
  location: LocationRow,
  by: { userId?: string; loginName?: string },
): Promise<EcpUserRow> {
  const key = recordingUserKey(by);
  const user = await store.companyUserByKey(tx, location.organizationId, key);
  const problem = recordingUserProblem(key, user && { active: user.active, hasLocation: user.locationIds.includes(location.id) });
  if (problem) throw new ValidationError([problem]);
  return user!;
}

/** Every user of company `organizationId` (inactive ones too), by id, read with `db`: the demo seeders' staff. */
export function companyUsers(db: Executor, organizationId: number): Promise<EcpUserRow[]> {
  return store.usersOfCompany(db, organizationId);
}
