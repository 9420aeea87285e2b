/**
 * Telephony providers behind one interface: the official `twilio` SDK
 * (`messages.create`, `calls.create`, list look-ups, `validateRequest`), or, with
 * no Twilio account configured, a sandbox that records what would have been
 * sent in `sandbox_messages` with Twilio-shaped SIDs (ARCHITECTURE.md,
 * "Configuration"; refused in production by `loadConfig`).
 *
 * Provider failures are one typed error, `TelephonyError`, whose `kind` says
 * what the caller may conclude: `rejected` (Twilio refused: nothing was sent),
 * `unavailable` (429, 5xx or no connection: nothing was sent), `timeout` (no
 * answer in time: it may have been sent).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import twilio from 'twilio';
import { sandboxMessages } from '../db/schema.ts';
import type { Db } from '../db/pool.ts';

export class TelephonyError extends Error {
  readonly kind: 'rejected' | 'unavailable' | 'timeout';
  /** Twilio's error code (21211, 21610, ...) for `rejected`. */
  readonly code?: number;
  /** HTTP status Twilio answered, when it answered. */
  readonly httpStatus?: number;

  constructor(kind: TelephonyError['kind'], message: string, code?: number, httpStatus?: number) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

export interface ProviderRecord {
  sid: string;
  status: string;
}

export interface Telephony {
  readonly kind: 'twilio' | 'sandbox';
  sendSms(i: { organizationId: number; from: string; to: string; body: string; statusCallback: string }): Promise<ProviderRecord>;
  placeCall(i: { organizationId: number; from: string; to: string; url: string; statusCallback: string }): Promise<ProviderRecord>;
  /** The message Twilio has from `from` to `to` sent at or after `after` with this body, if any (reconciliation). */
  findMessage(i: { from: string; to: string; after: Date; body: string }): Promise<ProviderRecord | null>;
  /** The call Twilio has from `from` to `to` started at or after `after`, if any (reconciliation). */
  findCall(i: { from: string; to: string; after: Date }): Promise<ProviderRecord | null>;
  /** Checks `X-Twilio-Signature` over the full URL and the posted parameters. */
  validSignature(signature: string | undefined, url: string, params: Record<string, string>): boolean;
}

function classify(err: unknown, timeoutMs: number): TelephonyError {
  const e = err as { status?: number; code?: number | string; message?: string; name?: string };
  if (typeof e.status === 'number') {
    if (e.status === 429 || e.status >= 500) {
      return new TelephonyError('unavailable', `Twilio answered HTTP ${e.status}${e.message ? `: ${e.message}` : ''}`, typeof e.code === 'number' ? e.code : undefined, e.status);
    }
    return new TelephonyError('rejected', e.message ?? `Twilio answered HTTP ${e.status}`, typeof e.code === 'number' ? e.code : undefined, e.status);
  }
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
    return new TelephonyError('timeout', `Twilio did not answer within ${timeoutMs} ms`);
  }
  return new TelephonyError('unavailable', `Twilio could not be reached (${String(e.code ?? e.message ?? 'network error')})`);
}

/**
 * The Twilio provider. `apiUrl` replaces `https://api.twilio.com` in every request (a Twilio-compatible
 * endpoint, or the tests' local peer); `timeoutMs` bounds each request.
 */
export function createTwilioTelephony(o: { accountSid: string; authToken: string; apiUrl: string; timeoutMs: number }): Telephony {
  const base = o.apiUrl.replace(/\/+$/, '');
  class RebasedClient extends twilio.RequestClient {
    request<TData>(opts: Parameters<twilio.RequestClient['request']>[0] & { data?: TData }) {
      return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, base), timeout: o.timeoutMs });
    }
  }
  const client = twilio(o.accountSid, o.authToken, { httpClient: new RebasedClient({ timeout: o.timeoutMs }) });
  return {
    kind: 'twilio',
    async sendSms(i) {
      try {
        const m = await client.messages.create({ from: i.from, to: i.to, body: i.body, statusCallback: i.statusCallback });
        return { sid: m.sid, status: m.status };
      } catch (err) {
        throw classify(err, o.timeoutMs);
      }
    },
    async placeCall(i) {
      try {
        const c = await client.calls.create({
          from: i.from,
          to: i.to,
          url: i.url,
          statusCallback: i.statusCallback,
          statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        });
        return { sid: c.sid, status: c.status };
      } catch (err) {
        throw classify(err, o.timeoutMs);
      }
    },
    async findMessage(i) {
      try {
        const list = await client.messages.list({ from: i.from, to: i.to, dateSentAfter: new Date(i.after.getTime() - 60_000), limit: 50 });
        const m = list.find((x) => x.body === i.body);
        return m ? { sid: m.sid, status: m.status } : null;
      } catch (err) {
        throw classify(err, o.timeoutMs);
      }
    },
    async findCall(i) {
      try {
        const list = await client.calls.list({ from: i.from, to: i.to, startTimeAfter: new Date(i.after.getTime() - 60_000), limit: 50 });
        return list[0] ? { sid: list[0].sid, status: list[0].status } : null;
      } catch (err) {
        throw classify(err, o.timeoutMs);
      }
    },
    validSignature(signature, url, params) {
      if (!signature) return false;
      // The URL as configured is what Twilio signs for our own callbacks: one HMAC, checked first. The SDK's check
      // tries up to four forms of the URL (with and without port, legacy query encoding), for the rest.
      const expected = Buffer.from(twilio.getExpectedTwilioSignature(o.authToken, url, params));
      const given = Buffer.from(signature);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
      return twilio.validateRequest(o.authToken, signature, url, params);
    },
  };
}

/** A Twilio-shaped SID: two letters and 32 hex digits. */
export function fakeSid(prefix: 'SM' | 'CA'): string {
  return prefix + randomBytes(16).toString('hex');
}

/** The sandbox: records in `sandbox_messages`, sends nothing; webhooks are refused (no auth token to check them). */
export function createSandboxTelephony({ db }: { db: Db }): Telephony {
  return {
    kind: 'sandbox',
    async sendSms(i) {
      const sid = fakeSid('SM');
      await db.insert(sandboxMessages).values({
        organizationId: i.organizationId, channel: 'sms', toAddress: i.to, fromAddress: i.from, body: i.body,
        metadata: { sid, status_callback: i.statusCallback },
      });
      return { sid, status: 'queued' };
    },
    async placeCall(i) {
      const sid = fakeSid('CA');
      await db.insert(sandboxMessages).values({
        organizationId: i.organizationId, channel: 'call', toAddress: i.to, fromAddress: i.from,
        metadata: { sid, url: i.url, status_callback: i.statusCallback },
      });
      return { sid, status: 'queued' };
    },
    async findMessage() {
      return null;
    },
    async findCall() {
      return null;
    },
    validSignature() {
      return false;
    },
  };
}

/** Twilio when the account is configured, else the sandbox. */
export function createTelephony(
  config: { twilio?: { accountSid: string; authToken: string }; twilioApiUrl: string; twilioTimeoutMs: number },
  db: Db,
): Telephony {
  return config.twilio
    ? createTwilioTelephony({ ...config.twilio, apiUrl: config.twilioApiUrl, timeoutMs: config.twilioTimeoutMs })
    : createSandboxTelephony({ db });
}
