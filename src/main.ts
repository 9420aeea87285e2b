/**
 * The `care` command line, the only process entry (STYLE.md rule 1):
 *
 *   care serve               HTTP API on PORT (what `npm start` runs)
 *   care demo [--json]       fill "Demo Clinic" with demo data; prints tokens
 *   care users create ...    create a clinic user; prints {"id", "token"}
 *   care ecm import-mif ...  import a Member Information File into a clinic
 *   care codes import icd10cm <file>  import a year of CMS's ICD-10-CM code set
 *   care db backup --out <file>       a consistent backup of the whole database, while it serves
 *   care db restore <file>            load a backup into an empty DATA_DIR or database
 *   care db backup-key                print a new BACKUP_ENCRYPTION_KEY
 *
 * Commands that print data take `--json` (stdout then carries only JSON; logs go
 * to stderr). Without `DATABASE_URL`, a command joins the embedded database of a
 * server running on the same `DATA_DIR`, or starts it for its own run.
 */
import { Command, Option } from 'commander';
import pino, { type Logger } from 'pino';
import { buildApp, createServices, type Services } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { connectDatabase, type DatabaseSettings, type PlatformDatabase } from './db/connect.ts';
import { ICD10CM_BUNDLED_FILE, MIGRATIONS_FOLDER, PROJECT_ROOT } from './root.ts';
import { ROLES, systemContext, type Role } from './platform/context.ts';
import { AppError } from './platform/errors.ts';
import { loggerOptions } from './platform/http.ts';
import { runDemoSeeders } from './platform/demo.ts';
import { organizations } from './db/schema.ts';
import { createJobs, type Jobs } from './platform/jobs.ts';
import { createMailer, type Mailer } from './platform/mail.ts';
import { createTelephony } from './platform/telephony.ts';
import { QUEUES, startWorkers } from './workers.ts';
import { registerEcpCommands } from './ecp/cli.ts';
import { registerTransferCommands } from './ecp/transfers/cli.ts';
import { registerAssessmentCommands } from './ecp/assessments/cli.ts';
import { importIcd10cmAtStart, registerCodeCommands } from './ecp/codes/cli.ts';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import fs from 'node:fs';
import path from 'node:path';
import { newBackupKey } from './platform/backup/format.ts';
import { createBackupSchedule } from './platform/backup/schedule.ts';

interface Platform {
  config: Config;
  log: Logger;
  database: PlatformDatabase;
  jobs: Jobs;
  mailer: Mailer;
  services: Services;
  /** Stops the job queue, the mailer and the database (in that order). */
  close(): Promise<void>;
}

/**
 * The demo seeders, loaded only when demo data is made: they pull in faker, which would otherwise add to every
 * start.
 */
async function loadDemoSeeders() {
  return (await import('./demo.ts')).demoSeeders;
}

function fail(message: string): never {
  process.stderr.write(`care: ${message}\n`);
  process.exit(1);
}

function configOrFail(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
    throw err;
  }
}

function loggerFor(config: Config, logToStderr: boolean): Logger {
  const opts = loggerOptions(config);
  return logToStderr ? pino({ ...opts, level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2)) : pino(opts);
}

/** The database settings of `config` (the migrations are the code's own). */
function databaseSettings(config: Config): DatabaseSettings {
  return { databaseUrl: config.databaseUrl, dataDir: config.dataDir, dbPoolMax: config.dbPoolMax, migrationsFolder: MIGRATIONS_FOLDER };
}

/** The platform's version (package.json), written into backups. */
function platformVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Runs `fn` on the database alone, without migrating it or starting the job queue (backup reads it as it is,
 * restore fills an empty one); errors with a sentence for the operator become one stderr line and exit 1.
 */
async function withBareDatabase(fn: (url: string, config: Config) => Promise<void>): Promise<void> {
  const config = configOrFail();
  const log = loggerFor(config, true);
  const database = await connectDatabase(databaseSettings(config), log, { migrate: false }).catch((err: Error) => fail(err.message));
  try {
    await fn(database.url, config);
  } catch (err) {
    await database.shutdown();
    // Refusals and damaged files carry their sentence; other errors (database, file system) their own message.
    fail(err instanceof Error ? err.message : String(err));
  }
  await database.shutdown();
}

