/**
 * Backup and restore against real PostgreSQL: the demo clinic and company backed up while the file's database
 * is live, restored into a fresh empty database, compared table by table; and every refusal.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { demoSeeders } from '../../src/demo.ts';
import { buildApp } from '../../src/app.ts';
import { MIGRATIONS_FOLDER } from '../../src/root.ts';
import { withDatabase } from '../../src/db/pool.ts';
import { writeBackup } from '../../src/platform/backup/backup.ts';
import { listTables, qualified } from '../../src/platform/backup/catalog.ts';
import { restoreBackup } from '../../src/platform/backup/restore.ts';
import { createBackupSchedule } from '../../src/platform/backup/schedule.ts';
import { runDemoSeeders } from '../../src/platform/demo.ts';
import { ACTIVITY_EMAIL_QUEUE } from '../../src/ecm/activities/queues.ts';
import { call, createTestContext, createUser, type TestContext } from '../support/app.ts';
import { clinical, createPartner, insertEcpUser, tokenFor } from '../support/ecp.ts';

let t: TestContext;
let creds: { token: string; apiKey: string };
let residentId: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-backup-'));
const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
const key = randomBytes(32);

/** A new empty database on the test server; returns its URL. */
export async function emptyDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `r_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return withDatabase(adminUrl, name);
}

/** Per table: row count and an order-independent checksum of its rows' text. */
export async function fingerprint(url: string): Promise<Record<string, { rows: number; md5: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, { rows: number; md5: string }> = {};
    for (const tb of await listTables(client)) {
      const { rows: [r] } = await client.query<{ n: number; md5: string | null }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(x.t, E'\\n' ORDER BY x.t), '')) AS md5 FROM (SELECT r::text AS t FROM ${qualified(tb.schema, tb.name)} r) x`,
      );
      out[`${tb.schema}.${tb.name}`] = { rows: r.n, md5: r.md5 ?? '' };
    }
    const { rows: seqs } = await client.query<{ s: string }>(`SELECT format('%I.%I', schemaname, sequencename) AS s FROM pg_sequences`);
    for (const s of seqs) {
      const { rows: [v] } = await client.query<{ v: string }>(`SELECT last_value::text AS v FROM ${s.s}`);
      out[`sequence ${s.s}`] = { rows: 0, md5: v.v };
    }
    return out;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true' });
  const out = await runDemoSeeders(demoSeeders, t.database.db, t.services, t.config);
  // The kinds of rows the demo leaves empty: a webhook subscription and the outbox messages and deliveries of a
  // resident's changes, a stored PRTF report, an ICD-10-CM code set, a pending job in pg-boss's schema.
  const p = await createPartner(t, 'Backup Senior Living', ['Backup House']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  await insertEcpUser(t, p, 'loadnurse');
  const hook = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: 'http://127.0.0.1:9/care' });
  expect(hook.statusCode, hook.body).toBe(200);
  const resident = await clinical(t.app, creds, 'POST', '/clinical/v1/resident', { firstName: 'Bea', lastName: 'Backup', dateOfBirth: '1940-02-03', locationId: 'Backup House', room: '7' });
  expect(resident.statusCode, resident.body).toBe(200);
  residentId = resident.json().residentId;
  expect((await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId, room: '8' })).statusCode).toBe(200);
  const report = await call(t.app, { token: out.admin_token as string }, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { start_date: '2026-01-01', end_date: '2026-12-31' });
  expect(report.statusCode, report.body).toBeLessThan(300);
  const codes = path.join(dir, 'icd10cm_codes_2024.txt');
  fs.writeFileSync(codes, ['A000    Cholera due to Vibrio cholerae 01, biovar cholerae', 'I10     Essential (primary) hypertension'].join('\r\n') + '\r\n');
  await t.services.codes.importFile(codes);
  await t.jobs.send(t.database.db, { name: ACTIVITY_EMAIL_QUEUE, retry: { limit: 0, delaySeconds: 1, backoff: false } }, { activityId: 0 }, { startAfterSeconds: 86_400 });
}, 120_000);
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function backup(name: string, k: Buffer | null = key) {
  return writeBackup({ connectionString: t.url, out: path.join(dir, name), key: k ?? undefined, platformVersion: '0.1.0-test' });
}

