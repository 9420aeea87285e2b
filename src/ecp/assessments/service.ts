/**
 * Resident assessments (beyond seed 000, which names the level of care but not how it is reached): a company
 * defines templates whose total score maps to a level of care by a table of score ranges; completing an assessment
 * sets the resident's level of care from that table through the one path of `PUT /resident/level-of-care`
 * (`ResidentService.setLevelOfCare`: same audit row, same `levelOfCare.update` event), effective at the completion
 * time. Staff may still set the level by hand afterwards; the next assessment sets it again.
 */
import { Value } from 'typebox/value';
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import type { EcpActor, PartnerActor } from '../auth.ts';
import type { ResidentService } from '../residents/service.ts';
import { newGuid } from '../shared/ids.ts';
import { ECP_PAGE_SIZE, locationParam } from '../shared/params.ts';
import type { LocationService } from '../locations/service.ts';
import { resolveRecordingUser } from '../users/service.ts';
import {
  AssessmentTemplateInput, type AssessmentLevelWire, type AssessmentQueryWire, type AssessmentQuestionWire, type AssessmentTemplateInputWire,
  type NewAssessmentWire,
} from './schemas.ts';
import * as store from './store.ts';
import type { TemplateRow } from './store.ts';

/** An answer as stored: the choice and the points it carried. */
export interface ScoredAnswer {
  questionId: string;
  answer: string;
  points: number;
}

/**
 * The problems of a template definition (empty when it is sound): a range whose minimum exceeds its maximum, two
 * ranges that overlap, a questionId used twice, an answer offered twice by one question.
 */
export function templateProblems(t: AssessmentTemplateInputWire): string[] {
  const problems: string[] = [];
  const levels = [...t.levels].sort((a, b) => a.minScore - b.minScore);
  for (const l of levels) {
    if (l.minScore > l.maxScore) problems.push(`level ${l.name}: minScore ${l.minScore} is above maxScore ${l.maxScore}`);
    if (l.amountPerExtraPoint !== undefined && (l.amount === undefined || l.amount === null)) problems.push(`level ${l.name}: amountPerExtraPoint needs an amount`);
  }
  for (let i = 1; i < levels.length; i++) {
    if (levels[i].minScore <= levels[i - 1].maxScore) {
      problems.push(`levels ${levels[i - 1].name} (${levels[i - 1].minScore}-${levels[i - 1].maxScore}) and ${levels[i].name} (${levels[i].minScore}-${levels[i].maxScore}) overlap`);
    }
  }
  const ids = new Set<string>();
  for (const q of t.questions ?? []) {
    if (ids.has(q.questionId)) problems.push(`questionId ${q.questionId} is used twice`);
    ids.add(q.questionId);
    const answers = new Set<string>();
    for (const c of q.choices) {
      if (answers.has(c.answer.toLowerCase())) problems.push(`question ${q.questionId} offers the answer ${c.answer} twice`);
      answers.add(c.answer.toLowerCase());
    }
  }
  return problems;
}

/**
 * The total score of an assessment: the given `score`, or the sum of the points of the chosen answers (one per
 * question of the template, each one of its choices, case-insensitive).
 * @throws ValidationError naming what is missing, unknown or given twice.
 */
export function scoreOf(questions: AssessmentQuestionWire[], input: { answers?: Array<{ questionId: string; answer: string }>; score?: number }) {
  if (input.answers !== undefined && input.score !== undefined) throw new ValidationError(['Send answers or score, not both']);
  if (input.answers === undefined) {
    if (input.score === undefined) throw new ValidationError(['answers or score is required']);
    return { score: input.score, answers: null };
  }
  if (!questions.length) throw new ValidationError(['answers: this template has no questions; send score']);
  const problems: string[] = [];
  const scored: ScoredAnswer[] = [];
  for (const a of input.answers) {
    const q = questions.find((x) => x.questionId === a.questionId.trim());
    if (!q) {
      problems.push(`answers: the template has no question ${a.questionId}`);
      continue;
    }
    if (scored.some((s) => s.questionId === q.questionId)) {
      problems.push(`answers: question ${q.questionId} is answered twice`);
      continue;
    }
    const choice = q.choices.find((c) => c.answer.toLowerCase() === a.answer.trim().toLowerCase());
    if (!choice) problems.push(`answers: ${a.answer} is not an answer of question ${q.questionId} (${q.choices.map((c) => c.answer).join(', ')})`);
    else scored.push({ questionId: q.questionId, answer: choice.answer, points: choice.points });
  }
  const missing = questions.filter((q) => !input.answers!.some((a) => a.questionId.trim() === q.questionId)).map((q) => q.questionId);
  if (missing.length) problems.push(`answers: no answer to ${missing.join(', ')}`);
  if (problems.length) throw new ValidationError([problems.join('; ')]);
  return { score: scored.reduce((n, s) => n + s.points, 0), answers: scored };
}

