/**
 * Transfer of a resident between ECP accounts (seed 000 "Event Types": "Resident is transferred to/from ECP account"
 * fires `resident.delete` for the sending company and `resident.create` for the receiving one, with the same
 * `residentId`). One transaction moves the resident and its vitals, allergies, diagnoses and assessments to a location of the
 * other company, hands its contacts over (`ContactService.transferResidentContacts`), withdraws every undelivered,
 * failed or delivered message about the resident from the sending company's deliveries (so its retries and replays
 * never send them again), and records the two events. The operator CLI calls it, and so does the community workspace's
 * offer-and-accept between two companies' System Admins (`offerResident`, `acceptOffer`, `declineOffer`,
 * `withdrawOffer`): an accepted offer runs the transfer in the transaction that marks it accepted.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { newGuid } from '../shared/ids.ts';
import * as store from './store.ts';
import { findLocationByGuid, findLocationsById } from '../clients/service.ts';
import type { ContactService, ContactTransferResult } from '../contacts/service.ts';
import { ignoreChanges, type EmitEcpChange } from '../events.ts';
import { moveResidentAllergies } from '../allergies/service.ts';
import { moveResidentAssessments } from '../assessments/service.ts';
import { moveResidentDiagnoses } from '../diagnoses/service.ts';
import { lockResidentForTransfer, moveResidentToLocation, type ResidentRow } from '../residents/service.ts';
import { moveResidentVitals } from '../vitals/service.ts';
import { withdrawResidentMessages } from '../webhooks/service.ts';

/** What a transfer did. */
export interface TransferResult {
  residentId: string;
  /** Location GUIDs, before and after. */
  fromLocationId: string;
  toLocationId: string;
  vitals: number;
  allergies: number;
  diagnoses: number;
  assessments: number;
  contacts: ContactTransferResult;
  /** Deliveries of the sending company's messages about the resident that were withdrawn. */
  withdrawnDeliveries: number;
}