describe('care db backup and restore', () => {
  it('restores every table, row and sequence of the demo clinic and company into an empty database: 0 differences', async () => {
    // pg-boss's maintenance in this process may touch its tables at any moment (queue statistics): take the
    // backup again until the database was the same just before and just after it, so it is the one to compare.
    let made: Awaited<ReturnType<typeof backup>>;
    let before: Awaited<ReturnType<typeof fingerprint>>;
    for (let attempt = 0; ; attempt++) {
      const first = await fingerprint(t.url);
      made = await backup('round-trip.bin');
      before = await fingerprint(t.url);
      if (JSON.stringify(first) === JSON.stringify(before) || attempt === 4) break;
    }
    expect(made.tables).toBeGreaterThan(40);
    expect(made.migrations).toBe(migrations.length);
    // Every kind of row the platform keeps is in the backup, the job queue's schema among them.
    const nonEmpty = Object.entries(before).filter(([, v]) => v.rows > 0).map(([k]) => k);
    for (const table of ['public.activities', 'public.ecm_events', 'public.audit_events', 'public.ecp_vitals', 'public.ecp_residents', 'drizzle.__drizzle_migrations',
      'public.ecp_webhook_subscriptions', 'public.ecp_webhook_messages', 'public.ecp_webhook_deliveries', 'public.stored_files', 'public.stored_file_chunks',
      'public.prtf_reports', 'public.icd10cm_code_sets', 'public.icd10cm_codes', 'public.text_messages', 'public.voice_calls', 'job_queue.job']) expect(nonEmpty).toContain(table);
    expect(Object.keys(before).some((k) => !k.startsWith('public.') && !k.startsWith('drizzle.') && !k.startsWith('sequence'))).toBe(true);
    const target = await emptyDatabase();
    const restored = await restoreBackup({ connectionString: target, file: made.file, key, migrations });
    expect(restored.rows).toBe(made.rows);
    const after = await fingerprint(target);
    const differences = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    expect(differences).toEqual([]);
  }, 120_000);

  it('restores a backup taken while 8 clients write to a state that existed: every acknowledged write, no half transaction', async () => {
    const admin = await createUser(t.services, 'Load Clinic', 'admin');
    const coord = await createUser(t.services, 'Load Clinic', 'care_coordinator');
    const member = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: { first_name: 'Lou', last_name: 'Load', ecm_eligibility_information: { member_id: 'LOAD-1', acuity_level: 'high' }, case_load: { ilcm_user_id: coord.id } },
    });
    expect(member.statusCode, member.body).toBe(201);
    const memberId = member.json().patient.id as number;
    const activities: number[] = [];
    const vitals: string[] = [];
    let rooms = 0;
    let stop = false;
    const base = Date.parse('2026-06-01T00:00:00Z');
    let n = 0;
    // Kinds of writer, two of each kind: ECM activities (activity + event + audit), ECP vitals, ECP resident moves
    // (resident + webhook message + its deliveries), and activities again.
    const writers = [0, 1, 2, 3, 4, 5, 6, 7].map(async (w) => {
      while (!stop) {
        const i = n++;
        if (w % 4 === 1) {
          const at = new Date(base + i * 60_000).toISOString();
          const res = await clinical(t.app, creds, 'POST', '/clinical/v1/resident/vital/pulse', { pulse: 60 + (i % 40), location: 'Backup House', loginName: 'loadnurse', residentId, timestamp: at });
          expect(res.json(), res.body).toEqual({ result: 'Success' });
          vitals.push(at);
        } else if (w % 4 === 2) {
          const res = await clinical(t.app, creds, 'PUT', '/clinical/v1/resident', { residentId, room: String(100 + i) });
          expect(res.statusCode, res.body).toBe(200);
          rooms++;
        } else {
          const res = await call(t.app, coord, 'POST', `/v1/clinic/ecm/patients/${memberId}/activities`, {
            activity: { activity_type: 'in_person_appointment', booked_at: new Date(base + i * 60_000).toISOString(), status: 'complete', duration: 30, assigned_to_id: coord.id },
          });
          expect(res.statusCode, res.body).toBe(201);
          activities.push(res.json().activity.id as number);
        }
      }
    });
    while (activities.length < 20 || vitals.length < 5 || rooms < 5) await new Promise((r) => setTimeout(r, 20));
    const ackedActivities = [...activities];
    const ackedVitals = [...vitals];
    const made = await backup('under-load.bin');
    const during = activities.length - ackedActivities.length + vitals.length - ackedVitals.length;
    stop = true;
    await Promise.all(writers);
    expect(during, 'writes acknowledged while the backup ran').toBeGreaterThan(0);
    const target = await emptyDatabase();
    await restoreBackup({ connectionString: target, file: made.file, key, migrations });
    const db = new pg.Client({ connectionString: target });
    await db.connect();
    try {
      const ids = (await db.query<{ id: number }>('SELECT id FROM activities WHERE patient_id = $1', [memberId])).rows.map((r) => r.id);
      expect(ids).toEqual(expect.arrayContaining(ackedActivities));
      const halfActivities = await db.query(`SELECT a.id FROM activities a WHERE a.patient_id = $1 AND (NOT EXISTS (SELECT 1 FROM ecm_events e WHERE e.activity_id = a.id)
        OR NOT EXISTS (SELECT 1 FROM audit_events x WHERE x.entity_type = 'activity' AND x.action = 'create' AND a.id::text = ANY (x.entity_ids)))`, [memberId]);
      expect(halfActivities.rows).toEqual([]);
      const recorded = (await db.query<{ at: string }>(`SELECT to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM ecp_vitals WHERE vital_type = 'pulse' AND recorded_at >= $1`, [new Date(base)])).rows.map((r) => r.at);
      expect(recorded).toEqual(expect.arrayContaining(ackedVitals));
      const messages = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ecp_webhook_messages');
      expect(messages.rows[0].n).toBeGreaterThan(5);
      const lonely = await db.query('SELECT m.id FROM ecp_webhook_messages m WHERE NOT EXISTS (SELECT 1 FROM ecp_webhook_deliveries d WHERE d.message_id = m.id)');
      expect(lonely.rows).toEqual([]);
    } finally {
      await db.end();
    }
  }, 60_000);

  it('refuses a wrong key, a missing key, a flipped byte and a truncated file, each with a sentence, and leaves the target empty', async () => {
    const made = await backup('refusals.bin');
    const target = await emptyDatabase();
    const attempt = (file: string, k: Buffer | undefined) =>
      restoreBackup({ connectionString: target, file, key: k, migrations }).then(() => 'restored', (err: Error) => err.message);
    expect(await attempt(made.file, randomBytes(32))).toMatch(/BACKUP_ENCRYPTION_KEY is not the key this backup was encrypted with/);
    expect(await attempt(made.file, undefined)).toMatch(/this backup is encrypted: set BACKUP_ENCRYPTION_KEY/);
    const bytes = fs.readFileSync(made.file);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)] ^= 0x01;
    fs.writeFileSync(path.join(dir, 'flipped.bin'), flipped);
    expect(await attempt(path.join(dir, 'flipped.bin'), key)).toMatch(/damaged: encrypted chunk \d+ fails authentication/);
    fs.writeFileSync(path.join(dir, 'truncated.bin'), bytes.subarray(0, bytes.length - 100));
    expect(await attempt(path.join(dir, 'truncated.bin'), key)).toMatch(/truncated|damaged/);
    expect(await listTables(await connected(target))).toEqual([]);
  }, 60_000);

  it('detects a flipped byte and a truncation in an unencrypted backup through its checksums', async () => {
    const made = await backup('plain.bin', null);
    const bytes = fs.readFileSync(made.file);
    const target = await emptyDatabase();
    const results: string[] = [];
    // Spread over the file, so flips land in gzip headers, COPY text and the JSON of records alike.
    for (const at of [40, ...Array.from({ length: 6 }, (_, i) => Math.floor(((i + 1) * bytes.length) / 7)), bytes.length - 20]) {
      const flipped = Buffer.from(bytes);
      flipped[at] ^= 0x04;
      fs.writeFileSync(path.join(dir, 'plain-flipped.bin'), flipped);
      results.push(`at ${at}: ` + await restoreBackup({ connectionString: target, file: path.join(dir, 'plain-flipped.bin'), key: undefined, migrations }).then(() => 'restored', (e: Error) => e.message));
    }
    fs.writeFileSync(path.join(dir, 'plain-truncated.bin'), bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    results.push(await restoreBackup({ connectionString: target, file: path.join(dir, 'plain-truncated.bin'), key: undefined, migrations }).then(() => 'restored', (e: Error) => e.message));
    for (const r of results) expect(r).toMatch(/the backup file is (damaged|truncated)/);
    expect(await listTables(await connected(target))).toEqual([]);
  }, 60_000);

  it('refuses a non-empty target and a backup from a newer schema than the code', async () => {
    const made = await backup('schema.bin');
    await expect(restoreBackup({ connectionString: t.url, file: made.file, key, migrations })).rejects.toThrow(/the target database is not empty \(it has \d+ tables/);
    const target = await emptyDatabase();
    await expect(restoreBackup({ connectionString: target, file: made.file, key, migrations: migrations.slice(0, -1) }))
      .rejects.toThrow(`this backup comes from a newer schema (${migrations.length} migrations applied, this code has ${migrations.length - 1})`);
  }, 60_000);

  it('restores the backup\'s migration bookkeeping, so a start of newer code applies only its pending migrations', async () => {
    const made = await backup('older.bin');
    const target = await emptyDatabase();
    await restoreBackup({ connectionString: target, file: made.file, key, migrations });
    const c = await connected(target);
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    expect(rows[0].n).toBe(migrations.length);
  }, 60_000);
});