/** The level of care an assessment sets: `amount` in dollars (cents rounded), overage included, or null. */
export interface AssessedLevel {
  name: string;
  amount: number | null;
  amountFrequency: 'Monthly' | 'Daily' | null;
}

/**
 * The level of care of `score` in a template's table of ranges (inclusive): its name and frequency, and its amount
 * plus the point overage (`amountPerExtraPoint` for each point above the range's `minScore`; seed 000's levelOfCare
 * amount "reflects" point overages), rounded to cents.
 * @throws ValidationError when no range holds the score.
 */
export function levelFor(template: { name: string; levels: AssessmentLevelWire[] }, score: number): AssessedLevel {
  const level = template.levels.find((l) => l.minScore <= score && score <= l.maxScore);
  if (!level) {
    const ranges = [...template.levels].sort((a, b) => a.minScore - b.minScore).map((l) => `${l.minScore}-${l.maxScore}`).join(', ');
    throw new ValidationError([`score ${score} is in no level of care range of template ${template.name} (${ranges})`]);
  }
  const base = level.amount ?? null;
  const amount = base === null ? null : Math.round((base + (score - level.minScore) * (level.amountPerExtraPoint ?? 0)) * 100) / 100;
  return { name: level.name, amount, amountFrequency: level.amountFrequency ?? null };
}

const templateWire = (t: TemplateRow) => ({
  templateId: t.guid, name: t.name, description: t.description, questions: t.questions as AssessmentQuestionWire[], levels: t.levels as AssessmentLevelWire[],
});

