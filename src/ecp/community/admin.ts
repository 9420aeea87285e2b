/**
 * The community workspace's System Admin screens, on the ECP services so each action fires the seed's event through
 * the same outbox: User Logins (the users service: create `user.create`, change `user.update`, deactivate
 * `user.delete`, reactivate `user.create` with the same `userId`, the 3-System-Admin cap), a password set by an admin
 * (the sign-in service: the user must change it at their next sign-in), Location settings (time zones, through the
 * partner-clients service's `setLocationTimeZone`) and transfer offers between companies (the transfer service:
 * acceptance fires `resident.delete` for the sender and `resident.create` for the receiver). The routes let only
 * System Admins in; this file adds the workspace's reach rule: a user, location or resident outside the admin's
 * locations is 404.
 */
import type { Db } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import type { PartnerClientService } from '../clients/service.ts';
import { findReachableLocation } from '../locations/service.ts';
import type { ResidentService } from '../residents/service.ts';
import type { TransferOfferView, TransferService } from '../transfers/service.ts';
import type { EcpUserRow, EcpUserService } from '../users/service.ts';
import { MAX_SYSTEM_ADMINS, ROLES } from '../users/schemas.ts';
import type { CommunityUserUpdateWire, CommunityUserWire, NewCommunityUserWire, TransferOfferWire } from './admin-schemas.ts';
import type { CommunityActor, CommunityAuthService } from './service.ts';
import * as store from './store.ts';

type Ctx = RequestContext<CommunityActor>;

