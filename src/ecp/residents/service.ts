/**
 * ECP residents (seed 000, "POST resident"). A move-in date in the future gives status "Inactive" with
 * statusDescription "Awaiting Move-In" (the resident object allows only Active and Inactive); otherwise
 * "Active" / "Active Resident".
 */
import type { Db } from '../../db/pool.ts';
import { ecpResidents } from '../../db/schema.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { PartnerActor } from '../auth.ts';
import { newGuid } from '../clients/service.ts';
import type { LocationService } from '../locations/service.ts';
import type { NewResidentWire } from './schemas.ts';

/** Today (`YYYY-MM-DD`, UTC). */
const today = (now: Date) => now.toISOString().slice(0, 10);

export function createResidentService({ db, locations, clock = () => new Date() }: { db: Db; locations: LocationService; clock?: () => Date }) {
  return {
    /**
     * Creates a resident at a location the client reaches.
     * @returns `{result: "Success", residentId}`.
     * @throws ValidationError `location is invalid`, a date of birth in the future, a malformed email.
     */
    async createResident(ctx: RequestContext<PartnerActor>, input: NewResidentWire) {
      const problems: string[] = [];
      if (input.dateOfBirth > today(clock())) problems.push('dateOfBirth cannot be in the future');
      if (input.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) problems.push('email is not a valid email address');
      if (problems.length) throw new ValidationError([problems.join('; ')]);
      return db.transaction(async (tx) => {
        const location = await locations.resolve(tx, ctx.actor, input.locationId);
        const awaiting = Boolean(input.moveInDate && input.moveInDate > today(clock()));
        const [row] = await tx
          .insert(ecpResidents)
          .values({
            organizationId: ctx.actor.organizationId,
            locationId: location.id,
            guid: newGuid(),
            firstName: input.firstName.trim(),
            lastName: input.lastName.trim(),
            middleName: input.middleName ?? null,
            nickname: input.nickname ?? null,
            suffix: input.suffix ?? null,
            dateOfBirth: input.dateOfBirth,
            gender: input.gender ?? null,
            email: input.email ?? null,
            phone: input.phone ?? null,
            building: input.building ?? null,
            room: input.room ?? null,
            codeStatus: input.codeStatus ?? null,
            livingWill: input.livingWill ?? null,
            otherAdvancedDirectives: input.otherAdvancedDirectives ?? null,
            moveInDate: input.moveInDate ?? null,
            status: awaiting ? 'Inactive' : 'Active',
            statusDescription: awaiting ? 'Awaiting Move-In' : 'Active Resident',
            externalIds: input.externalIds ?? {},
          })
          .returning();
        await recordAudit(tx, ctx, { action: 'create', entityType: 'resident', entityIds: [row.guid] });
        return { result: 'Success' as const, residentId: row.guid };
      });
    },
  };
}

export type ResidentService = ReturnType<typeof createResidentService>;