export function createAssessmentService({ db, residents, locations, clock = () => new Date() }: {
  db: Db;
  residents: ResidentService;
  locations: LocationService;
  clock?: () => Date;
}) {
  return {
    /**
     * Defines (or, with `replace`, redefines: same GUID, assessments already made keep their score and level) a
     * template of the company `organizationId`. `input` is checked against `AssessmentTemplateInput` here, since it
     * comes from a file.
     * @returns the template as stored.
     * @throws ValidationError a malformed definition, overlapping ranges, a name in use without `replace`.
     */
    async defineTemplate(ctx: RequestContext, organizationId: number, input: unknown, opts: { replace?: boolean } = {}) {
      if (!Value.Check(AssessmentTemplateInput, input)) {
        const first = [...Value.Errors(AssessmentTemplateInput, input)].slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
        throw new ValidationError([`The template is not valid: ${first.join('; ')}`]);
      }
      const problems = templateProblems(input);
      if (problems.length) throw new ValidationError([problems.join('; ')]);
      return db.transaction(async (tx) => {
        const existing = await store.templateOf(tx, organizationId, input.name.trim());
        if (existing && !opts.replace) throw new ValidationError([`The company has a template named ${existing.name} already (${existing.guid}); replace it with --replace`]);
        const values = { name: input.name.trim(), description: input.description ?? null, questions: input.questions ?? [], levels: input.levels };
        const row = existing ? await store.replaceTemplate(tx, existing.id, values, clock()) : await store.insertTemplate(tx, { organizationId, guid: newGuid(), ...values });
        await recordAudit(tx, { ...ctx, actor: { ...ctx.actor, organizationId } }, { action: existing ? 'update' : 'create', entityType: 'assessment_template', entityIds: [row.guid] });
        return templateWire(row);
      });
    },

    /** The templates of the company `organizationId`, by name. */
    async listTemplates(organizationId: number) {
      return (await store.templatesOf(db, organizationId)).map(templateWire);
    },

    /** `GET /clinical/v1/resident/assessment/template`: the templates of the client's company, by name. */
    async listTemplatesFor(ctx: RequestContext<PartnerActor>) {
      return { result: 'Success' as const, data: (await store.templatesOf(db, ctx.actor.organizationId)).map(templateWire) };
    },

    /**
     * `POST /clinical/v1/resident/assessment` and the workspace's Care Plan tab: records a completed assessment and sets the resident's level of care
     * from the template's table (event `levelOfCare.update`, effective at `completedTimestamp`).
     * @returns `{result: "Success", assessmentId, residentId, score, levelOfCare}` (and `templateId`, `templateName`, `answers`).
     * @throws ValidationError unknown template (another company's too), answers or score problems, a score in no
     *   range, unknown or discharged resident, unknown or inactive user.
     */
    async createAssessment(ctx: RequestContext<EcpActor>, input: NewAssessmentWire) {
      const template = await store.templateOf(db, ctx.actor.organizationId, input.templateId.trim());
      if (!template) throw new ValidationError([`No assessment template with templateId ${input.templateId.trim()}`]);
      const { score, answers } = scoreOf(template.questions as AssessmentQuestionWire[], input);
      const level = levelFor({ name: template.name, levels: template.levels as AssessmentLevelWire[] }, score);
      return db.transaction(async (tx: Executor) => {
        const resident = await residents.setLevelOfCare(tx, ctx, input.residentId, {
          name: level.name, amount: level.amount, amountFrequency: level.amountFrequency,
          effectiveAt: input.completedTimestamp ? { text: input.completedTimestamp, field: 'completedTimestamp' } : clock(),
        });
        const completedAt = resident.levelOfCareEffectiveAt!;
        if (completedAt.getTime() > clock().getTime() + 5 * 60_000) throw new ValidationError(['completedTimestamp cannot be in the future']);
        const location = ctx.actor.locations.find((l) => l.id === resident.locationId)!;
        const user = await resolveRecordingUser(tx, location, { userId: input.userId, loginName: input.loginName });
        const row = await store.insertAssessment(tx, {
          organizationId: resident.organizationId, locationId: resident.locationId, residentId: resident.id, templateId: template.id, userId: user.id,
          guid: newGuid(), templateName: template.name, answers, score, levelOfCareName: level.name,
          levelOfCareAmount: level.amount === null ? null : level.amount.toFixed(2),
          levelOfCareAmountFrequency: level.amountFrequency, completedAt,
        });
        await recordAudit(tx, ctx, { action: 'create', entityType: 'assessment', entityIds: [row.guid, resident.guid] });
        return {
          result: 'Success' as const, assessmentId: row.guid, residentId: resident.guid, score,
          levelOfCare: { ...level, effectiveTimestamp: ecpTimestamp(completedAt) },
          // For the workspace's history entry; the partner response's schema leaves them out.
          templateId: template.guid, templateName: template.name, answers,
        };
      });
    },

    /**
     * `GET /clinical/v1/resident/assessment`: assessments at the reachable locations (or the one named), optionally of
     * one resident, newest first, 100 a page. A resident the client does not reach lists nothing.
     * @throws ValidationError `location is invalid`.
     */
    async listAssessments(ctx: RequestContext<PartnerActor>, query: AssessmentQueryWire) {
      const locationIds = query.location || query.locationId
        ? [(await locations.resolve(ctx.actor, locationParam(query))).id]
        : ctx.actor.locationIds;
      if (!locationIds.length) return { result: 'Success' as const, numberOfResults: 0, data: [] };
      const page = query.page ?? 1;
      const { total, rows } = await store.assessmentPage(db, {
        locationIds, residentGuid: query.residentId ? query.residentId.trim().toUpperCase() : undefined,
      }, ECP_PAGE_SIZE, (page - 1) * ECP_PAGE_SIZE);
      const data = rows.map(({ userFirstName: _first, userLastName: _last, ...row }) => assessmentWire(row));
      await recordAudit(db, ctx, { action: 'list', entityType: 'assessment', entityIds: [...new Set(data.map((d) => d.residentId))] });
      return { result: 'Success' as const, numberOfResults: total, data };
    },

    /**
     * The assessment history of the resident `residentGuid` (upper case) at the actor's locations, newest first, `limit`
     * from `offset`, each with the name of the user who completed it (the workspace's Care Plan tab); one audit row
     * (`list`, entity `assessment`, the resident's GUID).
     * @returns the total and the page, in the partner list's shape plus `userName`.
     */
    async historyOf(ctx: RequestContext<EcpActor>, residentGuid: string, limit: number, offset: number) {
      const { total, rows } = await store.assessmentPage(db, { locationIds: ctx.actor.locationIds, residentGuid }, limit, offset);
      await recordAudit(db, ctx, { action: 'list', entityType: 'assessment', entityIds: [residentGuid] });
      return { total, assessments: rows.map(({ userFirstName, userLastName, ...row }) => ({ ...assessmentWire(row), userName: `${userFirstName} ${userLastName}` })) };
    },
  };
}

export type AssessmentService = ReturnType<typeof createAssessmentService>;

/** A stored assessment on the wire: GUIDs, answers with their points, the level of care it set, ISO 8601 completion time. */
function assessmentWire({ a, residentGuid, locationGuid, templateGuid, loginName, userGuid }: Omit<Awaited<ReturnType<typeof store.assessmentPage>>['rows'][number], 'userFirstName' | 'userLastName'>) {
  return {
    assessmentId: a.guid, residentId: residentGuid, locationId: locationGuid, templateId: templateGuid, templateName: a.templateName, score: a.score,
    answers: a.answers as ScoredAnswer[] | null,
    levelOfCare: { name: a.levelOfCareName, amount: a.levelOfCareAmount === null ? null : Number(a.levelOfCareAmount), amountFrequency: a.levelOfCareAmountFrequency },
    loginName, userId: userGuid, completedTimestamp: ecpTimestamp(a.completedAt),
  };
}

/**
 * A resident's assessments follow it to another company's location (the transfer between ECP accounts), inside the
 * caller's transaction; each keeps the name of the template it was made with. @returns how many moved.
 */
export function moveResidentAssessments(tx: Executor, residentId: number, organizationId: number, locationId: number): Promise<number> {
  return store.moveResidentAssessments(tx, residentId, organizationId, locationId);
}
