/**
 * CRM leads of the community workspace: prospective residents of one of the user's locations, worked through their
 * statuses and converted into a resident. Converting calls the residents service's create, so it fires
 * `resident.create` through the same outbox (seed 000: "New resident is created via ECP CRM lead profile"); a future
 * desired move-in date gives "Awaiting Move-In" as the partner API does. The lead is marked converted in the same
 * transaction. Another company's lead, or one at a location outside the user's locations, is 404 `Lead not found`.
 * Every read and change is audited (`ecp_lead`).
 */
import type { Db } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import { isEmailAddress } from '../../platform/validation.ts';
import type { EcpActor } from '../auth.ts';
import { findReachableLocation, type ReachableLocation } from '../locations/service.ts';
import type { ResidentService } from '../residents/service.ts';
import { newGuid } from '../shared/ids.ts';
import type { LeadConversionWire, LeadUpdateWire, LeadWire, NewLeadWire } from './schemas.ts';
import * as store from './store.ts';

type Ctx = RequestContext<EcpActor>;
const AUDIT_ENTITY = 'ecp_lead';

/** Trimmed text; empty is null. */
const text = (v: string | null | undefined) => (v == null ? null : v.trim() || null);

export function createLeadService({ db, residents, clock = () => new Date() }: { db: Db; residents: ResidentService; clock?: () => Date }) {
  /** @throws NotFoundError `Location not found` (also one outside the actor's locations). */
  function location(ctx: Ctx, value: string): ReachableLocation {
    const found = findReachableLocation(ctx.actor.locations, value);
    if (!found) throw new NotFoundError('Location not found');
    return found;
  }

  function wire(ctx: Ctx, l: store.LeadRow): LeadWire {
    const loc = ctx.actor.locations.find((x) => x.id === l.locationId);
    return {
      leadId: l.guid, firstName: l.firstName, lastName: l.lastName, dateOfBirth: l.dateOfBirth, contactName: l.contactName, contactPhone: l.contactPhone,
      contactEmail: l.contactEmail, desiredMoveInDate: l.desiredMoveInDate, source: l.source, status: l.status, notes: l.notes,
      locationId: loc?.guid ?? '', location: loc?.name ?? '', residentId: l.residentGuid,
      convertedAt: l.convertedAt ? ecpTimestamp(l.convertedAt) : null, createdAt: ecpTimestamp(l.createdAt), updatedAt: ecpTimestamp(l.updatedAt),
    };
  }

  const problemsOf = (v: { contactEmail?: string | null; dateOfBirth?: string | null }, today: string) => [
    ...(v.contactEmail && !isEmailAddress(v.contactEmail) ? ['contactEmail is not a valid email address'] : []),
    ...(v.dateOfBirth && v.dateOfBirth > today ? ['dateOfBirth cannot be in the future'] : []),
  ];
  const today = () => clock().toISOString().slice(0, 10);

  return {
    /**
     * The leads at the actor's locations (or the one `locationId` names), of `status` when given, newest first.
     * Audited (`list`). @throws NotFoundError `Location not found`.
     */
    async list(ctx: Ctx, q: { locationId?: string; status?: string }) {
      const locationIds = q.locationId ? [location(ctx, q.locationId).id] : ctx.actor.locationIds;
      return db.transaction(async (tx) => {
        const rows = await store.listLeads(tx, ctx.actor.organizationId, locationIds, q.status);
        await recordAudit(tx, ctx, { action: 'list', entityType: AUDIT_ENTITY, entityIds: rows.map((r) => r.guid) });
        return rows.map((r) => wire(ctx, r));
      });
    },

    /** Adds a lead (status New unless given). @throws NotFoundError `Location not found`; ValidationError bad email or birth date. */
    async create(ctx: Ctx, input: NewLeadWire) {
      const loc = location(ctx, input.locationId);
      const problems = problemsOf(input, today());
      if (problems.length) throw new ValidationError(problems);
      return db.transaction(async (tx) => {
        const row = await store.insertLead(tx, {
          organizationId: ctx.actor.organizationId, locationId: loc.id, guid: newGuid(), firstName: input.firstName.trim(), lastName: input.lastName.trim(),
          dateOfBirth: input.dateOfBirth ?? null, contactName: text(input.contactName), contactPhone: text(input.contactPhone), contactEmail: text(input.contactEmail),
          desiredMoveInDate: input.desiredMoveInDate ?? null, source: text(input.source), status: input.status ?? 'New', notes: text(input.notes),
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: AUDIT_ENTITY, entityIds: [row.guid] });
        return wire(ctx, row);
      });
    },

    /**
     * Changes the given fields of lead `leadId` (null clears). @throws NotFoundError `Lead not found`; ValidationError
     * `This lead is already converted`, bad email or birth date, an empty name.
     */
    async update(ctx: Ctx, leadId: string, input: LeadUpdateWire) {
      const problems = problemsOf(input, today());
      for (const f of ['firstName', 'lastName'] as const) if (input[f] !== undefined && !input[f].trim()) problems.push(`${f} is required`);
      if (problems.length) throw new ValidationError(problems);
      return db.transaction(async (tx) => {
        const lead = await store.lockLead(tx, leadId.trim().toUpperCase(), ctx.actor.organizationId, ctx.actor.locationIds);
        if (!lead) throw new NotFoundError('Lead not found');
        if (lead.residentId) throw new ValidationError(['This lead is already converted']);
        const patch: Partial<store.NewLeadRow> = {};
        if (input.firstName !== undefined) patch.firstName = input.firstName.trim();
        if (input.lastName !== undefined) patch.lastName = input.lastName.trim();
        for (const f of ['contactName', 'contactPhone', 'contactEmail', 'source', 'notes'] as const) if (input[f] !== undefined) patch[f] = text(input[f]);
        if (input.dateOfBirth !== undefined) patch.dateOfBirth = input.dateOfBirth;
        if (input.desiredMoveInDate !== undefined) patch.desiredMoveInDate = input.desiredMoveInDate;
        if (input.status !== undefined) patch.status = input.status;
        const row = (await store.updateLead(tx, lead.id, patch, clock()))!;
        await recordAudit(tx, ctx, { action: 'update', entityType: AUDIT_ENTITY, entityIds: [row.guid] });
        return wire(ctx, row);
      });
    },

    /**
     * Converts lead `leadId` into a resident at the lead's location (`resident.create`; moveInDate the given one or
     * the lead's desired one, a future one giving "Awaiting Move-In"); the lead becomes Converted with the resident's
     * id, in the resident's transaction.
     * @throws NotFoundError `Lead not found`; ValidationError `This lead is already converted`, `dateOfBirth is
     *   required to convert a lead`, and as the residents service's create.
     */
    async convert(ctx: Ctx, leadId: string, input: LeadConversionWire) {
      const guid = leadId.trim().toUpperCase();
      const lead = await store.leadByGuid(db, guid, ctx.actor.organizationId, ctx.actor.locationIds);
      if (!lead) throw new NotFoundError('Lead not found');
      if (lead.residentId) throw new ValidationError(['This lead is already converted']);
      const dateOfBirth = input.dateOfBirth ?? lead.dateOfBirth;
      if (!dateOfBirth) throw new ValidationError(['dateOfBirth is required to convert a lead']);
      const loc = ctx.actor.locations.find((l) => l.id === lead.locationId)!;
      let converted: store.LeadRow | undefined;
      await residents.createResident(ctx, {
        firstName: lead.firstName, lastName: lead.lastName, dateOfBirth, locationId: loc.guid,
        ...(input.moveInDate ?? lead.desiredMoveInDate ? { moveInDate: (input.moveInDate ?? lead.desiredMoveInDate)! } : {}),
        ...(input.room ? { room: input.room } : {}),
      }, async (tx, resident) => {
        const locked = await store.lockLead(tx, guid, ctx.actor.organizationId, ctx.actor.locationIds);
        if (!locked || locked.residentId) throw new ValidationError(['This lead is already converted']);
        const now = clock();
        converted = await store.updateLead(tx, locked.id, { residentId: resident.id, residentGuid: resident.guid, status: 'Converted', convertedAt: now, dateOfBirth }, now);
        await recordAudit(tx, ctx, { action: 'update', entityType: AUDIT_ENTITY, entityIds: [guid] });
      });
      return wire(ctx, converted!);
    },
  };

}

export type LeadService = ReturnType<typeof createLeadService>;
