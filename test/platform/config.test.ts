import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, '/srv/care');
    expect(c).toMatchObject({
      port: 3000, host: '0.0.0.0', databaseUrl: undefined, dataDir: path.resolve('/srv/care/.data'), logLevel: 'info',
      publicUrl: 'http://localhost:3000', sessionIdleTimeoutMinutes: 720, sessionMaxAgeHours: 12, demoSeed: 'auto',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must use postgres: or postgresql:/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ PUBLIC_URL: 'not a url' }, /PUBLIC_URL must be a URL/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('requires the Twilio settings together, and real providers in production', () => {
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC1' })).toThrow(/TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER must be set with TWILIO_ACCOUNT_SID/);
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM_NUMBER: '805-555-0100' })).toThrow(/TWILIO_FROM_NUMBER must be an E.164 number/);
    expect(loadConfig({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM_NUMBER: '+18055550100' }).twilio).toEqual({ accountSid: 'AC1', authToken: 't', fromNumber: '+18055550100' });
    expect(() => loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com' })).toThrow(/TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are required when NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: 'production', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM_NUMBER: '+18055550100' })).toThrow(/SMTP_URL is required/);
    expect(loadConfig({}).twilioApiUrl).toBe('https://api.twilio.com');
  });

  it('refuses a production server that schedules backups without BACKUP_ENCRYPTION_KEY or with BACKUP_DIR inside DATA_DIR', () => {
    const production = { NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM_NUMBER: '+18055550100', DATA_DIR: '/srv/care' };
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(() => loadConfig(production)).toThrow(/BACKUP_ENCRYPTION_KEY is required when NODE_ENV=production and backups are scheduled/);
    expect(() => loadConfig({ ...production, BACKUP_ENCRYPTION_KEY: key })).toThrow(/BACKUP_DIR must lie outside DATA_DIR when NODE_ENV=production/);
    expect(() => loadConfig({ ...production, BACKUP_ENCRYPTION_KEY: key, BACKUP_DIR: '/srv/care/backups' })).toThrow(/BACKUP_DIR must lie outside DATA_DIR/);
    const ok = loadConfig({ ...production, BACKUP_ENCRYPTION_KEY: key, BACKUP_DIR: '/mnt/backup-disk/care' });
    expect(ok.backupEncryptionKey?.length).toBe(32);
    expect([ok.backupIntervalHours, ok.backupKeep, ok.backupDir]).toEqual([24, 14, '/mnt/backup-disk/care']);
    expect(loadConfig({ ...production, BACKUP_INTERVAL_HOURS: '0' }).backupIntervalHours).toBe(0);
    expect(() => loadConfig({ BACKUP_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/BACKUP_ENCRYPTION_KEY must be 32 random bytes in base64/);
    expect(loadConfig({ DATA_DIR: '/tmp/x' }).backupDir).toBe('/tmp/x/backups');
  });

  it('never seeds demo data in production: DEMO_SEED defaults to off there, and auto is refused', () => {
    const production = { NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM_NUMBER: '+18055550100', BACKUP_INTERVAL_HOURS: '0' };
    expect(loadConfig({}).demoSeed).toBe('auto');
    expect(loadConfig(production).demoSeed).toBe('off');
    expect(() => loadConfig({ ...production, DEMO_SEED: 'auto' })).toThrow(/DEMO_SEED=auto is refused when NODE_ENV=production/);
  });

  it('reads IMPORT_URL_HOSTS as a lower-case list, empty by default', () => {
    expect(loadConfig({}).importUrlHosts).toEqual([]);
    expect(loadConfig({ IMPORT_URL_HOSTS: ' Files.Plan.example ,sftp-gw.example:8443,, ' }).importUrlHosts).toEqual(['files.plan.example', 'sftp-gw.example:8443']);
  });

  it('takes ECP_JWT_SECRET only when it is long enough', () => {
    expect(loadConfig({}).ecpJwtSecret).toBeUndefined();
    expect(() => loadConfig({ ECP_JWT_SECRET: 'short' })).toThrow(/ECP_JWT_SECRET must be at least 32 characters/);
    expect(loadConfig({ ECP_JWT_SECRET: 'x'.repeat(32) }).ecpJwtSecret).toBe('x'.repeat(32));
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://care.example.com/' }).publicUrl).toBe('https://care.example.com');
  });
});
