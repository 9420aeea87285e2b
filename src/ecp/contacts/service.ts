/**
 * ECP resident contacts (seed 000 "POST resident/contact"; update and delete beyond the seed). A contact
 * with the same first and last name (case-insensitive) for that resident is an Error that returns the existing
 * `contactId`, as the seed says. Each change reports its webhook event (contact.create/update/delete) with the
 * contact's residents, in its own transaction; a deleted contact keeps its row (`deleted_at`) as the last state.
 */
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.ts';
import { ecpContactResidents, ecpContacts, ecpResidents } from '../../db/schema.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { AppError, ValidationError } from '../../platform/errors.ts';
import type { PartnerActor } from '../auth.ts';
import { newGuid } from '../shared/ids.ts';
import type { LocationService } from '../locations/service.ts';
import { ignoreChanges, type EmitEcpChange } from '../events.ts';
import type { ContactUpdateWire, NewContactWire } from './schemas.ts';
import * as store from './store.ts';

export type { ContactLinkSearchFilter, FoundContactLink } from './store.ts';

/** 400 whose body also carries fields (`contactId` of the existing contact). */
export class EcpConflictError extends AppError {
  readonly extra: Record<string, unknown>;

  constructor(message: string, extra: Record<string, unknown>) {
    super(400, [message]);
    this.extra = extra;
  }
}

type ContactRow = typeof ecpContacts.$inferSelect;

/** The fields `PUT /resident/contact` may change besides the names (seed 000 POST contact fields). */
const UPDATABLE = [
  'address', 'billingContact', 'city', 'email', 'healthCarePoa', 'healthCarePoaActivated', 'notes', 'phone', 'phoneCell', 'phoneWork',
  'preferredContactMethod', 'preferredContactTime', 'primaryContact', 'providesProducts', 'relationship', 'state', 'stateAppointedGuardian', 'zip',
] as const;

/** Locks residents' rows (in id order) for the rest of the transaction. */
async function lockResidents(tx: Executor, ids: number[]) {
  if (ids.length) await tx.select({ id: ecpResidents.id }).from(ecpResidents).where(inArray(ecpResidents.id, [...ids].sort((a, b) => a - b))).orderBy(ecpResidents.id).for('update');
}

/** The residents a contact belongs to (the webhook contact object's `residents`). */
async function residentsOf(tx: Executor, contactId: number) {
  return tx.select({ r: ecpResidents }).from(ecpContactResidents)
    .innerJoin(ecpResidents, eq(ecpResidents.id, ecpContactResidents.residentId))
    .where(eq(ecpContactResidents.contactId, contactId)).then((rows) => rows.map((x) => x.r));
}

/** Another live contact of the same residents with this first and last name (case-insensitive). */
async function sameName(tx: Executor, residentIds: number[], firstName: string, lastName: string, except?: number) {
  if (!residentIds.length) return undefined;
  const [existing] = await tx
    .select({ guid: ecpContacts.guid })
    .from(ecpContacts)
    .innerJoin(ecpContactResidents, eq(ecpContactResidents.contactId, ecpContacts.id))
    .where(and(
      inArray(ecpContactResidents.residentId, residentIds),
      isNull(ecpContacts.deletedAt),
      except === undefined ? undefined : ne(ecpContacts.id, except),
      sql`lower(${ecpContacts.firstName}) = lower(${firstName.trim()})`,
      sql`lower(${ecpContacts.lastName}) = lower(${lastName.trim()})`,
    ));
  return existing;
}

