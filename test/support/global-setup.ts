/**
 * Starts one embedded PostgreSQL for the whole run and migrates a template
 * database `care_template`; each test file clones it (`test/support/app.ts`),
 * so files run in parallel and never share rows (ARCHITECTURE.md, "Testing"). The template holds the ICD-10-CM
 * code set the project ships (FY2026), imported once here as `care serve` imports it on a fresh database; a file
 * that tests syntax-only mode deletes it from its own clone.
 * Set TEST_DATABASE_URL to use an existing server instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { ICD10CM_BUNDLED_FILE, MIGRATIONS_FOLDER } from '../../src/root.ts';
import { openDatabase, withDatabase } from '../../src/db/pool.ts';
import { loadConfig } from '../../src/config.ts';
import { createIcd10cmService } from '../../src/ecp/codes/service.ts';
import { createJobs } from '../../src/platform/jobs.ts';
import { QUEUES } from '../../src/workers.ts';

export const TEMPLATE_DATABASE = 'care_template';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  let dataDir: string | undefined;
  let stop = async () => {};
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-test-'));
    fs.chmodSync(dataDir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
    adminUrl = embedded.connectionString;
    stop = embedded.stop;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  const templateUrl = withDatabase(adminUrl, TEMPLATE_DATABASE);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 1 });
  await runMigrations(pool, MIGRATIONS_FOLDER);
  await pool.end();
  const started = performance.now();
  const template = openDatabase(templateUrl, 1, () => {});
  await createIcd10cmService({ db: template.db, archiveLimits: loadConfig({ NODE_ENV: 'test' }).archiveLimits }).importIfMissing(ICD10CM_BUNDLED_FILE);
  await template.close();
  if (process.env.TEST_TIMINGS) process.stdout.write(`template: ICD-10-CM FY2026 imported in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
  // Install pg-boss's schema and queues once, in the template, so each file's clone has them.
  const jobs = createJobs({ connectionString: templateUrl, queues: QUEUES, pollSeconds: 2, log: { info: () => {}, error: () => {} } });
  await jobs.start();
  await jobs.stop(1_000);

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', TEMPLATE_DATABASE);

  return async () => {
    await stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
