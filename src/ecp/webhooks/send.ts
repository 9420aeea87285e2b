/**
 * One HTTP attempt of a webhook: the frozen bytes POSTed with the Standard Webhooks headers, signed freshly (the
 * receiver rejects timestamps older than 5 minutes), to an address checked public at this moment and pinned for
 * the connection (`lookup` answers with it), so a DNS answer that changes between check and connect (rebinding)
 * cannot redirect the request. Redirects are not followed; the whole exchange has one timeout; only the first
 * 1 KB of the answer is kept.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { resolvePublicAddresses, type ResolvedAddress } from '../../platform/outbound.ts';

export const RESPONSE_KEEP_BYTES = 1024;

export interface SendRequest {
  url: string;
  messageId: string;
  payload: string;
  /** Secrets that sign (`whsec_...`); several give several space-separated `v1,` signatures. */
  secrets: string[];
  timeoutMs: number;
  allowPrivate: boolean;
  now?: Date;
}

export interface SendResult {
  /** HTTP status, or null when no answer came (DNS, refused address, connection, timeout). */
  statusCode: number | null;
  latencyMs: number;
  /** The first 1 KB of the answer's body. */
  responseBody: string | null;
  /** `Retry-After` header, raw. */
  retryAfter: string | null;
  error: string | null;
}

/** The `webhook-signature` header: one `v1,<base64>` per secret, space-separated (Standard Webhooks). */
export function signatureHeader(secrets: string[], messageId: string, at: Date, payload: string): string {
  return secrets.map((s) => new Webhook(s).sign(messageId, at, payload)).join(' ');
}

/** A `lookup` that always answers with the address already checked. */
function pinned(addr: ResolvedAddress): LookupFunction {
  return ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address: addr.address, family: addr.family }]);
    else cb(null, addr.address, addr.family);
  }) as unknown as LookupFunction;
}

/** Sends one attempt; never throws (failures come back in `error`). */
export async function sendWebhook(req: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const done = (r: Omit<SendResult, 'latencyMs'>): SendResult => ({ ...r, latencyMs: Math.round(performance.now() - started) });
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return done({ statusCode: null, responseBody: null, retryAfter: null, error: 'The callback URL is not valid' });
  }
  let addr: ResolvedAddress;
  try {
    // DNS counts against the attempt's timeout (the attempt's lease assumes the whole attempt ends within it).
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${url.hostname} did not resolve within ${req.timeoutMs} ms`)), req.timeoutMs);
    });
    try {
      [addr] = await Promise.race([resolvePublicAddresses(url.hostname, { allowPrivate: req.allowPrivate }), deadline]);
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    return done({ statusCode: null, responseBody: null, retryAfter: null, error: (err as Error).message });
  }
  const at = req.now ?? new Date();
  const body = Buffer.from(req.payload, 'utf8');
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    'user-agent': 'CarePlatform-Webhooks/1.0',
    'webhook-id': req.messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatureHeader(req.secrets, req.messageId, at, req.payload),
  };
  const isHttps = url.protocol === 'https:';
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const request = (isHttps ? https : http).request({
      method: 'POST',
      hostname,
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers,
      lookup: pinned(addr),
      agent: false,
      ...(isHttps ? { servername: hostname } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const status = res.statusCode ?? null;
      const retryAfter = typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null;
      const end = () => finish({
        statusCode: status,
        responseBody: Buffer.concat(chunks).subarray(0, RESPONSE_KEEP_BYTES).toString('utf8'),
        retryAfter,
        error: null,
      });
      res.on('data', (c: Buffer) => {
        if (size < RESPONSE_KEEP_BYTES) chunks.push(c);
        size += c.length;
        if (size >= RESPONSE_KEEP_BYTES) {
          end();
          res.destroy();
        }
      });
      res.on('end', end);
      res.on('error', end);
      res.on('close', end);
    });
    const timer = setTimeout(() => {
      finish({ statusCode: null, responseBody: null, retryAfter: null, error: `No answer within ${req.timeoutMs} ms` });
      request.destroy();
    }, Math.max(1, req.timeoutMs - Math.round(performance.now() - started)));
    request.on('error', (err) => finish({ statusCode: null, responseBody: null, retryAfter: null, error: `Request failed: ${err.message}` }));
    request.end(body);
  });
}
