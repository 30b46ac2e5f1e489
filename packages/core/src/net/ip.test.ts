import { describe, expect, it } from 'vitest';
import { contains, formatCidr, formatIP, lastOf, networkOf, offset, parseCidr, parseCidrOrIP, parseIP, sameIP } from './ip.ts';

const roundTrip = (text: string): string => formatIP(parseIP(text)!);

describe('parseIP / formatIP', () => {
  it('reads and prints IPv4', () => {
    expect(parseIP('10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n });
    expect(roundTrip('255.255.255.255')).toBe('255.255.255.255');
  });

  it('refuses malformed IPv4 (out of range, leading zeros, too few parts)', () => {
    for (const bad of ['256.1.1.1', '10.01.1.1', '01.0.0.1', '10.1.1', '10.1.1.1.1', '', 'x']) expect(parseIP(bad), bad).toBeUndefined();
  });

  it('prints IPv6 as Go does: longest zero run of >= 2 groups compressed, first on a tie', () => {
    expect(roundTrip('fd00:0:0:0:0:0:0:1')).toBe('fd00::1');
    expect(roundTrip('2001:db8:0:1:0:0:0:0')).toBe('2001:db8:0:1::');
    expect(roundTrip('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group stays
    expect(roundTrip('1:0:0:2:0:0:3:4')).toBe('1::2:0:0:3:4');
    expect(roundTrip('2001:0db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(roundTrip('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
    expect(roundTrip('fe80::1')).toBe('fe80::1');
    expect(roundTrip('::')).toBe('::');
    expect(roundTrip('FD00::ABCD')).toBe('fd00::abcd');
  });

  it('reads an embedded IPv4 tail as the last two groups, and only there', () => {
    expect(roundTrip('::ffff:10.0.0.1')).toBe('::ffff:a00:1');
    expect(roundTrip('1:2:3:4:5:6:10.0.0.1')).toBe('1:2:3:4:5:6:a00:1');
    for (const bad of ['10.0.0.1::', '::10.0.0.1:1', '::ffff:10.0.0.256']) expect(parseIP(bad), bad).toBeUndefined();
  });

  it('refuses malformed IPv6', () => {
    for (const bad of ['fd00:::1', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'fd00::g', '1:2:3:4:5:6:7', ':', '1:', 'fe80::1%eth0']) {
      expect(parseIP(bad), bad).toBeUndefined();
    }
  });
});

describe('parseCidr / parseCidrOrIP', () => {
  it('parses prefixes within the family size only, keeping host bits', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ family: 4, value: 0x0a000000n, prefix: 8 });
    expect(formatCidr(parseCidr('10.1.2.3/24')!)).toBe('10.1.2.3/24');
    for (const bad of ['10.0.0.256/24', '10.0.0.1/33', '10.0.0/24', 'fd00::1::2/64', 'fd00::/129', '10.0.0.1/24/1', 'x/8', '10.0.0.0', '10.0.0.0/', '10.0.0.0/x']) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });

  it('takes a bare address as its own /32 or /128 where asked', () => {
    expect(formatCidr(parseCidrOrIP('10.0.0.6')!)).toBe('10.0.0.6/32');
    expect(formatCidr(parseCidrOrIP('fd00::6')!)).toBe('fd00::6/128');
    expect(formatCidr(parseCidrOrIP('10.0.0.6/24')!)).toBe('10.0.0.6/24');
    expect(parseCidrOrIP('10.0.0.300')).toBeUndefined();
    expect(parseCidrOrIP('10.0.0.3/33')).toBeUndefined();
  });
});

describe('prefix math', () => {
  it('computes network, last address and offsets', () => {
    const c = parseCidr('10.1.2.77/24')!;
    expect(formatCidr(networkOf(c))).toBe('10.1.2.0/24');
    expect(formatIP(lastOf(c))).toBe('10.1.2.255');
    expect(formatIP(offset(networkOf(c), 1n))).toBe('10.1.2.1');
    expect(formatIP(offset(lastOf(c), -1n))).toBe('10.1.2.254');
    expect(formatIP(lastOf(parseCidr('fd00:1::/64')!))).toBe('fd00:1::ffff:ffff:ffff:ffff');
    expect(formatIP(offset(networkOf(parseCidr('fd00::/64')!), 1n))).toBe('fd00::1');
  });

  it.each([
    ['10.1.17.1/24', '10.1.17.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['fc00::1/64', 'fc00::/64'],
    ['fd00:1:2::77/64', 'fd00:1:2::/64'],
    ['FC00:0:0:0:1:0:0:1/128', 'fc00::1:0:0:1/128'],
    ['2001:db8:0:0:1:0:0:0/64', '2001:db8::/64'],
    ['1:0:0:2:0:0:0:3/128', '1:0:0:2::3/128'],
    ['::ffff:10.1.2.3/128', '::ffff:a01:203/128'],
  ])('network of %s prints as Go net.IPNet.String: %s', (input, expected) => {
    expect(formatCidr(networkOf(parseCidr(input)!))).toBe(expected);
  });

  it('tests containment within one family only', () => {
    const net = parseCidr('10.0.0.0/16')!;
    expect(contains(net, parseIP('10.0.200.1')!)).toBe(true);
    expect(contains(net, parseIP('10.1.0.1')!)).toBe(false);
    expect(contains(parseCidr('10.1.2.77/24')!, parseIP('10.1.2.200')!)).toBe(true);
    expect(contains(parseCidr('::/0')!, parseIP('10.0.0.1')!)).toBe(false);
    expect(contains(parseCidr('fd00::/48')!, parseCidr('fd00:0:0:1::/64')!)).toBe(true);
    expect(contains(parseCidr('fd00::/64')!, parseCidr('fd01::/64')!)).toBe(false);
  });

  it('compares addresses by family and value', () => {
    expect(sameIP(parseIP('fd00::1')!, parseIP('fd00:0::1')!)).toBe(true);
    expect(sameIP(parseIP('0.0.0.0')!, parseIP('::')!)).toBe(false);
  });
});
