/**
 * The SMTP mailer against a relay that accepts the connection and never greets: SMTP_TIMEOUT_MS bounds the wait.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../src/platform/mail.ts';

describe('SMTP mailer', () => {
  let silent: net.Server;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('gives up on a relay that never greets after its timeout, not nodemailer\'s 30 s default', async () => {
    const { port } = silent.address() as net.AddressInfo;
    const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, from: 'care@example.com', timeoutMs: 500 });
    const started = Date.now();
    const err = await mailer.send({ organizationId: 1, to: 'member@example.com', subject: 'Hello', text: 'Hello', attachments: [] }).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    mailer.close();
    expect(err?.code).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);
});
