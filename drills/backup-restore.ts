/**
 * Drill: back up under load, lose everything, restore. Clients write through `care serve` (ECM task activities,
 * ECP resident moves that fan out to a webhook subscription); `care db backup` runs beside the server while they
 * write; more writes follow; the server is SIGKILLed, its DATA_DIR deleted and its database dropped (the drills'
 * PostgreSQL is shared, so the database stands in for the embedded cluster of DATA_DIR; the short form on a real
 * DATA_DIR is test/cli/backup.test.ts); `care db restore` fills a new empty database and the server starts on it.
 * Every write acknowledged before the backup began must be there; nothing half-written (an activity without its
 * event or create audit row, a webhook message without its deliveries).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../src/db/embedded.ts';
import { PROJECT_ROOT } from '../src/root.ts';
import type { DrillPostgres } from './postgres.ts';
import { drillEnv, newReport, openDrillPlatform, partnerToken, request, seedClinic, seedPartner, sleep, startCare, type DrillReport } from './support.ts';

export interface BackupRestoreOptions {
  /** Concurrent client loops (half ECM activities, half ECP resident moves). */
  clients: number;
  /** Seconds of writes before the backup starts, and again after it ended. */
  aroundSeconds: number;
}

/** Runs `care <args>` without blocking this process's clients (they must keep writing while a backup runs). */
function care(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(PROJECT_ROOT, 'bin/care.js'), ...args], { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export async function backupRestoreDrill(pgServer: DrillPostgres, opts: BackupRestoreOptions = { clients: 8, aroundSeconds: 5 }): Promise<DrillReport> {
  const report = newReport('backup-restore', `${opts.clients} clients write (ECM activities, ECP resident moves with webhook fan-out) while \`care db backup\` runs; more writes; SIGKILL, DATA_DIR deleted and the database dropped; \`care db restore\` into an empty database; restart`);
  const url = await pgServer.createDatabase('drill_backup');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'care-drill-backup-'));
  const dataDir = path.join(work, 'data');
  const file = path.join(work, 'drill.bin');
  const key = Buffer.alloc(32, 7).toString('base64');
  const extra = { DATA_DIR: dataDir, BACKUP_ENCRYPTION_KEY: key, BACKUP_INTERVAL_HOURS: '0' };
  const platform = await openDrillPlatform(url, extra);
  const port = await freePort();
  let server = await startCare('all', url, extra, port);
  let restoredUrl: string | undefined;
  try {
    const clinic = await seedClinic(platform, 'Backup Drill Clinic');
    const partner = await seedPartner(platform, 'Backup Drill Living');
    await platform.close();
    const bearer = await partnerToken(server.base, partner);
    const ecp = { 'content-type': 'application/json', 'auth-bearer': `Bearer ${bearer}`, authorization: `Api-Key ${partner.apiKey}` };
    // Nobody listens there: deliveries stay pending, which is what the drill counts.
    const sub = await request(`${server.base}/clinical/v1/webhook`, { method: 'POST', headers: ecp, body: JSON.stringify({ callbackUrl: 'http://127.0.0.1:9/hook' }) });
    if (sub.status !== 200) throw new Error(`subscribe: ${sub.status} ${JSON.stringify(sub.body)}`);
    const resident = await request(`${server.base}/clinical/v1/resident`, {
      method: 'POST', headers: ecp, body: JSON.stringify({ firstName: 'Drill', lastName: 'Resident', dateOfBirth: '1940-01-01', locationId: partner.location }),
    });
    if (resident.status !== 200) throw new Error(`resident: ${resident.status} ${JSON.stringify(resident.body)}`);
    const residentId = (resident.body as { residentId: string }).residentId;

    const activities: Array<{ id: number; at: number }> = [];
    let moves = 0;
    let stop = false;
    const samples: string[] = [];
    const client = async (c: number) => {
      for (let n = 0; !stop; n++) {
        const res = c % 2 === 0
          ? await request(`${server.base}/v1/clinic/ecm/patients/${clinic.patientId}/activities`, {
            method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': clinic.adminToken },
            body: JSON.stringify({ activity: { activity_type: 'task', message: `backup drill ${c}-${n}`, assigned_to_id: clinic.coordinatorId } }), timeoutMs: 10_000,
          })
          : await request(`${server.base}/clinical/v1/resident`, { method: 'PUT', headers: ecp, body: JSON.stringify({ residentId, room: `${c}-${n}` }), timeoutMs: 10_000 });
        report.sent++;
        if (res.status === 201 || res.status === 200) {
          report.succeeded++;
          if (res.status === 201) activities.push({ id: (res.body as { activity: { id: number } }).activity.id, at: Date.now() });
          else moves++;
        } else if (res.status === 0) {
          report.failedClearly++; // the SIGKILL cut the connection
          await sleep(50);
        } else {
          report.failedBadly++;
          if (samples.length < 5) samples.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
    };
    const loops = Array.from({ length: opts.clients }, (_, c) => client(c));
    await sleep(opts.aroundSeconds * 1000);
    const began = Date.now();
    const ackedBefore = activities.filter((a) => a.at <= began).map((a) => a.id);
    const env = drillEnv(url, extra);
    const t0 = performance.now();
    const b = await care(['db', 'backup', '--out', file, '--json'], env);
    if (b.status !== 0) throw new Error(`care db backup: ${b.stderr}`);
    const backupSeconds = (performance.now() - t0) / 1000;
    const made = JSON.parse(b.stdout) as { rows: number; bytes: number };
    const duringBackup = activities.filter((a) => a.at > began).length;
    await sleep(opts.aroundSeconds * 1000);
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(loops);
    const acked = activities.length;

    fs.rmSync(dataDir, { recursive: true, force: true });
    const name = new URL(url).pathname.slice(1);
    const postgres = new URL(url);
    postgres.pathname = '/postgres';
    const a = new pg.Client({ connectionString: postgres.toString() });
    await a.connect();
    await a.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await a.end();

    restoredUrl = await pgServer.createDatabase('drill_backup_restored');
    const t1 = performance.now();
    const r = await care(['db', 'restore', file, '--json'], drillEnv(restoredUrl, extra));
    if (r.status !== 0) throw new Error(`care db restore: ${r.stderr}`);
    const restoreSeconds = (performance.now() - t1) / 1000;
    server = await startCare('all', restoredUrl, extra, port);

    const db = new pg.Client({ connectionString: restoredUrl });
    await db.connect();
    try {
      const ids = new Set((await db.query<{ id: number }>(`SELECT id FROM activities WHERE message LIKE 'backup drill %'`)).rows.map((x) => x.id));
      report.lost += ackedBefore.filter((id) => !ids.has(id)).length;
      const half = (await db.query(`SELECT a.id FROM activities a WHERE a.message LIKE 'backup drill %' AND (NOT EXISTS (SELECT 1 FROM ecm_events e WHERE e.activity_id = a.id)
        OR NOT EXISTS (SELECT 1 FROM audit_events x WHERE x.entity_type = 'activity' AND x.action = 'create' AND a.id::text = ANY (x.entity_ids)))`)).rowCount ?? 0;
      const lonely = (await db.query('SELECT m.id FROM ecp_webhook_messages m WHERE NOT EXISTS (SELECT 1 FROM ecp_webhook_deliveries d WHERE d.message_id = m.id)')).rowCount ?? 0;
      const messages = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ecp_webhook_messages')).rows[0].n;
      report.lost += half + lonely;
      report.notes.push(`${acked} activities and ${moves} resident moves acknowledged; ${ackedBefore.length} activities before the backup began, ${duringBackup} while it ran; restored: ${ids.size} activities, ${messages} webhook messages`);
      report.notes.push(`${half} half-written activities, ${lonely} webhook messages without deliveries; missing acknowledged-before-backup activities counted as lost`);
      report.notes.push(`backup ${made.rows} rows, ${made.bytes} bytes in ${backupSeconds.toFixed(1)} s (process included); restore ${restoreSeconds.toFixed(1)} s`);
      const ready = await request(`${server.base}/readyz`);
      if (ready.status !== 200) { report.failedBadly++; samples.push(`readyz after restore: ${ready.status}`); }
    } finally {
      await db.end();
    }
    if (samples.length) report.notes.push(`unexpected answers: ${samples.join(' | ')}`);
    return report;
  } finally {
    await server.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
}
