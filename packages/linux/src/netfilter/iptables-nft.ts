import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { parseAttrs, readString } from '../netlink/message.ts';
import { findOnPath } from '../path.ts';
import type { NftExpression, RuleExpressions } from '../netlink/nftables.ts';

/**
 * iptables' nftables variant (iptables-nft, `xtables-nft-multi`): whether a node's iptables is
 * it, and what its rules look like to nfnetlink, for the few shapes a plugin needs to recognise
 * without `iptables-save`: a jump, `-j MARK --set-xmark`, and `-m mark --mark`. Each reader
 * answers only for an encoding it knows exactly and undefined (or false) for anything else, so
 * that a caller can fall back to iptables-save.
 */

/** Whether `tool` (e.g. "iptables-restore") on `path` is iptables' nftables variant. */
export function isNftVariant(tool: string, path?: string): boolean {
  const found = findOnPath(tool, path);
  if (!found) return false;
  try {
    return basename(realpathSync(found)) === 'xtables-nft-multi';
  } catch {
    return false; // removed since, or unreadable: not something to build on
  }
}

/** The nftables family holding a family's iptables tables. */
export const iptablesNftFamily = (family: 4 | 6): 'ip' | 'ip6' => (family === 4 ? 'ip' : 'ip6');

// Attribute numbers (linux/netfilter/nf_tables.h). nftables' own numbers are big-endian; the
// blobs of x_tables matches and targets are the kernel's structs, in host order.
const NFTA_IMMEDIATE_DREG = 1;
const NFTA_IMMEDIATE_DATA = 2;
const NFTA_DATA_VALUE = 1;
const NFTA_DATA_VERDICT = 2;
const NFTA_VERDICT_CODE = 1;
const NFTA_VERDICT_CHAIN = 2;
const NFT_REG_VERDICT = 0;
const NFT_JUMP = -3;
const NFTA_XT_NAME = 1; // NFTA_MATCH_NAME and NFTA_TARGET_NAME alike
const NFTA_XT_REV = 2;
const NFTA_XT_INFO = 3;
const NFTA_META_DREG = 1;
const NFTA_META_KEY = 2;
const NFT_META_MARK = 3;
const NFTA_BITWISE_SREG = 1;
const NFTA_BITWISE_DREG = 2;
const NFTA_BITWISE_MASK = 4;
const NFTA_BITWISE_XOR = 5;
const NFTA_BITWISE_OP = 6;
const NFT_BITWISE_MASK_XOR = 0;
const NFTA_CMP_SREG = 1;
const NFTA_CMP_OP = 2;
const NFTA_CMP_DATA = 3;
const NFT_CMP_EQ = 0;
const NFTA_PAYLOAD_DREG = 1;
const NFTA_PAYLOAD_BASE = 2;
const NFTA_PAYLOAD_OFFSET = 3;
const NFTA_PAYLOAD_LEN = 4;
const NFT_PAYLOAD_NETWORK_HEADER = 1;

const be32 = (b: Uint8Array | undefined): number | undefined => (b && b.length === 4 ? new DataView(b.buffer, b.byteOffset, 4).getInt32(0, false) : undefined);
/** A u32 of an x_tables struct: host order, little-endian on every target we build for. */
const host32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
/** The bytes of an NFTA_DATA_VALUE nested in `b`. */
const dataValue = (b: Uint8Array | undefined): Uint8Array | undefined => (b ? parseAttrs(b).get(NFTA_DATA_VALUE) : undefined);

/** A mark and mask pair, as iptables prints it (`0x2000/0x2000`). */
export interface MarkMask {
  value: number;
  mask: number;
}
export const formatMarkMask = (m: MarkMask): string => `0x${m.value.toString(16)}/0x${m.mask.toString(16)}`;

/** The kinds of expression iptables-nft writes into the rules of its tables. */
const IPTABLES_EXPRESSIONS = new Set(['meta', 'cmp', 'payload', 'bitwise', 'match', 'target', 'counter', 'immediate']);

/**
 * Whether every expression of a rule is of a kind iptables-nft writes. A rule added with nft
 * itself (`fib daddr type local jump ...`, say) is not: iptables-save then calls the whole table
 * incompatible and shows none of it.
 */
export const writtenByIptables = (rule: RuleExpressions): boolean => rule.every((e) => IPTABLES_EXPRESSIONS.has(e.name));

/** The chain a rule jumps to (`-j CHAIN`): its last expression, an immediate jump verdict. */
export function jumpTarget(rule: RuleExpressions): string | undefined {
  const last = rule.at(-1);
  if (last?.name !== 'immediate' || be32(last.data.get(NFTA_IMMEDIATE_DREG)) !== NFT_REG_VERDICT) return undefined;
  const verdict = last.data.get(NFTA_IMMEDIATE_DATA) && parseAttrs(last.data.get(NFTA_IMMEDIATE_DATA)!).get(NFTA_DATA_VERDICT);
  if (!verdict) return undefined;
  const fields = parseAttrs(verdict);
  return be32(fields.get(NFTA_VERDICT_CODE)) === NFT_JUMP ? readString(fields.get(NFTA_VERDICT_CHAIN)) : undefined;
}

