import { describe, expect, it } from 'vitest';
import { cidrContains, formatIP, lastOf, networkOf, parseCidr, parseIP } from './ip.ts';

const roundTrip = (text: string): string => formatIP(parseIP(text)!);

describe('parseIP / formatIP', () => {
  it('reads and prints IPv4', () => {
    expect(parseIP('10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n });
    expect(roundTrip('255.255.255.255')).toBe('255.255.255.255');
  });

  it('refuses malformed IPv4 (out of range, leading zeros, too few parts)', () => {
    for (const bad of ['256.1.1.1', '10.01.1.1', '10.1.1', '10.1.1.1.1', '', 'x']) expect(parseIP(bad)).toBeUndefined();
  });

  it('prints IPv6 as Go does: longest zero run of >= 2 groups compressed, first on a tie', () => {
    expect(roundTrip('fd00:0:0:0:0:0:0:1')).toBe('fd00::1');
    expect(roundTrip('2001:db8:0:1:0:0:0:0')).toBe('2001:db8:0:1::');
    expect(roundTrip('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group stays
    expect(roundTrip('1:0:0:2:0:0:3:4')).toBe('1::2:0:0:3:4');
    expect(roundTrip('::')).toBe('::');
    expect(roundTrip('FD00::ABCD')).toBe('fd00::abcd');
  });

  it('refuses malformed IPv6', () => {
    for (const bad of ['fd00:::1', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'fd00::g', '1:2:3:4:5:6:7']) {
      expect(parseIP(bad)).toBeUndefined();
    }
  });
});

describe('CIDR math', () => {
  it('parses prefixes within the family size only', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ ip: { family: 4, value: 0x0a000000n }, prefix: 8 });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('fd00::/129')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });

  it('computes network, last address and containment', () => {
    const c = parseCidr('10.1.2.77/24')!;
    expect(formatIP(networkOf(c))).toBe('10.1.2.0');
    expect(formatIP(lastOf(c))).toBe('10.1.2.255');
    expect(cidrContains(c, parseIP('10.1.2.200')!)).toBe(true);
    expect(cidrContains(c, parseIP('10.1.3.1')!)).toBe(false);
    expect(formatIP(lastOf(parseCidr('fd00:1::/64')!))).toBe('fd00:1::ffff:ffff:ffff:ffff');
  });
});
