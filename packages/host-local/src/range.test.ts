import { CniError } from '@cni-ts/core';
import { describe, expect, it } from 'vitest';
import { formatIP, parseIP } from '@cni-ts/core/net/ip';
import { candidates, capacity, parseRange, parseRangeSet } from './range.ts';

const codeAndMessage = (fn: () => unknown): { code: number; msg: string } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CniError) return { code: err.code, msg: err.message };
    throw err;
  }
  throw new Error('expected a CniError');
};

describe('parseRange', () => {
  it('fills the reference defaults: gateway and start at .1, end at broadcast-1 (v4) or last (v6)', () => {
    const r = parseRange({ subnet: '10.0.0.0/24' }, 'f');
    expect([r.gateway, r.start, r.end].map(formatIP)).toEqual(['10.0.0.1', '10.0.0.1', '10.0.0.254']);
    const r6 = parseRange({ subnet: 'fd00::/120' }, 'f');
    expect([r6.gateway, r6.start, r6.end].map(formatIP)).toEqual(['fd00::1', 'fd00::1', 'fd00::ff']);
  });

  it('keeps explicit bounds, keys matched case-insensitively like Go', () => {
    const r = parseRange({ subnet: '10.0.0.0/24', RangeStart: '10.0.0.10', rangeend: '10.0.0.20', gateway: '10.0.0.254' }, 'f');
    expect([r.gateway, r.start, r.end].map(formatIP)).toEqual(['10.0.0.254', '10.0.0.10', '10.0.0.20']);
  });

  it.each([
    [{}, 'f.subnet: missing'],
    [{ subnet: 'banana' }, 'f.subnet: "banana" is not a CIDR'],
    [{ subnet: '10.0.0.1/24' }, 'f.subnet: 10.0.0.1/24 has host bits set (the network address is 10.0.0.0/24)'],
    [{ subnet: '10.0.0.0/31' }, 'too small'],
    [{ subnet: '10.0.0.0/32' }, 'too small'],
    [{ subnet: 'fd00::/127' }, 'too small'],
    [{ subnet: 'fd00::/128' }, 'too small'],
    [{ subnet: '10.0.0.0/24', gateway: '10.0.1.1' }, 'f.gateway: 10.0.1.1 is not in subnet 10.0.0.0/24'],
    [{ subnet: '10.0.0.0/24', rangeStart: '10.0.0.50', rangeEnd: '10.0.0.40' }, 'f: rangeStart 10.0.0.50 is after rangeEnd 10.0.0.40'],
    [{ subnet: '10.0.0.0/24', rangeEnd: 'fd00::1' }, 'f.rangeEnd: fd00::1 is not in subnet'],
    [{ subnet: '10.0.0.0/24', rangeStart: 7 }, 'f.rangeStart: 7 is not an IP address'],
  ])('refuses %j with code 7 naming the field', (raw, msg) => {
    const e = codeAndMessage(() => parseRange(raw, 'f'));
    expect(e.code).toBe(7);
    expect(e.msg).toContain(msg);
  });
});

describe('parseRangeSet', () => {
  it('refuses mixed families, overlapping ranges and empty sets', () => {
    expect(codeAndMessage(() => parseRangeSet([{ subnet: '10.0.0.0/24' }, { subnet: 'fd00::/64' }], 's')).msg).toBe(
      's[1].subnet: mixed address families in one range set',
    );
    expect(codeAndMessage(() => parseRangeSet([{ subnet: '10.0.0.0/16' }, { subnet: '10.0.5.0/24' }], 's')).msg).toContain('s[1]: overlaps s[0]');
    expect(codeAndMessage(() => parseRangeSet([], 's')).msg).toContain('s: must be a non-empty list');
  });

  it('allows disjoint ranges inside one subnet', () => {
    const set = parseRangeSet(
      [
        { subnet: '10.0.0.0/24', rangeStart: '10.0.0.10', rangeEnd: '10.0.0.19' },
        { subnet: '10.0.0.0/24', rangeStart: '10.0.0.20', rangeEnd: '10.0.0.29' },
      ],
      's',
    );
    expect(set).toHaveLength(2);
  });
});

describe('candidates (round-robin order)', () => {
  const set = parseRangeSet(
    [
      { subnet: '10.0.0.0/29' }, // .1 gateway, .1-.6
      { subnet: '10.0.1.0/30' }, // .1 gateway, .1-.2
    ],
    's',
  );
  const order = (last?: string): string[] => [...candidates(set, last ? parseIP(last) : undefined)].map((c) => formatIP(c.ip));

  it('starts at the first range start and skips gateways', () => {
    expect(order()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.1.2']);
  });

  it('starts after the last reserved address and wraps around once', () => {
    expect(order('10.0.0.5')).toEqual(['10.0.0.6', '10.0.1.2', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']);
    expect(order('10.0.1.2')).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.1.2']);
  });

  it('ignores a last reserved address outside the set', () => {
    expect(order('192.168.0.1')[0]).toBe('10.0.0.2');
  });

  it('counts capacity without gateways', () => {
    expect(capacity(set)).toBe(6n);
  });
});
