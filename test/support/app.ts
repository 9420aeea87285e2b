/**
 * Test harness: a fresh database cloned from the migrated template for each
 * test file, the real services and the real Fastify app over it (requests go
 * through `app.inject`), and helpers that create clinics and users.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp, createServices, type Services } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, withDatabase, type Database } from '../../src/db/pool.ts';
import { systemContext, type Role } from '../../src/platform/context.ts';
import { createJobs, type Jobs } from '../../src/platform/jobs.ts';
import { createMailer, type Mailer } from '../../src/platform/mail.ts';
import { createTelephony } from '../../src/platform/telephony.ts';
import { QUEUES, startWorkers } from '../../src/workers.ts';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loggerOptions } from '../../src/platform/http.ts';

export interface TestContext {
  app: FastifyInstance;
  database: Database;
  jobs: Jobs;
  mailer: Mailer;
  services: Services;
  config: Config;
  /** The connection string of this file's database. */
  url: string;
  close(): Promise<void>;
}

/** Creates an empty database cloned from the migrated template; returns its URL. */
export async function cloneTemplateDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  await admin.end();
  return withDatabase(adminUrl, name);
}

const quiet = { info: () => {}, error: () => {} };

/**
 * A database, the job queue, the mailer (SMTP when `env.SMTP_URL` is set, else the sandbox), the services
 * and the app for one test file. `workers: true` also runs the job handlers in this process; `log` sends the app's
 * log lines (JSON, with the production redaction) at `level` to `stream`.
 */
export async function createTestContext(
  env: Record<string, string> = {},
  opts: { clock?: () => Date; workers?: boolean; log?: { level: string; stream: NodeJS.WritableStream } } = {},
): Promise<TestContext> {
  const url = await cloneTemplateDatabase();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, JOBS_POLL_SECONDS: '0.5', ...env });
  const database = openDatabase(url, 5, () => {});
  const jobs = createJobs({ connectionString: url, queues: QUEUES, pollSeconds: config.jobsPollSeconds, maintenanceSeconds: config.jobsMaintenanceSeconds, log: quiet });
  await jobs.start();
  const mailer = createMailer(config, database.db);
  const telephony = createTelephony(config, database.db);
  const services = createServices({ db: database.db, config, jobs, mailer, telephony, clock: opts.clock });
  if (opts.workers) await startWorkers({ jobs, services, config });
  // TEST_LOG_LEVEL=error shows what a 500 hid.
  const logger = opts.log
    ? pino({ ...loggerOptions(config), level: opts.log.level }, opts.log.stream)
    : pino({ ...loggerOptions(config), level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = await buildApp({ config, db: database.db, services, loggerInstance: logger });
  await app.ready();
  return {
    app,
    database,
    jobs,
    mailer,
    services,
    config,
    url,
    async close() {
      await app.close();
      await jobs.stop(5_000);
      mailer.close();
      await database.close();
    },
  };
}

export interface TestUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  token: string;
  organizationId: number;
}

export const TEST_PASSWORD = 'correct-horse-battery';

/** Creates (or finds) clinic `orgName` and a user in it with a fresh token. */
export async function createUser(services: Services, orgName: string, role: Role, name?: string, phone?: string): Promise<TestUser> {
  const org = await services.identity.ensureOrganization(orgName);
  const suffix = randomBytes(4).toString('hex');
  const user = await services.identity.createUser(systemContext(org.id, 'test'), {
    email: `${role}-${suffix}@${orgName.toLowerCase().replace(/\W+/g, '-')}.example.com`,
    name: name ?? `${role} ${suffix}`,
    role,
    password: TEST_PASSWORD,
    phone,
  });
  const token = await services.identity.issueToken(user.id, org.id);
  return { id: user.id, email: user.email, name: user.name, role, token, organizationId: org.id };
}

/** `app.inject` with the user's token and a JSON body. */
export function call(app: FastifyInstance, user: { token: string } | null, method: string, url: string, body?: unknown) {
  return app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(user ? { 'x-user-token': user.token } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
}
