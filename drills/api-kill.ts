/**
 * Drill 2: the API process (`care serve --role api`) is killed with SIGKILL while clients create activities; it is
 * restarted on the same port. Every acknowledged (201) activity must be in the database, each with its event and its
 * audit row (one transaction per request, ARCHITECTURE.md "Reliability"); none half-written, none twice.
 */
import { inArray, sql } from 'drizzle-orm';
import { activities, auditEvents, ecmEvents } from '../src/db/schema.ts';
import { freePort } from '../src/db/embedded.ts';
import type { DrillPostgres } from './postgres.ts';
import { newReport, openDrillPlatform, request, seedClinic, sleep, startCare, type DrillReport } from './support.ts';

export interface ApiKillOptions {
  /** Writes keep going for this long in all (default 20). */
  seconds: number;
  /** Concurrent client loops (default 8). */
  clients: number;
  /** SIGKILLs, spread over the run (default 3). */
  kills: number;
}

export async function apiKillDrill(pg: DrillPostgres, opts: ApiKillOptions = { seconds: 20, clients: 8, kills: 3 }): Promise<DrillReport> {
  const report = newReport('api-sigkill', `${opts.clients} clients create task activities for ${opts.seconds} s against \`care serve --role api\`; the process is killed with SIGKILL ${opts.kills} times and restarted`);
  const url = await pg.createDatabase('drill_api_kill');
  const platform = await openDrillPlatform(url);
  const port = await freePort();
  let api = await startCare('api', url, {}, port);
  try {
    const seed = await seedClinic(platform, 'Api Kill Clinic');
    const acked = new Map<number, string>();
    const samples: string[] = [];
    let stop = false;
    const client = async (c: number) => {
      for (let n = 0; !stop; n++) {
        const message = `drill ${c}-${n}`;
        const res = await request(`http://127.0.0.1:${port}/v1/clinic/ecm/patients/${seed.patientId}/activities`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': seed.adminToken },
          body: JSON.stringify({ activity: { activity_type: 'task', message, assigned_to_id: seed.coordinatorId } }), timeoutMs: 10_000,
        });
        report.sent++;
        if (res.status === 201) {
          report.succeeded++;
          acked.set((res.body as { activity: { id: number } }).activity.id, message);
        } else if (res.status === 0 && /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|other side closed/.test(String(res.error))) {
          report.failedClearly++;
          await sleep(50);
        } else if (res.status === 0 && res.error === 'TypeError') {
          // undici's "fetch failed" for a socket the dying process closed mid-request
          report.failedClearly++;
          await sleep(50);
        } else if (res.status === 503) {
          report.failedClearly++;
        } else {
          report.failedBadly++;
          if (samples.length < 5) samples.push(`${res.status} ${res.error ?? ''} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
    };
    const loops = Array.from({ length: opts.clients }, (_, c) => client(c));
    const interval = (opts.seconds * 1000) / (opts.kills + 1);
    let downMs = 0;
    for (let k = 0; k < opts.kills; k++) {
      await sleep(interval);
      await api.kill('SIGKILL');
      const t0 = Date.now();
      api = await startCare('api', url, {}, port);
      downMs += Date.now() - t0;
    }
    await sleep(interval);
    stop = true;
    await Promise.all(loops);

    const db = platform.database.db;
    const rows = await db.select({ id: activities.id, message: activities.message }).from(activities).where(sql`${activities.message} LIKE 'drill %'`);
    const stored = new Map(rows.map((r) => [r.id, r.message]));
    for (const [id, message] of acked) if (stored.get(id) !== message) report.lost++;
    const messages = rows.map((r) => r.message);
    report.duplicates = messages.length - new Set(messages).size;
    const ids = rows.map((r) => r.id);
    const withEvent = new Set((ids.length ? await db.select({ id: ecmEvents.activityId }).from(ecmEvents).where(inArray(ecmEvents.activityId, ids)) : []).map((r) => r.id));
    const audited = new Set((await db.select({ ids: auditEvents.entityIds }).from(auditEvents).where(sql`${auditEvents.entityType} = 'activity' AND ${auditEvents.action} = 'create'`)).flatMap((r) => r.ids.map(Number)));
    const halfWritten = ids.filter((id) => !withEvent.has(id) || !audited.has(id)).length;
    report.lost += halfWritten;
    report.notes.push(`${rows.length} activities stored: ${acked.size} acknowledged, ${rows.length - acked.size} committed while the client lost the answer to the kill`);
    report.notes.push(`${halfWritten} half-written (an activity without its event or audit row); restarts took ${Math.round(downMs / opts.kills)} ms on average`);
    if (samples.length) report.notes.push(`unexpected answers: ${samples.join(' | ')}`);
    return report;
  } finally {
    await api.kill('SIGKILL');
    await platform.close();
  }
}