describe('scheduled backups', () => {
  it('writes one when due, records each attempt, keeps the newest BACKUP_KEEP files, and logs and retries a failure', async () => {
    // A BACKUP_DIR whose parent does not exist yet (DATA_DIR/backups on a first start): the parent stays traversable
    // (the embedded PostgreSQL, run as `postgres`, lives below DATA_DIR); only the backup folder is private.
    const backupDir = path.join(dir, 'data-dir', 'scheduled');
    let now = new Date('2031-01-01T00:00:00Z');
    const errors: unknown[] = [];
    const schedule = (d: string) => createBackupSchedule({
      db: t.database.db, pool: t.database.pool, dir: d, keep: 2, intervalHours: 24, key, platformVersion: '0.1.0-test',
      log: { info: () => {}, error: (obj) => errors.push(obj) }, clock: () => now,
    });
    const s = schedule(backupDir);
    expect(await s.runIfDue()).toBe('succeeded');
    expect(await s.runIfDue()).toBe('skipped');
    expect((await s.newestGood())?.toISOString()).toBe(now.toISOString());
    for (let i = 0; i < 2; i++) {
      now = new Date(now.getTime() + 24 * 3_600_000);
      expect(await s.runIfDue()).toBe('succeeded');
    }
    expect(fs.readdirSync(backupDir).sort()).toEqual(['care-20310102T000000Z.bin', 'care-20310103T000000Z.bin']);
    expect(fs.statSync(backupDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(backupDir)).mode & 0o001, 'parent traversable by others').toBe(0o001);
    // A directory that cannot be written: the attempt is recorded as failed and logged, then retried after the delay.
    fs.writeFileSync(path.join(dir, 'not-a-dir'), '');
    const broken = schedule(path.join(dir, 'not-a-dir'));
    now = new Date(now.getTime() + 24 * 3_600_000);
    expect(await broken.runIfDue()).toBe('failed');
    expect(errors).toHaveLength(1);
    expect(await broken.runIfDue()).toBe('skipped');
    now = new Date(now.getTime() + 16 * 60_000);
    expect(await s.runIfDue()).toBe('succeeded');
    const { rows } = await t.database.pool.query<{ outcome: string; n: number }>('SELECT outcome, count(*)::int AS n FROM backups GROUP BY outcome ORDER BY outcome');
    expect(rows).toEqual([{ outcome: 'failed', n: 1 }, { outcome: 'succeeded', n: 4 }]);
    // A scheduled file restores like any other.
    const target = await emptyDatabase();
    const newest = fs.readdirSync(backupDir).sort().at(-1)!;
    await restoreBackup({ connectionString: target, file: path.join(backupDir, newest), key, migrations });
  }, 120_000);
});

