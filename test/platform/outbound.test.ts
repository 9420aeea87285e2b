/**
 * The outbound URL guard's address rule (ARCHITECTURE.md "Outbound fetches"; docs/decisions.md "Outbound URL
 * guard"): one table of literal addresses, checked both by `isPublicAddress` and through `resolvePublicAddresses`
 * (a literal never reaches DNS), and the refusal of a host name, which never says what the name resolved to.
 */
import { describe, expect, it } from 'vitest';
import { isPublicAddress, OutboundUrlError, resolvePublicAddresses } from '../../src/platform/outbound.ts';

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
