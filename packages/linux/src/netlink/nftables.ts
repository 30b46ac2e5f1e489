import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from './constants.ts';
import { NetlinkError } from './errors.ts';
import { MessageBuilder, parseAttrList, parseAttrs, readString } from './message.ts';
import type { NetlinkSocket } from './socket.ts';

/**
 * Asking nftables (over nfnetlink) which tables and chains exist, and the raw expressions of a
 * chain's rules, without an `nft` process. Listings in nft's own words stay with `nft`, whose
 * JSON the plugins read; the raw rules serve readers that recognise a few known shapes
 * (netfilter/iptables-nft.ts).
 */
const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_NEWTABLE = 0;
const NFT_MSG_GETTABLE = 1;
const NFT_MSG_GETCHAIN = 4;
const NFT_MSG_DELCHAIN = 5;
const NFT_MSG_NEWRULE = 6;
const NFT_MSG_GETRULE = 7;
const NFT_MSG_DELRULE = 8;
/** nfnetlink's batch delimiters, and the subsystem a batch is for. */
const NFNL_MSG_BATCH_BEGIN = 0x10;
const NFNL_MSG_BATCH_END = 0x11;
const NFTA_TABLE_NAME = 1;
const NFTA_CHAIN_TABLE = 1;
const NFTA_CHAIN_NAME = 3;
const NFTA_RULE_TABLE = 1;
const NFTA_RULE_CHAIN = 2;
const NFTA_RULE_HANDLE = 3;
const NFTA_RULE_EXPRESSIONS = 4;
const NFTA_RULE_USERDATA = 7;
/** libnftnl's type of a rule comment inside NFTA_RULE_USERDATA (type, length, NUL-terminated text). */
const NFTNL_UDATA_RULE_COMMENT = 0;
const NFTA_EXPR_NAME = 1;
const NFTA_EXPR_DATA = 2;
const ENOENT = 2;
const EINTR = 4;
/** On a dump's message: the dumped objects changed while the dump ran. */
const NLM_F_DUMP_INTR = 0x10;

/** nft's family names and the kernel's numbers (NFPROTO_*). */
const FAMILIES: Record<string, number> = { inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 };
const FAMILY_NAMES = Object.fromEntries(Object.entries(FAMILIES).map(([name, n]) => [n, name])) as Record<number, string>;

export const isNftFamily = (name: string): boolean => name in FAMILIES;

/** A request to the nftables subsystem: type, flags and the 4-byte nfgenmsg header (family, version 0, resource 0). */
function request(type: number, flags: number, family: number): MessageBuilder {
  return new MessageBuilder((NFNL_SUBSYS_NFTABLES << 8) | type, flags).header(Uint8Array.of(family, 0, 0, 0));
}

/** Every table, as `nft list tables` names them, in the kernel's order (the order nft prints). */
export function listTables(nl: NetlinkSocket): Array<{ family: string; name: string }> {
  const replies = nl.request(request(NFT_MSG_GETTABLE, NLM_F_REQUEST | NLM_F_DUMP, 0).bytes());
  return replies
    .filter((m) => m.type === ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE))
    .map((m) => ({ family: FAMILY_NAMES[m.payload[0]!] ?? String(m.payload[0]), name: readString(parseAttrs(m.payload, 4).get(NFTA_TABLE_NAME)) ?? '' }));
}

/** The kernel's number of an nft family name. */
function familyNumber(family: string): number {
  const fam = FAMILIES[family];
  if (fam === undefined) throw new Error(`unknown nftables family "${family}"`);
  return fam;
}

/** Whether the kernel finds what a GET request names (ENOENT: no). */
function found(nl: NetlinkSocket, message: Uint8Array): boolean {
  try {
    nl.request(message);
    return true;
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === ENOENT) return false;
    throw err;
  }
}

const tableRequest = (family: string, table: string): Uint8Array =>
  request(NFT_MSG_GETTABLE, NLM_F_REQUEST | NLM_F_ACK, familyNumber(family)).string(NFTA_TABLE_NAME, table).bytes();
const chainRequest = (family: string, table: string, chain: string): Uint8Array =>
  request(NFT_MSG_GETCHAIN, NLM_F_REQUEST | NLM_F_ACK, familyNumber(family)).string(NFTA_CHAIN_TABLE, table).string(NFTA_CHAIN_NAME, chain).bytes();

/** Which of table and chain does not exist ('table' first), or undefined when both do. */
export function missingObject(nl: NetlinkSocket, family: string, table: string, chain?: string): 'table' | 'chain' | undefined {
  if (!found(nl, tableRequest(family, table))) return 'table';
  if (chain !== undefined && !found(nl, chainRequest(family, table, chain))) return 'chain';
  return undefined;
}

/** Whether a chain exists (a missing table answers no as well): one request, where missingObject needs two. */
export const chainExists = (nl: NetlinkSocket, family: string, table: string, chain: string): boolean => found(nl, chainRequest(family, table, chain));

/** One expression of a rule: its kind ("immediate", "match", "meta", ...) and its attributes. */
export interface NftExpression {
  name: string;
  data: Map<number, Uint8Array>;
}

/** A rule as its expressions, in order. */
export type RuleExpressions = NftExpression[];

