/**
 * The real `care` process on its own embedded PostgreSQL: create a user from the
 * CLI, serve, sign in over HTTP, stop with SIGTERM, start again and find the data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-serve-'));
fs.chmodSync(dataDir, 0o755);
const children: ChildProcess[] = [];

function env(extra: Record<string, string> = {}) {
  const e: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development', ...extra };
  delete e.DATABASE_URL;
  return e;
}

function care(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'bin/care.js'), ...args], { cwd: root, env: env(), encoding: 'utf8', timeout: 60_000 });
}

async function serve(port: number, extra: Record<string, string> = {}): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [path.join(root, 'bin/care.js'), 'serve'], { cwd: root, env: env({ PORT: String(port), HOST: '127.0.0.1', ...extra }) });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return { child, output: () => out };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`care serve exited: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`care serve did not become ready: ${out}`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

function postmasterRunning(): boolean {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return false;
  try {
    process.kill(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]), 0);
    return true;
  } catch {
    return false;
  }
}

const productionDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-serve-prod-'));
fs.chmodSync(productionDataDir, 0o755);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(productionDataDir, { recursive: true, force: true });
});

describe('care CLI and server process', () => {
  it('prints help for every command', () => {
    for (const args of [['--help'], ['serve', '--help'], ['demo', '--help'], ['users', 'create', '--help']]) {
      const r = care(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: care/);
    }
  });

  it('refuses a bad setting naming the variable', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/care.js'), 'serve'], { cwd: root, env: env({ PORT: 'eighty' }), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PORT must be a whole number/);
  });

  it('creates a user from the shell, serves it, survives SIGTERM and keeps the data', async () => {
    const created = care(['users', 'create', '--org', 'Process Clinic', '--email', 'proc@example.com', '--name', 'Proc Admin', '--role', 'admin', '--password', 'process-pass-1', '--json']);
    expect(created.status, created.stderr).toBe(0);
    const { id, token } = JSON.parse(created.stdout);
    expect(id).toBeGreaterThan(0);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(postmasterRunning()).toBe(false); // the command stopped the database it started

    const port = await freePort();
    // The old name of OUTBOUND_ALLOW_PRIVATE_URLS still works, with a deprecation warning in the start-up log.
    const first = await serve(port, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    expect(first.output()).toMatch(/"level":40,.*"msg":"WEBHOOK_ALLOW_PRIVATE_URLS is deprecated: rename it to OUTBOUND_ALLOW_PRIVATE_URLS/);
    const base = `http://127.0.0.1:${port}`;
    // The server restarted itself in place (same pid) with a young generation capped as on Node 20.
    expect(fs.readFileSync(`/proc/${first.child.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=16');
    const signIn = async () =>
      fetch(`${base}/v1/auth/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'proc@example.com', password: 'process-pass-1' }) });
    const res = await signIn();
    expect(res.status).toBe(200);
    const session = (await res.json()) as { token: string };
    const created2 = await fetch(`${base}/v1/admin/clinic/ecm/patients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-token': session.token },
      body: JSON.stringify({ patient: { first_name: 'Zebediah', last_name: 'Quill', phone: '(805) 555-0199', ecm_eligibility_information: { member_id: 'PROC-1' } } }),
    });
    expect(created2.status).toBe(201);
    const search = await fetch(`${base}/v1/admin/clinic/ecm/patients?search=Zebediah`, { headers: { 'x-user-token': token } });
    expect(search.status).toBe(200);

    // A CLI command beside the running server joins its database.
    const demoUser = care(['users', 'create', '--org', 'Process Clinic', '--email', 'second@example.com', '--name', 'Second', '--role', 'provider', '--password', 'process-pass-2', '--json']);
    expect(demoUser.status, demoUser.stderr).toBe(0);
    expect(postmasterRunning()).toBe(true);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(postmasterRunning()).toBe(false);
    const log = first.output();
    expect(log).toContain('request completed');
    for (const phi of ['Zebediah', 'Quill', '5550199', token, session.token, 'process-pass-1']) expect(log).not.toContain(phi);

    const second = await serve(port);
    const again = await signIn();
    expect(again.status).toBe(200);
    const list = await fetch(`${base}/v1/admin/clinic/ecm/patients?search=Quill`, { headers: { 'x-user-token': token } });
    expect(((await list.json()) as { patients: Array<{ name: string }> }).patients.map((p) => p.name)).toEqual(['Zebediah Quill']);

    // SIGKILL leaves the postmaster behind; the next start stops it and starts afresh.
    second.child.kill('SIGKILL');
    await exited(second.child);
    expect(postmasterRunning()).toBe(true);
    const third = await serve(port);
    expect((await signIn()).status).toBe(200);
    third.child.kill('SIGINT');
    expect(await exited(third.child)).toBe(0);
    expect(postmasterRunning()).toBe(false);
  }, 90_000);

  it('seeds no demo users and prints no token, password or partner secret when NODE_ENV=production', async () => {
    const port = await freePort();
    const prod = await serve(port, {
      DATA_DIR: productionDataDir, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:9', TWILIO_API_URL: 'http://127.0.0.1:9',
      TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'production-test-token', TWILIO_FROM_NUMBER: '+18055550100',
      BACKUP_INTERVAL_HOURS: '0',
    });
    // The demo admin's password is published in the README: on a production server it must open nothing.
    const signIn = await fetch(`http://127.0.0.1:${port}/v1/auth/sign_in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo-clinic.example.com', password: 'demo-password-2024' }),
    });
    expect(signIn.status).toBe(401);
    prod.child.kill('SIGTERM');
    expect(await exited(prod.child)).toBe(0);
    const out = prod.output();
    expect(out).not.toContain('Demo data was seeded');
    for (const secret of ['token:', 'client_secret', 'api_key', 'demo-password-2024', 'X-User-Token', 'Api-Key']) expect(out).not.toContain(secret);
  }, 120_000);
});
