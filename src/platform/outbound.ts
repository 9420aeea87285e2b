/**
 * The outbound guard: every fetch of a URL that a client supplies (webhook callbacks, email attachments) goes to
 * http(s) URLs without credentials, on hosts that resolve to public addresses only (checked when the request is
 * made, and the connection goes to the checked address, so DNS rebinding cannot redirect it), without following
 * redirects, within a size and a time limit. `allowPrivate` (`OUTBOUND_ALLOW_PRIVATE_URLS`, development and tests)
 * lets it reach loopback and private addresses; a host allow-list, where one is set, narrows it further.
 * `fetchAllowedFile` (import URLs) checks its allow-list only.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { Client } from 'undici';

export class OutboundUrlError extends Error {}

/** True when `url` is http(s) and its host (`name` or `name:port`) is in `allowedHosts` (lower case). */
export function isAllowedUrl(url: string, allowedHosts: string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  if (u.username || u.password) return false;
  return allowedHosts.includes(u.host.toLowerCase()) || allowedHosts.includes(u.hostname.toLowerCase());
}

export interface FetchedFile {
  filename: string;
  content: Buffer;
  contentType?: string;
}

/**
 * Downloads `url` if its host is allowed.
 * @throws OutboundUrlError for a host not allowed, a redirect, a non-2xx answer, a body over `maxBytes`, a timeout.
 */
export async function fetchAllowedFile(url: string, opts: { allowedHosts: string[]; maxBytes: number; timeoutMs: number }): Promise<FetchedFile> {
  if (!isAllowedUrl(url, opts.allowedHosts)) throw new OutboundUrlError(`${url} is not on an allowed host`);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    throw new OutboundUrlError(`${url} could not be fetched: ${(err as Error).message}`);
  }
  if (!res.ok) throw new OutboundUrlError(`${url} answered HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > opts.maxBytes) throw new OutboundUrlError(`${url} is larger than ${opts.maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > opts.maxBytes) throw new OutboundUrlError(`${url} is larger than ${opts.maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  const segment = new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? 'attachment';
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    name = segment; // a malformed %-escape: keep the segment as written
  }
  return { filename: name || 'attachment', content: Buffer.concat(chunks), contentType: res.headers.get('content-type') ?? undefined };
}

/**
 * IPv6 prefixes whose addresses carry an IPv4 address (or are routed to one by a translator). An address in one of
 * them is refused whatever IPv4 address it embeds: the one inside may be private, and a translator or the host's own
 * stack may deliver the packet to it.
 */
const EMBEDS_IPV4: ReadonlyArray<[prefix: ipaddr.IPv6, bits: number]> = (
  [
    ['::', 96], // IPv4-compatible (RFC 4291 2.5.5.1, deprecated); ipaddr.js calls `::7f00:1` unicast
    ['::ffff:0:0', 96], // IPv4-mapped (RFC 4291 2.5.5.2)
    ['::ffff:0:0:0', 96], // IPv4-translated (RFC 6145)
    ['64:ff9b::', 96], // NAT64 well-known prefix (RFC 6052)
    ['64:ff9b:1::', 48], // NAT64 local-use prefix (RFC 8215)
    ['2002::', 16], // 6to4 (RFC 3056)
    ['2001::', 32], // Teredo (RFC 4380)
  ] as const
).map(([prefix, bits]) => [ipaddr.IPv6.parse(prefix), bits]);

/**
 * True when `address` (IPv4 or IPv6 text) is a public unicast address: not loopback, private (RFC 1918), link-local,
 * carrier-grade NAT, multicast, broadcast, unspecified, reserved, documentation, IPv6 unique-local, nor any IPv6 form
 * that embeds an IPv4 address (`EMBEDS_IPV4`: compatible, mapped, translated, NAT64, 6to4, Teredo), public IPv4
 * inside or not. ipaddr.js names the special ranges; only its `unicast` is public.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && EMBEDS_IPV4.some(([prefix, bits]) => (ip as ipaddr.IPv6).match(prefix, bits))) return false;
  return ip.range() === 'unicast';
}

/** The refusal of a host that is, or resolves to, a non-public address; it never says which address (a probe of the network). */
const NOT_PUBLIC = 'the URL must resolve to public addresses only';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves `hostname` (a name or an IP literal, IPv6 with or without brackets) to every address it has, and
 * refuses it when any of them is not public (unless `allowPrivate`): a guard against server-side request forgery.
 * A literal is checked as written, without DNS (returned in its canonical spelling). Callers connect to one of the
 * returned addresses, so the check and the connection see the same DNS answer.
 * @throws OutboundUrlError when the name does not resolve, or `the URL must resolve to public addresses only` when
 *   it is or resolves to a non-public address (the message never names the address: that would map the network).
 */
export async function resolvePublicAddresses(hostname: string, opts: { allowPrivate: boolean }): Promise<ResolvedAddress[]> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    const ip = ipaddr.parse(host);
    addresses = [{ address: ip.toString(), family: ip.kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch (err) {
      throw new OutboundUrlError(`${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    }
  }
  if (addresses.length === 0) throw new OutboundUrlError(`${host} does not resolve`);
  if (!opts.allowPrivate) {
    if (!addresses.every((a) => isPublicAddress(a.address))) throw new OutboundUrlError(NOT_PUBLIC);
  }
  return addresses;
}

