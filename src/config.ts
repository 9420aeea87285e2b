/**
 * Every setting of the platform, read from the environment once at start-up.
 *
 * `loadConfig(env)` returns a typed, frozen `Config`; a bad value throws a
 * `ConfigError` whose message names the variable, and `care` prints it and
 * exits 1. Nothing else in `src/` reads `process.env` (ARCHITECTURE.md,
 * "Configuration"; STYLE.md rule 9).
 */
import path from 'node:path';

export class ConfigError extends Error {}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** `development`, `test` or `production`. */
  nodeEnv: 'development' | 'test' | 'production';
  /** TCP port of the HTTP server (default 3000; 0 picks a free one). */
  port: number;
  /** Interface to bind (default `0.0.0.0`). */
  host: string;
  /** PostgreSQL connection string; unset means "start the embedded PostgreSQL". */
  databaseUrl: string | undefined;
  /** Absolute directory for the embedded database and runtime files (default `./.data`). */
  dataDir: string;
  logLevel: LogLevel;
  /** The public base URL of this server, without trailing slash (default `http://localhost:<port>`). */
  publicUrl: string;
  /** Sign-in tokens expire after this many minutes without use (default 720 = 12 h). */
  sessionIdleTimeoutMinutes: number;
  /** Sign-in tokens expire this many hours after sign-in, however active (default 12). */
  sessionMaxAgeHours: number;
  /** Failed sign-ins allowed per account in `signInWindowMinutes` before 429 (default 5). */
  signInAccountLimit: number;
  /** Sign-in attempts allowed per client IP in `signInWindowMinutes` before 429 (default 50). */
  signInIpLimit: number;
  /** Length of the sign-in throttling window, minutes (default 15). */
  signInWindowMinutes: number;
  /** Maximum connections in the pool of one process (default 10). */
  dbPoolMax: number;
  /** `auto` (seed demo data into an empty embedded database on `serve`) or `off`. */
  demoSeed: 'auto' | 'off';
  /** `smtp://` or `smtps://` URL of the mail relay; unset: the sandbox mailbox records mail instead. */
  smtpUrl: string | undefined;
  /** From address of outgoing mail (default `Care Platform <no-reply@care-platform.invalid>`). */
  mailFrom: string;
  /** Hosts (`name` or `name:port`) email attachments may be fetched from; empty: none. */
  mailAttachmentHosts: string[];
  /** Hosts (`name` or `name:port`) MIF and authorization imports may download `url` sources from; empty: none. */
  importUrlHosts: string[];
  /** Largest attachment fetched, bytes (default 10 MiB). */
  mailAttachmentMaxBytes: number;
  /** SMTP connection, greeting and socket timeout, milliseconds (default 10000). */
  smtpTimeoutMs: number;
  /** Retries of a failed email after the first attempt (default 5). */
  mailRetryLimit: number;
  /** Delay before the first retry, seconds; doubles each time (default 60). */
  mailRetryDelaySeconds: number;
  /** How often idle job workers look for work, seconds (default 2; minimum 0.5). */
  jobsPollSeconds: number;
  /** How often pg-boss maintenance runs, seconds (default 60): it retries jobs whose handler died (e.g. a killed worker). */
  jobsMaintenanceSeconds: number;
  /** Hours a finished FHIR Bulk Data export's files are kept before they answer 404 and are deleted (default 24). */
  fhirExportTtlHours: number;
  /** Twilio account; unset (with the token and number) means the sandbox telephony provider. */
  twilio: { accountSid: string; authToken: string; fromNumber: string } | undefined;
  /** Base URL of the Twilio REST API (default `https://api.twilio.com`; tests point it at a local peer). */
  twilioApiUrl: string;
  /** Timeout of one Twilio API request, milliseconds (default 15000). */
  twilioTimeoutMs: number;
  /** HS256 key of ECP access tokens (at least 32 characters); unset: generated once and kept in the database. */
  ecpJwtSecret: string | undefined;
  /** Delay before reconciling a message or call whose send timed out, seconds (default 60; retried 10 times). */
  twilioReconcileDelaySeconds: number;
  /** Absolute path of CMS's ICD-10-CM file (zip, `icd10cm_order_YYYY.txt` or `icd10cm_codes_YYYY.txt`) `care serve` imports when its year is missing; unset: none. */
  icd10cmFile: string | undefined;
  /**
   * Let the outbound guard reach `http:` and loopback/private addresses: ECP webhook callbacks and email attachments
   * (`OUTBOUND_ALLOW_PRIVATE_URLS`, formerly `WEBHOOK_ALLOW_PRIVATE_URLS`; development and tests only; default false).
   */
  outboundAllowPrivateUrls: boolean;
  /** Delay before each ECP webhook attempt after a failure, seconds; its length is the number of attempts (default 0,5,300,1800,7200,18000,36000,36000). */
  webhookRetrySchedule: number[];
  /** Timeout of one ECP webhook delivery, milliseconds (default 15000). */
  webhookTimeoutMs: number;
  /**
   * What a zip archive (XLSX/XLSM import, ICD-10-CM zip) may inflate to: all entries together (default 1 GiB), one
   * entry (default 512 MiB), and the uncompressed:compressed ratio of an entry over 1 MiB (default 100).
   */
  archiveLimits: { maxUncompressedBytes: number; maxEntryBytes: number; maxRatio: number };
  /** AES-256-GCM key of backups (`BACKUP_ENCRYPTION_KEY`, 32 bytes base64); unset: backups are compressed only. */
  backupEncryptionKey: Buffer | undefined;
  /** Hours between scheduled backups (default 24; 0: none). */
  backupIntervalHours: number;
  /** Absolute directory of scheduled backups (default `DATA_DIR/backups`; outside `DATA_DIR` in production). */
  backupDir: string;
  /** Scheduled backups kept, newest first (default 14). */
  backupKeep: number;
  /** Sentences for the operator about the settings (a deprecated variable name), logged as warnings at start-up. */
  warnings: readonly string[];
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function list(env: Env, name: string): string[] {
  return str(env, name, '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes)$/i.test(raw.trim())) return true;
  if (/^(false|0|no)$/i.test(raw.trim())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** Comma-separated durations in seconds (`0,5,300`), each optionally with a unit (`0s,5s,5m,2h`). */
function durations(env: Env, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((part) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$/i.exec(part);
    if (!m) throw new ConfigError(`${name} must be comma-separated seconds such as 0,5,300 (or 0s,5s,5m), got "${raw}"`);
    return Number(m[1]) * DURATION_UNITS[m[2].toLowerCase()];
  });
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = str(env, name, fallback);
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, fallback: string | undefined, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got an unparseable value`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

/**
 * The backup settings. A production server that schedules backups needs a key (they hold PHI) and a directory
 * off `DATA_DIR` (a backup on the failing disk is lost with it).
 */
function backupSettings(env: Env, nodeEnv: Config['nodeEnv'], dataDir: string, cwd: string): Pick<Config, 'backupEncryptionKey' | 'backupIntervalHours' | 'backupDir' | 'backupKeep'> {
  const raw = env.BACKUP_ENCRYPTION_KEY?.trim();
  let key: Buffer | undefined;
  if (raw) {
    key = Buffer.from(raw, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) {
      throw new ConfigError('BACKUP_ENCRYPTION_KEY must be 32 random bytes in base64 (`care db backup-key` prints one)');
    }
  }
  const backupIntervalHours = int(env, 'BACKUP_INTERVAL_HOURS', 24, 0, 24 * 365);
  const backupDir = path.resolve(cwd, str(env, 'BACKUP_DIR', path.join(dataDir, 'backups')));
  if (nodeEnv === 'production' && backupIntervalHours > 0) {
    if (!key) throw new ConfigError('BACKUP_ENCRYPTION_KEY is required when NODE_ENV=production and backups are scheduled (BACKUP_INTERVAL_HOURS > 0): backups hold PHI; `care db backup-key` prints a key');
    const rel = path.relative(dataDir, backupDir);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      throw new ConfigError('BACKUP_DIR must lie outside DATA_DIR when NODE_ENV=production: a backup on the same disk does not survive that disk');
    }
  }
  return { backupEncryptionKey: key, backupIntervalHours, backupDir, backupKeep: int(env, 'BACKUP_KEEP', 14, 1, 100_000) };
}

/**
 * Parses the environment into a `Config`.
 * @param env usually `process.env`; tests pass their own object.
 * @param cwd directory relative `DATA_DIR` values resolve against.
 * @throws ConfigError naming the variable whose value is invalid.
 */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', 'development', ['development', 'test', 'production'] as const);
  const port = int(env, 'PORT', 3000, 0, 65535);
  const publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:'])!.replace(/\/+$/, '');
  const smtpUrl = url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']);
  if (nodeEnv === 'production' && !smtpUrl) {
    throw new ConfigError('SMTP_URL is required when NODE_ENV=production (the sandbox mailbox only records mail)');
  }
  const twilioVars = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'];
  const twilioSet = twilioVars.filter((v) => env[v]);
  if (twilioSet.length > 0 && twilioSet.length < 3) {
    throw new ConfigError(`${twilioVars.filter((v) => !env[v]).join(' and ')} must be set with ${twilioSet.join(' and ')}`);
  }
  if (nodeEnv === 'production' && twilioSet.length === 0) {
    throw new ConfigError('TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are required when NODE_ENV=production (the sandbox provider sends nothing)');
  }
  const dataDir = path.resolve(cwd, str(env, 'DATA_DIR', './.data'));
  const backup = backupSettings(env, nodeEnv, dataDir, cwd);
  const fromNumber = env.TWILIO_FROM_NUMBER;
  if (fromNumber && !/^\+[1-9]\d{6,14}$/.test(fromNumber)) throw new ConfigError(`TWILIO_FROM_NUMBER must be an E.164 number such as +18055550100`);
  return Object.freeze({
    nodeEnv,
    port,
    host: str(env, 'HOST', '0.0.0.0'),
    databaseUrl: url(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
    dataDir,
    logLevel: oneOf(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', [
      'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent',
    ] as const),
    publicUrl,
    sessionIdleTimeoutMinutes: int(env, 'SESSION_IDLE_TIMEOUT_MINUTES', 720, 1, 60 * 24 * 90),
    sessionMaxAgeHours: int(env, 'SESSION_MAX_AGE_HOURS', 12, 1, 24 * 90),
    signInAccountLimit: int(env, 'SIGN_IN_ACCOUNT_LIMIT', 5, 1, 10_000),
    signInIpLimit: int(env, 'SIGN_IN_IP_LIMIT', 50, 1, 1_000_000),
    signInWindowMinutes: int(env, 'SIGN_IN_WINDOW_MINUTES', 15, 1, 24 * 60),
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 1000),
    demoSeed: (() => {
      // Demo users sign in with the README's published password: a production server never makes them.
      const seed = oneOf(env, 'DEMO_SEED', nodeEnv === 'production' ? 'off' : 'auto', ['auto', 'off'] as const);
      if (seed === 'auto' && nodeEnv === 'production') throw new ConfigError('DEMO_SEED=auto is refused when NODE_ENV=production (demo users have a published password)');
      return seed;
    })(),
    smtpUrl,
    mailFrom: str(env, 'MAIL_FROM', 'Care Platform <no-reply@care-platform.invalid>'),
    mailAttachmentHosts: list(env, 'MAIL_ATTACHMENT_HOSTS'),
    importUrlHosts: list(env, 'IMPORT_URL_HOSTS'),
    mailAttachmentMaxBytes: int(env, 'MAIL_ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024, 1, 100 * 1024 * 1024),
    smtpTimeoutMs: int(env, 'SMTP_TIMEOUT_MS', 10_000, 100, 600_000),
    mailRetryLimit: int(env, 'MAIL_RETRY_LIMIT', 5, 0, 100),
    mailRetryDelaySeconds: int(env, 'MAIL_RETRY_DELAY_SECONDS', 60, 1, 86_400),
    jobsPollSeconds: decimal(env, 'JOBS_POLL_SECONDS', 2, 0.5, 600),
    jobsMaintenanceSeconds: int(env, 'JOBS_MAINTENANCE_SECONDS', 60, 1, 3600),
    fhirExportTtlHours: int(env, 'FHIR_EXPORT_TTL_HOURS', 24, 1, 24 * 30),
    twilio: twilioSet.length === 3 ? { accountSid: env.TWILIO_ACCOUNT_SID!, authToken: env.TWILIO_AUTH_TOKEN!, fromNumber: fromNumber! } : undefined,
    twilioApiUrl: url(env, 'TWILIO_API_URL', 'https://api.twilio.com', ['http:', 'https:'])!.replace(/\/+$/, ''),
    twilioTimeoutMs: int(env, 'TWILIO_TIMEOUT_MS', 15_000, 100, 600_000),
    ecpJwtSecret: (() => {
      const v = env.ECP_JWT_SECRET;
      if (v === undefined || v === '') return undefined;
      if (v.length < 32) throw new ConfigError('ECP_JWT_SECRET must be at least 32 characters');
      return v;
    })(),
    twilioReconcileDelaySeconds: int(env, 'TWILIO_RECONCILE_DELAY_SECONDS', 60, 1, 86_400),
    icd10cmFile: env.ICD10CM_FILE ? path.resolve(cwd, env.ICD10CM_FILE) : undefined,
    outboundAllowPrivateUrls: (() => {
      // The old name is still read (with a warning): the new one wins when both are set.
      const name = env.OUTBOUND_ALLOW_PRIVATE_URLS === undefined && env.WEBHOOK_ALLOW_PRIVATE_URLS !== undefined ? 'WEBHOOK_ALLOW_PRIVATE_URLS' : 'OUTBOUND_ALLOW_PRIVATE_URLS';
      const allow = bool(env, name, false);
      if (allow && nodeEnv === 'production') throw new ConfigError(`${name}=true is refused when NODE_ENV=production`);
      return allow;
    })(),
    webhookRetrySchedule: durations(env, 'WEBHOOK_RETRY_SCHEDULE', [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000]),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 15_000, 100, 600_000),
    archiveLimits: Object.freeze({
      maxUncompressedBytes: int(env, 'ARCHIVE_MAX_UNCOMPRESSED_BYTES', 1024 ** 3, 1024, 2 ** 40),
      // At most 4 GiB - 1: an entry is handed to exceljs in a zip record with 32-bit sizes.
      maxEntryBytes: int(env, 'ARCHIVE_MAX_ENTRY_BYTES', 512 * 1024 ** 2, 1024, 2 ** 32 - 1),
      maxRatio: int(env, 'ARCHIVE_MAX_RATIO', 100, 1, 1_000_000),
    }),
    ...backup,
    warnings: Object.freeze(configWarnings(env)),
  });
}

/** Renamed variables: the old name is still read; `warnings` tells the operator to switch. */
const RENAMED: ReadonlyArray<[old: string, current: string]> = [['WEBHOOK_ALLOW_PRIVATE_URLS', 'OUTBOUND_ALLOW_PRIVATE_URLS']];

/** One sentence per deprecated variable set in `env` (logged at start-up). */
function configWarnings(env: Env): string[] {
  return RENAMED.filter(([old]) => env[old] !== undefined).map(([old, current]) =>
    env[current] !== undefined
      ? `${old} is deprecated and ignored because ${current} is set: remove ${old}`
      : `${old} is deprecated: rename it to ${current} (the one switch of the outbound guard: webhooks and email attachments)`);
}
