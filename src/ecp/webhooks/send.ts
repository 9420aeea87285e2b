/**
 * One HTTP attempt of a webhook: the frozen bytes POSTed with the Standard Webhooks headers, signed freshly (the
 * receiver rejects timestamps older than 5 minutes), to an address checked public at this moment. The connection
 * goes to that checked address (the pool's origin is the IP, the `Host` header and TLS server name are the URL's
 * host), so a DNS answer that changes between check and connect (rebinding) cannot redirect the request.
 * Redirects are not followed; the whole exchange has one timeout; only the first 1 KB of the answer is kept.
 *
 * Connections are kept alive in an undici `Pool` per checked destination (scheme, address, port, host name): a
 * receiver taking thousands of deliveries is not paying a TCP (and TLS) handshake for each. The check itself runs on
 * every attempt, before a pool is chosen.
 */
import { Pool } from 'undici';
import { Webhook } from 'standardwebhooks';
import { resolvePublicAddresses, type ResolvedAddress } from '../../platform/outbound.ts';

export const RESPONSE_KEEP_BYTES = 1024;
/** Answers longer than this are cut off (the connection is dropped instead of read to the end for reuse). */
const RESPONSE_DRAIN_BYTES = 64 * 1024;
/** Destinations whose pools are kept; past this the least recently used pool is closed. */
const MAX_POOLS = 256;
/** Signers kept (one per secret); past this the cache starts over. */
const MAX_SIGNERS = 1024;

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

/**
 * The keep-alive pools and signers of one dispatcher: a pool per checked destination (scheme, address, port, host
 * name; the least recently used closed past `MAX_POOLS`) and a `standardwebhooks` signer per secret (built once:
 * it decodes the key).
 */
export interface WebhookConnections {
  pool(url: URL, hostname: string, addr: ResolvedAddress): Pool;
  signer(secret: string): Webhook;
  /** Closes every kept connection. */
  close(): Promise<void>;
}

/**
 * New, empty connections (see `WebhookConnections`). `perDestination`: keep-alive connections to one destination at
 * most; the dispatcher gives its most attempts in flight, so an attempt never waits for a connection (its timeout,
 * and so its lease, would run while it waits).
 */
export function createWebhookConnections(perDestination = 1): WebhookConnections {
  const pools = new Map<string, Pool>();
  const signers = new Map<string, Webhook>();
  return {
    pool(url, hostname, addr) {
      const isHttps = url.protocol === 'https:';
      const port = url.port || (isHttps ? '443' : '80');
      const host = addr.family === 6 ? `[${addr.address}]` : addr.address;
      const key = `${url.protocol}//${host}:${port}|${hostname}`;
      let pool = pools.get(key);
      if (pool) {
        // Most recently used last, so eviction takes the oldest.
        pools.delete(key);
      } else {
        if (pools.size >= MAX_POOLS) {
          const [oldKey, old] = pools.entries().next().value as [string, Pool];
          pools.delete(oldKey);
          void old.close().catch(() => {});
        }
        pool = new Pool(`${url.protocol}//${host}:${port}`, {
          connections: perDestination,
          pipelining: 1,
          keepAliveTimeout: 30_000,
          // The server name checked against the certificate (and sent as SNI) is the URL's host, not the address.
          ...(isHttps ? { connect: { servername: hostname } } : {}),
        });
      }
      pools.set(key, pool);
      return pool;
    },
    signer(secret) {
      let w = signers.get(secret);
      if (!w) {
        if (signers.size >= MAX_SIGNERS) signers.clear();
        w = new Webhook(secret);
        signers.set(secret, w);
      }
      return w;
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      signers.clear();
      await Promise.all(all.map((p) => p.close().catch(() => {})));
    },
  };
}

/** The `webhook-signature` header: one `v1,<base64>` per secret, space-separated (Standard Webhooks). */
export function signatureHeader(secrets: string[], messageId: string, at: Date, payload: string, connections?: WebhookConnections): string {
  return secrets.map((s) => (connections ? connections.signer(s) : new Webhook(s)).sign(messageId, at, payload)).join(' ');
}

/**
 * Sends one attempt over `connections` (kept alive for the next ones), or over a connection of its own closed
 * afterwards when none are given. Never throws: failures come back in `error`.
 */
export async function sendWebhook(req: SendRequest, connections?: WebhookConnections): Promise<SendResult> {
  if (!connections) {
    const own = createWebhookConnections();
    try {
      return await sendWebhook(req, own);
    } finally {
      await own.close();
    }
  }
  const started = performance.now();
  const done = (r: Omit<SendResult, 'latencyMs'>): SendResult => ({ ...r, latencyMs: Math.round(performance.now() - started) });
  const fail = (error: string) => done({ statusCode: null, responseBody: null, retryAfter: null, error });
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return fail('The callback URL is not valid');
  }
  let addr: ResolvedAddress;
  // DNS counts against the attempt's timeout (the attempt's lease assumes the whole attempt ends within it).
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${url.hostname} did not resolve within ${req.timeoutMs} ms`)), req.timeoutMs);
    });
    [addr] = await Promise.race([resolvePublicAddresses(url.hostname, { allowPrivate: req.allowPrivate }), deadline]);
  } catch (err) {
    return fail((err as Error).message);
  } finally {
    clearTimeout(timer);
  }
  const at = req.now ?? new Date();
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const remaining = Math.max(1, req.timeoutMs - Math.round(performance.now() - started));
  const controller = new AbortController();
  const abortTimer = setTimeout(() => controller.abort(), remaining);
  try {
    const res = await connections.pool(url, hostname, addr).request({
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      headers: {
        host: url.host,
        'content-type': 'application/json',
        'user-agent': 'CarePlatform-Webhooks/1.0',
        'webhook-id': req.messageId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signatureHeader(req.secrets, req.messageId, at, req.payload, connections),
      },
      body: req.payload,
      signal: controller.signal,
      headersTimeout: remaining,
      bodyTimeout: remaining,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (size < RESPONSE_KEEP_BYTES) chunks.push(chunk);
      size += chunk.length;
      if (size > RESPONSE_DRAIN_BYTES) {
        res.body.destroy();
        break;
      }
    }
    const retryAfter = res.headers['retry-after'];
    return done({
      statusCode: res.statusCode,
      responseBody: Buffer.concat(chunks).subarray(0, RESPONSE_KEEP_BYTES).toString('utf8'),
      retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
      error: null,
    });
  } catch (err) {
    const e = err as Error & { code?: string; cause?: Error };
    if (controller.signal.aborted || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return fail(`No answer within ${req.timeoutMs} ms`);
    return fail(`Request failed: ${e.cause?.message ?? e.message}`);
  } finally {
    clearTimeout(abortTimer);
  }
}
