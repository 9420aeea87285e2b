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
 * True when `address` (IPv4 or IPv6 text) is a public unicast address: not loopback, private (RFC 1918), link-local,
 * carrier-grade NAT, multicast, broadcast, unspecified, reserved, IPv6 unique-local, nor any IPv6 form that embeds
 * an IPv4 address (mapped, 6to4, Teredo, NAT64), which could hide a private one. ipaddr.js names everything else
 * by its special range; only `unicast` is public.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves `hostname` (a name or an IP literal, IPv6 with or without brackets) to every address it has, and
 * refuses it when any of them is not public (unless `allowPrivate`): a guard against server-side request forgery.
 * Callers connect to one of the returned addresses, so the check and the connection see the same DNS answer.
 * @throws OutboundUrlError when the name does not resolve or resolves to a non-public address.
 */
export async function resolvePublicAddresses(hostname: string, opts: { allowPrivate: boolean }): Promise<ResolvedAddress[]> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch (err) {
      throw new OutboundUrlError(`${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    }
  }
  if (addresses.length === 0) throw new OutboundUrlError(`${host} does not resolve`);
  if (!opts.allowPrivate) {
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) throw new OutboundUrlError(`${host} resolves to ${refused.address}, which is not a public address`);
  }
  return addresses;
}
