/**
 * A local webhook receiver, the partner's side of ECP webhooks: an HTTP server that records every POST with its
 * raw body and headers, verifies each with the `standardwebhooks` library's `Webhook.verify` against the secrets it
 * is given, and answers as scripted (a status, headers such as Retry-After), 200 otherwise.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  /** The raw body, byte for byte as sent. */
  body: string;
  receivedAt: number;
  /** The secrets (by index in `secrets`) whose `Webhook.verify` accepted the request. */
  verifiedWith: number[];
  /** What the receiver answered. */
  answered: number;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` + path. */
  url(path?: string): string;
  received: ReceivedWebhook[];
  /** Secrets to verify with (set after subscribing). */
  secrets: string[];
  /** Requests read but not answered yet (with `delayMs`), and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Answers the next requests with these, in order, before going back to 200. */
  replyNext(...replies: ScriptedReply[]): void;
  /** Resolves when at least `n` requests (matching `filter`) arrived; rejects after `timeoutMs`. */
  waitFor(n: number, opts?: { timeoutMs?: number; filter?: (r: ReceivedWebhook) => boolean }): Promise<ReceivedWebhook[]>;
  /**
   * The next `n` requests (to `path`, or to any path) not taken before, in arrival order, waiting for them; each must
   * verify with exactly one of `secrets`. @throws after `timeoutMs` (default 10 s), or when a signature does not verify.
   */
  take(n?: number, opts?: { path?: string; timeoutMs?: number }): Promise<ReceivedWebhook[]>;
  /** How many requests (to `path`, or to any path) `take` has handed out. */
  takenCount(path?: string): number;
  close(): Promise<void>;
}

/** `Webhook.verify` with each secret: the indexes of those that accept. */
export function verifyingSecrets(secrets: string[], body: string, headers: Record<string, string>): number[] {
  const out: number[] = [];
  secrets.forEach((s, i) => {
    try {
      new Webhook(s).verify(body, headers);
      out.push(i);
    } catch {
      // not signed with this one
    }
  });
  return out;
}

/** `delayMs`: every answer waits this long after the request was read (a slow partner). */
export async function startWebhookReceiver(opts: { delayMs?: number } = {}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const load = { now: 0, max: 0 };
  const script: ScriptedReply[] = [];
  const waiters = new Set<() => void>();
  const state = { secrets: [] as string[] };
  /** How many requests `take` has handed out, per path (`*`: any path). */
  const taken = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (opts.delayMs) {
        load.max = Math.max(load.max, ++load.now);
        await new Promise((r) => setTimeout(r, opts.delayMs));
        load.now--;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
      const reply = script.shift() ?? { status: 200 };
      received.push({ path: req.url ?? '/', headers, body, receivedAt: Date.now(), verifiedWith: verifyingSecrets(state.secrets, body, headers), answered: reply.status });
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? (reply.status < 300 ? 'ok' : 'nope'));
      for (const w of waiters) w();
    });
  });
  const waitFor: WebhookReceiver['waitFor'] = (n, opts = {}) => {
    const filter = opts.filter ?? (() => true);
    return new Promise((resolve, reject) => {
      const check = () => {
        const got = received.filter(filter);
        if (got.length >= n) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(got);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`webhook receiver: ${received.filter(filter).length} of ${n} requests after ${opts.timeoutMs ?? 10_000} ms`));
      }, opts.timeoutMs ?? 10_000);
      waiters.add(check);
      check();
    });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    get inFlight() { return load.now; },
    get maxInFlight() { return load.max; },
    get secrets() { return state.secrets; },
    set secrets(v: string[]) { state.secrets = v; },
    replyNext: (...replies) => void script.push(...replies),
    waitFor,
    async take(n = 1, opts = {}) {
      const key = opts.path ?? '*';
      const from = taken.get(key) ?? 0;
      const got = await waitFor(from + n, { timeoutMs: opts.timeoutMs, filter: opts.path === undefined ? undefined : (r) => r.path === opts.path });
      taken.set(key, from + n);
      const fresh = got.slice(from, from + n);
      for (const r of fresh) if (r.verifiedWith.length !== 1) throw new Error(`webhook receiver: signature of a request to ${r.path} verified with ${r.verifiedWith.length} secrets, not 1`);
      return fresh;
    },
    takenCount: (path) => taken.get(path ?? '*') ?? 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
