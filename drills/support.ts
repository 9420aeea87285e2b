/**
 * What every fault drill shares: `care` processes started as operators start them (`bin/care.js serve --role ...`
 * on `DATABASE_URL`), an in-process platform on the same database for seeding and for checking what was stored,
 * and the drill report (requests sent, succeeded, failed with a clear error, lost, duplicates).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { buildApp, createServices, type Services } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { connectDatabase, type PlatformDatabase } from '../src/db/connect.ts';
import { MIGRATIONS_FOLDER } from '../src/root.ts';
import { freePort } from '../src/db/embedded.ts';
import { createJobs, type Jobs } from '../src/platform/jobs.ts';
import { createMailer } from '../src/platform/mail.ts';
import { createTelephony } from '../src/platform/telephony.ts';
import { QUEUES, startWorkers } from '../src/workers.ts';
import type { FastifyInstance } from 'fastify';

const root = path.resolve(import.meta.dirname, '..');

export interface DrillReport {
  drill: string;
  /** What the drill did, in one or two sentences. */
  did: string;
  sent: number;
  succeeded: number;
  /** Failed with a clear error the client can act on (503, 502 with its sentence, connection refused while the process was down). */
  failedClearly: number;
  /** Failed any other way (a 500, a hang, a body that is not the documented shape): must be 0. */
  failedBadly: number;
  /** Acknowledged writes or messages missing afterwards: must be 0. */
  lost: number;
  /** Duplicates beyond the documented at-least-once redelivery: must be 0. */
  duplicates: number;
  /** Further figures (redeliveries, recovery time, ...). */
  notes: string[];
}

export function newReport(drill: string, did: string): DrillReport {
  return { drill, did, sent: 0, succeeded: 0, failedClearly: 0, failedBadly: 0, lost: 0, duplicates: 0, notes: [] };
}

export function passed(r: DrillReport): boolean {
  return r.failedBadly === 0 && r.lost === 0 && r.duplicates === 0 && r.succeeded > 0;
}

export function formatReport(r: DrillReport): string {
  return [
    `${passed(r) ? 'PASS' : 'FAIL'} ${r.drill}`,
    `  did:        ${r.did}`,
    `  requests:   ${r.sent} sent, ${r.succeeded} succeeded, ${r.failedClearly} failed with a clear error, ${r.failedBadly} failed otherwise`,
    `  data:       ${r.lost} lost, ${r.duplicates} duplicates`,
    ...r.notes.map((n) => `  note:       ${n}`),
  ].join('\n');
}

/** Environment of drill processes: quiet logs, fast polling and maintenance, sandbox providers unless overridden. */
export function drillEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'test', DATABASE_URL: databaseUrl, LOG_LEVEL: 'error', HOST: '127.0.0.1', PUBLIC_URL: 'http://127.0.0.1:3000',
    JOBS_POLL_SECONDS: '0.5', JOBS_MAINTENANCE_SECONDS: '1', OUTBOUND_ALLOW_PRIVATE_URLS: 'true', DB_POOL_MAX: '10',
    // No scheduled backup into the checkout's .data/backups (the backup drill sets its own DATA_DIR).
    BACKUP_INTERVAL_HOURS: '0',
    ...extra,
  };
  for (const k of ['SMTP_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER']) if (!(k in extra)) delete env[k];
  return env;
}

