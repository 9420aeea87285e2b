/**
 * Wire schemas of resident assessments (beyond seed 000, in its style: camelCase, GUIDs, `result`): the template a
 * company defines (through the CLI for now), `POST /clinical/v1/resident/assessment` and its `GET` list.
 */
import { Type, type Static } from 'typebox';
import { InstantText, Nullable } from '../../platform/schema.ts';
import { AMOUNT_FREQUENCIES } from '../residents/schemas.ts';

const Points = Type.Integer({ minimum: 0, maximum: 10_000 });

/** One level of care of a template's table: the inclusive score range it covers and what it sets. */
export const AssessmentLevel = Type.Object({
  minScore: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Lowest total score of the range (inclusive).' }),
  maxScore: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Highest total score of the range (inclusive).' }),
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Name of the level of care ("Level 2").' }),
  amount: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1_000_000, description: 'Recurring charge in dollars with cents.' }))),
  amountFrequency: Type.Optional(Nullable(Type.Enum(AMOUNT_FREQUENCIES))),
  amountPerExtraPoint: Type.Optional(Type.Number({
    minimum: 0, maximum: 100_000,
    description: 'Point overage (seed 000: "point overages that led to extra recurring cost"): dollars added to `amount` for each point of the score above `minScore`. Needs an amount.',
  })),
}, { additionalProperties: false });

/** A question of a template: the answers it offers, each worth its points. */
export const AssessmentQuestion = Type.Object({
  questionId: Type.String({ minLength: 1, maxLength: 60, description: 'Key of the question within the template ("bathing").' }),
  text: Type.String({ minLength: 1, maxLength: 300 }),
  choices: Type.Array(Type.Object({
    answer: Type.String({ minLength: 1, maxLength: 100 }),
    points: Points,
  }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
}, { additionalProperties: false });

/** A template definition (the CLI's `--file`): questions optional (the score is then entered whole). */
export const AssessmentTemplateInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  questions: Type.Optional(Type.Array(AssessmentQuestion, { maxItems: 100 })),
  levels: Type.Array(AssessmentLevel, { minItems: 1, maxItems: 50 }),
}, { additionalProperties: false });
export type AssessmentTemplateInputWire = Static<typeof AssessmentTemplateInput>;
export type AssessmentLevelWire = Static<typeof AssessmentLevel>;
export type AssessmentQuestionWire = Static<typeof AssessmentQuestion>;

const Answer = Type.Object({
  questionId: Type.String({ minLength: 1, maxLength: 60 }),
  answer: Type.String({ minLength: 1, maxLength: 100, description: 'One of the question\'s choices.' }),
});

/** `POST /clinical/v1/resident/assessment`. */
export const NewAssessment = Type.Object({
  residentId: Type.String({ minLength: 1, maxLength: 36, description: 'GUID of the resident.' }),
  templateId: Type.String({ minLength: 1, maxLength: 100, description: "The company's assessment template: its GUID or its name." }),
  answers: Type.Optional(Type.Array(Answer, { maxItems: 100, description: 'One answer per question of the template; the score is the sum of their points. Send answers or score.' })),
  score: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'The total score, when the assessment was scored elsewhere. Send answers or score.' })),
  userId: Type.Optional(Type.String({ maxLength: 36, description: 'GUID of the ECP user who completed the assessment (or loginName).' })),
  loginName: Type.Optional(Type.String({ maxLength: 25, description: 'Login name of the ECP user who completed the assessment (or userId).' })),
  completedTimestamp: Type.Optional(InstantText({ description: 'When the assessment was completed, ISO 8601 (default now); without an offset the location\'s local time, a date alone the start of that day there. The level of care takes effect then.' })),
});
export type NewAssessmentWire = Static<typeof NewAssessment>;

const LevelOfCareOut = Type.Object({
  name: Type.String(),
  amount: Nullable(Type.Number({ description: 'Dollars with cents.' })),
  amountFrequency: Nullable(Type.String({ description: 'Monthly or Daily.' })),
  effectiveTimestamp: Type.String({ description: 'ISO 8601: the completion time.' }),
});

export const AssessmentCreated = Type.Object({
  result: Type.Literal('Success'),
  assessmentId: Type.String({ description: 'GUID of the assessment.' }),
  residentId: Type.String(),
  score: Type.Integer(),
  levelOfCare: LevelOfCareOut,
});

/** `GET /clinical/v1/resident/assessment`: filters and page. */
export const AssessmentQuery = Type.Object({
  location: Type.Optional(Type.String({ maxLength: 60, description: 'Location name or GUID (or locationId); omitted: every location the client reaches.' })),
  locationId: Type.Optional(Type.String({ maxLength: 60, description: 'Location GUID (or name).' })),
  residentId: Type.Optional(Type.String({ maxLength: 36, description: "One resident's assessments." })),
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page of 100, from 1 (default 1); newest first.' })),
});
export type AssessmentQueryWire = Static<typeof AssessmentQuery>;

export const AssessmentList = Type.Object({
  result: Type.Literal('Success'),
  numberOfResults: Type.Integer({ description: 'Assessments matching, over every page.' }),
  data: Type.Array(Type.Object({
    assessmentId: Type.String(),
    residentId: Type.String(),
    locationId: Type.String(),
    templateId: Nullable(Type.String({ description: 'The template GUID; null when the template is another company\'s (an assessment made before a transfer).' })),
    templateName: Type.String({ description: 'The template\'s name when the assessment was completed.' }),
    score: Type.Integer(),
    answers: Nullable(Type.Array(Type.Object({ questionId: Type.String(), answer: Type.String(), points: Type.Integer() }), { description: 'null when the score was entered whole.' })),
    levelOfCare: Type.Object({ name: Type.String(), amount: Nullable(Type.Number()), amountFrequency: Nullable(Type.String()) }),
    loginName: Type.String({ description: 'The ECP user who completed it.' }),
    userId: Type.String(),
    completedTimestamp: Type.String({ description: 'ISO 8601.' }),
  })),
});

/** `GET /clinical/v1/resident/assessment/template`: the company's templates. */
export const AssessmentTemplateList = Type.Object({
  result: Type.Literal('Success'),
  data: Type.Array(Type.Object({
    templateId: Type.String({ description: 'GUID of the template (POST assessment takes it, or the name).' }),
    name: Type.String(),
    description: Nullable(Type.String()),
    questions: Type.Array(AssessmentQuestion, { description: 'Empty: the score is entered whole.' }),
    levels: Type.Array(AssessmentLevel, { description: 'The table of score ranges, each the level of care it sets.' }),
  })),
});
