/**
 * Resident assessments (issue item "level of care set by completing an assessment"; seed 000: the level of care
 * changes "manually ... or by completing an assessment", event levelOfCare.update): a company's template maps the
 * total score to a level of care by a table of score ranges; POST records the assessment and sets the level with the
 * same webhook PUT /resident/level-of-care sends (delivered to a real receiver that verifies the signature); GET
 * lists assessments and templates; other companies reach none of it; a transfer takes the assessments along.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { auditEvents } from '../../src/db/schema.ts';
import { systemContext } from '../../src/platform/context.ts';
import { PROJECT_ROOT as ROOT } from '../../src/root.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor, type Partner } from '../support/ecp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let t: TestContext;
let rx: WebhookReceiver;
let ours: Partner;
let other: Partner;
const creds: Record<string, { token: string; apiKey: string }> = {};
const AL = 'Evergreen Assisted Living';
let templateId: string;
let otherTemplateId: string;
let residentId: string;
let otherResident: string;

const TEMPLATE = {
  name: 'Care Needs',
  questions: [
    { questionId: 'bathing', text: 'Bathing', choices: [{ answer: 'Independent', points: 0 }, { answer: 'Help', points: 3 }] },
    { questionId: 'mobility', text: 'Mobility', choices: [{ answer: 'Independent', points: 0 }, { answer: 'Walker', points: 2 }, { answer: 'Wheelchair', points: 4 }] },
  ],
  levels: [
    { minScore: 0, maxScore: 2, name: 'Level 1', amount: 1200, amountFrequency: 'Monthly' },
    { minScore: 3, maxScore: 5, name: 'Level 2', amount: 1500.5, amountFrequency: 'Monthly' },
    { minScore: 6, maxScore: 7, name: 'Level 3', amount: 95, amountFrequency: 'Daily' },
    { minScore: 8, maxScore: 20, name: 'Level 4', amount: 100, amountFrequency: 'Daily', amountPerExtraPoint: 2.5 },
  ],
};

beforeAll(async () => {
  rx = await startWebhookReceiver();
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0s,1s', WEBHOOK_TIMEOUT_MS: '3000' }, { workers: true });
  ours = await createPartner(t, 'Evergreen Senior Living', [AL]);
  other = await createPartner(t, 'Other Living', ['Other Place']);
  for (const [name, p] of [['ours', ours], ['other', other]] as const) creds[name] = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  const hook = await clinical(t.app, creds.ours, 'POST', '/clinical/v1/webhook', { callbackUrl: rx.url('/ours'), eventNames: ['levelOfCare.update'] });
  expect(hook.statusCode, hook.body).toBe(200);
  rx.secrets.push(hook.json().secret);
  const orgOf = async (name: string) => (await t.services.identity.findOrganizationByName(name))!.id;
  templateId = (await t.services.residentAssessments.defineTemplate(systemContext(0, 'test'), await orgOf('Evergreen Senior Living'), TEMPLATE)).templateId;
  otherTemplateId = (await t.services.residentAssessments.defineTemplate(systemContext(0, 'test'), await orgOf('Other Living'), { ...TEMPLATE, name: 'Other Needs' })).templateId;
  await insertEcpUser(t, ours, 'nurse.ann');
  await insertEcpUser(t, ours, 'gone.gus', { active: false });
  await insertEcpUser(t, other, 'nurse.oz');
  residentId = await createResident(t.app, creds.ours, { firstName: 'Ada', lastName: 'Assessed', dateOfBirth: '1940-01-01', locationId: AL });
  otherResident = await createResident(t.app, creds.other, { firstName: 'Oscar', lastName: 'Other', dateOfBirth: '1941-01-01', locationId: 'Other Place' });
});
afterAll(async () => {
  await t.services.webhooks.stopDispatcher();
  await t.close();
  await rx.close();
});

/** The next delivery to `/ours`, its signature verified, parsed. */
async function nextEvent(): Promise<Record<string, any>> {
  const [r] = await rx.take(1, { path: '/ours' });
  return JSON.parse(r.body);
}

