/**
 * `care ecp assessments ...`: the operator defines a company's assessment templates (the community workspace will
 * call the same service function).
 *
 *   care ecp assessments define-template --company <name> --file <template.json> [--replace] [--json]
 *   care ecp assessments templates --company <name> [--json]
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { systemContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import type { RunWithServices } from '../cli.ts';
import type { AssessmentService } from './service.ts';

async function companyId(identity: IdentityService, name: string): Promise<number> {
  const org = await identity.findOrganizationByName(name);
  if (!org) throw new ValidationError([`No company named ${name}`]);
  return org.id;
}

/** Adds `assessments define-template` and `assessments templates` under the `ecp` command `ecp`. */
export function registerAssessmentCommands(ecp: Command, run: RunWithServices<{ residentAssessments: AssessmentService; identity: IdentityService }>): void {
  const assessments = ecp.command('assessments').description('ECP assessment templates (a total score mapped to a level of care)');
  assessments
    .command('define-template')
    .description('define a company\'s assessment template from a JSON file: {name, description?, questions?: [{questionId, text, choices: [{answer, points}]}], '
      + 'levels: [{minScore, maxScore, name, amount?, amountFrequency?}]}; ranges inclusive and disjoint')
    .requiredOption('--company <name>', 'company (organization), by its exact name')
    .requiredOption('--file <path>', 'the template as JSON')
    .option('--replace', 'replace the company\'s template of the same name (its templateId stays)')
    .option('--json', 'print the template as JSON only')
    .action(async (o: { company: string; file: string; replace?: boolean; json?: boolean }) => {
      await run(async (s) => {
        let input: unknown;
        try {
          input = JSON.parse(fs.readFileSync(o.file, 'utf8'));
        } catch (e) {
          throw new ValidationError([`Cannot read ${o.file} as JSON: ${(e as Error).message}`]);
        }
        const t = await s.residentAssessments.defineTemplate(systemContext(0, 'care ecp assessments define-template'), await companyId(s.identity, o.company), input, { replace: o.replace });
        process.stdout.write(o.json ? JSON.stringify(t) + '\n'
          : `Template "${t.name}" (${t.templateId}): ${t.questions.length} questions, ${t.levels.length} levels of care\n`);
      });
    });
  assessments
    .command('templates')
    .description('list a company\'s assessment templates')
    .requiredOption('--company <name>', 'company (organization), by its exact name')
    .option('--json', 'print the templates as JSON only')
    .action(async (o: { company: string; json?: boolean }) => {
      await run(async (s) => {
        const list = await s.residentAssessments.listTemplates(await companyId(s.identity, o.company));
        process.stdout.write(o.json ? JSON.stringify(list) + '\n'
          : list.map((t) => `${t.templateId}  ${t.name}  (${t.levels.map((l) => `${l.minScore}-${l.maxScore} ${l.name}`).join(', ')})`).join('\n') + '\n');
      });
    });
}
