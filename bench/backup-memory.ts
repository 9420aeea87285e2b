/**
 * Memory of `care db backup` and `care db restore` over time, at the sizes asked: does peak RSS grow with the
 * database? Keeps its embedded PostgreSQL and generated databases in `--dir` (default /tmp/care-backup-memory) so
 * a second run skips the generation.
 *
 *   node bench/backup-memory.ts --scales 0.1,0.4 [--dir /tmp/x] [--only backup|restore] [--heap-prof /tmp/prof] [--from-source]
 *
 * Build the server bundle first (`npm run build:server`), as `npm run bench` does, or pass `--from-source`.
 *
 * Prints, per scale: rows, database size, and for each command the seconds, peak RSS and the highest RSS of each
 * second (MB, sampled from /proc every 20 ms).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase } from '../src/db/connect.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { withDatabase } from '../src/db/pool.ts';
import { generate } from './generate.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const scales = (opt('scales') ?? '0.1,0.4').split(',').map(Number);
const dir = path.resolve(opt('dir') ?? '/tmp/care-backup-memory');
const heapProf = opt('heap-prof');
const only = opt('only');

function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `care <args>`, sampling RSS every 20 ms; returns seconds, peak and the per-second maxima (MB). */
function run(args: string[], env: Record<string, string>): Promise<{ seconds: number; peakMB: number; timeline: number[]; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const node = heapProf ? ['--heap-prof', `--heap-prof-dir=${path.resolve(heapProf)}`] : [];
    const child = spawn(process.execPath, [...node, 'bin/care.js', ...args], { cwd: ROOT, env: { ...(process.env as Record<string, string>), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peak = 0;
    const timeline: number[] = [];
    const timer = setInterval(() => {
      const r = rssOf(child.pid);
      peak = Math.max(peak, r);
      const s = Math.floor((performance.now() - t0) / 1000);
      timeline[s] = Math.max(timeline[s] ?? 0, Math.round(r / 1e6));
    }, 20);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolve({ seconds: (performance.now() - t0) / 1000, peakMB: Math.round(peak / 1e6), timeline: [...timeline].map((x) => x ?? 0), stdout: out + err });
      else reject(new Error(`care ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}

async function main() {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), settings: { shared_buffers: '256MB', max_wal_size: '4GB' } });
  const admin = embedded.connectionString;
  const env = { CARE_FROM_SOURCE: argv.includes('--from-source') ? '1' : '0', BACKUP_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  try {
    for (const scale of scales) {
      const name = `care_mem_${String(scale).replace('.', '_')}`;
      const url = withDatabase(admin, name);
      const marker = path.join(dir, `${name}.generated`);
      if (!fs.existsSync(marker)) {
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
        await ensureDatabase(admin, name);
        process.stderr.write(`generating scale ${scale}\n`);
        await generate(url, { scale });
        fs.writeFileSync(marker, '');
      }
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const size = Number((await c.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n);
      await c.end();
      const file = path.join(dir, `${name}.bin`);
      if (!only || only === 'backup') {
        const b = await run(['db', 'backup', '--out', file, '--json'], { ...env, DATABASE_URL: url });
        const j = JSON.parse(b.stdout.trim().split('\n').find((l) => l.startsWith('{'))!) as { rows: number; bytes: number };
        console.log(`scale ${scale}: ${j.rows} rows, database ${Math.round(size / 1e6)} MB, file ${(j.bytes / 1e6).toFixed(1)} MB`);
        console.log(`  backup  ${b.seconds.toFixed(1)} s, peak RSS ${b.peakMB} MB; per second: ${b.timeline.join(' ')}`);
      }
      if (!only || only === 'restore') {
        const target = `${name}_restore`;
        const a = new pg.Client({ connectionString: admin });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
        await a.query(`CREATE DATABASE ${target}`);
        const r = await run(['db', 'restore', file, '--json'], { ...env, DATABASE_URL: withDatabase(admin, target) });
        await a.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
        await a.end();
        console.log(`  restore ${r.seconds.toFixed(1)} s, peak RSS ${r.peakMB} MB; per second: ${r.timeline.join(' ')}`);
      }
    }
  } finally {
    await embedded.stop();
  }
}

await main();