/** Opens config, logger, database and services for one command; `logToStderr` keeps stdout for JSON. */
async function openPlatform(logToStderr: boolean): Promise<Platform> {
  const config = configOrFail();
  const log = loggerFor(config, logToStderr);
  for (const warning of config.warnings) log.warn(warning);
  const database = await connectDatabase(databaseSettings(config), log);
  const jobs = createJobs({ connectionString: database.url, queues: QUEUES, pollSeconds: config.jobsPollSeconds, maintenanceSeconds: config.jobsMaintenanceSeconds, log });
  try {
    await jobs.start();
  } catch (err) {
    await database.shutdown();
    throw err;
  }
  const mailer = createMailer(config, database.db);
  const telephony = createTelephony(config, database.db);
  const services = createServices({ db: database.db, config, jobs, mailer, telephony });
  return {
    config,
    log,
    database,
    jobs,
    mailer,
    services,
    async close() {
      await jobs.stop();
      mailer.close();
      await database.shutdown();
    },
  };
}

/** Runs `fn` on an opened platform and always closes it; AppErrors become one stderr line and exit 1. */
async function withPlatform(logToStderr: boolean, fn: (p: Platform) => Promise<void>): Promise<void> {
  const p = await openPlatform(logToStderr).catch((err: Error) => fail(err.message));
  try {
    await fn(p);
  } catch (err) {
    if (err instanceof AppError) {
      await p.close();
      fail(err.messages.join('; '));
    }
    throw err;
  }
  await p.close();
}

async function isEmpty(p: Platform): Promise<boolean> {
  const [{ count }] = await p.database.db.select({ count: sql<number>`count(*)::int` }).from(organizations);
  return count === 0;
}

