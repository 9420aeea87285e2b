/**
 * Outbound HTTP fetches of URLs that clients supply (email attachments): the URL
 * is checked against an allow-list of hosts before it is called, redirects are
 * refused (they could lead anywhere), and the body is cut off at a size limit.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

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
