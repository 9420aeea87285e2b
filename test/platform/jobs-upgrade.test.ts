/**
 * The upgrade from pg-boss 10: a database the previous release made (its job queue in schema `pgboss`) with jobs
 * pending in every state an upgrade can meet, then this release's job queue started on it by two processes at once,
 * while a process of the previous release keeps enqueueing (a rolling upgrade). Every pending job runs once, with
 * its id, payload, retry count and start time kept.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/pool.ts';
import { ACTIVITY_EMAIL_QUEUE } from '../../src/ecm/activities/jobs.ts';
import { RECONCILE_QUEUE, SANDBOX_PROGRESS_QUEUE } from '../../src/ecm/communications/jobs.ts';
import { AUTHORIZATION_EXPIRY_QUEUE } from '../../src/ecm/imports/jobs.ts';
import { createJobs, type JobDefinition, type Jobs } from '../../src/platform/jobs.ts';
import { QUEUES } from '../../src/workers.ts';
import { cloneTemplateDatabase } from '../support/app.ts';
import { startPreviousReleaseJobs, type PreviousReleaseJobs } from '../support/pg-boss-10.ts';
import { waitUntil } from '../support/wait.ts';

const email = { name: ACTIVITY_EMAIL_QUEUE, retry: { limit: 3, delaySeconds: 1, backoff: true } };
const reconcile = { name: RECONCILE_QUEUE, retry: { limit: 10, delaySeconds: 2, backoff: true } };
const progress = { name: SANDBOX_PROGRESS_QUEUE, retry: { limit: 3, delaySeconds: 1, backoff: true } };
const expiry = { name: AUTHORIZATION_EXPIRY_QUEUE, retry: { limit: 3, delaySeconds: 300, backoff: true } };

interface Run { queue: string; id: string; data: unknown; retryCount: number; at: number }

describe('upgrade from pg-boss 10', () => {
  let url: string;
  let database: Database;
  let old: PreviousReleaseJobs;
  const current: Jobs[] = [];
  const runs: Run[] = [];
  const ids: Record<string, string> = {};
  let reconcileStartAfter = 0;

  const send = <T extends object>(def: typeof email, data: T, opts?: { startAfterSeconds?: number; expireInSeconds?: number }) =>
    database.db.transaction(async (tx) => (await old.send(tx, def, data, opts))!);

  beforeAll(async () => {
    url = await cloneTemplateDatabase();
    // The template has this release's job queue; a database of the previous release has pg-boss 10's only.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('DROP SCHEMA job_queue CASCADE');
    await admin.end();
    database = openDatabase(url, 4, () => {});
    old = await startPreviousReleaseJobs(url, QUEUES);

    // A send that failed once: back in `retry`, its count raised when it is next taken.
    ids.failedOnce = await send(email, { organizationId: 1, activityId: 103 });
    const [failing] = await old.boss.fetch(ACTIVITY_EMAIL_QUEUE);
    await old.boss.fail(ACTIVITY_EMAIL_QUEUE, failing.id, { message: '451 Mailbox temporarily unavailable' });
    // A handler whose process was killed: `active` past its expiry.
    ids.killed = await send(progress, { organizationId: 1, kind: 'sms', id: 7 }, { expireInSeconds: 1 });
    await old.boss.fetch(SANDBOX_PROGRESS_QUEUE);
    // A handler of the previous release still at work (it finishes there), and a finished job.
    ids.running = await send(reconcile, { organizationId: 1, kind: 'call', id: 9 }, { expireInSeconds: 900 });
    await old.boss.fetch(RECONCILE_QUEUE);
    ids.done = await send(expiry, {});
    const [done] = await old.boss.fetch(AUTHORIZATION_EXPIRY_QUEUE);
    await old.boss.complete(AUTHORIZATION_EXPIRY_QUEUE, done.id);
    // Waiting to run: now, and later.
    ids.email1 = await send(email, { organizationId: 1, activityId: 101 });
    ids.email2 = await send(email, { organizationId: 2, activityId: 102 });
    ids.reconcile = await send(reconcile, { organizationId: 1, kind: 'sms', id: 5 }, { startAfterSeconds: 4 });
    reconcileStartAfter = Date.now() + 4_000;
    ids.expiry = await send(expiry, {});
    ids.progress = await send(progress, { organizationId: 1, kind: 'call', id: 6 });
    await new Promise((r) => setTimeout(r, 1_200)); // the killed handler's job expires
  });

  afterAll(async () => {
    for (const jobs of current) await jobs.stop(2_000);
    await old?.stop();
    await database?.close();
  });

  it('runs every pending job once, on two processes of this release, while the previous release still enqueues', async () => {
    const record = (queue: string): JobDefinition<never> => ({
      name: queue,
      retry: { limit: 0, delaySeconds: 1, backoff: false },
      handler: async (data, meta) => void runs.push({ queue, id: meta.id, data, retryCount: meta.retryCount, at: Date.now() }),
    });
    for (let i = 0; i < 2; i++) {
      current.push(createJobs({ connectionString: url, queues: QUEUES, pollSeconds: 0.5, maintenanceSeconds: 1, log: { info: () => {}, error: () => {} } }));
    }
    await Promise.all(current.map((jobs) => jobs.start()));
    for (const jobs of current) await jobs.work(QUEUES.map(record));
    // An API process of the previous release, during the rolling upgrade.
    ids.lateEmail = await send(email, { organizationId: 1, activityId: 104 });

    const expected = ['failedOnce', 'killed', 'email1', 'email2', 'reconcile', 'expiry', 'progress', 'lateEmail'].map((k) => ids[k]);
    await waitUntil(async () => runs.length, () => expected.every((id) => runs.some((r) => r.id === id)), 60_000);
    await new Promise((r) => setTimeout(r, 2_000)); // a second run would show by now

    const count = (id: string) => runs.filter((r) => r.id === id).length;
    expect(expected.map(count)).toEqual(expected.map(() => 1));
    expect(runs).toHaveLength(expected.length);
    const run = (key: string) => runs.find((r) => r.id === ids[key])!;
    expect(run('email1')).toMatchObject({ queue: ACTIVITY_EMAIL_QUEUE, data: { organizationId: 1, activityId: 101 }, retryCount: 0 });
    expect(run('lateEmail')).toMatchObject({ queue: ACTIVITY_EMAIL_QUEUE, data: { organizationId: 1, activityId: 104 }, retryCount: 0 });
    expect(run('failedOnce')).toMatchObject({ retryCount: 1 });
    expect(run('killed')).toMatchObject({ queue: SANDBOX_PROGRESS_QUEUE, data: { organizationId: 1, kind: 'sms', id: 7 }, retryCount: 1 });
    expect(run('reconcile').at).toBeGreaterThanOrEqual(reconcileStartAfter - 1_000);

    // Left behind: the job a live worker of the previous release holds, and the finished one.
    const { rows } = await database.pool.query<{ id: string; state: string }>('SELECT id, state FROM pgboss.job ORDER BY state');
    expect(rows).toEqual(expect.arrayContaining([{ id: ids.running, state: 'active' }, { id: ids.done, state: 'completed' }]));
    expect(rows).toHaveLength(2);
  });
});
