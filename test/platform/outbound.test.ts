/**
 * The outbound URL guard's address rule (ARCHITECTURE.md "Outbound fetches"; docs/decisions.md "Outbound URL
 * guard"): one table of literal addresses, checked both by `isPublicAddress` and through `resolvePublicAddresses`
 * (a literal never reaches DNS), the refusal of a host name, which never says what the name resolved to, and the
 * guarded fetch (`checkOutboundUrl`, `fetchPublicFile`) against a local HTTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOutboundUrl, fetchPublicFile, isPublicAddress, OutboundUrlError, resolvePublicAddresses } from '../../src/platform/outbound.ts';

const REFUSED: Array<[address: string, why: string]> = [
  // IPv6 forms that embed an IPv4 address: refused whatever the IPv4 address is.
  ['::127.0.0.1', 'IPv4-compatible (::/96), loopback inside'],
  ['::7f00:1', 'IPv4-compatible, hex spelling'],
  ['::8.8.8.8', 'IPv4-compatible, public IPv4 inside'],
  ['::ffff:127.0.0.1', 'IPv4-mapped, loopback inside'],
  ['::ffff:7f00:1', 'IPv4-mapped, hex spelling'],
  ['::ffff:8.8.8.8', 'IPv4-mapped, public IPv4 inside'],
  ['::ffff:0:a00:1', 'IPv4-translated (RFC 6145)'],
  ['64:ff9b::7f00:1', 'NAT64 well-known prefix, loopback inside'],
  ['64:ff9b::808:808', 'NAT64 well-known prefix, public IPv4 inside'],
  ['64:ff9b:1::a00:1', 'NAT64 local-use prefix (RFC 8215)'],
  ['2002:7f00:1::', '6to4, loopback inside'],
  ['2002:808:808::1', '6to4, public IPv4 inside'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['2001::1', 'Teredo prefix'],
  // Special IPv6 ranges.
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone'],
  ['fc00::', 'unique local'],
  ['fd12:3456::1', 'unique local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  // Special IPv4 ranges.
  ['127.0.0.1', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['0.0.0.0', 'unspecified'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.2.1', 'documentation'],
];

const ACCEPTED: Array<[address: string, why: string]> = [
  ['93.184.216.34', 'public IPv4'],
  ['8.8.8.8', 'public IPv4'],
  ['2606:4700::1111', 'public IPv6'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['2a00:1450:4001:81c::200e', 'public IPv6'],
];

describe('isPublicAddress', () => {
  it.each(REFUSED)('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
  it.each(ACCEPTED)('accepts %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
  it('refuses text that is not an address', () => {
    expect(isPublicAddress('not-an-ip')).toBe(false);
  });
});

describe('resolvePublicAddresses on literals (no DNS)', () => {
  it.each(REFUSED)('refuses %s (%s), with or without brackets', async (address) => {
    for (const host of [address, `[${address}]`]) {
      await expect(resolvePublicAddresses(host, { allowPrivate: false })).rejects.toThrow(new OutboundUrlError('the URL must resolve to public addresses only'));
    }
  });

  it.each(ACCEPTED)('accepts %s (%s)', async (address) => {
    const [resolved] = await resolvePublicAddresses(address.includes(':') ? `[${address}]` : address, { allowPrivate: false });
    expect(resolved).toEqual({ address, family: address.includes(':') ? 6 : 4 });
  });

  it('takes the hosts of URLs as URL parsing leaves them', async () => {
    // WHATWG URL parsing rewrites these spellings; the guard sees what a client would connect to.
    for (const url of ['https://[::127.0.0.1]/', 'https://[::ffff:127.0.0.1]/', 'https://0x7f.1/', 'https://2130706433/', 'https://[64:ff9b::808:808]/']) {
      await expect(resolvePublicAddresses(new URL(url).hostname, { allowPrivate: false }), url).rejects.toThrow(OutboundUrlError);
    }
  });

  it('lets private literals through when private URLs are allowed (development and tests)', async () => {
    expect(await resolvePublicAddresses('[::ffff:127.0.0.1]', { allowPrivate: true })).toEqual([{ address: '::ffff:7f00:1', family: 6 }]);
    expect(await resolvePublicAddresses('127.0.0.1', { allowPrivate: true })).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});

describe('resolvePublicAddresses on host names', () => {
  it('refuses a name resolving to a private address without saying what it resolved to', async () => {
    // localhost resolves from /etc/hosts, without a DNS server.
    const err: unknown = await resolvePublicAddresses('localhost', { allowPrivate: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundUrlError);
    expect((err as Error).message).toBe('the URL must resolve to public addresses only');
    expect((err as Error).message).not.toMatch(/127\.0\.0\.1|::1/);
  });
});

describe('checkOutboundUrl (what needs no network: at create time)', () => {
  it.each([
    ['ftp://files.example.com/a.pdf', {}, 'must be an http(s) URL'],
    ['not a url', {}, 'must be an absolute http(s) URL'],
    ['https://user:pw@files.example.com/a.pdf', {}, 'must not contain credentials'],
    ['https://127.0.0.1/a.pdf', {}, 'the URL must resolve to public addresses only'],
    ['https://[::ffff:10.0.0.1]/a.pdf', {}, 'the URL must resolve to public addresses only'],
    ['https://other.example.com/a.pdf', { allowedHosts: ['storage.example.com'] }, 'is not on an allowed host'],
  ])('refuses %s', (url, extra, message) => {
    expect(() => checkOutboundUrl(url, { allowPrivate: false, ...extra })).toThrow(new OutboundUrlError(message));
  });

  it('accepts any http(s) host name when no allow-list is set (resolved only when fetched), and a listed host when one is', () => {
    expect(checkOutboundUrl('https://storage.example.com/documents/care-plan.pdf', { allowPrivate: false }).hostname).toBe('storage.example.com');
    expect(checkOutboundUrl('https://storage.example.com/documents/care-plan.pdf', { allowPrivate: false, allowedHosts: [] }).hostname).toBe('storage.example.com');
    expect(checkOutboundUrl('https://storage.example.com/x', { allowPrivate: false, allowedHosts: ['storage.example.com'] }).host).toBe('storage.example.com');
    expect(checkOutboundUrl('http://127.0.0.1:8080/x', { allowPrivate: true }).port).toBe('8080');
  });
});

describe('fetchPublicFile against a local HTTP server', () => {
  let server: http.Server;
  let port: number;
  const hits: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/ok/care%20plan.pdf') res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF');
      else if (req.url === '/moved') res.writeHead(302, { location: '/ok/care%20plan.pdf' }).end();
      else if (req.url === '/big') res.writeHead(200).end(Buffer.alloc(100));
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 2_000);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const opts = { allowPrivate: true, maxBytes: 50, timeoutMs: 1_000 };

  it('fetches a file, naming it after the decoded last path segment', async () => {
    const f = await fetchPublicFile(`http://127.0.0.1:${port}/ok/care%20plan.pdf`, opts);
    expect(f).toEqual({ filename: 'care plan.pdf', content: Buffer.from('%PDF'), contentType: 'application/pdf' });
  });

  it('refuses loopback without OUTBOUND_ALLOW_PRIVATE_URLS, for a literal and for a name (checked when connecting), without calling it', async () => {
    const before = hits.length;
    await expect(fetchPublicFile(`http://127.0.0.1:${port}/ok/care%20plan.pdf`, { ...opts, allowPrivate: false })).rejects.toThrow('the URL must resolve to public addresses only');
    await expect(fetchPublicFile(`http://localhost:${port}/ok/care%20plan.pdf`, { ...opts, allowPrivate: false })).rejects.toThrow('the URL must resolve to public addresses only');
    expect(hits.length).toBe(before);
  });

  it('does not follow a redirect', async () => {
    const before = hits.length;
    await expect(fetchPublicFile(`http://127.0.0.1:${port}/moved`, opts)).rejects.toThrow(new OutboundUrlError('redirects are not followed (HTTP 302)'));
    expect(hits.slice(before)).toEqual(['/moved']);
  });

  it('refuses an error answer, a body over the size limit and a server slower than the timeout', async () => {
    await expect(fetchPublicFile(`http://127.0.0.1:${port}/missing.pdf`, opts)).rejects.toThrow(new OutboundUrlError('answered HTTP 404'));
    await expect(fetchPublicFile(`http://127.0.0.1:${port}/big`, opts)).rejects.toThrow(new OutboundUrlError('is larger than 50 bytes'));
    await expect(fetchPublicFile(`http://127.0.0.1:${port}/slow`, opts)).rejects.toThrow(new OutboundUrlError('gave no answer within 1000 ms'));
  });
});