function printDemoCredentials(out: Record<string, unknown>, baseUrl: string) {
  const lines = [
    '',
    'Demo Clinic is ready.',
    `  admin:        ${String(out.admin_email)} / ${String(out.password)}`,
    `  admin token:  ${String(out.admin_token)}`,
    `  coordinator:  ${String(out.coordinator_email)} / ${String(out.password)}`,
    `  coord. token: ${String(out.coordinator_token)}`,
    `  try:          curl -H 'X-User-Token: ${String(out.admin_token)}' ${baseUrl}/v1/admin/clinic/ecm/patients`,
    '',
  ];
  for (const w of (out.warnings as string[] | undefined) ?? []) lines.push(`  note: ${w}`, '');
  const ecp = out.ecp_client as { client_id: string; client_secret: string; client_secret_base64: string; api_key: string } | undefined;
  if (ecp) {
    lines.push(
      'ECP partner client of Evergreen Senior Living (every scope):',
      `  client_id:            ${ecp.client_id}`,
      `  client_secret:        ${ecp.client_secret}`,
      `  client_secret_base64: ${ecp.client_secret_base64}`,
      `  api_key:              ${ecp.api_key}`,
      `  locations:            ${(out.ecp_locations as string[] | undefined ?? []).join(', ')}`,
      `  staff loginNames:     ${(out.ecp_staff as string[] | undefined ?? []).join(', ')}`,
      `  try:                  TOKEN=$(curl -s ${baseUrl}/token -H 'content-type: application/json' -d '{"grant_type":"client_credentials","client_id":"${ecp.client_id}","client_secret":"${ecp.client_secret_base64}"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
      `                        curl ${baseUrl}/clinical/v1/location -H "auth-bearer: Bearer $TOKEN" -H 'authorization: Api-Key ${ecp.api_key}'`,
      '',
    );
  }
  const admin = out.community_admin as { loginName: string; password: string } | undefined;
  const nurse = out.community_nurse as { loginName: string; password: string } | undefined;
  if (admin && nurse) {
    const company = String(out.community_company);
    lines.push(
      `Community workspace of ${company} (company "${company}"):`,
      `  System Admin: ${admin.loginName} / ${admin.password}`,
      `  nurse:        ${nurse.loginName} / ${nurse.password}`,
      `  try:          curl -s ${baseUrl}/v1/community/auth/sign_in -H 'content-type: application/json' -d '{"company":"${company}","loginName":"${nurse.loginName}","password":"${nurse.password}"}'`,
      '',
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

type ProcessRole = 'all' | 'api' | 'worker';

async function serve(opts: { role: ProcessRole }): Promise<void> {
  const p = await openPlatform(false).catch((err: Error) => fail(err.message));
  const { config, log, database, services, jobs, mailer } = p;
  log.info({ role: opts.role, mail: mailer.kind }, mailer.kind === 'sandbox' ? 'mail: SMTP_URL unset, the sandbox mailbox records mail instead of sending it' : 'mail: SMTP');
  log.info({ telephony: services.telephony.kind }, services.telephony.kind === 'sandbox' ? 'telephony: Twilio settings unset, the sandbox provider records SMS and calls; nothing is really sent' : 'telephony: Twilio');
  let demo: Record<string, unknown> | undefined;
  if (database.embedded?.owned && config.demoSeed === 'auto' && (await isEmpty(p))) {
    log.info('empty embedded database: seeding demo data');
    demo = await runDemoSeeders(await loadDemoSeeders(), database.db, services, config);
  }
  try {
    await importIcd10cmAtStart(services.codes, { bundledFile: ICD10CM_BUNDLED_FILE, configuredFile: config.icd10cmFile }, log);
  } catch (err) {
    await p.close();
    fail(`ICD10CM_FILE: ${err instanceof AppError ? err.messages.join('; ') : (err as Error).message}`);
  }
  const backups = createBackupSchedule({
    db: database.db, pool: database.pool, dir: config.backupDir, keep: config.backupKeep, intervalHours: config.backupIntervalHours,
    key: config.backupEncryptionKey, platformVersion: platformVersion(), log,
  });
  if (config.backupIntervalHours > 0 && !config.backupEncryptionKey) log.warn({ dir: config.backupDir }, 'scheduled backups are not encrypted: set BACKUP_ENCRYPTION_KEY (`care db backup-key` prints one)');
  const workers = opts.role !== 'api' ? await startWorkers({ jobs, services, config, backups }) : undefined;
  // A first backup soon after start, not at the first tick: a new installation is covered at once.
  if (workers && config.backupIntervalHours > 0) setTimeout(() => void backups.runIfDue().catch((err: unknown) => log.error({ err }, 'scheduled backup failed')), 5_000).unref();
  if (opts.role === 'worker') {
    process.stdout.write('Care Platform worker is running (no HTTP).\n');
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info({ signal }, 'shutting down: finishing running jobs');
      await workers?.stop();
      await p.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    return;
  }
  const app = await buildApp({ config, db: database.db, services, loggerInstance: log, newestBackup: config.backupIntervalHours > 0 ? () => backups.newestGood() : undefined });

  let closing: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    closing = (async () => {
      try {
        await app.close();
        await workers?.stop();
        await p.close();
        log.info('stopped');
        process.exit(0);
      } catch (err) {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await p.close();
    fail(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  process.stdout.write(`\nCare Platform is listening on ${base}\n  API reference: ${base}/docs\n  OpenAPI:       ${base}/openapi.json\n`);
  // Start-up output ends up in log collectors: credentials appear only on a developer's own demo database.
  if (demo && config.nodeEnv === 'development') printDemoCredentials(demo, base);
  else if (demo) process.stdout.write(`  Demo data was seeded; its credentials are printed only when NODE_ENV=development (NODE_ENV is ${config.nodeEnv}).\n`);
  else if (database.embedded?.owned && config.demoSeed === 'auto') {
    process.stdout.write('  Demo data was seeded on first start; run `npx care demo` for fresh demo tokens.\n');
  }
}

/** Builds the `care` program (exported for tests of argument handling). */
export function buildProgram(): Command {
  const program = new Command('care')
    .description('Care Platform: ECM clinic API and ECP partner API on PostgreSQL')
    .showHelpAfterError();

  program
    .command('serve')
    .description('start the HTTP API and the job workers (embedded PostgreSQL unless DATABASE_URL is set; seeds demo data into an empty embedded database)')
    .addOption(new Option('--role <role>', 'all: API and workers; api: HTTP only; worker: jobs only').choices(['all', 'api', 'worker']).default('all'))
    .action(serve);

  program
    .command('demo')
    .description('fill the organization "Demo Clinic" with demo data (idempotent) and print demo credentials and fresh tokens')
    .option('--json', 'print {"admin_token", "coordinator_token", "admin_email", "password", "patient_ids"} as JSON only')
    .action(async (opts: { json?: boolean }) => {
      await withPlatform(true, async (p) => {
        const out = await runDemoSeeders(await loadDemoSeeders(), p.database.db, p.services, p.config);
        if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
        else printDemoCredentials(out, p.config.publicUrl);
      });
    });

  const users = program.command('users').description('manage clinic users');
  users
    .command('create')
    .description('create a user (and the organization, if it does not exist) and print a token for it')
    .requiredOption('--org <name>', 'organization, by its exact name')
    .requiredOption('--email <email>', 'sign-in email (unique)')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .option('--phone <phone>', 'phone number (any common format; stored as E.164)')
    .option('--json', 'print {"id", "token"} as JSON only')
    .action(async (opts: { org: string; email: string; name: string; role: Role; password: string; phone?: string; json?: boolean }) => {
      await withPlatform(true, async (p) => {
        const org = await p.services.identity.ensureOrganization(opts.org);
        const ctx = systemContext(org.id, 'care users create');
        const user = await p.services.identity.createUser(ctx, {
          email: opts.email,
          name: opts.name,
          role: opts.role,
          password: opts.password,
          phone: opts.phone,
        });
        const token = await p.services.identity.issueToken(user.id, org.id);
        if (opts.json) process.stdout.write(JSON.stringify({ id: user.id, token }) + '\n');
        else process.stdout.write(`Created ${user.role} ${user.email} (id ${user.id}) in "${org.name}".\nToken: ${token}\n`);
      });
    });

  const ecm = program.command('ecm').description('ECM clinic operations');
  ecm
    .command('import-mif')
    .description('import a Member Information File (CSV or tab-separated, XML, XLSX) into a clinic, as POST /v1/admin/clinic/ecm/mifs does; progress on stderr')
    .argument('<file>', 'the file to import')
    .requiredOption('--org <name>', 'organization, by its exact name')
    .addOption(new Option('--file-type <type>', 'file type (detected from the name and content when omitted)').choices(['csv', 'xml', 'xlsx', 'xlsm']))
    .option('--json', 'print only the import record as JSON (no progress bar)')
    .action(async (file: string, opts: { org: string; fileType?: 'csv' | 'xml' | 'xlsx' | 'xlsm'; json?: boolean }) => {
      const { importMifCommand } = await import('./ecm/imports/cli.ts');
      await withPlatform(true, (p) => importMifCommand(p.services, { file, ...opts }));
    });

  const db = program.command('db').description('back up and restore the whole database');
  db
    .command('backup')
    .description('write a consistent backup of the whole database (one snapshot, while the server runs and serves writes): compressed, encrypted with BACKUP_ENCRYPTION_KEY when set; progress on stderr')
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--json', 'print {"file", "bytes", "tables", "rows", "migrations", "seconds"} as JSON only')
    .action(async (opts: { out: string; json?: boolean }) => {
      const { backupCommand } = await import('./platform/backup/cli.ts');
      await withBareDatabase((url, config) => backupCommand({ connectionString: url, out: opts.out, key: config.backupEncryptionKey, platformVersion: platformVersion(), json: opts.json }));
    });
  db
    .command('restore')
    .description('restore a backup into an empty DATA_DIR (or the empty database at DATABASE_URL); refuses a non-empty target, a wrong key, a damaged file and a newer schema')
    .argument('<file>', 'the backup file')
    .option('--json', 'print {"file", "tables", "rows", "migrations", "seconds", "created_at"} as JSON only')
    .action(async (file: string, opts: { json?: boolean }) => {
      if (!fs.existsSync(file)) fail(`no backup file at ${file}`);
      const { restoreCommand } = await import('./platform/backup/cli.ts');
      await withBareDatabase((url, config) => restoreCommand({ connectionString: url, file, key: config.backupEncryptionKey, migrations: readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }), json: opts.json }));
    });
  db
    .command('backup-key')
    .description('print a new random BACKUP_ENCRYPTION_KEY (32 bytes, base64); keep it apart from the backups: without it they cannot be read')
    .action(() => {
      process.stdout.write(newBackupKey() + '\n');
    });

  registerEcpCommands(program, (fn) => withPlatform(true, (p) => fn(p.services)));
  const ecp = program.commands.find((c) => c.name() === 'ecp')!;
  registerTransferCommands(ecp, (fn) => withPlatform(true, (p) => fn(p.services)));
  registerAssessmentCommands(ecp, (fn) => withPlatform(true, (p) => fn(p.services)));
  registerCodeCommands(program, (fn) => withPlatform(true, (p) => fn(p.services)));

  return program;
}

/** Entry of `bin/care.js`. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}