export interface OutboundFetchOptions {
  /** Loopback and private addresses allowed too (`OUTBOUND_ALLOW_PRIVATE_URLS`; development and tests only). */
  allowPrivate: boolean;
  /** Hosts (`name` or `name:port`, lower case) the URL may name; empty or absent: any host that passes the guard. */
  allowedHosts?: readonly string[];
}

/**
 * The checks of a URL that need no network: http(s), no credentials, on `allowedHosts` when that list is not empty,
 * and, for an IP literal, a public address (unless `allowPrivate`). A host name is resolved and checked only when
 * it is fetched (`fetchPublicFile`): it may not resolve from here now, and its answer may change.
 * @returns the parsed URL.
 * @throws OutboundUrlError with the reason, in words an API client can act on (`must be an http(s) URL`, ...).
 */
export function checkOutboundUrl(url: string, opts: OutboundFetchOptions): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OutboundUrlError('must be an absolute http(s) URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new OutboundUrlError('must be an http(s) URL');
  if (u.username || u.password) throw new OutboundUrlError('must not contain credentials');
  const hosts = opts.allowedHosts ?? [];
  if (hosts.length > 0 && !hosts.includes(u.host.toLowerCase()) && !hosts.includes(u.hostname.toLowerCase())) {
    throw new OutboundUrlError('is not on an allowed host');
  }
  const literal = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!opts.allowPrivate && ipaddr.isValid(literal) && !isPublicAddress(literal)) throw new OutboundUrlError(NOT_PUBLIC);
  return u;
}

/**
 * GETs `url` through the outbound guard: `checkOutboundUrl`, then the host resolved and every address checked
 * public (`resolvePublicAddresses`) at this moment, the connection made to the checked address (the `Host` header
 * and TLS server name stay the URL's host), redirects refused, the body cut off past `maxBytes`, the whole exchange
 * (DNS included) within `timeoutMs`.
 * @returns the body, the file name (the URL's last path segment, decoded; `attachment` when none) and the content type.
 * @throws OutboundUrlError whose message is the reason without the URL (callers name what was fetched):
 *   `answered HTTP 404`, `redirects are not followed (HTTP 302)`, `is larger than N bytes`, `gave no answer within N ms`,
 *   the guard's refusals.
 */
export async function fetchPublicFile(url: string, opts: OutboundFetchOptions & { maxBytes: number; timeoutMs: number }): Promise<FetchedFile> {
  const u = checkOutboundUrl(url, opts);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let addr: ResolvedAddress;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OutboundUrlError(`did not resolve within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    });
    [addr] = await Promise.race([resolvePublicAddresses(u.hostname, { allowPrivate: opts.allowPrivate }), deadline]);
  } finally {
    clearTimeout(timer);
  }
  const isHttps = u.protocol === 'https:';
  const hostname = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const address = addr.family === 6 ? `[${addr.address}]` : addr.address;
  const remaining = Math.max(1, opts.timeoutMs - Math.round(performance.now() - started));
  const client = new Client(`${u.protocol}//${address}:${u.port || (isHttps ? '443' : '80')}`, {
    // The certificate is checked against (and SNI names) the URL's host, not the address.
    ...(isHttps && !ipaddr.isValid(hostname) ? { connect: { servername: hostname } } : {}),
  });
  const controller = new AbortController();
  const abortTimer = setTimeout(() => controller.abort(), remaining);
  try {
    const res = await client.request({
      method: 'GET',
      path: `${u.pathname}${u.search}`,
      headers: { host: u.host, 'user-agent': 'CarePlatform/1.0', accept: '*/*' },
      signal: controller.signal,
      headersTimeout: remaining,
      bodyTimeout: remaining,
    });
    // A body dropped unread ends with an abort error: nobody is waiting for it.
    res.body.on('error', () => {});
    if (res.statusCode >= 300 && res.statusCode < 400) {
      res.body.destroy();
      throw new OutboundUrlError(`redirects are not followed (HTTP ${res.statusCode})`);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      res.body.destroy();
      throw new OutboundUrlError(`answered HTTP ${res.statusCode}`);
    }
    const tooLarge = () => new OutboundUrlError(`is larger than ${opts.maxBytes} bytes`);
    if (Number(res.headers['content-length'] ?? 0) > opts.maxBytes) {
      res.body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > opts.maxBytes) {
        res.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    const type = res.headers['content-type'];
    return { filename: fileNameOf(u), content: Buffer.concat(chunks), contentType: typeof type === 'string' ? type : undefined };
  } catch (err) {
    if (err instanceof OutboundUrlError) throw err;
    const e = err as Error & { code?: string; cause?: Error };
    if (controller.signal.aborted || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
      throw new OutboundUrlError(`gave no answer within ${opts.timeoutMs} ms`);
    }
    throw new OutboundUrlError(`could not be fetched: ${e.cause?.message ?? e.message}`);
  } finally {
    clearTimeout(abortTimer);
    await client.destroy().catch(() => {});
  }
}

/** The decoded last path segment of `u` (`attachment` when there is none; a malformed %-escape kept as written). */
function fileNameOf(u: URL): string {
  const segment = u.pathname.split('/').filter(Boolean).at(-1) ?? 'attachment';
  try {
    return decodeURIComponent(segment) || 'attachment';
  } catch {
    return segment;
  }
}
