import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from './constants.ts';
import { NetlinkError } from './errors.ts';
import { MessageBuilder, parseAttrs, readString } from './message.ts';
import type { NetlinkSocket } from './socket.ts';

/**
 * Asking nftables (over nfnetlink) which tables and chains exist, without an `nft` process. Only
 * existence: listings of what is inside stay with `nft`, whose JSON the plugins read.
 */
const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_NEWTABLE = 0;
const NFT_MSG_GETTABLE = 1;
const NFT_MSG_GETCHAIN = 4;
const NFTA_TABLE_NAME = 1;
const NFTA_CHAIN_TABLE = 1;
const NFTA_CHAIN_NAME = 3;
const ENOENT = 2;

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

/** Which of table and chain does not exist ('table' first), or undefined when both do. */
export function missingObject(nl: NetlinkSocket, family: string, table: string, chain?: string): 'table' | 'chain' | undefined {
  const fam = FAMILIES[family];
  if (fam === undefined) throw new Error(`unknown nftables family "${family}"`);
  const absent = (message: Uint8Array): boolean => {
    try {
      nl.request(message);
      return false;
    } catch (err) {
      if (err instanceof NetlinkError && err.errno === ENOENT) return true;
      throw err;
    }
  };
  if (absent(request(NFT_MSG_GETTABLE, NLM_F_REQUEST | NLM_F_ACK, fam).string(NFTA_TABLE_NAME, table).bytes())) return 'table';
  if (chain !== undefined && absent(request(NFT_MSG_GETCHAIN, NLM_F_REQUEST | NLM_F_ACK, fam).string(NFTA_CHAIN_TABLE, table).string(NFTA_CHAIN_NAME, chain).bytes())) return 'chain';
  return undefined;
}
