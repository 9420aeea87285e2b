/**
 * Issue 6, crash safety: a worker process (`care serve --role worker`) killed with SIGKILL while deliveries are in
 * flight (the receiver holds each request 1.5 s; the kill comes once requests have arrived, before any is answered),
 * then restarted: every message is delivered (at least once), none lost. The killed worker's claims come free when
 * their lease (timeout + 5 s) runs out and the new worker's poll (0.5 s) claims them again, so this takes seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ecpLocations, ecpWebhookDeliveries } from '../../src/db/schema.ts';
import { newGuid } from '../../src/ecp/shared/ids.ts';
import { residentObject } from '../../src/ecp/webhooks/payloads.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor } from '../support/ecp.ts';
import { waitUntil } from '../support/wait.ts';

const root = path.resolve(import.meta.dirname, '../..');
let t: TestContext;
let server: http.Server;
let url: string;
const received: string[] = [];
/** Requests that reached the receiver (answered or not). */
let arrived = 0;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true' });
  // A slow receiver: each delivery is in flight for 1.5 s.
  server = http.createServer((req, res) => {
    arrived++;
    req.resume();
    req.on('end', () => setTimeout(() => {
      received.push(String(req.headers['webhook-id']));
      res.writeHead(200).end('ok');
    }, 1500));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.close();
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, 'bin/care.js'), 'serve', '--role', 'worker'], {
    cwd: root,
    env: {
      ...process.env, NODE_ENV: 'test', DATABASE_URL: t.url, LOG_LEVEL: 'error', OUTBOUND_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_TIMEOUT_MS: '3000', WEBHOOK_RETRY_SCHEDULE: '0s,1s,1s,1s,1s', JOBS_POLL_SECONDS: '0.5', JOBS_MAINTENANCE_SECONDS: '1',
      // No scheduled backup: it would write into the checkout's .data/backups (mode 700, which then stops `npm start` as root).
      BACKUP_INTERVAL_HOURS: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

describe('webhook delivery survives a killed worker', () => {
  it('delivers every message after SIGKILL and a restart', async () => {
    const p = await createPartner(t, 'Crash Co', ['Crash Home']);
    const sub = await clinical(t.app, { token: await tokenFor(t.app, p), apiKey: p.api_key }, 'POST', '/clinical/v1/webhook', { callbackUrl: url });
    expect(sub.statusCode, sub.body).toBe(200);
    const [loc] = await t.database.db.select().from(ecpLocations).where(eq(ecpLocations.guid, p.locations[0].locationId));
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const row = {
        id: 0, organizationId: p.company_id, locationId: loc.id, guid: newGuid(), firstName: 'Crash', lastName: `Test${i}`, middleName: null, nickname: null,
        suffix: null, dateOfBirth: '1940-03-01', gender: null, email: null, phone: null, building: null, room: null, codeStatus: null, livingWill: null,
        otherAdvancedDirectives: null, moveInDate: null, status: 'Active', statusDescription: 'Active Resident', externalIds: {}, careType: null,
        dietPlans: [], foodTexture: null, fluidConsistency: null, specialDietOrders: [], levelOfCareName: null, levelOfCareAmount: null,
        levelOfCareAmountFrequency: null, levelOfCareEffectiveAt: null, dischargedAt: null, createdAt: new Date(), updatedAt: new Date(),
      };
      const rec = await t.database.db.transaction((tx) => t.services.webhooks.recordWebhookEvent(tx, {
        eventName: 'resident.create', organizationId: p.company_id, locationId: loc.id, data: { resident: residentObject(row) },
      }));
      ids.push(rec.messageId);
    }
    const first = startWorker();
    // Killed mid-send: requests are in flight and none of their answers has reached the worker.
    await waitUntil(async () => arrived, (n) => n >= 3, 30_000);
    expect(received.length).toBe(0);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const beforeRestart = arrived;
    const second = startWorker();
    await waitUntil(async () => ids.every((id) => received.includes(id)), Boolean, 60_000);
    await waitUntil(async () => (await t.database.db.select().from(ecpWebhookDeliveries)).every((d) => d.status === 'succeeded'), Boolean, 20_000);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    const duplicates = received.length - new Set(received).size;
    // At-least-once: a delivery the receiver answered while its worker died may arrive twice; none is lost.
    console.log(`crash drill: 30 messages, ${beforeRestart} in flight at SIGKILL, ${received.length} requests in all, ${duplicates} duplicates, 0 lost`);
    expect(new Set(received).size).toBe(30);
  }, 120_000);
});