/** The attributes of every rule of one chain, in order; none when the table or chain does not exist. */
function dumpRules(nl: NetlinkSocket, family: string, table: string, chain: string): Array<Map<number, Uint8Array>> {
  let replies;
  try {
    replies = nl.request(request(NFT_MSG_GETRULE, NLM_F_REQUEST | NLM_F_DUMP, familyNumber(family)).string(NFTA_RULE_TABLE, table).string(NFTA_RULE_CHAIN, chain).bytes());
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === ENOENT) return [];
    throw err;
  }
  // A dump that a concurrent commit interrupted may mix two rulesets: not an answer to build on.
  if (replies.some((m) => m.flags & NLM_F_DUMP_INTR)) throw new NetlinkError(EINTR);
  return replies
    .filter((m) => m.type === ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE))
    .map((m) => parseAttrs(m.payload, 4))
    // Older kernels ignore the dump's filter: keep only the chain asked for.
    .filter((attrs) => readString(attrs.get(NFTA_RULE_TABLE)) === table && readString(attrs.get(NFTA_RULE_CHAIN)) === chain);
}

/**
 * Every rule of one chain, in order; none when the table or the chain does not exist. Throws
 * NetlinkError (EINTR) when a concurrent change interrupted the dump.
 */
export function listRules(nl: NetlinkSocket, family: string, table: string, chain: string): RuleExpressions[] {
  return dumpRules(nl, family, table, chain).map((attrs) =>
    parseAttrList(attrs.get(NFTA_RULE_EXPRESSIONS) ?? new Uint8Array()).map(({ value }) => {
      const expr = parseAttrs(value);
      return { name: readString(expr.get(NFTA_EXPR_NAME)) ?? '', data: parseAttrs(expr.get(NFTA_EXPR_DATA) ?? new Uint8Array()) };
    }),
  );
}

/**
 * The comment of every rule of one chain (as `nft` shows it; a rule without one gives
 * undefined); none when the table or the chain does not exist. Throws as listRules.
 */
export function listRuleComments(nl: NetlinkSocket, family: string, table: string, chain: string): Array<string | undefined> {
  return dumpRules(nl, family, table, chain).map((attrs) => ruleComment(attrs.get(NFTA_RULE_USERDATA)));
}

/** The comment in a rule's user data: a list of (type u8, length u8, value) items. */
function ruleComment(userdata: Uint8Array | undefined): string | undefined {
  if (!userdata) return undefined;
  for (let at = 0; at + 2 <= userdata.length; at += 2 + userdata[at + 1]!) {
    const [type, length] = [userdata[at]!, userdata[at + 1]!];
    if (type !== NFTNL_UDATA_RULE_COMMENT || at + 2 + length > userdata.length) continue;
    const text = userdata.subarray(at + 2, at + 2 + length);
    const end = text.indexOf(0);
    return new TextDecoder().decode(end < 0 ? text : text.subarray(0, end));
  }
  return undefined;
}

/** A rule's expressions and the handle the kernel knows it by. */
export interface HandledRule {
  handle: bigint;
  expressions: RuleExpressions;
}

/** Every rule of one chain with its handle; none when the table or chain does not exist. Throws as listRules. */
export function listRulesWithHandles(nl: NetlinkSocket, family: string, table: string, chain: string): HandledRule[] {
  return dumpRules(nl, family, table, chain).flatMap((attrs) => {
    const h = attrs.get(NFTA_RULE_HANDLE);
    if (!h || h.length !== 8) return [];
    const expressions = parseAttrList(attrs.get(NFTA_RULE_EXPRESSIONS) ?? new Uint8Array()).map(({ value }) => {
      const expr = parseAttrs(value);
      return { name: readString(expr.get(NFTA_EXPR_NAME)) ?? '', data: parseAttrs(expr.get(NFTA_EXPR_DATA) ?? new Uint8Array()) };
    });
    return [{ handle: new DataView(h.buffer, h.byteOffset, 8).getBigUint64(0, false), expressions }];
  });
}

/** What one deletion transaction removes: rules by handle, then chains (each flushed, then deleted). */
export interface Deletions {
  rules: Array<{ chain: string; handle: bigint }>;
  chains: string[];
}

/**
 * Delete rules and chains of one table in one nftables transaction: all of it or, when the
 * kernel refuses any part (a rule gone meanwhile, a chain still jumped to), none of it; throws
 * NetlinkError then. Deleting needs no knowledge of how a rule is encoded.
 */
export function deleteInTransaction(nl: NetlinkSocket, family: string, table: string, what: Deletions): void {
  const fam = familyNumber(family);
  const delimiter = (type: number): Uint8Array =>
    new MessageBuilder(type, NLM_F_REQUEST).header(Uint8Array.of(0, 0, 0, NFNL_SUBSYS_NFTABLES)).bytes();
  const messages = [delimiter(NFNL_MSG_BATCH_BEGIN)];
  const handle = (h: bigint): Uint8Array => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, h, false);
    return b;
  };
  for (const r of what.rules) {
    messages.push(request(NFT_MSG_DELRULE, NLM_F_REQUEST | NLM_F_ACK, fam).string(NFTA_RULE_TABLE, table).string(NFTA_RULE_CHAIN, r.chain).attr(NFTA_RULE_HANDLE, handle(r.handle)).bytes());
  }
  for (const chain of what.chains) {
    // A rule delete without a handle flushes the chain.
    messages.push(request(NFT_MSG_DELRULE, NLM_F_REQUEST | NLM_F_ACK, fam).string(NFTA_RULE_TABLE, table).string(NFTA_RULE_CHAIN, chain).bytes());
    messages.push(request(NFT_MSG_DELCHAIN, NLM_F_REQUEST | NLM_F_ACK, fam).string(NFTA_CHAIN_TABLE, table).string(NFTA_CHAIN_NAME, chain).bytes());
  }
  messages.push(delimiter(NFNL_MSG_BATCH_END));
  nl.batch(messages);
}