const clients: pg.Client[] = [];
async function connected(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  clients.push(c);
  return c;
}
afterAll(async () => {
  for (const c of clients) await c.end();
});

describe('/readyz', () => {
  it('reports the age of the newest good scheduled backup: absent when none are scheduled, null before the first, seconds after', async () => {
    const c = await createTestContext();
    try {
      const schedule = createBackupSchedule({
        db: c.database.db, pool: c.database.pool, dir: path.join(dir, 'readyz'), keep: 2, intervalHours: 24, key, platformVersion: '0.1.0-test',
        log: { info: () => {}, error: () => {} },
      });
      const unscheduled = await c.app.inject({ method: 'GET', url: '/readyz' });
      expect(unscheduled.statusCode).toBe(200);
      expect(unscheduled.json()).not.toHaveProperty('backup');
      const app = await buildApp({ config: c.config, db: c.database.db, services: c.services, newestBackup: () => schedule.newestGood() });
      try {
        const before = await app.inject({ method: 'GET', url: '/readyz' });
        expect(before.statusCode).toBe(200);
        expect(before.json().backup).toEqual({ newest_at: null, age_seconds: null });
        expect(await schedule.runIfDue()).toBe('succeeded');
        await new Promise((r) => setTimeout(r, 1_100));
        const after = (await app.inject({ method: 'GET', url: '/readyz' })).json();
        expect(after.backup.newest_at).toBe((await schedule.newestGood())?.toISOString());
        expect(after.backup.age_seconds).toBeGreaterThanOrEqual(1);
        expect(after.backup.age_seconds).toBeLessThan(10);
      } finally {
        await app.close();
      }
    } finally {
      await c.close();
    }
  }, 30_000);
});
