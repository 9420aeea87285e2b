/**
 * A member's closed-loop referrals (DHCS CLR, effective July 1, 2025): received from the plan or another referring
 * entity (date, source, service), with a status lifecycle (`received`, `accepted`, `declined`, `closed`;
 * src/ecm/reporting/dhcs-values.ts) whose every change is kept with its date, and the reason the loop closed.
 * Every read and change writes its audit row (entity `referral`) in the same transaction; another clinic's member or
 * referral is `404`.
 */
import type { Db, Tx } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { isoOf } from '../../platform/time.ts';
import type { PatientService } from '../patients/service.ts';
import { isOpenReferralStatus, type ReferralStatus } from '../reporting/dhcs-values.ts';
import type { ReferralInputWire, ReferralWire } from './schemas.ts';
import * as store from './store.ts';

export const REFERRAL_NOT_FOUND = 'Referral not found';

export interface ReferralServiceDeps {
  db: Db;
  patients: Pick<PatientService, 'requirePatient'>;
}

interface ReferralState {
  receivedOn?: string;
  source?: string;
  service?: string;
  status: ReferralStatus;
  statusDate?: string;
  loopClosureReason: string | null;
}

/**
 * The messages for a referral as it will be stored (the lifecycle's rules): dates present, the status date not
 * before the day it was received, a loop-closure reason for `closed` and none for an open status.
 */
export function referralErrors(r: ReferralState): string[] {
  const errors: string[] = [];
  if (!r.receivedOn) errors.push("Received on can't be blank");
  if (!r.source?.trim()) errors.push("Source can't be blank");
  if (!r.service?.trim()) errors.push("Service can't be blank");
  if (!r.statusDate) errors.push("Status date can't be blank");
  if (r.receivedOn && r.statusDate && r.statusDate < r.receivedOn) errors.push('Status date must be on or after Received on');
  if (r.status === 'closed' && !r.loopClosureReason) errors.push("Loop closure reason can't be blank when the referral is closed");
  if (isOpenReferralStatus(r.status) && r.loopClosureReason) errors.push('Loop closure reason is only allowed for a declined or closed referral');
  return errors;
}

function wire(r: store.ReferralRow, changes: store.StatusChangeRow[]): ReferralWire {
  return {
    id: r.id, patient_id: r.patientId, received_on: r.receivedOn, source: r.source, service: r.service,
    status: r.status as ReferralStatus, status_date: r.statusDate, open: isOpenReferralStatus(r.status), loop_closure_reason: r.loopClosureReason,
    status_history: changes.filter((c) => c.referralId === r.id).map((c) => ({
      status: c.status as ReferralStatus, status_date: c.statusDate, loop_closure_reason: c.loopClosureReason, changed_by_user_id: c.changedByUserId, created_at: isoOf(c.createdAt),
    })),
    created_at: isoOf(r.createdAt), updated_at: isoOf(r.updatedAt),
  };
}

const userId = (ctx: RequestContext) => (ctx.actor.kind === 'user' ? Number(ctx.actor.id) : null);
const clean = (s: string | null | undefined) => (s == null ? s : s.trim() || null);

