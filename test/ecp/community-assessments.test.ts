/**
 * The community workspace's Care Plan assessments (`/v1/community/assessment_templates`,
 * `/v1/community/residents/{residentId}/assessments`): the company's templates; completing an assessment by the
 * signed-in user sets the resident's level of care from the template's table (the partner API's rules and
 * sentences, 422); the history, newest first, partners' assessments too, with who completed each and the location's
 * time zone. Another company's resident and one outside `locationsAllowed` are 404; reads and changes are audited.
 * The `levelOfCare.update` webhook itself: community-assessment-webhooks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../../src/db/schema.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { community, clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let token: string;
let creds: { token: string; apiKey: string };
let templateId: string;
let foreignTemplateId: string;
const COMPANY = 'Evergreen Senior Living';
const ids: Record<string, string> = {};

const TEMPLATE = {
  name: 'Care Needs',
  questions: [
    { questionId: 'bathing', text: 'Bathing', choices: [{ answer: 'Independent', points: 0 }, { answer: 'Hands-on help', points: 2 }, { answer: 'Total assistance', points: 3 }] },
    { questionId: 'mobility', text: 'Mobility', choices: [{ answer: 'Independent', points: 0 }, { answer: 'Hands-on help', points: 2 }, { answer: 'Total assistance', points: 3 }] },
  ],
  levels: [
    { minScore: 0, maxScore: 1, name: 'Level 1', amount: 1200, amountFrequency: 'Monthly' as const },
    { minScore: 2, maxScore: 4, name: 'Level 2', amount: 1500, amountFrequency: 'Monthly' as const, amountPerExtraPoint: 25 },
    { minScore: 5, maxScore: 6, name: 'Level 3', amount: 2100, amountFrequency: 'Monthly' as const },
  ],
};

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, COMPANY, ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  other = await createPartner(t, 'Other Senior Living', ['Other Meadows']);
  const [assisted, memory] = p.locations;
  await t.services.partnerClients.setLocationTimeZone(assisted.locationId, 'America/New_York');
  await insertEcpUser(t, p, 'nurse', { locationGuids: [assisted.locationId] });
  await insertEcpUser(t, p, 'partnernurse');
  await t.services.communityAuth.setPassword(systemContext(0, 'test'), COMPANY, 'nurse', 'nurse-password-1', { mustChange: false });
  const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: COMPANY, loginName: 'nurse', password: 'nurse-password-1' } });
  token = res.json().token;
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  const org = (await t.services.identity.findOrganizationByName(COMPANY))!.id;
  const otherOrg = (await t.services.identity.findOrganizationByName('Other Senior Living'))!.id;
  templateId = (await t.services.residentAssessments.defineTemplate(systemContext(org, 'test'), org, TEMPLATE)).templateId;
  foreignTemplateId = (await t.services.residentAssessments.defineTemplate(systemContext(otherOrg, 'test'), otherOrg, { ...TEMPLATE, name: 'Foreign Needs' })).templateId;
  ids.ada = await createResident(t.app, creds, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1935-12-10', locationId: assisted.locationId });
  ids.gone = await createResident(t.app, creds, { firstName: 'Gus', lastName: 'Gone', dateOfBirth: '1930-01-01', locationId: assisted.locationId });
  ids.memory = await createResident(t.app, creds, { firstName: 'Mem', lastName: 'Elsewhere', dateOfBirth: '1932-02-02', locationId: memory.locationId });
  ids.foreign = await createResident(t.app, otherCreds, { firstName: 'Fay', lastName: 'Foreign', dateOfBirth: '1933-03-03', locationId: other.locations[0].locationId });
  expect((await call('POST', `/v1/community/residents/${ids.gone}/discharge`)).statusCode).toBe(200);
});
afterAll(() => t.close());

function call(method: string, url: string, body?: unknown) {
  return community(t.app, token, method, url, body);
}

const answers = (bathing: string, mobility: string) => [{ questionId: 'bathing', answer: bathing }, { questionId: 'mobility', answer: mobility }];

describe('GET /v1/community/assessment_templates', () => {
  it('lists the user\'s company\'s templates only', async () => {
    const res = await call('GET', '/v1/community/assessment_templates');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().templates).toHaveLength(1);
    expect(res.json().templates[0]).toMatchObject({ templateId, name: 'Care Needs', questions: TEMPLATE.questions, levels: TEMPLATE.levels });
  });
});

describe('POST /v1/community/residents/{residentId}/assessments', () => {
  it('sets the level of care from the answers\' score, completed by the signed-in user, audited', async () => {
    const res = await call('POST', `/v1/community/residents/${ids.ada}/assessments`, { templateId, answers: answers('Hands-on help', 'Total assistance') });
    expect(res.statusCode, res.body).toBe(201);
    const { assessment, resident } = res.json();
    // Score 5 is Level 3.
    expect(assessment).toMatchObject({
      templateId, templateName: 'Care Needs', score: 5, levelOfCare: { name: 'Level 3', amount: 2100, amountFrequency: 'Monthly' },
      loginName: 'nurse', userName: 'nurse Staff',
      answers: [{ questionId: 'bathing', answer: 'Hands-on help', points: 2 }, { questionId: 'mobility', answer: 'Total assistance', points: 3 }],
    });
    expect(resident).toMatchObject({ residentId: ids.ada, levelOfCare: { name: 'Level 3', amount: 2100, amountFrequency: 'Monthly', effectiveTimestamp: assessment.completedTimestamp } });
    expect(Date.now() - Date.parse(assessment.completedTimestamp)).toBeLessThan(60_000);
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.actorType, 'ecp_user'), eq(auditEvents.action, 'create'), eq(auditEvents.entityType, 'assessment')));
    expect(rows).toHaveLength(1);
    expect(rows[0].entityIds).toEqual([assessment.assessmentId, ids.ada]);
  });

  it('takes a whole score, a template by name and an offset-less completion time in the location\'s zone (point overage priced)', async () => {
    const res = await call('POST', `/v1/community/residents/${ids.ada}/assessments`, { templateId: 'care needs', score: 4, completedTimestamp: '2026-03-02T09:00' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().assessment).toMatchObject({ score: 4, answers: null, levelOfCare: { name: 'Level 2', amount: 1550 }, completedTimestamp: '2026-03-02T14:00:00.000+00:00' });
  });

  it('answers 422 with the assessments service\'s sentences', async () => {
    const cases: Array<[string, unknown, string[]]> = [
      [ids.ada, { templateId: foreignTemplateId, score: 1 }, [`No assessment template with templateId ${foreignTemplateId}`]],
      [ids.ada, { templateId }, ['answers or score is required']],
      [ids.ada, { templateId, answers: [{ questionId: 'bathing', answer: 'Sometimes' }] }, ['answers: Sometimes is not an answer of question bathing (Independent, Hands-on help, Total assistance); answers: no answer to mobility']],
      [ids.ada, { templateId, score: 9 }, ['score 9 is in no level of care range of template Care Needs (0-1, 2-4, 5-6)']],
      [ids.ada, { score: 1 }, ['templateId is required']],
      [ids.gone, { templateId, score: 1 }, ['This resident is discharged']],
    ];
    for (const [id, body, errors] of cases) {
      const res = await call('POST', `/v1/community/residents/${id}/assessments`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json(), JSON.stringify(body)).toEqual({ errors });
    }
  });

  it('answers 404 for another company\'s resident, one outside locationsAllowed and an unknown id', async () => {
    for (const id of [ids.foreign, ids.memory, '00000000-0000-0000-0000-000000000000']) {
      const res = await call('POST', `/v1/community/residents/${id}/assessments`, { templateId, score: 1 });
      expect(res.statusCode, id).toBe(404);
      expect(res.json()).toEqual({ errors: ['Resident not found'] });
    }
  });
});

describe('GET /v1/community/residents/{residentId}/assessments', () => {
  it('lists the history newest first, a partner\'s assessment too, with who completed each, paginated and audited', async () => {
    const partner = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/assessment', {
      residentId: ids.ada, templateId, score: 0, loginName: 'partnernurse', completedTimestamp: '2026-02-01T10:00:00Z',
    });
    expect(partner.statusCode, partner.body).toBe(200);
    const res = await call('GET', `/v1/community/residents/${ids.ada}/assessments`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.timeZone).toBe('America/New_York');
    expect(body.pagination).toEqual({ current_page: 1, total_pages: 1, total_count: 3, per_page: 25 });
    expect(body.assessments.map((a: { score: number; loginName: string; userName: string; levelOfCare: { name: string } }) => [a.score, a.levelOfCare.name, a.loginName, a.userName])).toEqual([
      [5, 'Level 3', 'nurse', 'nurse Staff'], [4, 'Level 2', 'nurse', 'nurse Staff'], [0, 'Level 1', 'partnernurse', 'partnernurse Staff'],
    ]);
    expect(body.assessments[0]).not.toHaveProperty('residentId');
    const page2 = await call('GET', `/v1/community/residents/${ids.ada}/assessments?per_page=2&page=2`);
    expect(page2.json().assessments.map((a: { score: number }) => a.score)).toEqual([0]);
    const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.actorType, 'ecp_user'), eq(auditEvents.action, 'list'), eq(auditEvents.entityType, 'assessment')));
    expect(rows.at(-1)?.entityIds).toEqual([ids.ada]);
  });

  it('answers 404 for residents out of reach (no audit row), 422 for a bad page', async () => {
    const before = (await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityType, 'assessment'))).length;
    for (const id of [ids.foreign, ids.memory, 'x'.repeat(40)]) {
      const res = await call('GET', `/v1/community/residents/${id}/assessments`);
      expect(res.statusCode, id).toBe(404);
      expect(res.json()).toEqual({ errors: ['Resident not found'] });
    }
    expect((await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityType, 'assessment'))).length).toBe(before);
    const bad = await call('GET', `/v1/community/residents/${ids.ada}/assessments?page=0`);
    expect(bad.statusCode).toBe(422);
  });
});
