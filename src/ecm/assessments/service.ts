/**
 * A member's ECM assessments: started, completed, by whom (RTF `Date Assessment Started`, `Date of Most Recent
 * Completed Assessment`). Every read and change writes its audit row (entity `assessment`) in the same transaction;
 * another clinic's member or assessment is `404`.
 */
import type { Db, Tx } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { isoOf } from '../../platform/time.ts';
import type { PatientService } from '../patients/service.ts';
import type { AssessmentInputWire, AssessmentWire } from './schemas.ts';
import * as store from './store.ts';

export const ASSESSMENT_NOT_FOUND = 'Assessment not found';

export interface AssessmentServiceDeps {
  db: Db;
  patients: Pick<PatientService, 'requirePatient' | 'activeUsers'>;
}

function wire(r: store.AssessmentRow): AssessmentWire {
  return {
    id: r.id, patient_id: r.patientId, title: r.title, started_on: r.startedOn, completed_on: r.completedOn,
    assessed_by_user_id: r.assessedByUserId, assessed_by_name: r.assessedByName, created_at: isoOf(r.createdAt), updated_at: isoOf(r.updatedAt),
  };
}

const userId = (ctx: RequestContext) => (ctx.actor.kind === 'user' ? Number(ctx.actor.id) : undefined);

export function createAssessmentService({ db, patients }: AssessmentServiceDeps) {
  /** Checks the assessment as it will be stored. */
  async function check(tx: Tx, orgId: number, startedOn: string | undefined, completedOn: string | null, assessor: number | undefined) {
    const errors: string[] = [];
    if (!startedOn) errors.push("Started on can't be blank");
    if (startedOn && completedOn && completedOn < startedOn) errors.push('Completed on must be on or after Started on');
    if (assessor === undefined) errors.push("Assessed by user can't be blank");
    else if (!(await patients.activeUsers(tx, orgId, [assessor])).has(assessor)) errors.push('Assessed by user must be an active user of the clinic');
    if (errors.length) throw new ValidationError(errors);
  }

  return {
    /** `GET .../patients/{patient_id}/assessments`: newest start first. @throws NotFoundError `Patient not found`. */
    listAssessments(ctx: RequestContext, patientId: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const rows = await store.listAssessments(tx, orgId, patientId);
        await recordAudit(tx, ctx, { action: 'list', entityType: 'assessment', entityIds: rows.map((r) => r.id) });
        return rows.map(wire);
      });
    },

    /**
     * `POST .../assessments`: `started_on` required; `completed_on` on or after it; `assessed_by_user_id` defaults to
     * the caller. @throws NotFoundError `Patient not found`; ValidationError.
     */
    createAssessment(ctx: RequestContext, patientId: number, input: AssessmentInputWire) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const assessor = input.assessed_by_user_id ?? userId(ctx);
        await check(tx, orgId, input.started_on, input.completed_on ?? null, assessor);
        const id = await store.insertAssessment(tx, {
          organizationId: orgId, patientId, title: input.title?.trim() || null, startedOn: input.started_on!, completedOn: input.completed_on ?? null, assessedByUserId: assessor!,
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'assessment', entityIds: [id] });
        return wire((await store.findAssessment(tx, orgId, patientId, id))!);
      });
    },

    /** `PUT .../assessments/{id}`: omitted fields unchanged (e.g. only `completed_on` to complete it). @throws NotFoundError; ValidationError. */
    updateAssessment(ctx: RequestContext, patientId: number, id: number, input: AssessmentInputWire) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const current = await store.findAssessment(tx, orgId, patientId, id);
        if (!current) throw new NotFoundError(ASSESSMENT_NOT_FOUND);
        const startedOn = input.started_on ?? current.startedOn;
        const completedOn = input.completed_on === undefined ? current.completedOn : input.completed_on;
        const assessor = input.assessed_by_user_id ?? current.assessedByUserId;
        await check(tx, orgId, startedOn, completedOn, assessor);
        await store.updateAssessment(tx, orgId, patientId, id, {
          ...(input.title !== undefined && { title: input.title?.trim() || null }), startedOn, completedOn, assessedByUserId: assessor,
        });
        await recordAudit(tx, ctx, { action: 'update', entityType: 'assessment', entityIds: [id] });
        return wire((await store.findAssessment(tx, orgId, patientId, id))!);
      });
    },

    /** `DELETE .../assessments/{id}`. @throws NotFoundError. */
    deleteAssessment(ctx: RequestContext, patientId: number, id: number) {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        if (!(await store.deleteAssessment(tx, orgId, patientId, id))) throw new NotFoundError(ASSESSMENT_NOT_FOUND);
        await recordAudit(tx, ctx, { action: 'delete', entityType: 'assessment', entityIds: [id] });
      });
    },
  };
}

export type AssessmentService = ReturnType<typeof createAssessmentService>;