/**
 * The single source address a rule matches (`-s ADDR/32`, `-s ADDR/128`, not inverted): the
 * network header's source field loaded and compared whole, with no mask between, as iptables-nft
 * writes a full-length prefix. Undefined for any other shape, or no source match.
 */
export function sourceAddress(rule: RuleExpressions): Uint8Array | undefined {
  for (let i = 0; i + 1 < rule.length; i++) {
    const [load, cmp] = [rule[i]!, rule[i + 1]!];
    if (load.name !== 'payload' || cmp.name !== 'cmp') continue;
    const [offset, len] = [be32(load.data.get(NFTA_PAYLOAD_OFFSET)), be32(load.data.get(NFTA_PAYLOAD_LEN))];
    const isSource = (offset === 12 && len === 4) || (offset === 8 && len === 16); // IPv4, IPv6 saddr
    if (be32(load.data.get(NFTA_PAYLOAD_BASE)) !== NFT_PAYLOAD_NETWORK_HEADER || !isSource) continue;
    if (be32(cmp.data.get(NFTA_CMP_SREG)) !== be32(load.data.get(NFTA_PAYLOAD_DREG)) || be32(cmp.data.get(NFTA_CMP_OP)) !== NFT_CMP_EQ) return undefined;
    const value = dataValue(cmp.data.get(NFTA_CMP_DATA));
    return value?.length === len ? value : undefined;
  }
  return undefined;
}

/** `-j MARK --set-xmark VALUE/MASK`: an x_tables MARK target, revision 2 (struct xt_mark_tginfo2). */
export function setXmark(rule: RuleExpressions): MarkMask | undefined {
  const last = rule.at(-1);
  if (last?.name !== 'target' || !isXt(last, 'MARK', 2)) return undefined;
  const info = last.data.get(NFTA_XT_INFO)!;
  return info.length >= 8 ? { value: host32(info, 0), mask: host32(info, 4) } : undefined;
}

/**
 * `-m mark --mark VALUE/MASK` (not inverted) anywhere in a rule: iptables-nft writes it as
 * `meta mark`, `bitwise` with that mask and `cmp eq`; older releases as an x_tables mark match,
 * revision 1 (struct xt_mark_mtinfo1).
 */
export function markMatch(rule: RuleExpressions): MarkMask | undefined {
  for (let i = 0; i < rule.length; i++) {
    const e = rule[i]!;
    if (e.name === 'match' && isXt(e, 'mark', 1)) {
      const info = e.data.get(NFTA_XT_INFO)!;
      if (info.length >= 9 && info[8] === 0) return { value: host32(info, 0), mask: host32(info, 4) };
    }
    if (e.name === 'meta' && be32(e.data.get(NFTA_META_KEY)) === NFT_META_MARK) {
      const found = nativeMark(e, rule[i + 1], rule[i + 2]);
      if (found) return found;
    }
  }
  return undefined;
}

function nativeMark(meta: NftExpression, bitwise: NftExpression | undefined, cmp: NftExpression | undefined): MarkMask | undefined {
  if (bitwise?.name !== 'bitwise' || cmp?.name !== 'cmp') return undefined;
  const reg = be32(meta.data.get(NFTA_META_DREG));
  if (be32(bitwise.data.get(NFTA_BITWISE_SREG)) !== reg || be32(bitwise.data.get(NFTA_BITWISE_DREG)) !== reg || be32(cmp.data.get(NFTA_CMP_SREG)) !== reg) return undefined;
  const op = bitwise.data.get(NFTA_BITWISE_OP);
  if (op && be32(op) !== NFT_BITWISE_MASK_XOR) return undefined;
  if (be32(cmp.data.get(NFTA_CMP_OP)) !== NFT_CMP_EQ) return undefined;
  const mask = dataValue(bitwise.data.get(NFTA_BITWISE_MASK));
  const xor = dataValue(bitwise.data.get(NFTA_BITWISE_XOR));
  const value = dataValue(cmp.data.get(NFTA_CMP_DATA));
  if (mask?.length !== 4 || xor?.length !== 4 || value?.length !== 4 || host32(xor, 0) !== 0) return undefined;
  return { value: host32(value, 0), mask: host32(mask, 0) };
}

const isXt = (e: NftExpression, name: string, rev: number): boolean =>
  readString(e.data.get(NFTA_XT_NAME)) === name && be32(e.data.get(NFTA_XT_REV)) === rev && e.data.get(NFTA_XT_INFO) !== undefined;
