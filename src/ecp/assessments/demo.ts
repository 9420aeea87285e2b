/**
 * Demo seeder of ECP assessments: the demo company's assessment template (`DEMO_ASSESSMENT_TEMPLATE`), defined
 * through the assessment service. Idempotent (defined only while the company has no template).
 */
import type { DemoSeeder } from '../../platform/demo.ts';
import { systemContext } from '../../platform/context.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { DEMO_COMPANY } from '../clients/demo.ts';
import type { AssessmentService } from './service.ts';

/**
 * The demo company's assessment template: five activities of daily living, 0 to 3 points each; the total (0-15)
 * picks Level 1, 2 or 3, the levels (and monthly charges) the demo residents already carry.
 */
export const DEMO_ASSESSMENT_TEMPLATE = {
  name: 'Evergreen Care Needs Assessment',
  description: 'Five activities of daily living, each scored 0 (independent) to 3 (total assistance).',
  questions: [
    ['bathing', 'Bathing'], ['dressing', 'Dressing'], ['mobility', 'Mobility and transfers'], ['medication', 'Medication management'], ['cognition', 'Cognition and memory'],
  ].map(([questionId, text]) => ({
    questionId, text,
    choices: [{ answer: 'Independent', points: 0 }, { answer: 'Cueing', points: 1 }, { answer: 'Hands-on help', points: 2 }, { answer: 'Total assistance', points: 3 }],
  })),
  levels: [
    { minScore: 0, maxScore: 4, name: 'Level 1', amount: 1200, amountFrequency: 'Monthly' as const },
    { minScore: 5, maxScore: 9, name: 'Level 2', amount: 1500, amountFrequency: 'Monthly' as const },
    { minScore: 10, maxScore: 15, name: 'Level 3', amount: 2100, amountFrequency: 'Monthly' as const },
  ],
};

export const ecpAssessmentSeeder: DemoSeeder<{ identity: IdentityService; residentAssessments: AssessmentService }> = {
  name: 'ecp-assessments',
  async run({ services }) {
    const org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    if (!org) return {};
    if (!(await services.residentAssessments.listTemplates(org.id)).length) {
      await services.residentAssessments.defineTemplate(systemContext(org.id, 'care demo'), org.id, DEMO_ASSESSMENT_TEMPLATE);
    }
    return {};
  },
};