const post = (who: string, body: unknown) => clinical(t.app, creds[who], 'POST', '/clinical/v1/resident/assessment', body);
const get = (who: string, url: string) => clinical(t.app, creds[who], 'GET', url);

describe('POST /clinical/v1/resident/assessment', () => {
  it('scores the answers, sets the level of care from the table, and sends levelOfCare.update as PUT level-of-care does', async () => {
    const byHand = await clinical(t.app, creds.ours, 'PUT', '/clinical/v1/resident/level-of-care', { residentId, name: 'Custom', amount: 999, amountFrequency: 'Daily' });
    expect(byHand.json(), byHand.body).toEqual({ result: 'Success', residentId });
    const manual = await nextEvent();

    const res = await post('ours', {
      residentId, templateId, loginName: 'nurse.ann', completedTimestamp: '2026-01-05T10:00:00Z',
      answers: [{ questionId: 'bathing', answer: 'help' }, { questionId: 'mobility', answer: 'Walker' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      result: 'Success', assessmentId: expect.stringMatching(/^[0-9A-F-]{36}$/), residentId, score: 5,
      levelOfCare: { name: 'Level 2', amount: 1500.5, amountFrequency: 'Monthly', effectiveTimestamp: expect.stringMatching(/^2026-01-05T10:00:00/) },
    });
    const event = await nextEvent();
    expect(event).toMatchObject({ eventName: 'levelOfCare.update', locationId: ours.locations[0].locationId, dataFormat: 'JSON', version: manual.version });
    expect(Object.keys(event).sort()).toEqual(Object.keys(manual).sort());
    expect(event.data).toEqual({ levelOfCare: { residentId, name: 'Level 2', amount: 1500.5, amountFrequency: 'Monthly', effectiveTimestamp: expect.stringMatching(/^2026-01-05T10:00:00/) } });
    expect(Object.keys(event.data.levelOfCare).sort()).toEqual(Object.keys(manual.data.levelOfCare).sort());

    const listed = (await get('ours', `/clinical/v1/resident?location=${encodeURIComponent(AL)}`)).json().data.find((r: { residentId: string }) => r.residentId === residentId);
    expect(listed.levelOfCare).toMatchObject({ name: 'Level 2', amount: 1500.5, amountFrequency: 'Monthly' });

    const audits = await t.database.db.select().from(auditEvents).where(sql`${auditEvents.entityIds} @> ARRAY[${body.assessmentId}]::text[]`);
    expect(audits.map((a) => [a.action, a.entityType])).toEqual([['create', 'assessment']]);
    const loc = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'resident.levelOfCare'), sql`${auditEvents.entityIds} @> ARRAY[${residentId}]::text[]`));
    expect(loc).toHaveLength(2);

    // Staff may still set the level by hand afterwards.
    const again = await clinical(t.app, creds.ours, 'PUT', '/clinical/v1/resident/level-of-care', { residentId, name: 'Level 3', amount: 95, amountFrequency: 'Daily' });
    expect(again.statusCode).toBe(200);
    expect((await nextEvent()).data.levelOfCare).toMatchObject({ name: 'Level 3', amount: 95 });
  });

  it('takes a whole score and the template by name, the user by userId; lists assessments and templates', async () => {
    const user = await insertEcpUser(t, ours, 'bob.nurse');
    const res = await post('ours', { residentId, templateId: 'care needs', userId: user.guid, score: 7 });
    expect(res.json(), res.body).toMatchObject({ result: 'Success', score: 7, levelOfCare: { name: 'Level 3', amount: 95, amountFrequency: 'Daily' } });
    expect((await nextEvent()).data.levelOfCare).toMatchObject({ name: 'Level 3', amountFrequency: 'Daily' });

    // A point overage: 3 points above Level 4's minimum at 2.50 each is in the amount (seed 000: "point overages").
    const over = await post('ours', { residentId, templateId, loginName: 'nurse.ann', score: 11, completedTimestamp: '2026-01-01T00:00:00Z' });
    expect(over.json(), over.body).toMatchObject({ score: 11, levelOfCare: { name: 'Level 4', amount: 107.5, amountFrequency: 'Daily' } });
    expect((await nextEvent()).data.levelOfCare).toMatchObject({ name: 'Level 4', amount: 107.5, amountFrequency: 'Daily' });

    const list = await get('ours', `/clinical/v1/resident/assessment?residentId=${residentId}`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().numberOfResults).toBe(3);
    const [newest, oldest, overage] = list.json().data;
    expect(overage).toMatchObject({ score: 11, levelOfCare: { name: 'Level 4', amount: 107.5, amountFrequency: 'Daily' } });
    expect(newest).toMatchObject({ assessmentId: res.json().assessmentId, residentId, locationId: ours.locations[0].locationId, templateId, templateName: 'Care Needs', score: 7, answers: null, loginName: 'bob.nurse', userId: user.guid });
    expect(oldest).toMatchObject({
      score: 5, loginName: 'nurse.ann', completedTimestamp: expect.stringMatching(/^2026-01-05T10:00:00/),
      answers: [{ questionId: 'bathing', answer: 'Help', points: 3 }, { questionId: 'mobility', answer: 'Walker', points: 2 }],
      levelOfCare: { name: 'Level 2', amount: 1500.5, amountFrequency: 'Monthly' },
    });
    expect((await get('ours', `/clinical/v1/resident/assessment?location=${encodeURIComponent(AL)}`)).json().numberOfResults).toBe(3);
    const listAudit = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'list'), eq(auditEvents.entityType, 'assessment')));
    expect(listAudit.length).toBeGreaterThanOrEqual(2);

    const templates = await get('ours', '/clinical/v1/resident/assessment/template');
    expect(templates.json(), templates.body).toEqual({ result: 'Success', data: [{ templateId, name: 'Care Needs', description: null, questions: TEMPLATE.questions, levels: TEMPLATE.levels }] });
  });

  it('answers 400 in the seed\'s Error shape for each problem', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ residentId, templateId, loginName: 'nurse.ann' }, /answers or score is required/],
      [{ residentId, templateId, loginName: 'nurse.ann', score: 1, answers: [] }, /Send answers or score, not both/],
      [{ residentId, templateId: 'No Such', loginName: 'nurse.ann', score: 1 }, /No assessment template with templateId No Such/],
      [{ residentId, templateId, loginName: 'nurse.ann', answers: [{ questionId: 'bathing', answer: 'Sometimes' }, { questionId: 'mobility', answer: 'Walker' }] }, /Sometimes is not an answer of question bathing/],
      [{ residentId, templateId, loginName: 'nurse.ann', answers: [{ questionId: 'bathing', answer: 'Help' }] }, /no answer to mobility/],
      [{ residentId, templateId, loginName: 'nurse.ann', answers: [{ questionId: 'bathing', answer: 'Help' }, { questionId: 'bathing', answer: 'Help' }, { questionId: 'mobility', answer: 'Walker' }] }, /answered twice/],
      [{ residentId, templateId, loginName: 'nurse.ann', answers: [{ questionId: 'eating', answer: 'Help' }, { questionId: 'bathing', answer: 'Help' }, { questionId: 'mobility', answer: 'Walker' }] }, /has no question eating/],
      [{ residentId, templateId, loginName: 'nurse.ann', score: 21 }, /score 21 is in no level of care range of template Care Needs \(0-2, 3-5, 6-7, 8-20\)/],
      [{ residentId, templateId, loginName: 'gone.gus', score: 1 }, /gone\.gus/],
      [{ residentId, templateId, loginName: 'nobody.here', score: 1 }, /nobody\.here/],
      [{ residentId, templateId, loginName: 'nurse.ann', score: 1, completedTimestamp: '2999-01-01T00:00:00Z' }, /completedTimestamp cannot be in the future/],
      [{ residentId, templateId, loginName: 'nurse.ann', score: 1, completedTimestamp: 'yesterday' }, /completedTimestamp/],
      [{ templateId, loginName: 'nurse.ann', score: 1 }, /residentId is required/],
      [{ residentId, loginName: 'nurse.ann', score: 1 }, /templateId is required/],
      [{ residentId, templateId, loginName: 'nurse.ann', score: -1 }, /score/],
    ];
    for (const [body, error] of cases) {
      const res = await post('ours', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.json())).toEqual(['result', 'error']);
      expect(res.json().result).toBe('Error');
      expect(res.json().error, JSON.stringify(body)).toMatch(error);
    }
    const discharged = await createResident(t.app, creds.ours, { firstName: 'Dee', lastName: 'Parted', dateOfBirth: '1930-01-01', locationId: AL });
    expect((await clinical(t.app, creds.ours, 'DELETE', '/clinical/v1/resident', { residentId: discharged })).statusCode).toBe(200);
    expect((await post('ours', { residentId: discharged, templateId, loginName: 'nurse.ann', score: 1 })).json()).toEqual({ result: 'Error', error: 'This resident is discharged' });
    const bad = await get('ours', '/clinical/v1/resident/assessment?location=Nowhere');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().result).toBe('Error');
  });

  it('keeps companies apart: another company\'s template, resident and assessments are out of reach, and scopes apply', async () => {
    const before = (await get('ours', `/clinical/v1/resident/assessment?residentId=${residentId}`)).json();
    const foreignTemplate = await post('ours', { residentId, templateId: otherTemplateId, loginName: 'nurse.ann', score: 1 });
    expect(foreignTemplate.json()).toEqual({ result: 'Error', error: `No assessment template with templateId ${otherTemplateId}` });
    expect((await post('ours', { residentId, templateId: 'Other Needs', loginName: 'nurse.ann', score: 1 })).json().error).toBe('No assessment template with templateId Other Needs');
    const foreignResident = await post('other', { residentId, templateId: otherTemplateId, loginName: 'nurse.oz', score: 1 });
    expect(foreignResident.statusCode).toBe(400);
    expect(foreignResident.json().error).toMatch(/residentId/);
    const nowhere = await post('other', { residentId: '11111111-2222-3333-4444-555555555555', templateId: otherTemplateId, loginName: 'nurse.oz', score: 1 });
    expect(foreignResident.json().error.replace(residentId, 'X')).toBe(nowhere.json().error.replace('11111111-2222-3333-4444-555555555555', 'X'));
    const theirList = await get('other', `/clinical/v1/resident/assessment?residentId=${residentId}`);
    expect(theirList.json()).toEqual({ result: 'Success', numberOfResults: 0, data: [] });
    expect((await get('other', `/clinical/v1/resident/assessment?location=${encodeURIComponent(AL)}`)).statusCode).toBe(400);
    expect((await get('other', '/clinical/v1/resident/assessment/template')).json().data.map((x: { name: string }) => x.name)).toEqual(['Other Needs']);
    expect((await get('ours', `/clinical/v1/resident/assessment?residentId=${residentId}`)).json()).toEqual(before);
    expect((await post('other', { residentId: otherResident, templateId: otherTemplateId, loginName: 'nurse.oz', score: 0 })).statusCode).toBe(200);

    const readOnly = { token: await tokenFor(t.app, ours, 'resident.read'), apiKey: ours.api_key };
    expect((await clinical(t.app, readOnly, 'POST', '/clinical/v1/resident/assessment', { residentId, templateId, loginName: 'nurse.ann', score: 1 })).statusCode).toBe(403);
    expect((await clinical(t.app, readOnly, 'GET', '/clinical/v1/resident/assessment')).statusCode).toBe(200);
    const writeOnly = { token: await tokenFor(t.app, ours, 'resident.write'), apiKey: ours.api_key };
    expect((await clinical(t.app, writeOnly, 'GET', '/clinical/v1/resident/assessment')).statusCode).toBe(403);
  });

  it('moves a resident\'s assessments along with a transfer; the receiving company sees them without the sender\'s template id', async () => {
    const moving = await createResident(t.app, creds.ours, { firstName: 'Mo', lastName: 'Ving', dateOfBirth: '1935-01-01', locationId: AL });
    expect((await post('ours', { residentId: moving, templateId, loginName: 'nurse.ann', score: 0 })).statusCode).toBe(200);
    await nextEvent();
    const r = await t.services.transfers.transferResident(systemContext(0, 'test'), moving, other.locations[0].locationId);
    expect(r.assessments).toBe(1);
    expect((await get('ours', `/clinical/v1/resident/assessment?residentId=${moving}`)).json().numberOfResults).toBe(0);
    const theirs = (await get('other', `/clinical/v1/resident/assessment?residentId=${moving}`)).json();
    expect(theirs.data).toEqual([expect.objectContaining({ residentId: moving, locationId: other.locations[0].locationId, templateId: null, templateName: 'Care Needs', score: 0 })]);
  });
});

