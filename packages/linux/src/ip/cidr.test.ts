import { describe, expect, it } from 'vitest';
import { contains, firstHost, formatCidr, formatIp, networkOf, overlaps, parseCidr, parseIp } from './cidr.ts';

describe('cidr', () => {
  it('parses and formats IPv4 and IPv6, keeping host bits until asked', () => {
    const c = parseCidr('10.1.2.3/24')!;
    expect(formatCidr(c)).toBe('10.1.2.3/24');
    expect(formatCidr(networkOf(c))).toBe('10.1.2.0/24');
    expect(formatCidr(firstHost(c))).toBe('10.1.2.1/24');
    expect(formatCidr(networkOf(parseCidr('fd00:1:2::77/64')!))).toBe('fd00:1:2::/64');
    expect(formatCidr(firstHost(parseCidr('fd00::/64')!))).toBe('fd00::1/64');
  });

  it('formats IPv6 the RFC 5952 way', () => {
    expect(formatIp(6, parseIp('2001:0db8:0:0:1:0:0:1')!.ip)).toBe('2001:db8::1:0:0:1');
    expect(formatIp(6, parseIp('::')!.ip)).toBe('::');
    expect(formatIp(6, parseIp('fe80::1')!.ip)).toBe('fe80::1');
    expect(formatIp(6, parseIp('1:2:3:4:5:6:7:8')!.ip)).toBe('1:2:3:4:5:6:7:8');
    expect(formatIp(6, parseIp('::ffff:10.0.0.1')!.ip)).toBe('::ffff:a00:1');
  });

  it('refuses what the kernel would refuse', () => {
    for (const bad of ['10.0.0.256/24', '10.0.0.1/33', '10.0.0/24', '01.0.0.1', 'fd00::1::2', 'fd00::/129', '1:2:3:4:5:6:7:8:9', 'x', '10.0.0.1/24/1']) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });

  it('tests containment and overlap within one family only', () => {
    const net = parseCidr('10.0.0.0/16')!;
    expect(contains(net, parseIp('10.0.200.1')!)).toBe(true);
    expect(contains(net, parseIp('10.1.0.1')!)).toBe(false);
    expect(contains(parseCidr('::/0')!, parseIp('10.0.0.1')!)).toBe(false);
    expect(overlaps(parseCidr('fd00::/48')!, parseCidr('fd00:0:0:1::/64')!)).toBe(true);
    expect(overlaps(parseCidr('fd00::/64')!, parseCidr('fd01::/64')!)).toBe(false);
  });
});
