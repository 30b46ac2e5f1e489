import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NftExpression } from '../netlink/nftables.ts';
import { formatMarkMask, isNftVariant, jumpTarget, markMatch, setXmark, sourceAddress, writtenByIptables } from './iptables-nft.ts';

// Expressions laid out as the kernel dumps them for rules iptables-nft 1.8.9 wrote
// (`nft --debug=netlink list table ip nat` shows the same shapes).
const be32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n, false);
  return b;
};
const le32 = (...ns: number[]): Uint8Array => {
  const b = new Uint8Array(4 * ns.length);
  ns.forEach((n, i) => new DataView(b.buffer).setUint32(4 * i, n, true));
  return b;
};
const cstr = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);
/** One netlink attribute, padded. */
function attr(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array((4 + payload.length + 3) & ~3);
  new DataView(out.buffer).setUint16(0, 4 + payload.length, true);
  new DataView(out.buffer).setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};
const expr = (name: string, data: Array<[number, Uint8Array]>): NftExpression => ({ name, data: new Map(data) });

const verdict = (code: number, chain?: string): NftExpression =>
  expr('immediate', [
    [1, be32(0)],
    [2, attr(2 | 0x8000, cat(attr(1, be32(code)), chain ? attr(2, cstr(chain)) : new Uint8Array()))],
  ]);
const counter = expr('counter', [
  [1, new Uint8Array(8)],
  [2, new Uint8Array(8)],
]);
const xt = (kind: 'match' | 'target', name: string, rev: number, info: Uint8Array): NftExpression =>
  expr(kind, [
    [1, cstr(name)],
    [2, be32(rev)],
    [3, info],
  ]);
const value = (b: Uint8Array): Uint8Array => attr(1, b);
const metaMark = expr('meta', [
  [2, be32(3)],
  [1, be32(1)],
]);
const bitwise = (mask: number, xor = 0, reg = 1): NftExpression =>
  expr('bitwise', [
    [1, be32(reg)],
    [2, be32(reg)],
    [3, be32(4)],
    [4, value(le32(mask))],
    [5, value(le32(xor))],
  ]);
const cmp = (data: number, op = 0): NftExpression =>
  expr('cmp', [
    [1, be32(1)],
    [2, be32(op)],
    [3, value(le32(data))],
  ]);

describe('iptables-nft rule shapes', () => {
  it('reads the chain of a jump, and nothing from a goto or an accept', () => {
    expect(jumpTarget([xt('match', 'addrtype', 1, new Uint8Array(8)), counter, verdict(-3, 'CNI-HOSTPORT-DNAT')])).toBe('CNI-HOSTPORT-DNAT');
    expect(jumpTarget([counter, verdict(-4, 'CNI-HOSTPORT-DNAT')])).toBeUndefined(); // -g
    expect(jumpTarget([counter, verdict(1)])).toBeUndefined(); // -j ACCEPT
    expect(jumpTarget([verdict(-3, 'X'), counter])).toBeUndefined(); // not the rule's verdict
  });

  it('reads -j MARK --set-xmark from an x_tables MARK target, revision 2 only', () => {
    const mark = setXmark([xt('match', 'comment', 0, new Uint8Array(256)), counter, xt('target', 'MARK', 2, le32(0x2000, 0x2000))]);
    expect(mark && formatMarkMask(mark)).toBe('0x2000/0x2000');
    expect(setXmark([counter, xt('target', 'MARK', 1, le32(0x2000, 0x2000))])).toBeUndefined();
    expect(setXmark([counter, xt('target', 'MASQUERADE', 0, new Uint8Array(8))])).toBeUndefined();
  });

  it('reads -m mark --mark in the native encoding and as an x_tables match, never inverted', () => {
    const native = markMatch([metaMark, bitwise(0x4000), cmp(0x4000), counter, xt('target', 'MASQUERADE', 0, new Uint8Array(8))]);
    expect(native && formatMarkMask(native)).toBe('0x4000/0x4000');
    const compat = markMatch([xt('match', 'mark', 1, cat(le32(0x2000, 0x2000), Uint8Array.of(0, 0, 0, 0))), counter]);
    expect(compat && formatMarkMask(compat)).toBe('0x2000/0x2000');
    expect(markMatch([xt('match', 'mark', 1, cat(le32(0x2000, 0x2000), Uint8Array.of(1, 0, 0, 0)))])).toBeUndefined(); // ! --mark
    expect(markMatch([metaMark, bitwise(0x2000), cmp(0x2000, 1)])).toBeUndefined(); // cmp neq
    expect(markMatch([metaMark, bitwise(0x2000, 0x1), cmp(0x2000)])).toBeUndefined(); // xor: not a plain mask
    expect(markMatch([metaMark, bitwise(0x2000, 0, 2), cmp(0x2000)])).toBeUndefined(); // another register
    expect(markMatch([metaMark, cmp(0x2000)])).toBeUndefined();
  });
});

