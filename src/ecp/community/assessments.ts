/**
 * The Care Plan tab's assessments in the community workspace: the company's templates, completing an assessment that
 * sets the resident's level of care (seed 000: "by completing an assessment"; `levelOfCare.update` through the
 * residents service's one path, as the partner API's `POST /clinical/v1/resident/assessment` does), and the resident's
 * assessment history. Scoring, the table of levels, the event and the audit rows are the assessments service's; this
 * door adds its own rules: another company's resident or one outside `locationsAllowed` is 404, and the user who
 * completed the assessment is the signed-in one.
 */
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { PageRequest } from '../../platform/pagination.ts';
import type { AssessmentService } from '../assessments/service.ts';
import type { ResidentService, ResidentWithLocation } from '../residents/service.ts';
import type { NewCommunityAssessmentWire } from './assessments-schemas.ts';
import { communityResident } from './residents.ts';
import type { CommunityActor } from './service.ts';

type Ctx = RequestContext<CommunityActor>;

export function createCommunityAssessmentService({ residents, residentAssessments }: { residents: ResidentService; residentAssessments: AssessmentService }) {
  /** @throws NotFoundError `Resident not found` (also another company's, or at a location outside locationsAllowed). */
  async function find(ctx: Ctx, residentId: string): Promise<ResidentWithLocation> {
    const found = await residents.findResident(ctx.actor, residentId);
    if (!found) throw new NotFoundError('Resident not found');
    return found;
  }

  return {
    /** `GET /v1/community/assessment_templates`: the user's company's templates by name (questions, answers with points, levels). */
    async templates(ctx: Ctx) {
      return { templates: await residentAssessments.listTemplates(ctx.actor.organizationId) };
    },

    /**
     * `GET /v1/community/residents/{residentId}/assessments`: the resident's completed assessments, newest first, with
     * who completed each; `timeZone` is the location's. Audited (`list`, entity `assessment`).
     * @throws NotFoundError `Resident not found`.
     */
    async history(ctx: Ctx, residentId: string, page: PageRequest) {
      const found = await find(ctx, residentId);
      const { total, assessments } = await residentAssessments.historyOf(ctx, found.r.guid, page.perPage, page.offset);
      return {
        timeZone: ctx.actor.locations.find((l) => l.id === found.r.locationId)!.zone,
        total,
        assessments: assessments.map(({ residentId: _r, locationId: _l, ...a }) => a),
      };
    },

    /**
     * `POST /v1/community/residents/{residentId}/assessments`: records the assessment completed by the signed-in user;
     * its total score sets the level of care from the template's table (`levelOfCare.update`).
     * @returns the history entry and the resident as it now is.
     * @throws NotFoundError `Resident not found`; ValidationError as the partner API's (unknown template, answers,
     *   score in no range, `This resident is discharged`, a completion time in the future).
     */
    async complete(ctx: Ctx, residentId: string, input: NewCommunityAssessmentWire) {
      const found = await find(ctx, residentId);
      const done = await residentAssessments.createAssessment(ctx, { ...input, residentId: found.r.guid, userId: ctx.actor.id });
      const resident = await find(ctx, found.r.guid);
      return {
        assessment: {
          assessmentId: done.assessmentId, templateId: done.templateId, templateName: done.templateName, score: done.score, answers: done.answers,
          levelOfCare: { name: done.levelOfCare.name, amount: done.levelOfCare.amount, amountFrequency: done.levelOfCare.amountFrequency },
          loginName: ctx.actor.loginName, userId: ctx.actor.id, userName: ctx.actor.name, completedTimestamp: done.levelOfCare.effectiveTimestamp,
        },
        resident: communityResident(resident),
      };
    },
  };
}

export type CommunityAssessmentService = ReturnType<typeof createCommunityAssessmentService>;
