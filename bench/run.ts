/**
 * `npm run bench`: measured speed of the platform against the floor (issue 8, "Benchmarks").
 *
 * Builds the server bundle (`npm run build:server`, what `npm install` leaves), starts its own embedded PostgreSQL
 * in a temporary directory (or uses `DATABASE_URL`'s server, in a database
 * `care_bench`), fills it with `bench/generate.ts`, starts the platform (`bin/care.js serve`, a child process) and
 * the floor (`bench/floor/server.ts`, a child process) on the same database, runs every scenario against both with
 * autocannon, prints the table and writes `bench/results/<timestamp>.json` and `bench/results/latest.json`.
 *
 *   npm run bench                      full size (100,000 members, 5,000,000 events, 1,000,000 vitals)
 *   npm run bench -- --quick           a tenth of the data, 3 s per scenario
 *   npm run bench -- --only vitals     scenarios whose name contains "vitals" (repeatable, comma-separated)
 *   npm run bench -- --quick --only export   the FHIR Bulk Data export row alone (quick data)
 *   npm run bench -- --scale 0.3 --duration 10 --connections 10 --no-save
 *   npm run bench -- --cpu-prof /tmp/prof   the api and worker processes write V8 CPU profiles (.cpuprofile) there
 *   BENCH_DEBUG=1 npm run bench ...       also prints the statements of the webhook backlog's resident PUTs
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import twilio from 'twilio';
import { Pool } from 'undici';
import { ensureDatabase } from '../src/db/connect.ts';
import { freePort, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { eq, inArray } from 'drizzle-orm';
import { openDatabase, withDatabase } from '../src/db/pool.ts';
import { ecpResidents } from '../src/db/schema.ts';
import { residentObject } from '../src/ecp/residents/wire.ts';
import { recordWebhookEvent } from '../src/ecp/webhooks/outbox.ts';
import { generate, type Fixture } from './generate.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('quick');
const scale = Number(opt('scale') ?? (quick ? 0.1 : 1));
const rounds = Number(opt('rounds') ?? (quick ? 1 : 3));
const duration = Number(opt('duration') ?? (quick ? 3 : 5));
const connections = Number(opt('connections') ?? 10);
const only = argv.flatMap((a, i) => (argv[i - 1] === '--only' ? a.split(',') : []));
const save = !flag('no-save');
// `--cpu-prof <dir>`: the platform's processes (api, worker) write V8 CPU profiles there when they stop.
const profileDir = opt('cpu-prof');
const careArgs = (...args: string[]) => [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : []), 'bin/care.js', ...args];
const wanted = (name: string) => only.length === 0 || only.some((o) => name.toLowerCase().includes(o.toLowerCase()));

const log = (line: string) => process.stderr.write(line + '\n');

// ---------------------------------------------------------------- processes
interface Child {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
  rssBytes(): number;
  output(): string;
}

/** CPU time (user + system, ms) of `pid` so far; 0 when it is gone. */
function cpuMsOf(pid: number | string | undefined): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU time (ms) so far of each child of the embedded PostgreSQL's postmaster (its backends), by pid; empty without one. */
function postgresCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  if (!embeddedDataDir) return out;
  let postmaster: string;
  try {
    postmaster = fs.readFileSync(path.join(embeddedDataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0].trim();
  } catch {
    return out;
  }
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === postmaster) out.set(d, cpuMsOf(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** The CPU the backends used between two `postgresCpuMs` samples (a backend that started in between counts whole). */
function postgresCpuSince(before: Map<string, number>): number {
  let ms = 0;
  for (const [pid, now] of postgresCpuMs()) ms += now - (before.get(pid) ?? 0);
  return Math.round(ms);
}
let embeddedDataDir: string | undefined;

function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function waitReady(url: string, proc: ChildProcess, timeoutMs: number, out: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`process exited (${proc.exitCode}) before it was ready:\n${out().slice(-3000)}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not ready within ${timeoutMs} ms:\n${out().slice(-3000)}`);
}

async function startChild(args: string[], env: Record<string, string>, port: number, timeoutMs = 120_000, readyLine?: RegExp): Promise<Child & { readyMs: number }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  if (readyLine) {
    const until = Date.now() + timeoutMs;
    while (!readyLine.test(out)) {
      if (proc.exitCode !== null || Date.now() > until) throw new Error(`process not ready:\n${out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } else {
    await waitReady(url, proc, timeoutMs, () => out);
  }
  const readyMs = performance.now() - t0;
  return {
    proc,
    url,
    readyMs,
    output: () => out,
    rssBytes: () => rssOf(proc.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------- measuring
interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  seconds: number;
}

/** Sums several runs: requests/s over their total time, the worst p99, the median p50. */
function combine(ms: Measured[]): Measured {
  const requests = ms.reduce((a, m) => a + m.requests, 0);
  const seconds = ms.reduce((a, m) => a + m.seconds, 0);
  return {
    rps: Math.round((requests / seconds) * 10) / 10,
    p50: pct(ms.map((m) => m.p50), 50),
    p99: Math.max(...ms.map((m) => m.p99)),
    errors: ms.reduce((a, m) => a + m.errors, 0),
    requests,
    seconds,
  };
}

type Req = { method: 'GET' | 'POST' | 'PUT'; path: string; headers?: Record<string, string>; body?: string };

/** Runs autocannon over `make(i)` requests (cycled) for `duration` s, or `amount` requests. */
async function cannon(base: string, make: (i: number) => Req, o: { amount?: number; rate?: number; conns?: number } = {}): Promise<Measured> {
  let i = 0;
  const t0 = performance.now();
  const result = await autocannon({
    url: base,
    connections: o.conns ?? connections,
    ...(o.amount ? { amount: o.amount } : { duration }),
    ...(o.rate ? { overallRate: o.rate } : {}),
    timeout: 30,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const r = make(i++);
          return { ...req, method: r.method, path: r.path, headers: { ...(r.headers ?? {}), ...(r.body ? { 'content-type': r.headers?.['content-type'] ?? 'application/json' } : {}) }, body: r.body };
        },
      },
    ],
  });
  const non2xx = result.non2xx ?? 0;
  // Wall-clock seconds: autocannon's own `duration` is whole seconds for a run of `amount` requests (300 requests
  // in 0.5 s read as 297/s).
  const seconds = o.amount ? (performance.now() - t0) / 1000 : result.duration;
  return {
    rps: Math.round((result.requests.total / Math.max(seconds, 0.001)) * 10) / 10,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + non2xx,
    requests: result.requests.total,
    seconds,
  };
}

/**
 * Runs `one(k)` for k = 0..n-1 at `rate` per second, evenly spaced (k is due at k / rate s; autocannon's
 * `overallRate` sends each second's quota at once), at most `inFlight` at a time; one that finds every slot busy
 * starts as soon as one frees, so the achieved rate is what the other side sustained. `one` returns false for an
 * error. @returns the achieved rate (per second), latency p50/p99 (ms) and errors.
 */
async function paceLoop(n: number, rate: number, inFlight: number, one: (k: number) => Promise<boolean>): Promise<Measured> {
  const lat: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    for (;;) {
      const k = next++;
      if (k >= n) return;
      const wait = t0 + (k * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const began = performance.now();
      if (!(await one(k).catch(() => false))) errors++;
      lat.push(performance.now() - began);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  return { rps: Math.round((n / seconds) * 10) / 10, p50: pct(lat, 50), p99: pct(lat, 99), errors, requests: n, seconds };
}

/** `n` HTTP requests `make(i)` paced at `rate`/s (`paceLoop`) over kept-alive undici connections. */
async function pacedRequests(base: string, make: (i: number) => Req, n: number, rate: number, inFlight = 64): Promise<Measured> {
  const pool = new Pool(base, { connections: inFlight, pipelining: 1 });
  try {
    return await paceLoop(n, rate, inFlight, async (k) => {
      const r = make(k);
      const res = await pool.request({ path: r.path, method: r.method, headers: { ...(r.headers ?? {}), 'content-type': 'application/json' }, body: r.body });
      await res.body.dump();
      return res.statusCode < 300;
    });
  } finally {
    await pool.close();
  }
}

/**
 * `n` resident updates committed at `rate`/s straight through the platform's outbox (`recordWebhookEvent`, the
 * code `PUT /clinical/v1/resident` runs): per update one transaction that changes the room and records the
 * `resident.update` message, its deliveries and the NOTIFY. For a delivery rate the API cannot produce on this
 * machine (`PUT /clinical/v1/resident` is measured beside it).
 */
async function pacedOutbox(dbUrl: string, guids: string[], tag: string, n: number, rate: number, inFlight = 16): Promise<Measured> {
  const database = openDatabase(dbUrl, inFlight, () => {});
  try {
    const rows = await database.db.select().from(ecpResidents).where(inArray(ecpResidents.guid, guids));
    return await paceLoop(n, rate, inFlight, async (k) => {
      const row = rows[k % rows.length];
      await database.db.transaction(async (tx) => {
        const [r] = await tx.update(ecpResidents).set({ room: `${tag}-${k}`, updatedAt: new Date() }).where(eq(ecpResidents.id, row.id)).returning();
        await recordWebhookEvent(tx, { eventName: 'resident.update', organizationId: r.organizationId, locationId: r.locationId, data: { resident: residentObject(r) } });
      });
      return true;
    });
  } finally {
    await database.close();
  }
}

const pick = <T>(xs: T[], i: number) => xs[i % xs.length];
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

interface Row {
  scenario: string;
  kind: 'read' | 'write' | 'webhook' | 'prtf' | 'startup' | 'backup' | 'export';
  rps?: number;
  p50?: number;
  p99?: number;
  errors?: number;
  floorRps?: number;
  floorP50?: number;
  floorP99?: number;
  ratio?: number;
  target: string;
  met: boolean | null;
  notes?: string;
  extra?: Record<string, unknown>;
}

// ---------------------------------------------------------------- main
const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef0123456789';
const TWILIO_TOKEN = 'bench0twilio0auth0token000000000';
const rows: Row[] = [];
const cleanups: Array<() => Promise<void>> = [];
let exitCode = 0;

async function main() {
  const started = new Date();
  // The platform as `npm start` runs it after `npm install`: the server bundle. bin/care.js falls back to src/
  // (Node stripping the types at load) when the bundle is older than src/ (an edited tree), a development path
  // that starts slower; building first measures what is deployed.
  log('bench: building the server bundle (npm run build:server)');
  execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  // 1. The database.
  let adminUrl = process.env.DATABASE_URL;
  let dataDir: string | undefined;
  if (!adminUrl) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-bench-'));
    fs.chmodSync(dataDir, 0o755);
    log(`bench: embedded PostgreSQL in ${dataDir}`);
    embeddedDataDir = dataDir;
    const embedded = await startEmbeddedPostgres({ dataDir, settings: { shared_buffers: '512MB', max_wal_size: '4GB', checkpoint_timeout: '30min', shared_preload_libraries: 'pg_stat_statements' } });
    adminUrl = embedded.connectionString;
    cleanups.push(async () => {
      await embedded.stop();
      fs.rmSync(dataDir!, { recursive: true, force: true });
    });
  }
  await ensureDatabase(adminUrl, 'care_bench');
  const dbUrl = withDatabase(adminUrl, 'care_bench');

  // 2. The data.
  log(`bench: generating data at scale ${scale}`);
  const t0 = performance.now();
  const fx = await generate(dbUrl, { scale, log });
  const generateSeconds = (performance.now() - t0) / 1000;
  log(`bench: data ready in ${generateSeconds.toFixed(1)} s: ${JSON.stringify(fx.counts)}`);
  prepareSave(started, fx, generateSeconds);

  // 3. Platform and floor, each its own process on the same database.
  const [platformPort, floorPort] = [await freePort(), await freePort()];
  const common = { DATABASE_URL: dbUrl, ECP_JWT_SECRET: JWT_SECRET, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, DB_POOL_MAX: '10', NODE_ENV: 'development' };
  const platformEnv = {
    ...common,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'off',
    PUBLIC_URL: `http://127.0.0.1:${platformPort}`,
    TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32),
    TWILIO_FROM_NUMBER: '+15005550006',
    TWILIO_API_URL: 'http://127.0.0.1:9',
    OUTBOUND_ALLOW_PRIVATE_URLS: 'true',
    JOBS_POLL_SECONDS: '0.5',
    // No scheduled backup: the worker's first one (seconds of COPY over the whole database) would run under the first
    // request scenarios; backups have their own rows.
    BACKUP_INTERVAL_HOURS: '0',
  };
  // The API and the job workers as separate processes (`--role api`, `--role worker`), as a deployment runs them.
  const platform = await startChild(careArgs('serve', '--role', 'api'), platformEnv, platformPort);
  cleanups.unshift(platform.stop);
  const worker = {
    current: undefined as (Child & { readyMs: number }) | undefined,
    async start() {
      this.current = await startChild(careArgs('serve', '--role', 'worker'), platformEnv, await freePort(), 120_000, /worker is running/);
    },
    async stop() {
      await this.current?.stop();
      this.current = undefined;
    },
  };
  await worker.start();
  cleanups.unshift(() => worker.stop());
  const floor = await startChild(['bench/floor/server.ts'], { ...common, PUBLIC_URL: `http://127.0.0.1:${floorPort}` }, floorPort);
  cleanups.unshift(floor.stop);
  log(`bench: platform on ${platform.url} (pid ${platform.proc.pid}), floor on ${floor.url} (pid ${floor.proc.pid})`);

  const db = new pg.Pool({ connectionString: dbUrl, max: 2 });
  cleanups.unshift(() => db.end());
  // Statements per request (pg_stat_statements, when the server preloads it): the round trips each side makes.
  const stats = await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').then(() => db.query('SELECT pg_stat_statements_reset()')).then(() => true, () => false);
  const statements = async () => (stats
    ? Number((await db.query(`SELECT coalesce(sum(calls), 0)::bigint AS n FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query NOT ILIKE '%job_queue.%' AND query NOT ILIKE '%pg_stat_statements%' AND query NOT IN ('BEGIN', 'COMMIT', 'ROLLBACK')`)).rows[0].n)
    : NaN);

  // An ECP bearer token from the platform (the floor verifies the same HS256 key).
  const tokenRes = await fetch(`${platform.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: fx.client.client_id, client_secret: fx.client.client_secret_base64 }),
  });
  const bearer = ((await tokenRes.json()) as { access_token: string }).access_token;
  const ecp = { 'auth-bearer': `Bearer ${bearer}`, authorization: `Api-Key ${fx.client.api_key}` };
  const ecm = { 'x-user-token': fx.adminToken };

  const month = (() => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - 1);
    const start = d.toISOString().slice(0, 10);
    d.setUTCMonth(d.getUTCMonth() + 1);
    d.setUTCDate(0);
    return { start, end: d.toISOString().slice(0, 10) };
  })();

  interface Scenario { name: string; kind: 'read' | 'write'; make: (i: number, base: string) => Req; amount?: number; before?: () => Promise<void>; notes?: string }
  const scenarios: Scenario[] = [
    { name: 'patients list + search', kind: 'read', make: (i) => ({ method: 'GET', path: `/v1/admin/clinic/ecm/patients?page=1&per_page=25&search=${encodeURIComponent(pick(fx.searchTerms, i))}`, headers: ecm }) },
    { name: 'patient details', kind: 'read', make: (i) => ({ method: 'GET', path: `/v1/admin/clinic/ecm/patients/${pick(fx.patientIds, i * 7)}`, headers: ecm }) },
    {
      name: 'activity create', kind: 'write',
      make: (i) => ({ method: 'POST', path: `/v1/clinic/ecm/patients/${pick(fx.patientIds, i * 13)}/activities`, headers: ecm, body: JSON.stringify({ activity: { activity_type: 'task', assigned_to_id: pick(fx.userIds, i), message: 'Schedule follow-up appointment with patient', subject: 'Follow-up Scheduling' } }) }),
    },
    { name: 'events counts (month)', kind: 'read', make: () => ({ method: 'GET', path: `/v1/clinic/ecm/events/counts?start_date=${month.start}&end_date=${month.end}`, headers: ecm }) },
    {
      name: 'token issue', kind: 'write', amount: 280,
      notes: 'POST /token allows 300 per IP per minute: 280 requests per side, counters cleared before each',
      before: async () => void (await db.query(`DELETE FROM rate_limits WHERE key LIKE 'token:ip:%' OR key LIKE 'floor:token:%'`)),
      make: () => ({ method: 'POST', path: '/token', body: JSON.stringify({ grant_type: 'client_credentials', client_id: fx.client.client_id, client_secret: fx.client.client_secret_base64 }) }),
    },
    {
      name: 'vitals POST', kind: 'write',
      make: (i) => ({ method: 'POST', path: '/clinical/v1/resident/vital/pulse', headers: ecp, body: JSON.stringify({ pulse: 60 + (i % 40), location: fx.location, residentId: pick(fx.residentGuids, i), loginName: fx.staffLogin, timestamp: new Date(Date.now() - (i % 1000) * 60_000).toISOString() }) }),
    },
    { name: 'vitals GET page', kind: 'read', make: (i) => ({ method: 'GET', path: `/clinical/v1/resident/vital/pulse?location=${encodeURIComponent(fx.location)}&page=${1 + (i % 5)}`, headers: ecp }) },
    {
      name: 'Twilio status callback', kind: 'write',
      notes: "the bench's messages are set back to 'sent' before each side's round, so both sides make the forward 'delivered' update",
      before: async () => void (await db.query(`UPDATE text_messages SET status = 'sent' WHERE twilio_sid LIKE 'SMbench%' AND status <> 'sent'`)),
      make: (i, base) => {
        const params = { MessageSid: pick(fx.textMessageSids, i), MessageStatus: 'delivered', AccountSid: 'AC' + '0'.repeat(32) };
        const p = '/v1/clinic/webhooks/twilio/sms_status';
        return { method: 'POST', path: p, body: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, base + p, params) } };
      },
    },
  ];

  for (const s of scenarios) {
    if (!wanted(s.name)) continue;
    log(`bench: ${s.name}`);
    const warm = async (base: string) => {
      if (!s.amount) await cannon(base, (i) => s.make(i + 1_000_000, base), { amount: 200 });
    };
    let top: string[] = [];
    const once = async (base: string, round: number) => {
      await s.before?.();
      if (stats) await db.query('SELECT pg_stat_statements_reset()');
      const before = await statements();
      const m = await cannon(base, (i) => s.make(i + round * 100_000, base), { amount: s.amount, conns: s.amount ? 4 : undefined });
      const stmts = ((await statements()) - before) / Math.max(1, m.requests);
      if (stats && base === platform.url) {
        // What the platform ran per request, most frequent first (for the README's findings).
        top = (await db.query(`SELECT round(calls::numeric / $1, 2) AS per_request, round(mean_exec_time::numeric, 3) AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
          FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'
          ORDER BY calls DESC LIMIT 12`, [Math.max(1, m.requests)])).rows.map((r) => `${r.per_request}x ${r.ms} ms: ${r.query}`);
      }
      return { m, stmts };
    };
    // A short warm-up (JIT, pool, caches) of each, then rounds that alternate platform and floor, so a change
    // in the machine's load (other work on it) falls on both sides alike.
    await warm(platform.url);
    await warm(floor.url);
    const ps: Measured[] = [];
    const fs2: Measured[] = [];
    let pStmts = 0;
    let fStmts = 0;
    for (let r = 0; r < rounds; r++) {
      const a = await once(platform.url, r);
      const b = await once(floor.url, r);
      ps.push(a.m);
      fs2.push(b.m);
      pStmts += a.stmts / rounds;
      fStmts += b.stmts / rounds;
    }
    const p = combine(ps);
    const f = combine(fs2);
    const ratio = Math.round((p.rps / f.rps) * 100) / 100;
    const min = s.kind === 'read' ? 0.7 : 0.5;
    rows.push({ scenario: s.name, kind: s.kind, rps: p.rps, p50: p.p50, p99: p.p99, errors: p.errors, floorRps: f.rps, floorP50: f.p50, floorP99: f.p99, ratio, target: `>= ${min} of floor`, met: ratio >= min && p.errors === 0, notes: s.notes,
      extra: { statementsPerRequest: { platform: Math.round(pStmts * 10) / 10, floor: Math.round(fStmts * 10) / 10 }, platformRequests: p.requests, floorRequests: f.requests, platformStatements: top } });
    saveResults();
    log(`  platform ${p.rps} req/s (p50 ${p.p50} ms, p99 ${p.p99} ms, errors ${p.errors}); floor ${f.rps} req/s (errors ${f.errors}); ratio ${ratio}; statements/request ${pStmts.toFixed(1)} vs ${fStmts.toFixed(1)}`);
  }

  if (wanted('prtf')) rows.push(await prtfScenario(platform, fx, db));
  saveResults();
  if (wanted('export')) rows.push(await fhirExportScenario(platform, worker.current!, bearer));
  saveResults();
  if (wanted('webhook')) rows.push(...(await webhookScenario(platform.url, dbUrl, ecp, fx, db, worker)));
  saveResults();
  if (wanted('backup')) rows.push(...(await backupScenario(adminUrl, dbUrl)));
  saveResults();

  // Stop the big run's processes before the start-up scenario (it runs its own embedded PostgreSQL).
  while (cleanups.length) await cleanups.shift()!();
  if (wanted('start')) rows.push(...(await startupScenario()));

  print(rows);
  saveResults();
}

let saveResults: () => void = () => {};
function prepareSave(started: Date, fx: Fixture, generateSeconds: number) {
  saveResults = () => {
  const result = {
    date: started.toISOString(),
    machine: { nproc: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 1e8) / 10, node: process.version, platform: `${os.type()} ${os.release()}` },
    options: { quick, scale, duration, connections, only },
    data: { counts: fx.counts, timings: fx.timings, generateSeconds: Math.round(generateSeconds) },
    rows,
  };
  if (!save) fs.writeFileSync(path.join(os.tmpdir(), 'care-bench-last.json'), JSON.stringify(result, null, 2) + '\n');
  if (save) {
    const dir = path.join(ROOT, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
    log(`bench: wrote ${path.relative(ROOT, file)} and bench/results/latest.json (${rows.length} rows)`);
  }
  };
}

// ---------------------------------------------------------------- webhook fan-out
async function webhookScenario(base: string, dbUrl: string, ecp: Record<string, string>, fx: Fixture, db: pg.Pool, worker: { start(): Promise<void>; stop(): Promise<void> }): Promise<Row[]> {
  log('bench: webhook fan-out');
  const updates = Number(opt('webhook-updates') ?? (quick ? 1_000 : 10_000));
  const subs = 3;
  const arrivals = new Map<string, number>();
  let hits = 0;
  const receiver = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits++;
      const id = String(req.headers['webhook-id'] ?? '');
      const key = `${id}|${req.url}`;
      if (id && !arrivals.has(key)) arrivals.set(key, Date.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const rport = (receiver.address() as { port: number }).port;
  try {
    // The raw POST loop (the floor): the same number of deliveries, same-sized signed-looking bodies, keep-alive.
    const { rows: [sample] } = await db.query(`SELECT payload FROM ecp_webhook_messages ORDER BY created_at DESC LIMIT 1`);
    const body = (sample?.payload as string | undefined) ?? JSON.stringify({ id: 'x'.repeat(36), eventName: 'resident.update', data: { pad: 'x'.repeat(1500) } });
    // The raw POST loop is undici (issue 8: "a raw `undici` POST loop"), 10 requests in flight on 10 kept-alive
    // connections: no database, no signing, no checks.
    const rawPool = new Pool(`http://127.0.0.1:${rport}`, { connections: 10, pipelining: 1 });
    const total = updates * subs;
    let sent = 0;
    const rawStart = performance.now();
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (sent < total) {
        const n = sent++;
        const res = await rawPool.request({ path: `/raw/${n % subs}`, method: 'POST', body, headers: { 'content-type': 'application/json', 'webhook-id': `raw-${n}`, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,' + 'x'.repeat(44) } });
        await res.body.dump();
      }
    }));
    const rawRate = total / ((performance.now() - rawStart) / 1000);
    await rawPool.close();
    log(`  raw undici POST loop: ${Math.round(rawRate)} POST/s`);

    // Three subscriptions of the partner at the local receiver.
    const subIds: string[] = [];
    for (let s = 0; s < subs; s++) {
      const res = await fetch(`${base}/clinical/v1/webhook`, { method: 'POST', headers: { ...ecp, 'content-type': 'application/json' }, body: JSON.stringify({ callbackUrl: `http://127.0.0.1:${rport}/hook/${s}`, eventNames: ['resident.update'] }) });
      const j = (await res.json()) as { subscriptionId?: string; data?: { subscriptionId?: string } };
      if (res.status !== 200) throw new Error(`webhook subscription failed: ${res.status} ${JSON.stringify(j)}`);
      subIds.push(j.subscriptionId ?? j.data?.subscriptionId ?? '');
    }

    let workerStatements: string[] = [];
    // backlog: PUTs as fast as they go with no worker, then one worker drains them; put: PUTs paced at `rate`;
    // outbox: updates committed through the outbox at `rate` (`pacedOutbox`).
    const phase = async (label: string, n: number, mode: 'backlog' | 'put' | 'outbox', rate = 0) => {
      const backlog = mode === 'backlog';
      const tag = `${mode[0].toUpperCase()}${Date.now() % 100_000}`; // every update changes the room, so every one makes a message
      const since = new Date(Date.now() - 1000);
      arrivals.clear();
      // Backlog: the updates commit while no worker runs, then a worker drains them: its delivery rate alone.
      if (backlog) await worker.stop();
      const update = (i: number): Req => ({ method: 'PUT', path: '/clinical/v1/resident', headers: ecp, body: JSON.stringify({ residentId: pick(fx.residentGuids, i), room: `${tag}-${i}` }) });
      const put = mode === 'outbox' ? await pacedOutbox(dbUrl, fx.residentGuids, tag, n, rate)
        : mode === 'put' ? await pacedRequests(base, update, n, rate) : await cannon(base, update, { amount: n });
      const expected = n * subs;
      if (backlog && process.env.BENCH_DEBUG) {
        const st = await db.query(`SELECT calls, round(mean_exec_time::numeric, 3) AS ms, round(total_exec_time::numeric) AS total, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 14`);
        for (const r of st.rows) log(`    ${r.calls}x ${r.ms} ms (${r.total} ms): ${r.query}`);
      }
      if (backlog) await db.query('SELECT pg_stat_statements_reset()').catch(() => undefined);
      if (backlog) await worker.start();
      const until = Date.now() + (quick ? 120_000 : 600_000);
      while (arrivals.size < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      const { rows: msgs } = await db.query(`SELECT id, extract(epoch FROM created_at) * 1000 AS at FROM ecp_webhook_messages WHERE created_at >= $1 AND event_name = 'resident.update'`, [since]);
      const committed = new Map(msgs.map((m) => [m.id as string, Number(m.at)]));
      const lat: number[] = [];
      let first = Infinity;
      let firstArrival = Infinity;
      let last = 0;
      for (const [key, at] of arrivals) {
        const c = committed.get(key.split('|')[0]);
        if (c === undefined) continue;
        lat.push(at - c);
        first = Math.min(first, c);
        firstArrival = Math.min(firstArrival, at);
        last = Math.max(last, at);
      }
      if (backlog) {
        const st = await db.query(`SELECT round(calls::numeric / $1, 2) AS per_delivery, round(mean_exec_time::numeric, 2) AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%' ORDER BY calls DESC LIMIT 15`, [Math.max(1, arrivals.size)]).catch(() => ({ rows: [] }));
        workerStatements = st.rows.map((r) => `${r.per_delivery}x ${r.ms} ms: ${r.query}`);
      }
      const rate2 = backlog ? (lat.length - 1) / ((last - firstArrival) / 1000) : lat.length / ((last - first) / 1000);
      log(`  ${label}: ${put.rps} updates/s, ${arrivals.size}/${expected} deliveries, ${Math.round(rate2)} deliveries/s, commit-to-delivery p50 ${Math.round(pct(lat, 50))} ms p99 ${Math.round(pct(lat, 99))} ms`);
      return { put, delivered: arrivals.size, expected, rate: rate2, p50: pct(lat, 50), p99: pct(lat, 99) };
    };
    const burst = await phase(`backlog of ${updates} updates drained by one worker`, updates, 'backlog');
    const ratio = Math.round((burst.rate / rawRate) * 100) / 100;
    const paceRate = Math.max(1, Math.round(rawRate / 2 / subs));
    const pacedN = Math.min(updates, paceRate * (quick ? 5 : 20), quick ? 1_000 : 5_000);
    const paced = await phase(`outbox paced at ${paceRate} updates/s`, pacedN, 'outbox', paceRate);
    const viaPut = await phase(`PUT /clinical/v1/resident paced at ${paceRate} updates/s`, Math.min(pacedN, quick ? 600 : 2_000), 'put', paceRate);
    return [
      {
        scenario: `webhook fan-out (${updates} updates x ${subs} subs)`, kind: 'webhook', rps: Math.round(burst.rate),
        errors: burst.expected - burst.delivered + burst.put.errors, floorRps: Math.round(rawRate), ratio, target: '>= 0.5 of raw POST rate', met: ratio >= 0.5 && burst.delivered === burst.expected,
        notes: 'rps = deliveries/s of one worker process draining the backlog (first to last delivery); floor = undici keep-alive POST loop (10 in flight) to the same receiver',
        extra: { updatesPerSecond: burst.put.rps, hits, backlogCommitToDeliveryP99: Math.round(burst.p99), workerStatementsPerDelivery: workerStatements,
          deliveries: (await db.query(`SELECT status, last_status_code, left(last_error, 120) AS last_error, count(*)::int AS n FROM ecp_webhook_deliveries GROUP BY 1, 2, 3 ORDER BY n DESC`)).rows },
      },
      {
        scenario: `webhook commit-to-delivery, paced`, kind: 'webhook', rps: Math.round(paced.rate), p50: Math.round(paced.p50), p99: Math.round(paced.p99),
        errors: paced.expected - paced.delivered + paced.put.errors, target: 'p99 commit-to-delivery < 1000 ms at half the raw rate', met: paced.p99 < 1000 && paced.delivered === paced.expected && paced.rate >= 0.8 * paceRate * subs,
        notes: `${pacedN} resident updates committed through the outbox at ${paceRate}/s (got ${paced.put.rps}/s; x ${subs} subscriptions = half the raw POST rate); rps = deliveries/s`,
      },
      {
        scenario: `resident PUT paced, commit-to-delivery`, kind: 'webhook', rps: Math.round(viaPut.rate), p50: Math.round(viaPut.p50), p99: Math.round(viaPut.p99),
        errors: viaPut.expected - viaPut.delivered + viaPut.put.errors, target: 'reported', met: null,
        notes: `asked ${paceRate} PUT /clinical/v1/resident/s, the API sustained ${viaPut.put.rps}/s (PUT p50 ${Math.round(viaPut.put.p50)} ms, p99 ${Math.round(viaPut.put.p99)} ms); rps = deliveries/s`,
        extra: { putPerSecond: viaPut.put.rps, putP50: viaPut.put.p50, putP99: viaPut.put.p99 },
      },
    ];
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
    receiver.closeAllConnections();
  }
}

// ---------------------------------------------------------------- PRTF
async function prtfScenario(platform: Child, fx: Fixture, db: pg.Pool): Promise<Row> {
  log(`bench: PRTF ${fx.eventsFrom} .. ${fx.eventsTo}`);
  const { rows: [{ n }] } = await db.query(`SELECT count(*)::int AS n FROM ecm_events WHERE organization_id = $1 AND status <> 'cancelled'`, [fx.clinicId]);
  const before = platform.rssBytes();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, platform.rssBytes())), 20);
  // CPU time as well as wall time: on a shared machine the wall time says as much about the neighbours as about the report.
  const cpu0 = cpuMsOf(platform.proc.pid);
  const pg0 = postgresCpuMs();
  const t0 = performance.now();
  const res = await fetch(`${platform.url}/v1/admin/clinic/ecm/prtf_reports`, {
    method: 'POST',
    headers: { 'x-user-token': fx.adminToken, 'content-type': 'application/json' },
    body: JSON.stringify({ start_date: fx.eventsFrom, end_date: fx.eventsTo, format: 'csv' }),
  });
  const body = (await res.json()) as { prtf_report?: { patient_count?: number; status?: string } };
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const platformCpuMs = Math.round(cpuMsOf(platform.proc.pid) - cpu0);
  const postgresCpuMsUsed = postgresCpuSince(pg0);
  const eps = Math.round(n / seconds);
  const peakMb = Math.round(peak / 1e6);
  log(`  ${res.status}: ${n} events, ${body.prtf_report?.patient_count} members in ${seconds.toFixed(1)} s = ${eps} events/s; process RSS ${Math.round(before / 1e6)} MB before, peak ${peakMb} MB; CPU: platform ${platformCpuMs} ms, postgres ${postgresCpuMsUsed} ms`);
  return {
    scenario: 'PRTF (whole clinic, all events, csv)', kind: 'prtf', rps: eps, errors: res.status === 201 || res.status === 200 ? 0 : 1,
    target: '>= 200,000 events/s, peak RSS < 300 MB', met: eps >= 200_000 && peakMb < 300,
    notes: `${seconds.toFixed(1)} s for ${n} events and ${body.prtf_report?.patient_count} members; rps column = events/s; platform process RSS ${Math.round(before / 1e6)} MB before, peak ${peakMb} MB (sampled every 20 ms)`,
    extra: { seconds, events: n, members: body.prtf_report?.patient_count, peakRssMB: peakMb, rssBeforeMB: Math.round(before / 1e6), status: res.status, platformCpuMs, postgresCpuMs: postgresCpuMsUsed },
  };
}

