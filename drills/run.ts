/**
 * `npm run drills`: the fault drills of issue 8, each against a PostgreSQL server no API process owns
 * (`drills/postgres.ts`), printing what it did and its counts; exits 1 when a drill loses data, duplicates beyond
 * the documented at-least-once webhook redelivery, or answers any other way than documented.
 *
 *   npm run drills                      every drill, long form
 *   npm run drills -- --short           every drill, the short form `npm test` runs
 *   npm run drills -- api-sigkill ...   only the named drills
 */
import path from 'node:path';
import { apiKillDrill } from './api-kill.ts';
import { backupRestoreDrill } from './backup-restore.ts';
import { databaseStopDrill } from './database-stop.ts';
import { manyProcessesDrill } from './many-processes.ts';
import { startDrillPostgres, type DrillPostgres } from './postgres.ts';
import { providersDrill } from './providers.ts';
import { formatReport, passed, type DrillReport } from './support.ts';
import { webhookWorkerKillDrill } from './webhook-worker-kill.ts';

type Scale = 'short' | 'long';

/** Every drill by name, with its long and short settings. */
export const DRILLS: Record<string, (pg: DrillPostgres, scale: Scale) => Promise<DrillReport>> = {
  'webhook-worker-sigkill': (pg, s) => webhookWorkerKillDrill(pg, s === 'long' ? { residents: 1000, receiverDelayMs: 50 } : { residents: 60, receiverDelayMs: 100 }),
  'api-sigkill': (pg, s) => apiKillDrill(pg, s === 'long' ? { seconds: 40, clients: 8, kills: 4 } : { seconds: 3, clients: 4, kills: 1 }),
  'database-stop': (pg, s) => databaseStopDrill(pg, s === 'long' ? { downSeconds: 10, aroundSeconds: 8, clients: 8 } : { downSeconds: 3, aroundSeconds: 1.5, clients: 4 }),
  'providers-down': (pg, s) => providersDrill(pg, s === 'long' ? { sms: 60, emails: 30 } : { sms: 6, emails: 3 }),
  'backup-restore': (pg, s) => backupRestoreDrill(pg, s === 'long' ? { clients: 8, aroundSeconds: 10 } : { clients: 8, aroundSeconds: 1.5 }),
  'two-apis-two-workers': (pg, s) => manyProcessesDrill(pg, s === 'long' ? { residents: 1000, emails: 500 } : { residents: 30, emails: 10 }),
};

async function main() {
  const args = process.argv.slice(2);
  const scale: Scale = args.includes('--short') ? 'short' : 'long';
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in DRILLS));
  if (unknown.length) {
    process.stderr.write(`unknown drill ${unknown.join(', ')}; known: ${Object.keys(DRILLS).join(', ')}\n`);
    process.exit(2);
  }
  const pg = await startDrillPostgres();
  const cleanup = () => pg.destroy();
  process.on('SIGINT', () => { cleanup(); process.exit(130); });
  process.stdout.write(`fault drills (${scale}) on PostgreSQL from ${pg.binDir}\n\n`);
  const reports: DrillReport[] = [];
  try {
    for (const name of names.length ? names : Object.keys(DRILLS)) {
      const t0 = Date.now();
      let report: DrillReport;
      try {
        report = await DRILLS[name](pg, scale);
      } catch (err) {
        report = { drill: name, did: 'crashed', sent: 0, succeeded: 0, failedClearly: 0, failedBadly: 1, lost: 0, duplicates: 0, notes: [String((err as Error).stack ?? err)] };
      }
      report.notes.push(`took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      reports.push(report);
      process.stdout.write(formatReport(report) + '\n\n');
    }
  } finally {
    cleanup();
  }
  const failed = reports.filter((r) => !passed(r));
  process.stdout.write(`${reports.length - failed.length} of ${reports.length} drills passed${failed.length ? `; failed: ${failed.map((r) => r.drill).join(', ')}` : ''}\n`);
  process.exit(failed.length ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) await main();