export function createCommunityAdminService({ db, users, auth, partnerClients, residents, transfers, companyGuid }: {
  db: Db;
  users: EcpUserService;
  auth: CommunityAuthService;
  partnerClients: PartnerClientService;
  residents: ResidentService;
  transfers: TransferService;
  companyGuid: (organizationId: number) => Promise<string>;
}) {
  /** The admin's location named or identified by `value`. @throws NotFoundError `Location not found`. */
  function location(ctx: Ctx, value: string) {
    const found = findReachableLocation(ctx.actor.locations, value);
    if (!found) throw new NotFoundError('Location not found');
    return found;
  }

  async function userWire(ctx: Ctx, rows: EcpUserRow[]): Promise<CommunityUserWire[]> {
    const flags = await store.credentialFlags(db, rows.map((u) => u.id));
    return rows.map((u) => ({
      userId: u.guid, loginName: u.loginName, firstName: u.firstName, lastName: u.lastName, role: u.role, userGroup: u.userGroup,
      systemAdmin: u.systemAdmin, active: u.active, chartingInitials: u.chartingInitials, title: u.title, phone: u.phone, email: u.email,
      locationsAllowed: ctx.actor.locations.filter((l) => u.locationIds.includes(l.id)).map((l) => ({ locationId: l.guid, name: l.name })),
      hasPassword: flags.has(u.id),
      mustChangePassword: flags.get(u.id)?.mustChangePassword ?? false,
    }));
  }

  /** The user `userId` (GUID) sharing a location with the admin; audited (`read`). @throws NotFoundError `User not found`. */
  async function findUser(ctx: Ctx, userId: string): Promise<EcpUserRow> {
    const { rows } = await users.searchUsers(ctx, { guids: [userId.trim().toUpperCase()], limit: 1 }, 'read');
    if (!rows[0]) throw new NotFoundError('User not found');
    return rows[0];
  }

  function offerWire(o: TransferOfferView, organizationId: number): TransferOfferWire {
    return {
      offerId: o.guid, direction: o.toOrganizationId === organizationId ? 'incoming' : 'outgoing', status: o.status as TransferOfferWire['status'],
      residentId: o.residentGuid, residentName: o.residentName, dateOfBirth: o.residentDateOfBirth, note: o.note,
      fromCompany: { companyId: o.fromCompanyGuid, name: o.fromCompanyName }, toCompany: { companyId: o.toCompanyGuid, name: o.toCompanyName },
      fromLocation: o.fromLocationName, toLocationId: o.toLocationGuid, toLocation: o.toLocationName,
      offeredAt: ecpTimestamp(o.createdAt), decidedAt: o.decidedAt ? ecpTimestamp(o.decidedAt) : null,
    };
  }

  /** One offer seen from the actor's side. @throws NotFoundError `Transfer offer not found`. */
  async function offer(ctx: Ctx, offerId: string, direction: 'incoming' | 'outgoing'): Promise<TransferOfferWire> {
    const [found] = await transfers.listOffers(ctx, direction, false, ctx.actor.locationIds, offerId);
    if (!found) throw new NotFoundError('Transfer offer not found');
    return offerWire(found, ctx.actor.organizationId);
  }

  return {
    /** User Logins: the users sharing a location with the admin (deactivated too), the roles and user groups; audited (`list`). */
    async listUsers(ctx: Ctx) {
      const { rows } = await users.searchUsers(ctx, { limit: 1000 }, 'list');
      rows.sort((a, b) => a.lastName.localeCompare(b.lastName) || a.firstName.localeCompare(b.firstName));
      return { users: await userWire(ctx, rows), roles: [...ROLES], userGroups: [...await users.userGroupsOf(ctx.actor.organizationId)], maxSystemAdmins: MAX_SYSTEM_ADMINS };
    },

    /** One user; audited (`read`). @throws NotFoundError `User not found`. */
    async getUser(ctx: Ctx, userId: string) {
      return (await userWire(ctx, [await findUser(ctx, userId)]))[0];
    },

    /**
     * Creates a user (`user.create`) at the admin's locations; no password yet (set one with `setPassword`).
     * @throws NotFoundError `Location not found`; ValidationError as the users service (login name taken, unknown
     *   user group, a System Admin without email or beyond the 3 allowed).
     */
    async createUser(ctx: Ctx, input: NewCommunityUserWire) {
      const { locationsAllowed, ...fields } = input;
      const location_ = locationsAllowed.map((v) => location(ctx, v).guid);
      const { user } = await users.createUser(ctx, { ...fields, location: location_ });
      return (await userWire(ctx, [user]))[0];
    },

    /**
     * Changes a user (`user.update`; `active: false` `user.delete`, `active: true` on a deactivated user `user.create`,
     * same userId; nothing for no change). An admin cannot deactivate themselves or drop their own System Admin flag.
     * @throws NotFoundError `User not found`, `Location not found`; ValidationError as the users service.
     */
    async updateUser(ctx: Ctx, userId: string, input: CommunityUserUpdateWire) {
      const current = await findUser(ctx, userId);
      if (current.guid === ctx.actor.id && (input.active === false || input.systemAdmin === false)) {
        throw new ValidationError(['You cannot deactivate yourself or remove your own System Admin access; ask another System Admin']);
      }
      const { locationsAllowed, ...fields } = input;
      const location_ = locationsAllowed?.map((v) => location(ctx, v).guid);
      const { user } = await users.updateUser(ctx, { ...fields, loginName: current.loginName, ...(location_ ? { location: location_ } : {}) });
      return (await userWire(ctx, [user]))[0];
    },

    /**
     * Sets or resets a user's workspace password (issue 19): their sessions end and they must change it at their next
     * sign-in. Audited (`update` of `ecp_user_password`). Not for the admin's own password (Change my password).
     * @throws NotFoundError `User not found`; ValidationError a short password, the admin's own.
     */
    async setPassword(ctx: Ctx, userId: string, password: string) {
      const user = await findUser(ctx, userId);
      if (user.guid === ctx.actor.id) throw new ValidationError(['Change your own password with Change my password']);
      await auth.setPassword(ctx, await companyGuid(ctx.actor.organizationId), user.loginName, password, { mustChange: true });
      return (await userWire(ctx, [user]))[0];
    },

    /** Location settings: the admin's locations with their own and effective time zones (no statement). */
    listLocations(ctx: Ctx) {
      return ctx.actor.locations.map((l) => ({ locationId: l.guid, name: l.name, timeZone: l.timeZone, effectiveTimeZone: l.zone }));
    },

    /**
     * Sets a location's IANA time zone (null: its company's), validated and stored under its canonical name; audited
     * (`update` of `ecp_location`). @throws NotFoundError `Location not found`; ValidationError an unknown zone.
     */
    async updateLocation(ctx: Ctx, locationId: string, timeZone: string | null) {
      const loc = location(ctx, locationId);
      if (loc.guid !== locationId.trim().toUpperCase()) throw new NotFoundError('Location not found');
      const saved = await partnerClients.setLocationTimeZone(loc.guid, timeZone === null ? null : timeZone.trim());
      await recordAudit(db, ctx, { action: 'update', entityType: 'ecp_location', entityIds: [loc.guid] });
      const [after] = await store.locationsOfUser(db, { organizationId: ctx.actor.organizationId, locationIds: [loc.id] });
      return { locationId: saved.locationId, name: saved.name, timeZone: saved.timeZone, effectiveTimeZone: after.zone };
    },

    /**
     * Offers a resident at the admin's locations to the company `companyId` (GUID). Nothing moves until accepted.
     * @throws NotFoundError `Resident not found`; ValidationError as `TransferService.offerResident`.
     */
    async offerResident(ctx: Ctx, residentId: string, companyId: string, note: string | undefined) {
      const found = await residents.findResident(ctx.actor, residentId);
      if (!found) throw new NotFoundError('Resident not found');
      const created = await transfers.offerResident(ctx, ctx.actor.userId, found.r, companyId, note);
      return offer(ctx, created.guid, 'outgoing');
    },

    /** Offers received (`incoming`) or sent from the admin's locations (`outgoing`), open ones or all; audited (`list`). */
    async listOffers(ctx: Ctx, direction: 'incoming' | 'outgoing', status: 'open' | 'all') {
      const rows = await transfers.listOffers(ctx, direction, status === 'open', ctx.actor.locationIds);
      return rows.map((o) => offerWire(o, ctx.actor.organizationId));
    },

    /**
     * Accepts an incoming offer into one of the admin's locations: the transfer runs (`resident.delete` to the
     * sender's subscribers, `resident.create` to ours, same residentId).
     * @throws NotFoundError `Transfer offer not found`, `Location not found`; ValidationError an offer no longer open,
     *   a resident discharged meanwhile.
     */
    async acceptOffer(ctx: Ctx, offerId: string, locationId: string) {
      const loc = location(ctx, locationId);
      await transfers.acceptOffer(ctx, ctx.actor.userId, offerId, loc.guid);
      return offer(ctx, offerId, 'incoming');
    },

    /** Declines an incoming offer (no event). @throws NotFoundError `Transfer offer not found`; ValidationError no longer open. */
    async declineOffer(ctx: Ctx, offerId: string) {
      await transfers.closeOffer(ctx, ctx.actor.userId, offerId, 'receiver');
      return offer(ctx, offerId, 'incoming');
    },

    /** Withdraws an offer sent from the admin's locations (no event). @throws NotFoundError `Transfer offer not found`; ValidationError no longer open. */
    async withdrawOffer(ctx: Ctx, offerId: string) {
      await offer(ctx, offerId, 'outgoing');
      await transfers.closeOffer(ctx, ctx.actor.userId, offerId, 'sender');
      return offer(ctx, offerId, 'outgoing');
    },
  };
}

export type CommunityAdminService = ReturnType<typeof createCommunityAdminService>;
