/**
 * ECP resident contacts (seed 000 "POST resident/contact"). A contact with the same first and last name
 * (case-insensitive) for that resident is an Error that returns the existing `contactId`, as the seed says.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/pool.ts';
import { ecpContactResidents, ecpContacts, ecpResidents } from '../../db/schema.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { AppError, ValidationError } from '../../platform/errors.ts';
import type { PartnerActor } from '../auth.ts';
import { newGuid } from '../clients/service.ts';
import type { LocationService } from '../locations/service.ts';
import type { NewContactWire } from './schemas.ts';

/** 400 whose body also carries fields (`contactId` of the existing contact). */
export class EcpConflictError extends AppError {
  constructor(
    message: string,
    readonly extra: Record<string, unknown>,
  ) {
    super(400, [message]);
  }
}

export function createContactService({ db, locations }: { db: Db; locations: LocationService }) {
  return {
    /**
     * Creates a contact of a resident at a reachable location.
     * @returns `{result: "Success", contactId}`.
     * @throws ValidationError `location is invalid`, `residentId is invalid`; EcpConflictError for a duplicate name.
     */
    async createContact(ctx: RequestContext<PartnerActor>, input: NewContactWire) {
      return db.transaction(async (tx) => {
        const location = await locations.resolve(tx, ctx.actor, input.locationId);
        const [resident] = await tx
          .select({ id: ecpResidents.id })
          .from(ecpResidents)
          .where(and(eq(ecpResidents.guid, input.residentId.trim().toUpperCase()), eq(ecpResidents.locationId, location.id)));
        if (!resident) throw new ValidationError(['residentId is invalid: no resident with this id at this location']);
        const [existing] = await tx
          .select({ guid: ecpContacts.guid })
          .from(ecpContacts)
          .innerJoin(ecpContactResidents, eq(ecpContactResidents.contactId, ecpContacts.id))
          .where(and(
            eq(ecpContactResidents.residentId, resident.id),
            isNull(ecpContacts.deletedAt),
            sql`lower(${ecpContacts.firstName}) = lower(${input.firstName.trim()})`,
            sql`lower(${ecpContacts.lastName}) = lower(${input.lastName.trim()})`,
          ));
        if (existing) {
          throw new EcpConflictError('A contact with this first and last name already exists for this resident', { contactId: existing.guid });
        }
        const [contact] = await tx
          .insert(ecpContacts)
          .values({
            organizationId: ctx.actor.organizationId,
            locationId: location.id,
            guid: newGuid(),
            firstName: input.firstName.trim(),
            lastName: input.lastName.trim(),
            address: input.address ?? null,
            city: input.city ?? null,
            state: input.state ?? null,
            zip: input.zip ?? null,
            email: input.email ?? null,
            notes: input.notes ?? null,
            phone: input.phone ?? null,
            phoneCell: input.phoneCell ?? null,
            phoneWork: input.phoneWork ?? null,
            preferredContactMethod: input.preferredContactMethod ?? null,
            preferredContactTime: input.preferredContactTime ?? null,
            relationship: input.relationship ?? null,
            billingContact: input.billingContact ?? false,
            healthCarePoa: input.healthCarePoa ?? false,
            healthCarePoaActivated: input.healthCarePoaActivated ?? false,
            primaryContact: input.primaryContact ?? false,
            providesProducts: input.providesProducts ?? false,
            stateAppointedGuardian: input.stateAppointedGuardian ?? false,
          })
          .returning();
        await tx.insert(ecpContactResidents).values({ contactId: contact.id, residentId: resident.id });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'contact', entityIds: [contact.guid] });
        return { result: 'Success' as const, contactId: contact.guid };
      });
    },
  };
}

export type ContactService = ReturnType<typeof createContactService>;