describe('sourceAddress', () => {
  // -s ADDR/32 (/128): payload load of the network header's source field into reg 1, cmp eq.
  const load = (offset: number, len: number, base = 1): NftExpression =>
    expr('payload', [
      [1, be32(1)],
      [2, be32(base)],
      [3, be32(offset)],
      [4, be32(len)],
    ]);
  const cmp = (op: number, data: Uint8Array): NftExpression => expr('cmp', [[1, be32(1)], [2, be32(op)], [3, value(data)]]);
  const v4 = Uint8Array.of(10, 88, 0, 2);
  const v6 = Uint8Array.of(0xfd, 0, ...new Array(13).fill(0), 2);

  it('reads a full-length source match of either family', () => {
    expect(sourceAddress([load(12, 4), cmp(0, v4), counter, verdict(-3, 'CNI-x')])).toEqual(v4);
    expect(sourceAddress([load(8, 16), cmp(0, v6), counter, verdict(-3, 'CNI-x')])).toEqual(v6);
  });

  it('reads nothing from an inverted match, a masked prefix, a destination, or no address at all', () => {
    expect(sourceAddress([load(12, 4), cmp(1, v4), verdict(-3, 'CNI-x')])).toBeUndefined(); // ! -s
    expect(sourceAddress([load(16, 4), cmp(0, v4), verdict(-3, 'CNI-x')])).toBeUndefined(); // -d
    expect(sourceAddress([load(12, 4, 2), cmp(0, v4)])).toBeUndefined(); // transport header
    expect(sourceAddress([load(12, 4), expr('bitwise', []), cmp(0, v4)])).toBeUndefined(); // /24
    expect(sourceAddress([counter, verdict(-3, 'CNI-x')])).toBeUndefined();
  });
});

describe('writtenByIptables', () => {
  it('accepts the expressions iptables-nft writes and refuses one only nft writes', () => {
    expect(writtenByIptables([xt('match', 'addrtype', 1, new Uint8Array(8)), counter, verdict(-3, 'CNI-HOSTPORT-DNAT')])).toBe(true);
    expect(writtenByIptables([metaMark, bitwise(0x2000), cmp(0x2000), counter, xt('target', 'MASQUERADE', 0, new Uint8Array(8))])).toBe(true);
    // `fib daddr type local jump ...`, added with nft: iptables-save would call the table incompatible.
    expect(writtenByIptables([expr('fib', []), cmp(2), verdict(-3, 'CNI-HOSTPORT-DNAT')])).toBe(false);
  });
});

describe('isNftVariant', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('follows the tool on PATH to the multi-call binary it runs', () => {
    dir = mkdtempSync(join(tmpdir(), 'nft-variant-'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(b, 'xtables-nft-multi'), '');
    writeFileSync(join(b, 'xtables-legacy-multi'), '');
    symlinkSync(join(b, 'xtables-nft-multi'), join(b, 'iptables-restore'));
    symlinkSync(join(b, 'xtables-legacy-multi'), join(a, 'ip6tables-restore'));
    expect(isNftVariant('iptables-restore', `relative:${a}:${b}`)).toBe(true);
    expect(isNftVariant('ip6tables-restore', `${a}:${b}`)).toBe(false); // the first one found decides
    expect(isNftVariant('iptables-save', `${a}:${b}`)).toBe(false);
  });
});