// ---------------------------------------------------------------- FHIR Bulk Data export
/**
 * `GET /fhir/R4/$export` of the bench company (every resident and reading, plus whatever allergies and diagnoses the
 * demo data holds) from kick-off to the manifest, polling the status URL every 100 ms: resources per second and the
 * peak RSS of the worker process that runs the export job (and of the API process); then every file downloaded.
 */
async function fhirExportScenario(platform: Child, worker: Child, bearer: string): Promise<Row> {
  log('bench: FHIR Bulk Data export (system level)');
  const auth = { authorization: `Bearer ${bearer}` };
  const before = { worker: worker.rssBytes(), api: platform.rssBytes() };
  const peak = { ...before };
  // The worker's RSS over time: flat memory means the export's second half peaks no higher than its first.
  const workerSamples: Array<[number, number]> = [];
  const timer = setInterval(() => {
    const rss = worker.rssBytes();
    workerSamples.push([performance.now(), rss]);
    peak.worker = Math.max(peak.worker, rss);
    peak.api = Math.max(peak.api, platform.rssBytes());
  }, 20);
  const t0 = performance.now();
  const kick = await fetch(`${platform.url}/fhir/R4/$export`, { headers: { ...auth, prefer: 'respond-async' } });
  await kick.body?.cancel();
  const status = kick.headers.get('content-location');
  let manifest: { output: Array<{ type: string; url: string; count: number }> } | undefined;
  let failed = kick.status !== 202 || !status;
  while (!failed && !manifest) {
    const res = await fetch(status!.replace(/^https?:\/\/[^/]+/, platform.url), { headers: auth });
    if (res.status === 200) manifest = (await res.json()) as typeof manifest;
    else {
      await res.body?.cancel();
      if (res.status !== 202) failed = true;
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const exportPeak = { ...peak };
  const middle = t0 + (seconds * 1000) / 2;
  const halfPeak = (first: boolean) => Math.max(0, ...workerSamples.filter(([at]) => at <= t0 + seconds * 1000 && (at < middle) === first).map(([, rss]) => rss));
  const [firstHalf, secondHalf] = [halfPeak(true), halfPeak(false)];
  const flat = secondHalf <= firstHalf * 1.1;
  const resources = manifest?.output.reduce((a, o) => a + o.count, 0) ?? 0;
  // The downloads: each file streamed from storage by the API process, read to the end.
  const d0 = performance.now();
  let bytes = 0;
  for (const o of manifest?.output ?? []) {
    const res = await fetch(o.url.replace(/^https?:\/\/[^/]+/, platform.url), { headers: auth });
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  }
  const downloadSeconds = (performance.now() - d0) / 1000;
  clearInterval(timer);
  const rate = Math.round(resources / seconds);
  const mb = (n: number) => Math.round(n / 1e6);
  const counts = Object.fromEntries((manifest?.output ?? []).map((o) => [o.type, o.count]));
  log(`  ${resources} resources ${JSON.stringify(counts)} in ${seconds.toFixed(1)} s = ${rate} resources/s; worker RSS ${mb(before.worker)} MB before, peak ${mb(exportPeak.worker)} MB (first half ${mb(firstHalf)} MB, second half ${mb(secondHalf)} MB); api peak ${mb(exportPeak.api)} MB; downloads ${mb(bytes)} MB in ${downloadSeconds.toFixed(1)} s (api peak ${mb(peak.api)} MB)`);
  return {
    scenario: 'FHIR Bulk Data $export (system, NDJSON)', kind: 'export', rps: rate, errors: failed ? 1 : 0,
    target: 'reported; flat memory: the worker\'s peak RSS in the export\'s second half <= 1.1 x its first half\'s', met: !failed && flat,
    notes: `${seconds.toFixed(1)} s from kick-off to manifest for ${resources} resources; rps column = resources/s; worker RSS ${mb(before.worker)} MB before, peak ${mb(exportPeak.worker)} MB (first half ${mb(firstHalf)} MB, second half ${mb(secondHalf)} MB; sampled every 20 ms); downloads ${mb(bytes)} MB in ${downloadSeconds.toFixed(1)} s`,
    extra: { seconds, resources, counts, peakWorkerRssMB: mb(exportPeak.worker), workerRssBeforeMB: mb(before.worker), workerPeakFirstHalfMB: mb(firstHalf), workerPeakSecondHalfMB: mb(secondHalf), peakApiRssMB: mb(peak.api), apiRssBeforeMB: mb(before.api), downloadBytes: bytes, downloadSeconds },
  };
}

// ---------------------------------------------------------------- backup and restore
/** Runs `care <args>` as its own process, sampling its RSS every 20 ms; resolves with its stdout, seconds and peak RSS. */
function timedCare(args: string[], env: Record<string, string>): Promise<{ stdout: string; seconds: number; peakRss: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/care.js', ...args], { cwd: ROOT, env: { ...(process.env as Record<string, string>), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, rssOf(child.pid))), 20);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolve({ stdout: out, seconds: (performance.now() - t0) / 1000, peakRss: peak });
      else reject(new Error(`care ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}

async function backupScenario(adminUrl: string, dbUrl: string): Promise<Row[]> {
  log('bench: care db backup / restore of the bench database');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-bench-backup-'));
  const file = path.join(dir, 'bench.bin');
  const env = { DATABASE_URL: dbUrl, BACKUP_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  try {
    const size = await withPool(dbUrl, async (c) => Number((await c.query(`SELECT pg_database_size(current_database()) AS n`)).rows[0].n));
    const b = await timedCare(['db', 'backup', '--out', file, '--json'], env);
    const made = JSON.parse(b.stdout) as { bytes: number; rows: number; tables: number };
    const restoreDb = 'care_bench_restore';
    await withPool(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${restoreDb} WITH (FORCE)`));
    await ensureDatabase(adminUrl, restoreDb);
    const r = await timedCare(['db', 'restore', file, '--json'], { ...env, DATABASE_URL: withDatabase(adminUrl, restoreDb) });
    await withPool(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${restoreDb} WITH (FORCE)`));
    const row = (what: 'backup' | 'restore', m: { seconds: number; peakRss: number }): Row => {
      const rowsPerSecond = Math.round(made.rows / m.seconds);
      const mbPerSecond = Math.round((size / 1e6 / m.seconds) * 10) / 10;
      const peakMb = Math.round(m.peakRss / 1e6);
      log(`  ${what}: ${made.rows} rows in ${m.seconds.toFixed(1)} s = ${rowsPerSecond} rows/s, ${mbPerSecond} MB/s of database (${Math.round(size / 1e6)} MB; file ${(made.bytes / 1e6).toFixed(1)} MB); peak RSS ${peakMb} MB`);
      return {
        scenario: `care db ${what} (encrypted, whole database)`, kind: 'backup', rps: rowsPerSecond, errors: 0, target: 'reported', met: null,
        notes: `rps column = rows/s; ${made.rows} rows in ${made.tables} tables, ${m.seconds.toFixed(1)} s including process start; ${mbPerSecond} MB/s of database (pg_database_size ${Math.round(size / 1e6)} MB, file ${(made.bytes / 1e6).toFixed(1)} MB); peak RSS ${peakMb} MB (sampled every 20 ms)`,
        extra: { seconds: m.seconds, rows: made.rows, databaseBytes: size, fileBytes: made.bytes, mbPerSecond, peakRssMB: peakMb },
      };
    };
    return [row('backup', b), row('restore', r)];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function withPool<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------- start-up
async function startupScenario(): Promise<Row[]> {
  log('bench: start-up');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-bench-start-'));
  fs.chmodSync(dir, 0o755);
  const env = { DATA_DIR: dir, DATABASE_URL: '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  const childEnv = { ...env };
  delete (childEnv as Record<string, string>).DATABASE_URL;
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  try {
    const first = await startChild(['bin/care.js', 'serve'], childEnv, await freePort(), 300_000);
    await first.stop();
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await startChild(['bin/care.js', 'serve'], childEnv, await freePort(), 60_000);
      runs.push(Math.round(c.readyMs));
      await c.stop();
    }
    const cold = pct(runs, 50);
    log(`  first run (initdb, migrations, demo data) ${Math.round(first.readyMs)} ms; restarts ${runs.join(', ')} ms`);
    return [
      { scenario: 'start-up, initialised data dir (median of 3)', kind: 'startup', p50: cold, target: '< 5000 ms to /readyz 200', met: cold < 5000, notes: `runs ${runs.join(', ')} ms: process start (node bin/care.js serve, embedded PostgreSQL) until GET /readyz answers 200`, extra: { runs } },
      { scenario: 'first run (initdb, migrations, demo data)', kind: 'startup', p50: Math.round(first.readyMs), target: 'reported', met: null },
    ];
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- output
function print(rs: Row[]) {
  const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'floor req/s', 'ratio', 'target', 'met?'];
  const cells = rs.map((r) => [r.scenario, r.rps ?? '', r.p50 ?? '', r.p99 ?? '', r.errors ?? '', r.floorRps ?? '', r.ratio ?? '', r.target, r.met === null ? '-' : r.met ? 'yes' : 'NO'].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => '| ' + c.map((x, i) => x.padEnd(w[i])).join(' | ') + ' |';
  process.stdout.write([line(head), '|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|', ...cells.map(line)].join('\n') + '\n');
}

try {
  await main();
} catch (err) {
  exitCode = 1;
  log(`bench: failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  while (cleanups.length) {
    try {
      await cleanups.shift()!();
    } catch (err) {
      log(`bench: cleanup: ${String(err)}`);
    }
  }
}
process.exit(exitCode);