describe('assessment templates', () => {
  it('refuses overlapping ranges, a duplicate name without replace, and keeps the templateId on replace', async () => {
    const org = (await t.services.identity.findOrganizationByName('Evergreen Senior Living'))!.id;
    const ctx = systemContext(0, 'test');
    await expect(t.services.residentAssessments.defineTemplate(ctx, org, { name: 'Bad', levels: [{ minScore: 0, maxScore: 5, name: 'A' }, { minScore: 5, maxScore: 9, name: 'B' }] }))
      .rejects.toThrow(/overlap/);
    await expect(t.services.residentAssessments.defineTemplate(ctx, org, { name: 'Bad', levels: [{ minScore: 6, maxScore: 5, name: 'A' }] })).rejects.toThrow(/above maxScore/);
    await expect(t.services.residentAssessments.defineTemplate(ctx, org, { name: 'Bad', levels: [] })).rejects.toThrow(/not valid/);
    await expect(t.services.residentAssessments.defineTemplate(ctx, org, { name: 'Bad', levels: [{ minScore: 0, maxScore: 5, name: 'A', amountPerExtraPoint: 1 }] })).rejects.toThrow(/needs an amount/);
    await expect(t.services.residentAssessments.defineTemplate(ctx, org, TEMPLATE)).rejects.toThrow(/replace/);
    const replaced = await t.services.residentAssessments.defineTemplate(ctx, org, { ...TEMPLATE, levels: [{ minScore: 0, maxScore: 100, name: 'Only' }] }, { replace: true });
    expect(replaced.templateId).toBe(templateId);
    expect(replaced.levels).toEqual([{ minScore: 0, maxScore: 100, name: 'Only' }]);
  });

  it('`care ecp assessments define-template --company <name> --file <json>` defines one, `templates` lists them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assessment-'));
    const file = path.join(dir, 'template.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'Cli Needs', levels: [{ minScore: 0, maxScore: 10, name: 'Basic', amount: 10, amountFrequency: 'Daily' }] }));
    const run = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/care.js'), 'ecp', 'assessments', ...args], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test' },
    });
    const out = run(['define-template', '--company', 'Evergreen Senior Living', '--file', file, '--json']);
    expect(out.status, out.stderr).toBe(0);
    const made = JSON.parse(out.stdout);
    expect(made).toMatchObject({ name: 'Cli Needs', questions: [], levels: [{ name: 'Basic' }] });
    const listed = run(['templates', '--company', 'Evergreen Senior Living']);
    expect(listed.stdout).toContain(`${made.templateId}  Cli Needs  (0-10 Basic)`);
    const again = run(['define-template', '--company', 'Evergreen Senior Living', '--file', file]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('--replace');
    const nobody = run(['templates', '--company', 'No Such Company']);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toContain('No company named No Such Company');
    fs.rmSync(dir, { recursive: true });
  }, 90_000);
});