export function createReferralService({ db, patients }: ReferralServiceDeps) {
  async function load(tx: Tx, orgId: number, patientId: number, id: number) {
    const row = (await store.findReferral(tx, orgId, patientId, id))!;
    return wire(row, await store.statusChanges(tx, orgId, [id]));
  }

  return {
    /** `GET .../patients/{patient_id}/referrals`: newest received first, each with its status history. @throws NotFoundError. */
    listReferrals(ctx: RequestContext, patientId: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const rows = await store.listReferrals(tx, orgId, patientId);
        const changes = await store.statusChanges(tx, orgId, rows.map((r) => r.id));
        await recordAudit(tx, ctx, { action: 'list', entityType: 'referral', entityIds: rows.map((r) => r.id) });
        return rows.map((r) => wire(r, changes));
      });
    },

    /** `GET .../referrals/{id}`. @throws NotFoundError `Patient not found`, `Referral not found`. */
    getReferral(ctx: RequestContext, patientId: number, id: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        if (!(await store.findReferral(tx, orgId, patientId, id))) throw new NotFoundError(REFERRAL_NOT_FOUND);
        await recordAudit(tx, ctx, { action: 'read', entityType: 'referral', entityIds: [id] });
        return load(tx, orgId, patientId, id);
      });
    },

    /**
     * `POST .../referrals`: `received_on`, `source` and `service` required; `status` defaults to `received` and
     * `status_date` to `received_on`. The first status change is recorded. @throws NotFoundError; ValidationError.
     */
    createReferral(ctx: RequestContext, patientId: number, input: ReferralInputWire) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const state: ReferralState = {
          receivedOn: input.received_on, source: clean(input.source) ?? undefined, service: clean(input.service) ?? undefined,
          status: input.status ?? 'received', statusDate: input.status_date ?? input.received_on, loopClosureReason: clean(input.loop_closure_reason) ?? null,
        };
        const errors = referralErrors(state);
        if (errors.length) throw new ValidationError(errors);
        const id = await store.insertReferral(tx, {
          organizationId: orgId, patientId, receivedOn: state.receivedOn!, source: state.source!, service: state.service!,
          status: state.status, statusDate: state.statusDate!, loopClosureReason: state.loopClosureReason,
        });
        await store.insertStatusChange(tx, { organizationId: orgId, referralId: id, status: state.status, statusDate: state.statusDate!, loopClosureReason: state.loopClosureReason, changedByUserId: userId(ctx) });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'referral', entityIds: [id] });
        return load(tx, orgId, patientId, id);
      });
    },

    /**
     * `PUT .../referrals/{id}`: omitted fields unchanged. A new `status` (or a new `status_date` or closure reason)
     * is a status update: it needs its `status_date` and appends to the status history.
     * @throws NotFoundError; ValidationError.
     */
    updateReferral(ctx: RequestContext, patientId: number, id: number, input: ReferralInputWire) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const current = await store.findReferral(tx, orgId, patientId, id, true);
        if (!current) throw new NotFoundError(REFERRAL_NOT_FOUND);
        const newStatus = input.status !== undefined && input.status !== current.status;
        const status = (input.status ?? current.status) as ReferralStatus;
        const reasonGiven = input.loop_closure_reason !== undefined;
        const state: ReferralState = {
          receivedOn: input.received_on ?? current.receivedOn,
          source: input.source === undefined ? current.source : clean(input.source) ?? undefined,
          service: input.service === undefined ? current.service : clean(input.service) ?? undefined,
          status,
          statusDate: input.status_date ?? (newStatus ? undefined : current.statusDate),
          // Re-opening drops the old closure reason unless one is given (which the rules then refuse).
          loopClosureReason: reasonGiven ? clean(input.loop_closure_reason) ?? null : isOpenReferralStatus(status) ? null : current.loopClosureReason,
        };
        const errors = referralErrors(state);
        if (newStatus && input.status_date === undefined) errors.splice(errors.indexOf("Status date can't be blank"), 1, 'Status date is required with a new status');
        if (errors.length) throw new ValidationError(errors);
        const statusUpdate = newStatus || (input.status_date !== undefined && input.status_date !== current.statusDate) || state.loopClosureReason !== current.loopClosureReason;
        await store.updateReferral(tx, orgId, id, {
          receivedOn: state.receivedOn, source: state.source, service: state.service, status, statusDate: state.statusDate, loopClosureReason: state.loopClosureReason,
        });
        if (statusUpdate) {
          await store.insertStatusChange(tx, { organizationId: orgId, referralId: id, status, statusDate: state.statusDate!, loopClosureReason: state.loopClosureReason, changedByUserId: userId(ctx) });
        }
        await recordAudit(tx, ctx, { action: 'update', entityType: 'referral', entityIds: [id] });
        return load(tx, orgId, patientId, id);
      });
    },
  };
}

export type ReferralService = ReturnType<typeof createReferralService>;
