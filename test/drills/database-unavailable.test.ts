/**
 * Issue 8, "PostgreSQL stopped": while the pool cannot connect, requests fail fast with 503, Retry-After and each
 * family's error shape (ECM `errors`, ECP `result: Error`, RFC 6749 `temporarily_unavailable` at /token), and
 * `/readyz` answers 503; before the fix they were 500s. The app here runs on a database address nobody listens on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, createServices } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { freePort } from '../../src/db/embedded.ts';
import { openDatabase, type Database } from '../../src/db/pool.ts';
import { isDatabaseUnavailable, isUnstorableValue } from '../../src/platform/errors.ts';
import type { Mailer } from '../../src/platform/mail.ts';
import { createSandboxTelephony } from '../../src/platform/telephony.ts';

let app: FastifyInstance;
let database: Database;

beforeAll(async () => {
  const url = `postgres://nobody@127.0.0.1:${await freePort()}/gone`;
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url });
  database = openDatabase(url, 2, () => {});
  const services = createServices({ db: database.db, config, jobs: { send: async () => null } as never, mailer: { kind: 'sandbox', fetchesAttachments: false, send: async () => ({ messageId: '' }), close() {} } as Mailer, telephony: createSandboxTelephony({ db: database.db }) });
  app = await buildApp({ config, db: database.db, services });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('requests while the database cannot be reached', () => {
  it('answers ECM requests 503 with Retry-After in the errors shape, fast', async () => {
    const t0 = Date.now();
    const res = await app.inject({ method: 'GET', url: '/v1/clinic/ecm/patients', headers: { 'x-user-token': 'any-token' } });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ errors: ['Service unavailable: the database cannot be reached; retry shortly'] });
    const signIn = await app.inject({ method: 'POST', url: '/v1/auth/sign_in', payload: { email: 'a@example.com', password: 'long-enough-1' } });
    expect(signIn.statusCode).toBe(503);
  });

  it('answers /token 503 temporarily_unavailable (RFC 6749) and ECP routes 503 in the result shape', async () => {
    const token = await app.inject({ method: 'POST', url: '/token', payload: { grant_type: 'client_credentials', client_id: 'c', client_secret: 's' } });
    expect(token.statusCode).toBe(503);
    expect(token.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'The database cannot be reached; retry shortly' });
    expect(token.headers['cache-control']).toBe('no-store');
  });

  it('reports it on /readyz', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable' });
  });
});

describe('error classification', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, true],
    [{ message: 'Failed query', cause: { code: '57P01' } }, true],
    [new Error('Connection terminated unexpectedly'), true],
    [new Error('timeout exceeded when trying to connect'), true],
    [{ code: '23505' }, false],
    [new Error('boom'), false],
  ])('isDatabaseUnavailable(%o) is %s', (err, expected) => {
    expect(isDatabaseUnavailable(err)).toBe(expected);
  });

  it.each([
    [{ message: 'Failed query', cause: { code: '22021' } }, true],
    [{ code: '22003' }, true],
    [{ code: '23505' }, false],
    [{ code: 'ECONNREFUSED' }, false],
  ])('isUnstorableValue(%o) is %s', (err, expected) => {
    expect(isUnstorableValue(err)).toBe(expected);
  });
});
