/**
 * Transfer of a resident between ECP accounts (seed 000 "Event Types": "Resident is transferred to/from ECP account"
 * fires `resident.delete` for the sending company and `resident.create` for the receiving one, with the same
 * `residentId`). One transaction moves the resident and its vitals, allergies, diagnoses and assessments to a location of the
 * other company, hands its contacts over (`ContactService.transferResidentContacts`), withdraws every undelivered,
 * failed or delivered message about the resident from the sending company's deliveries (so its retries and replays
 * never send them again), and records the two events. The operator CLI calls it today; the community workspace's
 * offer-and-accept between two companies' System Admins will call the same function.
 */
import type { Db } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { findLocationByGuid, findLocationsById } from '../clients/service.ts';
import type { ContactService, ContactTransferResult } from '../contacts/service.ts';
import { ignoreChanges, type EmitEcpChange } from '../events.ts';
import { moveResidentAllergies } from '../allergies/service.ts';
import { moveResidentAssessments } from '../assessments/service.ts';
import { moveResidentDiagnoses } from '../diagnoses/service.ts';
import { lockResidentForTransfer, moveResidentToLocation } from '../residents/service.ts';
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
  return {
    /**
     * Moves the resident `residentId` to the location `toLocationId` (GUID) of another company.
     * `ctx`: who asks (the operator's system context; later the accepting System Admin); audited in both companies.
     * @throws ValidationError unknown resident or location, a location of the resident's own company (move it with
     *   `PUT /resident` `locationId`), a discharged resident (reactivate it first).
     */
    async transferResident(ctx: RequestContext, residentId: string, toLocationId: string): Promise<TransferResult> {
      return db.transaction(async (tx) => {
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
      });
    },
  };
}

export type TransferService = ReturnType<typeof createTransferService>;
