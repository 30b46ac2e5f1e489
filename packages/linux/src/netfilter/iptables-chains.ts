import type { Family } from '@cni-ts/core/net/ip';
import { chainExists, deleteInTransaction, listRulesWithHandles, type RuleExpressions } from '../netlink/nftables.ts';
import { askNetfilter } from '../netlink/socket.ts';
import { iptablesTool } from './iptables.ts';
import { iptablesNftFamily, isNftVariant, jumpTarget } from './iptables-nft.ts';

const restoreIsNft = new Map<Family, boolean>();

/** Whether the family's iptables-restore on PATH writes nftables (looked up once per process). */
export function iptablesIsNft(family: Family): boolean {
  let known = restoreIsNft.get(family);
  if (known === undefined) restoreIsNft.set(family, (known = isNftVariant(iptablesTool(family, 'restore'))));
  return known;
}

/**
 * Which of `chains` are in one family's iptables `table`, known without `iptables-save`: on
 * iptables-nft nodes iptables' tables are nftables tables, read over nfnetlink from this
 * process. A chain that does not exist has no rule jumping to it either (nftables refuses a jump
 * to a missing chain). Undefined whenever it cannot tell (legacy iptables, the Node bundle, a
 * refusal by the kernel): the caller reads the table with iptables-save.
 */
export async function iptablesChainsPresent(family: Family, table: string, chains: readonly string[]): Promise<boolean[] | undefined> {
  if (!iptablesIsNft(family)) return undefined;
  const nft = iptablesNftFamily(family);
  return askNetfilter((nl) => chains.map((chain) => chainExists(nl, nft, table, chain)), undefined);
}

/** True only when it is known that none of `chains` is there: a DEL then has nothing of them to remove and starts no process. */
export async function iptablesChainsAbsent(family: Family, table: string, chains: readonly string[]): Promise<boolean> {
  const present = await iptablesChainsPresent(family, table, chains);
  return present !== undefined && !present.some(Boolean);
}

/**
 * Remove an iptables-nft chain of `table` with the rules of the chains `from` that jump to it,
 * in one nftables transaction over nfnetlink: no iptables-save or -restore. Deleting by handle
 * needs nothing of iptables-nft's rule encoding but the jump. True when done; false when it is
 * not done here, and nothing was changed: not iptables-nft (or no netlink), the chain missing,
 * jumps other than `expected` accepts, or the kernel refusing (a jump from a
 * chain outside `from`, a concurrent change). The caller then uses the tools. `expected` says
 * whether the jumps found are exactly the ones the caller means to remove.
 */
export async function removeIptablesChain(
  family: Family,
  table: string,
  chain: string,
  from: readonly string[],
  expected: (jumps: RuleExpressions[]) => boolean,
): Promise<boolean> {
  if (!iptablesIsNft(family)) return false;
  const nft = iptablesNftFamily(family);
  return askNetfilter((nl) => {
    if (!chainExists(nl, nft, table, chain)) return false;
    const jumps = from.flatMap((source) =>
      listRulesWithHandles(nl, nft, table, source)
        .filter((r) => jumpTarget(r.expressions) === chain)
        .map((r) => ({ chain: source, ...r })),
    );
    if (!expected(jumps.map((j) => j.expressions))) return false;
    deleteInTransaction(nl, nft, table, { rules: jumps, chains: [chain] });
    return true;
  }, false);
}