export function createContactService({ db, locations, emit = ignoreChanges }: { db: Db; locations: LocationService; emit?: EmitEcpChange }) {
  /**
   * The live contact `contactId` at a location the client reaches, locked for update.
   * @throws ValidationError `No contact with contactId X`.
   */
  async function reachableContact(tx: Executor, ctx: RequestContext<PartnerActor>, contactId: string): Promise<ContactRow> {
    const [row] = ctx.actor.locationIds.length
      ? await tx.select().from(ecpContacts).where(and(
        eq(ecpContacts.guid, contactId.trim().toUpperCase()),
        inArray(ecpContacts.locationId, ctx.actor.locationIds),
        isNull(ecpContacts.deletedAt),
      )).for('update')
      : [];
    if (!row) throw new ValidationError([`No contact with contactId ${contactId.trim()}`]);
    return row;
  }

  return {
    /**
     * Creates a contact of a resident at a reachable location.
     * @returns `{result: "Success", contactId}`.
     * @throws ValidationError `location is invalid`, `residentId is invalid`; EcpConflictError for a duplicate name.
     */
    async createContact(ctx: RequestContext<PartnerActor>, input: NewContactWire) {
      return db.transaction(async (tx) => {
        const location = await locations.resolve(ctx.actor, input.locationId);
        const [resident] = await tx
          .select({ id: ecpResidents.id })
          .from(ecpResidents)
          .where(and(eq(ecpResidents.guid, input.residentId.trim().toUpperCase()), eq(ecpResidents.locationId, location.id)));
        if (!resident) throw new ValidationError(['residentId is invalid: no resident with this id at this location']);
        // One writer of a resident's contacts at a time, so two requests cannot both pass the duplicate-name check.
        await lockResidents(tx, [resident.id]);
        const existing = await sameName(tx, [resident.id], input.firstName, input.lastName);
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
        await emit(tx, { eventName: 'contact.create', contact, residents: await residentsOf(tx, contact.id) });
        return { result: 'Success' as const, contactId: contact.guid };
      });
    },

    /**
     * `PUT /clinical/v1/resident/contact/`: changes the given fields; event `contact.update`.
     * @returns `{result: "Success", contactId}`.
     * @throws ValidationError unknown contact; EcpConflictError when the new name is another contact's of the same resident.
     */
    async updateContact(ctx: RequestContext<PartnerActor>, input: ContactUpdateWire) {
      return db.transaction(async (tx) => {
        const current = await reachableContact(tx, ctx, input.contactId);
        const residents = await residentsOf(tx, current.id);
        await lockResidents(tx, residents.map((r) => r.id));
        const firstName = input.firstName?.trim() ?? current.firstName;
        const lastName = input.lastName?.trim() ?? current.lastName;
        if (firstName.toLowerCase() !== current.firstName.toLowerCase() || lastName.toLowerCase() !== current.lastName.toLowerCase()) {
          const existing = await sameName(tx, residents.map((r) => r.id), firstName, lastName, current.id);
          if (existing) throw new EcpConflictError('A contact with this first and last name already exists for this resident', { contactId: existing.guid });
        }
        const values: Partial<typeof ecpContacts.$inferInsert> = { firstName, lastName };
        // Only the documented fields: never ids, tenant columns or timestamps, whatever the body carries.
        for (const k of UPDATABLE) {
          const v = input[k];
          if (v !== undefined) (values as Record<string, unknown>)[k] = typeof v === 'string' ? v.trim() : v;
        }
        const [contact] = await tx.update(ecpContacts).set({ ...values, updatedAt: new Date() }).where(eq(ecpContacts.id, current.id)).returning();
        await recordAudit(tx, ctx, { action: 'update', entityType: 'contact', entityIds: [contact.guid] });
        await emit(tx, { eventName: 'contact.update', contact, residents });
        return { result: 'Success' as const, contactId: contact.guid };
      });
    },

    /**
     * `DELETE /clinical/v1/resident/contact/`: removes the contact; event `contact.delete` with its last state.
     * @throws ValidationError unknown or already deleted contact.
     */
    async deleteContact(ctx: RequestContext<PartnerActor>, contactId: string) {
      return db.transaction(async (tx) => {
        const current = await reachableContact(tx, ctx, contactId);
        const residents = await residentsOf(tx, current.id);
        const [contact] = await tx.update(ecpContacts).set({ deletedAt: new Date() }).where(eq(ecpContacts.id, current.id)).returning();
        await recordAudit(tx, ctx, { action: 'delete', entityType: 'contact', entityIds: [contact.guid] });
        await emit(tx, { eventName: 'contact.delete', contact, residents });
        return { result: 'Success' as const, contactId: contact.guid };
      });
    },

    /**
     * Links of live contacts to residents at the client's reachable locations that `filter` selects, keyset-paged
     * after `filter.after`: the FHIR door's RelatedPerson read and search. One audit row (entity `contact`) names the
     * contacts returned (`read`, written only when found; `list`, written for an empty search too).
     * @returns up to `filter.limit` links, and `more` when further ones follow.
     */
    async searchContactLinks(ctx: RequestContext<PartnerActor>, filter: Omit<store.ContactLinkSearchFilter, 'locationIds'>, action: 'read' | 'list') {
      return db.transaction(async (tx) => {
        const found = await store.searchContactLinks(tx, { ...filter, limit: filter.limit + 1, locationIds: ctx.actor.locationIds });
        const rows = found.slice(0, filter.limit);
        if (rows.length || action === 'list') await recordAudit(tx, ctx, { action, entityType: 'contact', entityIds: [...new Set(rows.map((r) => r.contactGuid))] });
        return { rows, more: found.length > rows.length };
      });
    },
  };
}

export type ContactService = ReturnType<typeof createContactService>;
