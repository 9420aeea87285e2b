/**
 * Drill 3: PostgreSQL stopped under load for a while, then started again, under `care serve` (API and workers).
 * While it is away, requests must fail fast with 503 in each family's error shape (never a 500, a crash or a hang),
 * `/readyz` must answer 503, and once it is back the server must recover by itself within seconds. No acknowledged
 * write may be lost.
 */
import { sql } from 'drizzle-orm';
import { activities } from '../src/db/schema.ts';
import { freePort } from '../src/db/embedded.ts';
import type { DrillPostgres } from './postgres.ts';
import { newReport, openDrillPlatform, partnerToken, request, seedClinic, seedPartner, sleep, startCare, type DrillReport } from './support.ts';

export interface DatabaseStopOptions {
  /** How long the database stays stopped (default 10). */
  downSeconds: number;
  /** Load before and after the outage, seconds each (default 5). */
  aroundSeconds: number;
  clients: number;
}

export async function databaseStopDrill(pg: DrillPostgres, opts: DatabaseStopOptions = { downSeconds: 10, aroundSeconds: 5, clients: 6 }): Promise<DrillReport> {
  const report = newReport('database-stop', `${opts.clients} clients read members, create activities and request tokens against \`care serve\`; PostgreSQL is stopped (pg_ctl stop -m fast) for ${opts.downSeconds} s, then started`);
  const url = await pg.createDatabase('drill_database_stop');
  const platform = await openDrillPlatform(url);
  const seed = await seedClinic(platform, 'Outage Clinic');
  const partner = await seedPartner(platform, 'Outage Living');
  await platform.close();
  const port = await freePort();
  const care = await startCare('all', url, {}, port);
  const base = `http://127.0.0.1:${port}`;
  const bearer = await partnerToken(base, partner);
  let phase: 'before' | 'down' | 'after' = 'before';
  let restartedAt: number;
  let firstWriteAfter = 0;
  let slowest = 0;
  const acked = new Map<number, string>();
  const samples: string[] = [];
  const readyz: Array<{ phase: string; status: number; at: number }> = [];
  let stop = false;
  const judge = (res: Awaited<ReturnType<typeof request>>, shape: (b: unknown) => boolean) => {
    report.sent++;
    if (phase === 'down') slowest = Math.max(slowest, res.ms);
    if (res.status >= 200 && res.status < 300) {
      report.succeeded++;
      return true;
    }
    if (res.status === 503 && shape(res.body)) report.failedClearly++;
    else {
      report.failedBadly++;
      if (samples.length < 5) samples.push(`${phase}: ${res.status} ${res.error ?? ''} ${JSON.stringify(res.body).slice(0, 160)} (${res.ms} ms)`);
    }
    return false;
  };
  const ecmShape = (b: unknown) => Array.isArray((b as { errors?: unknown })?.errors);
  try {
    let lastTokenAt = 0;
    const client = async (c: number) => {
      for (let n = 0; !stop; n++) {
        const kind = n % 3;
        if (kind === 0) {
          judge(await request(`${base}/v1/clinic/ecm/patients`, { headers: { 'x-user-token': seed.adminToken } }), ecmShape);
        } else if (kind === 1) {
          const message = `outage ${c}-${n}`;
          const res = await request(`${base}/v1/clinic/ecm/patients/${seed.patientId}/activities`, {
            method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': seed.adminToken },
            body: JSON.stringify({ activity: { activity_type: 'task', message, assigned_to_id: seed.coordinatorId } }),
          });
          if (judge(res, ecmShape)) {
            acked.set((res.body as { activity: { id: number } }).activity.id, message);
            if (phase === 'after' && !firstWriteAfter) firstWriteAfter = Date.now();
          }
        } else {
          // `POST /token` allows 300 requests per IP per minute (a documented 429 past that): at most one every
          // 250 ms across the clients (240 a minute), the other turns read locations.
          const tokenTurn = n % 2 === 0 && Date.now() - lastTokenAt >= 250;
          if (tokenTurn) lastTokenAt = Date.now();
          if (!tokenTurn) {
            judge(await request(`${base}/clinical/v1/location`, { headers: { 'auth-bearer': `Bearer ${bearer}`, authorization: `Api-Key ${partner.apiKey}` } }),
              (b) => (b as { result?: string })?.result === 'Error');
          } else {
            judge(await request(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: partner.clientId, client_secret: partner.secretBase64 }) }),
              (b) => (b as { error?: string })?.error === 'temporarily_unavailable');
          }
        }
        if (phase === 'down') await sleep(20);
      }
    };
    const probe = async () => {
      while (!stop) {
        const r = await request(`${base}/readyz`, { timeoutMs: 5000 });
        readyz.push({ phase, status: r.status, at: Date.now() });
        await sleep(250);
      }
    };
    const loops = [...Array.from({ length: opts.clients }, (_, c) => client(c)), probe()];
    await sleep(opts.aroundSeconds * 1000);
    pg.stop();
    phase = 'down';
    await sleep(opts.downSeconds * 1000);
    pg.start();
    restartedAt = Date.now();
    phase = 'after';
    await sleep(opts.aroundSeconds * 1000);
    stop = true;
    await Promise.all(loops);

    const alive = care.child.exitCode === null && care.child.signalCode === null;
    if (!alive) {
      report.failedBadly++;
      report.notes.push(`exit ${care.child.exitCode ?? care.child.signalCode}; last output: ${care.output().slice(-3000)}`);
    }
    const down = readyz.filter((r) => r.phase === 'down');
    const readyAgain = readyz.find((r) => r.phase === 'after' && r.status === 200);
    const check = await openDrillPlatform(url);
    const rows = await check.database.db.select({ id: activities.id, message: activities.message }).from(activities).where(sql`${activities.message} LIKE 'outage %'`);
    await check.close();
    const stored = new Map(rows.map((r) => [r.id, r.message]));
    for (const [id, message] of acked) if (stored.get(id) !== message) report.lost++;
    report.duplicates = rows.length - new Set(rows.map((r) => r.message)).size;
    report.notes.push(`process ${alive ? 'stayed up' : 'DIED'}; slowest answer while the database was away: ${slowest} ms`);
    report.notes.push(`/readyz while away: ${down.filter((r) => r.status === 503).length} of ${down.length} probes answered 503`);
    report.notes.push(`recovery after the database started: /readyz 200 after ${readyAgain ? readyAgain.at - restartedAt : 'never'} ms, first acknowledged write after ${firstWriteAfter ? firstWriteAfter - restartedAt : 'never'} ms`);
    if (!readyAgain || !firstWriteAfter) report.failedBadly++;
    if (down.some((r) => r.status !== 503)) report.failedBadly++;
    if (samples.length) report.notes.push(`unexpected answers: ${samples.join(' | ')}`);
    return report;
  } finally {
    stop = true;
    await care.kill('SIGKILL');
  }
}
