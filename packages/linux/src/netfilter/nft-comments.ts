import { listRuleComments } from '../netlink/nftables.ts';
import { askNetfilter } from '../netlink/socket.ts';

/**
 * Whether some rule of an nftables chain has a comment that `match` accepts, asked over
 * nfnetlink without an `nft` process: false also when the table or chain does not exist;
 * undefined when this process cannot tell (the Node bundle, a refusal by the kernel, a dump
 * interrupted by a concurrent change), so that the caller asks `nft`.
 */
export async function nftChainHasComment(family: string, table: string, chain: string, match: (comment: string) => boolean): Promise<boolean | undefined> {
  return askNetfilter((nl) => listRuleComments(nl, family, table, chain).some((c) => c !== undefined && match(c)), undefined);
}
