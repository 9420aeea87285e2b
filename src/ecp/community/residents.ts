/**
 * The Residents screen and the Resident File's General tab of the community workspace: each action calls the ECP
 * residents service, the partner API's own, so it fires the seed's event through the same outbox (Add New Resident
 * `resident.create`, General tab `resident.update`, Discharge `resident.delete`, Reactivate `resident.create` with the
 * same `residentId`) and writes its audit row there. This file adds only what the workspace door decides: another
 * company's resident or a location outside the user's `locationsAllowed` is 404, and its answers are the stored
 * resident.
 */
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { PageRequest } from '../../platform/pagination.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import { findReachableLocation } from '../locations/service.ts';
import type { AllergyService } from '../allergies/service.ts';
import type { ResidentService } from '../residents/service.ts';
import type { ResidentState, ResidentWithLocation } from '../residents/service.ts';
import { dietObject, levelOfCareObject, residentObject } from '../residents/wire.ts';
import type { CommunityDietUpdateWire, CommunityLevelOfCareUpdateWire, CommunityResidentUpdateWire, NewCommunityResidentWire } from './schemas.ts';
import type { CommunityActor } from './service.ts';

type Ctx = RequestContext<CommunityActor>;

/** The workspace's resident: the seed's resident object, code status as entered, location, move-in and discharge. */
export function communityResident({ r, locationGuid, locationName }: ResidentWithLocation) {
  return {
    ...residentObject(r),
    codeStatus: r.codeStatus,
    // ARCHITECTURE.md, "Always-specified resident fields": not given is false.
    livingWill: r.livingWill ?? false,
    locationId: locationGuid,
    location: locationName,
    moveInDate: r.moveInDate,
    dischargedAt: r.dischargedAt ? ecpTimestamp(r.dischargedAt) : null,
    diet: (({ residentId: _id, ...diet }) => diet)(dietObject(r)),
    levelOfCare: (({ residentId: _id, ...levelOfCare }) => levelOfCare)(levelOfCareObject(r)),
  };
}

/** The user's location named or identified by `value`. @throws NotFoundError `Location not found` (also one outside locationsAllowed). */
function allowedLocation(ctx: Ctx, value: string) {
  const location = findReachableLocation(ctx.actor.locations, value);
  if (!location) throw new NotFoundError('Location not found');
  return location;
}

export function createCommunityResidentService({ residents, allergies }: { residents: ResidentService; allergies: AllergyService }) {
  /** @throws NotFoundError `Resident not found` (also another company's, or at a location outside locationsAllowed). */
  async function find(ctx: Ctx, residentId: string): Promise<ResidentWithLocation> {
    const found = await residents.findResident(ctx.actor, residentId);
    if (!found) throw new NotFoundError('Resident not found');
    return found;
  }

  return {
    /**
     * `GET /v1/community/residents`: a page of the residents at one of the user's locations (or all of them), active
     * (default), awaiting move-in or discharged, matching `search`; audited as one `list` row.
     * @throws NotFoundError `Location not found`.
     */
    async list(ctx: Ctx, q: { locationId?: string; status?: ResidentState; search?: string }, page: PageRequest) {
      const locationIds = q.locationId ? [allowedLocation(ctx, q.locationId).id] : undefined;
      const { total, rows } = await residents.searchResidents(ctx, { locationIds, state: q.status ?? 'active', search: q.search, limit: page.perPage, offset: page.offset });
      return { total, residents: rows.map(communityResident) };
    },

    /** `GET /v1/community/residents/{residentId}`; audited (`read`). @throws NotFoundError `Resident not found`. */
    async get(ctx: Ctx, residentId: string) {
      return communityResident(await residents.getResident(ctx, residentId));
    },

    /**
     * Add New Resident (`resident.create`): the partner API's create at one of the user's locations.
     * @throws NotFoundError `Location not found`; ValidationError as the partner API's create.
     */
    async create(ctx: Ctx, input: NewCommunityResidentWire) {
      const location = allowedLocation(ctx, input.locationId);
      const { residentId } = await residents.createResident(ctx, { ...input, locationId: location.guid });
      return communityResident(await find(ctx, residentId));
    },

    /**
     * The General tab (`resident.update`; nothing when nothing changes): the partner API's update without status.
     * @throws NotFoundError `Resident not found`, `Location not found` (a move outside locationsAllowed);
     *   ValidationError `This resident is discharged; reactivate the resident first`, and as the partner API's update.
     */
    async update(ctx: Ctx, residentId: string, input: CommunityResidentUpdateWire) {
      const current = await find(ctx, residentId);
      if (current.r.dischargedAt) throw new ValidationError(['This resident is discharged; reactivate the resident first']);
      const locationId = input.locationId === undefined ? undefined : allowedLocation(ctx, input.locationId).guid;
      await residents.updateResident(ctx, { ...input, locationId, residentId: current.r.guid });
      return communityResident(await find(ctx, current.r.guid));
    },

    /**
     * The Diet tab (`diet.update`): the partner API's diet update; given fields replace, `null` clears.
     * @throws NotFoundError `Resident not found`; ValidationError `This resident is discharged`, and as the partner API's.
     */
    async updateDiet(ctx: Ctx, residentId: string, input: CommunityDietUpdateWire) {
      const current = await find(ctx, residentId);
      await residents.updateDiet(ctx, { ...input, residentId: current.r.guid });
      return communityResident(await find(ctx, current.r.guid));
    },

    /**
     * The Care Plan tab's Level of Care Status set by hand (`levelOfCare.update`): the partner API's update.
     * @throws NotFoundError `Resident not found`; ValidationError `This resident is discharged`, and as the partner API's.
     */
    async updateLevelOfCare(ctx: Ctx, residentId: string, input: CommunityLevelOfCareUpdateWire) {
      const current = await find(ctx, residentId);
      await residents.updateLevelOfCare(ctx, { ...input, residentId: current.r.guid });
      return communityResident(await find(ctx, current.r.guid));
    },

    /** The Allergies tab: the resident's list; audited (`read`). @throws NotFoundError `Resident not found`. */
    async allergies(ctx: Ctx, residentId: string) {
      return { allergies: await allergies.listOf(ctx, (await find(ctx, residentId)).r) };
    },

    /**
     * The Allergies tab saved (`allergy.update` with the full list; nothing when nothing changed).
     * @throws NotFoundError `Resident not found`; ValidationError `This resident is discharged`.
     */
    async replaceAllergies(ctx: Ctx, residentId: string, wanted: string[]) {
      return { allergies: await allergies.replace(ctx, (await find(ctx, residentId)).r, wanted) };
    },

    /**
     * Discharge (`resident.delete`, with the last state).
     * @throws NotFoundError `Resident not found`; ValidationError `This resident is already discharged`.
     */
    async discharge(ctx: Ctx, residentId: string) {
      const current = await find(ctx, residentId);
      await residents.dischargeResident(ctx, current.r.guid);
      return communityResident(await find(ctx, current.r.guid));
    },

    /**
     * Reactivate, from the Discharged Residents list (`resident.create`, same `residentId`).
     * @throws NotFoundError `Resident not found`; ValidationError `This resident is not discharged`.
     */
    async reactivate(ctx: Ctx, residentId: string) {
      const current = await find(ctx, residentId);
      if (!current.r.dischargedAt) throw new ValidationError(['This resident is not discharged']);
      await residents.updateResident(ctx, { residentId: current.r.guid, status: 'Active' });
      return communityResident(await find(ctx, current.r.guid));
    },
  };
}

export type CommunityResidentService = ReturnType<typeof createCommunityResidentService>;
