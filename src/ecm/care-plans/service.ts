/**
 * A member's care plan and its revisions (date, author, summary); the latest revision's date is the RTF's `Date of
 * Latest Care Plan Revision`. Every read and change writes its audit row (entity `care_plan_revision`) in the same
 * transaction; another clinic's member or revision is `404`.
 */
import type { Db, Tx } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { isoOf } from '../../platform/time.ts';
import type { PatientService } from '../patients/service.ts';
import type { CarePlanRevisionInputWire, CarePlanRevisionWire } from './schemas.ts';
import * as store from './store.ts';

export const REVISION_NOT_FOUND = 'Care plan revision not found';

export interface CarePlanServiceDeps {
  db: Db;
  patients: Pick<PatientService, 'requirePatient' | 'activeUsers'>;
}

function wire(r: store.RevisionRow): CarePlanRevisionWire {
  return {
    id: r.id, patient_id: r.patientId, revised_on: r.revisedOn, author_user_id: r.authorUserId, author_name: r.authorName,
    summary: r.summary, created_at: isoOf(r.createdAt), updated_at: isoOf(r.updatedAt),
  };
}

const blank = (s: string | undefined) => s === undefined || s.trim() === '';
const userId = (ctx: RequestContext) => (ctx.actor.kind === 'user' ? Number(ctx.actor.id) : undefined);

export function createCarePlanService({ db, patients }: CarePlanServiceDeps) {
  /** The messages for `input`; `creating` requires the date and the summary. */
  async function check(tx: Tx, orgId: number, input: CarePlanRevisionInputWire, creating: boolean, author: number | undefined) {
    const errors: string[] = [];
    if (creating && !input.revised_on) errors.push("Revised on can't be blank");
    if ((creating || input.summary !== undefined) && blank(input.summary)) errors.push("Summary can't be blank");
    if (author === undefined) errors.push("Author user can't be blank");
    else if (!(await patients.activeUsers(tx, orgId, [author])).has(author)) errors.push('Author user must be an active user of the clinic');
    if (errors.length) throw new ValidationError(errors);
  }

  return {
    /** `GET .../patients/{patient_id}/care_plan_revisions`: newest first. @throws NotFoundError `Patient not found`. */
    listRevisions(ctx: RequestContext, patientId: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const rows = await store.listRevisions(tx, orgId, patientId);
        await recordAudit(tx, ctx, { action: 'list', entityType: 'care_plan_revision', entityIds: rows.map((r) => r.id) });
        return rows.map(wire);
      });
    },

    /**
     * `POST .../care_plan_revisions`: `revised_on` and `summary` required; `author_user_id` defaults to the caller.
     * @throws NotFoundError `Patient not found`; ValidationError.
     */
    createRevision(ctx: RequestContext, patientId: number, input: CarePlanRevisionInputWire) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const author = input.author_user_id ?? userId(ctx);
        await check(tx, orgId, input, true, author);
        const id = await store.insertRevision(tx, { organizationId: orgId, patientId, revisedOn: input.revised_on!, authorUserId: author!, summary: input.summary!.trim() });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'care_plan_revision', entityIds: [id] });
        return wire((await store.findRevision(tx, orgId, patientId, id))!);
      });
    },

    /** `PUT .../care_plan_revisions/{id}`: omitted fields unchanged. @throws NotFoundError; ValidationError. */
    updateRevision(ctx: RequestContext, patientId: number, id: number, input: CarePlanRevisionInputWire) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const current = await store.findRevision(tx, orgId, patientId, id);
        if (!current) throw new NotFoundError(REVISION_NOT_FOUND);
        const author = input.author_user_id ?? current.authorUserId;
        await check(tx, orgId, input, false, author);
        await store.updateRevision(tx, orgId, patientId, id, {
          ...(input.revised_on !== undefined && { revisedOn: input.revised_on }),
          ...(input.summary !== undefined && { summary: input.summary.trim() }),
          authorUserId: author,
        });
        await recordAudit(tx, ctx, { action: 'update', entityType: 'care_plan_revision', entityIds: [id] });
        return wire((await store.findRevision(tx, orgId, patientId, id))!);
      });
    },

    /** `DELETE .../care_plan_revisions/{id}`. @throws NotFoundError. */
    deleteRevision(ctx: RequestContext, patientId: number, id: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        if (!(await store.deleteRevision(tx, orgId, patientId, id))) throw new NotFoundError(REVISION_NOT_FOUND);
        await recordAudit(tx, ctx, { action: 'delete', entityType: 'care_plan_revision', entityIds: [id] });
      });
    },
  };
}

export type CarePlanService = ReturnType<typeof createCarePlanService>;