export function createTransferService({ db, contacts, emit = ignoreChanges, clock = () => new Date() }: {
  db: Db;
  contacts: ContactService;
  emit?: EmitEcpChange;
  clock?: () => Date;
}) {
  /** The transfer itself, inside the caller's transaction (see `transferResident`). */
  async function transferIn(tx: Executor, ctx: RequestContext, residentId: string, toLocationId: string): Promise<TransferResult> {
    const before = await lockResidentForTransfer(tx, residentId);
    const to = await findLocationByGuid(tx, toLocationId);
    if (!to) throw new ValidationError([`No location with locationId ${toLocationId.trim()}`]);
    if (to.organizationId === before.organizationId) {
      throw new ValidationError(['The location belongs to the resident\'s own company: move the resident with PUT /clinical/v1/resident locationId']);
    }
    if (before.dischargedAt) throw new ValidationError(['This resident is discharged; reactivate the resident before transferring']);
    const [from] = await findLocationsById(tx, [before.locationId]);
    // First, so that none of the messages this transfer records is withdrawn.
    const withdrawnDeliveries = await withdrawResidentMessages(tx, before.organizationId, before.guid);
    const after = await moveResidentToLocation(tx, before, to, clock());
    const vitals = await moveResidentVitals(tx, before.id, to.organizationId, to.id);
    const allergies = await moveResidentAllergies(tx, before.id, to.organizationId);
    const diagnoses = await moveResidentDiagnoses(tx, before.id, to.organizationId, to.id);
    const assessments = await moveResidentAssessments(tx, before.id, to.organizationId, to.id);
    await emit(tx, { eventName: 'resident.delete', resident: before });
    await emit(tx, { eventName: 'resident.create', resident: after });
    const moved = await contacts.transferResidentContacts(tx, before, after);
    // One audit row in each company: the sender's says the resident left (delete), the receiver's that it came (create).
    await recordAudit(tx, { ...ctx, actor: { ...ctx.actor, organizationId: before.organizationId } }, { action: 'delete', entityType: 'resident.transfer', entityIds: [before.guid] });
    await recordAudit(tx, { ...ctx, actor: { ...ctx.actor, organizationId: to.organizationId } }, { action: 'create', entityType: 'resident.transfer', entityIds: [before.guid] });
    return {
      residentId: before.guid, fromLocationId: from.guid, toLocationId: to.guid, vitals, allergies, diagnoses, assessments, contacts: moved, withdrawnDeliveries,
    };
  }

  /** The offer `offerId` (GUID) sent by or to the actor's company, locked. @throws NotFoundError `Transfer offer not found`. */
  async function lockedOffer(tx: Executor, ctx: RequestContext, offerId: string, side: 'to' | 'from') {
    const offer = await store.lockOffer(tx, offerId.trim().toUpperCase(), ctx.actor.organizationId);
    const mine = offer && (side === 'to' ? offer.toOrganizationId : offer.fromOrganizationId) === ctx.actor.organizationId;
    if (!offer || !mine) throw new NotFoundError('Transfer offer not found');
    if (offer.status !== 'offered') throw new ValidationError([`This transfer offer is already ${offer.status}`]);
    return offer;
  }

  return {
    /**
     * Moves the resident `residentId` to the location `toLocationId` (GUID) of another company.
     * `ctx`: who asks (the operator's system context, or the accepting System Admin); audited in both companies.
     * @throws ValidationError unknown resident or location, a location of the resident's own company (move it with
     *   `PUT /resident` `locationId`), a discharged resident (reactivate it first).
     */
    async transferResident(ctx: RequestContext, residentId: string, toLocationId: string): Promise<TransferResult> {
      return db.transaction((tx) => transferIn(tx, ctx, residentId, toLocationId));
    },

    /**
     * A System Admin offers `resident` (one they reach, already checked by the caller) to the company whose GUID is
     * `toCompanyId` (issue 19: "by that company's GUID (no directory of other companies is shown)"). Nothing moves and
     * no event fires until the other company accepts. Audited in the sending company (`create` of `resident.transfer_offer`).
     * @returns the stored offer.
     * @throws ValidationError `No ECP company with companyId X`, the resident's own company, a discharged resident, an
     *   open offer for the resident already.
     */
    async offerResident(ctx: RequestContext, offeredByUserId: number, resident: ResidentRow, toCompanyId: string, note: string | undefined) {
      return db.transaction(async (tx) => {
        const to = await store.companyByGuid(tx, toCompanyId.trim());
        if (!to) throw new ValidationError([`companyId ${toCompanyId.trim()} is not an ECP company on this platform`]);
        if (to.organizationId === resident.organizationId) throw new ValidationError(['companyId is your own company: move the resident to another of your locations from the General tab instead']);
        if (resident.dischargedAt) throw new ValidationError(['This resident is discharged; reactivate the resident before transferring']);
        if (await store.openOfferOf(tx, resident.id)) throw new ValidationError(['This resident already has an open transfer offer']);
        const offer = await store.insertOffer(tx, {
          guid: newGuid(), residentId: resident.id, residentGuid: resident.guid, fromOrganizationId: resident.organizationId, toOrganizationId: to.organizationId,
          residentName: `${resident.firstName} ${resident.lastName}`, residentDateOfBirth: resident.dateOfBirth, fromLocationId: resident.locationId,
          note: note?.trim() || null, offeredByUserId, createdAt: clock(),
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'resident.transfer_offer', entityIds: [resident.guid] });
        return offer;
      });
    },

    /**
     * Offers the actor's company sent (from `fromLocationIds`) or received, newest first; `openOnly` for those still
     * offered; `offerId` (GUID) for that one only. Audited (`list` of `resident.transfer_offer`, the residents named).
     */
    async listOffers(ctx: RequestContext, direction: 'incoming' | 'outgoing', openOnly: boolean, fromLocationIds: number[], offerId?: string) {
      return db.transaction(async (tx) => {
        const offers = await store.listOffers(tx, ctx.actor.organizationId, direction, openOnly, fromLocationIds, offerId?.trim().toUpperCase());
        await recordAudit(tx, ctx, { action: 'list', entityType: 'resident.transfer_offer', entityIds: offers.map((o) => o.residentGuid) });
        return offers;
      });
    },

    /**
     * The receiving company's System Admin accepts offer `offerId` into their location `toLocationId` (GUID, already
     * checked against their locations): the transfer runs (`resident.delete` to the sender's subscribers,
     * `resident.create` to the receiver's, same `residentId`) and the offer is `accepted`, in one transaction.
     * @throws NotFoundError `Transfer offer not found` (also one sent to another company); ValidationError when the
     *   offer is no longer open, and as `transferResident`.
     */
    async acceptOffer(ctx: RequestContext, decidedByUserId: number, offerId: string, toLocationId: string) {
      return db.transaction(async (tx) => {
        const offer = await lockedOffer(tx, ctx, offerId, 'to');
        const result = await transferIn(tx, ctx, offer.residentGuid, toLocationId);
        const to = await findLocationByGuid(tx, result.toLocationId);
        await store.decideOffer(tx, offer.id, { status: 'accepted', decidedByUserId, decidedAt: clock(), toLocationId: to?.id ?? null });
        return result;
      });
    },

    /**
     * The receiving company's System Admin declines offer `offerId` (or, `by: 'sender'`, the sending one withdraws it):
     * nothing moves, no event. Audited in the actor's company (`update` of `resident.transfer_offer`).
     * @throws NotFoundError `Transfer offer not found`; ValidationError when the offer is no longer open.
     */
    async closeOffer(ctx: RequestContext, decidedByUserId: number, offerId: string, by: 'receiver' | 'sender') {
      return db.transaction(async (tx) => {
        const offer = await lockedOffer(tx, ctx, offerId, by === 'receiver' ? 'to' : 'from');
        await store.decideOffer(tx, offer.id, { status: by === 'receiver' ? 'declined' : 'withdrawn', decidedByUserId, decidedAt: clock(), toLocationId: null });
        await recordAudit(tx, ctx, { action: 'update', entityType: 'resident.transfer_offer', entityIds: [offer.residentGuid] });
      });
    },
  };
}

export type TransferService = ReturnType<typeof createTransferService>;
export type { TransferOfferView } from './store.ts';
