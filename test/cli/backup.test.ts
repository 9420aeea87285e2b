/**
 * The backup drill, short form, on real processes: a server on its own embedded PostgreSQL takes writes, `care db
 * backup` runs beside it, more writes follow, the server is SIGKILLed (its postmaster stopped), DATA_DIR deleted, `care db restore` fills a
 * new one, and the restarted server has every write acknowledged before the backup and none after.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { stopOrphanedPostmaster } from '../../drills/backup-restore.ts';

const root = path.resolve(import.meta.dirname, '../..');
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'care-backup-cli-'));
fs.chmodSync(base, 0o755);
const dataDir = path.join(base, 'data');
const file = path.join(base, 'b.bin');
const key = Buffer.alloc(32, 9).toString('base64');
const children: ChildProcess[] = [];

function env(extra: Record<string, string> = {}) {
  const e: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, NODE_ENV: 'development', DEMO_SEED: 'off', BACKUP_ENCRYPTION_KEY: key, BACKUP_INTERVAL_HOURS: '0', ...extra };
  delete e.DATABASE_URL;
  return e;
}

function care(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'bin/care.js'), ...args], { cwd: root, env: env(), encoding: 'utf8', timeout: 90_000 });
}

/** Runs `care <args>` as a child, reading its command line every 20 ms: every argument it was seen with. */
function careWatched(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; argv: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/care.js'), ...args], { cwd: root, env: env() });
    let stdout = '';
    let stderr = '';
    const argv = new Set<string>();
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setInterval(() => {
      try {
        for (const a of fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')) if (a) argv.add(a);
      } catch {
        // exited (a zombie's command line is empty)
      }
    }, 20);
    child.on('exit', (status) => {
      clearInterval(timer);
      resolve({ status, stdout, stderr, argv: [...argv] });
    });
  });
}

async function serve(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(root, 'bin/care.js'), 'serve'], { cwd: root, env: env({ PORT: String(port), HOST: '127.0.0.1' }) });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return child;
    if (child.exitCode !== null) throw new Error(`care serve exited: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`care serve did not become ready: ${out}`);
}

function createUser(n: number) {
  const r = care(['users', 'create', '--org', 'Drill Clinic', '--email', `u${n}@drill.test`, '--name', `User ${n}`, '--role', 'admin', '--password', 'drill-password-1', '--json']);
  expect(r.status, r.stderr).toBe(0);
}

async function signIn(port: number, n: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/auth/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `u${n}@drill.test`, password: 'drill-password-1' }) });
  return res.status;
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await stopOrphanedPostmaster(dataDir).catch(() => {});
  fs.rmSync(base, { recursive: true, force: true });
});

describe('care db backup and restore, end to end', () => {
  it('brings back every write made before the backup after the server is killed and DATA_DIR deleted', async () => {
    const port = await freePort();
    const server = await serve(port);
    for (const n of [1, 2, 3]) createUser(n);
    const b = await careWatched(['db', 'backup', '--out', file, '--json']);
    expect(b.status, b.stderr).toBe(0);
    // It restarted itself in place with a small young generation (its peak RSS: 234 MB instead of 379 MB).
    expect(b.argv).toContain('--max-semi-space-size=16');
    const made = JSON.parse(b.stdout) as { file: string; bytes: number; tables: number; rows: number; migrations: number; seconds: number };
    expect(Object.keys(made)).toEqual(['file', 'bytes', 'tables', 'rows', 'migrations', 'seconds']);
    createUser(4);
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    // The machine is lost: its PostgreSQL goes with the server (immediate shutdown), then the disk.
    expect(await stopOrphanedPostmaster(dataDir)).toBeGreaterThan(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
    const wrongKey = spawnSync(process.execPath, [path.join(root, 'bin/care.js'), 'db', 'restore', file], { cwd: root, env: env({ BACKUP_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') }), encoding: 'utf8', timeout: 90_000 });
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/BACKUP_ENCRYPTION_KEY is not the key this backup was encrypted with/);
    const r = await careWatched(['db', 'restore', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.argv).toContain('--max-semi-space-size=16');
    expect(JSON.parse(r.stdout).rows).toBe(made.rows);
    const again = care(['db', 'restore', file]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/the target database is not empty/);
    const port2 = await freePort();
    const restarted = await serve(port2);
    expect(await Promise.all([1, 2, 3].map((n) => signIn(port2, n)))).toEqual([200, 200, 200]);
    expect(await signIn(port2, 4)).toBe(401);
    restarted.kill('SIGTERM');
    await new Promise((res) => restarted.once('exit', res));
  }, 180_000);
});