export interface CareProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` (API roles). */
  base: string;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `care serve --role <role>` and waits until `/readyz` answers 200 (API roles) or the worker says it runs. */
export async function startCare(role: 'all' | 'api' | 'worker', databaseUrl: string, extra: Record<string, string> = {}, port?: number): Promise<CareProcess> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [path.join(root, 'bin/care.js'), 'serve', '--role', role], {
    cwd: root, env: drillEnv(databaseUrl, { PORT: String(p), ...extra }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const base = `http://127.0.0.1:${p}`;
  const proc: CareProcess = {
    child, base, output: () => out,
    kill: (signal) => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    }),
  };
  // Generous: on a loaded 2-core machine a start from the sources has taken over 30 s.
  const until = Date.now() + 150_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`care serve --role ${role} exited: ${out}`);
    if (role === 'worker') {
      if (out.includes('worker is running')) return proc;
    } else {
      const ok = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
      if (ok) return proc;
    }
    await sleep(100);
  }
  await proc.kill('SIGKILL');
  throw new Error(`care serve --role ${role} did not become ready: ${out}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The platform in this process on `databaseUrl` (migrations applied, pg-boss installed): for seeding and checks. */
export interface DrillPlatform {
  config: Config;
  database: PlatformDatabase;
  jobs: Jobs;
  services: Services;
  /** The HTTP app in this process (for drills that inject requests). */
  app(): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export async function openDrillPlatform(databaseUrl: string, extra: Record<string, string> = {}, opts: { workers?: boolean } = {}): Promise<DrillPlatform> {
  const env = drillEnv(databaseUrl, extra);
  const config = loadConfig(env);
  const log = pino({ level: 'silent' });
  const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, dbPoolMax: config.dbPoolMax, migrationsFolder: MIGRATIONS_FOLDER }, log);
  const jobs = createJobs({ connectionString: database.url, queues: QUEUES, pollSeconds: config.jobsPollSeconds, maintenanceSeconds: config.jobsMaintenanceSeconds, log });
  await jobs.start();
  const mailer = createMailer(config, database.db);
  const telephony = createTelephony(config, database.db);
  const services = createServices({ db: database.db, config, jobs, mailer, telephony });
  if (opts.workers) await startWorkers({ jobs, services, config });
  let app: FastifyInstance | undefined;
  return {
    config, database, jobs, services,
    async app() {
      app ??= await buildApp({ config, db: database.db, services });
      await app.ready();
      return app;
    },
    async close() {
      await app?.close();
      await services.webhooks.stopDispatcher();
      await jobs.stop(5_000);
      mailer.close();
      await database.shutdown();
    },
  };
}

/** A fetch that never hangs: the answer's status and JSON, or `error` (connection refused, timeout). */
export async function request(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<{ status: number; body: unknown; error?: string; ms: number }> {
  const t0 = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body, ms: Date.now() - t0 };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { status: 0, body: null, error: e.cause?.code ?? e.name ?? e.message, ms: Date.now() - t0 };
  }
}

export interface ClinicSeed {
  organizationId: number;
  adminToken: string;
  coordinatorId: number;
  patientId: number;
}

/** A clinic with an admin (token), a coordinator and one member, made through the app in this process. */
export async function seedClinic(p: DrillPlatform, name: string, patient: Record<string, unknown> = {}): Promise<ClinicSeed> {
  const { systemContext } = await import('../src/platform/context.ts');
  const org = await p.services.identity.ensureOrganization(name);
  const ctx = systemContext(org.id, 'drill');
  const slug = name.toLowerCase().replace(/\W+/g, '-');
  const admin = await p.services.identity.createUser(ctx, { email: `admin@${slug}.example.com`, name: 'Drill Admin', role: 'admin', password: 'drill-password-1' });
  const coord = await p.services.identity.createUser(ctx, { email: `coord@${slug}.example.com`, name: 'Drill Coordinator', role: 'care_coordinator', password: 'drill-password-1' });
  const adminToken = await p.services.identity.issueToken(admin.id, org.id);
  const app = await p.app();
  const res = await app.inject({
    method: 'POST', url: '/v1/admin/clinic/ecm/patients', headers: { 'x-user-token': adminToken },
    payload: { patient: { first_name: 'Drill', last_name: 'Member', ecm_eligibility_information: { member_id: `DRILL-${slug}` }, ...patient } },
  });
  if (res.statusCode !== 201) throw new Error(`seeding the member: ${res.statusCode} ${res.body}`);
  return { organizationId: org.id, adminToken, coordinatorId: coord.id, patientId: res.json().patient.id };
}

export interface PartnerSeed {
  companyId: number;
  location: string;
  clientId: string;
  secretBase64: string;
  apiKey: string;
}

/** An ECP partner client of a new company with one location. */
export async function seedPartner(p: DrillPlatform, company: string): Promise<PartnerSeed> {
  const location = `${company} Home`;
  const c = await p.services.partnerClients.createClient(company, [location]);
  return { companyId: c.company_id, location, clientId: c.client_id, secretBase64: c.client_secret_base64, apiKey: c.api_key };
}

/** A bearer token from `POST /token` at `base`. */
export async function partnerToken(base: string, partner: PartnerSeed): Promise<string> {
  const res = await request(`${base}/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: partner.clientId, client_secret: partner.secretBase64 }),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { access_token: string }).access_token;
}

/** A webhook receiver that records each `webhook-id` and answers 200 after `delayMs`. */
export async function startReceiver(delayMs = 0): Promise<{ url: string; ids: string[]; close(): Promise<void> }> {
  const http = await import('node:http');
  const ids: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => {
      ids.push(String(req.headers['webhook-id']));
      res.writeHead(200).end('ok');
    }, delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`, ids,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Polls `fn` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function until(fn: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
}
