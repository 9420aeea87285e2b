/**
 * Discontinuation of a member's ECM: the date, the plan's reason code and the reason, recorded with the
 * `terminated_member` status the status rule gives it (src/ecm/patients/member-status.ts) and its history entry, in
 * one transaction with the audit row. A discontinuation is in force while its history entry is the member's latest
 * (docs/decisions.md "DHCS reporting data"); the other status writers ask `inForce` before they write.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { isoOf } from '../../platform/time.ts';
import { decideMemberStatus } from '../patients/member-status.ts';
import type { PatientService } from '../patients/service.ts';
import { REASON_CODE_PATTERN, type DiscontinuationInputWire, type DiscontinuationWire } from './schemas.ts';
import * as store from './store.ts';

export const DISCONTINUATION_SOURCE = 'Discontinuation';

export interface DiscontinuationServiceDeps {
  db: Db;
  patients: Pick<PatientService, 'requirePatient' | 'setMemberStatus' | 'latestStatusHistoryIds'>;
}

function wire(r: store.DiscontinuationRow, inForce: boolean): DiscontinuationWire {
  return {
    id: r.id, patient_id: r.patientId, discontinued_on: r.discontinuedOn, reason_code: r.reasonCode, reason: r.reason,
    recorded_by_user_id: r.recordedByUserId, in_force: inForce, created_at: isoOf(r.createdAt),
  };
}

export function createDiscontinuationService({ db, patients }: DiscontinuationServiceDeps) {
  /** The discontinuation in force of each of `patientIds`: its row, by patient id. */
  async function inForceRows(tx: Executor, organizationId: number, patientIds: number[]) {
    const latest = await patients.latestStatusHistoryIds(tx, organizationId, patientIds);
    const rows = await store.byStatusHistoryIds(tx, organizationId, [...latest.values()]);
    return new Map(rows.map((r) => [r.patientId, r]));
  }

  return {
    /**
     * The date (YYYY-MM-DD) of the discontinuation in force of each of `patientIds`, for the status writers
     * (members without one are left out). Runs in the caller's transaction.
     */
    async inForce(tx: Executor, organizationId: number, patientIds: number[]): Promise<Map<number, string>> {
      const rows = await inForceRows(tx, organizationId, patientIds);
      return new Map([...rows].map(([id, r]) => [id, r.discontinuedOn]));
    },

    /** `GET .../patients/{patient_id}/discontinuations`: newest first. @throws NotFoundError `Patient not found`. */
    listDiscontinuations(ctx: RequestContext, patientId: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const rows = await store.listDiscontinuations(tx, orgId, patientId);
        const current = (await inForceRows(tx, orgId, [patientId])).get(patientId);
        await recordAudit(tx, ctx, { action: 'list', entityType: 'discontinuation', entityIds: rows.map((r) => r.id) });
        return rows.map((r) => wire(r, r.id === current?.id));
      });
    },

    /**
     * `POST .../patients/{patient_id}/discontinuations`: ends the member's ECM on `discontinued_on` with the plan's
     * `reason_code` and `reason`; the member becomes `terminated_member` with a history entry by the actor.
     * @throws NotFoundError `Patient not found`; ValidationError `Member is already discontinued`, `Reason code ...`.
     */
    discontinue(ctx: RequestContext, patientId: number, input: DiscontinuationInputWire) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId, true);
        const errors: string[] = [];
        if (!new RegExp(REASON_CODE_PATTERN).test(input.reason_code.trim())) errors.push('Reason code must be 1 to 20 letters, digits, dots, dashes or underscores');
        if (input.reason.trim() === '') errors.push("Reason can't be blank");
        if ((await inForceRows(tx, orgId, [patientId])).has(patientId)) errors.push('Member is already discontinued');
        if (errors.length) throw new ValidationError(errors);
        const status = decideMemberStatus({ writer: 'discontinuation', proposed: null, current: null, discontinuedOn: null })!;
        const recordedBy = ctx.actor.kind === 'user' ? Number(ctx.actor.id) : null;
        const statusHistoryId = await patients.setMemberStatus(tx, orgId, patientId, status, { changedBy: ctx.actor.name, changedByUserId: recordedBy });
        const row = await store.insertDiscontinuation(tx, {
          organizationId: orgId, patientId, discontinuedOn: input.discontinued_on, reasonCode: input.reason_code.trim(), reason: input.reason.trim(),
          recordedByUserId: recordedBy, statusHistoryId,
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'discontinuation', entityIds: [row.id] });
        return wire(row, true);
      });
    },
  };
}

export type DiscontinuationService = ReturnType<typeof createDiscontinuationService>;
