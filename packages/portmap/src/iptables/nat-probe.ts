import type { Family } from '@cni-ts/core/net/ip';
import { iptablesChainsPresent, iptablesIsNft, removeIptablesChain } from '@cni-ts/linux/netfilter/iptables-chains';
import { formatMarkMask, iptablesNftFamily, jumpTarget, markMatch, setXmark, writtenByIptables } from '@cni-ts/linux/netfilter/iptables-nft';
import { NetlinkError } from '@cni-ts/linux/netlink/errors';
import { chainExists, listTables, listRules, type RuleExpressions } from '@cni-ts/linux/netlink/nftables';
import { canUseNetlink, NETLINK_NETFILTER, withNetlink, type NetlinkSocket } from '@cni-ts/linux/netlink/socket';
import type { PortmapConfig } from '../config.ts';
import { MASQ_CHAIN, SETMARK_CHAIN, sharedPieces } from './rules.ts';

/**
 * Answers, without `iptables-save`, what most ADDs need to know of a family's nat table: that
 * every shared chain and rule is already in place and the container's own chain is not there yet,
 * so that only the container's own rules remain to be written.
 */
export interface NatProbe {
  /** Whether this probe can read the nat tables here at all. */
  available(): Promise<boolean>;
  /** True only when all of that is known to hold; false sends the caller to iptables-save. */
  onlyOwnRulesMissing(conf: PortmapConfig, family: Family, ownChain: string): Promise<boolean>;
  /** Which of `chains` are in the family's nat table; undefined when the probe cannot tell. */
  chainsPresent(family: Family, chains: readonly string[]): Promise<boolean[] | undefined>;
  /**
   * Remove `chain` and the rules of `from` that jump to it (exactly `expectJumps` of them) in
   * one transaction, in-process; false when not done (nothing changed: the caller uses the tools).
   */
  removeChain(family: Family, chain: string, from: readonly string[], expectJumps: number): Promise<boolean>;
}

/**
 * The probe for nodes whose iptables is the nftables variant: iptables' tables are nftables
 * tables, read over nfnetlink from this process. It says yes only to what it recognises exactly
 * (iptables-nft.ts); the legacy backend, an encoding it does not know or a missing piece is a
 * no, and iptables-save then reads the table as before.
 */
export class NetlinkNatProbe implements NatProbe {
  async available(): Promise<boolean> {
    if (!iptablesIsNft(4) || !(await canUseNetlink())) return false;
    return this.ask((nl) => {
      listTables(nl); // any answer shows that the kernel lets this process read the tables here
      return true;
    });
  }

  async onlyOwnRulesMissing(conf: PortmapConfig, family: Family, ownChain: string): Promise<boolean> {
    if (!iptablesIsNft(family) || !(await canUseNetlink())) return false;
    const nft = iptablesNftFamily(family);
    return this.ask((nl) => {
      const exists = (chain: string): boolean => chainExists(nl, nft, 'nat', chain);
      // A chain of this container already there: a repeated ADD, whose old entry rules
      // iptables-save must show so that they can be deleted by their text.
      if (exists(ownChain)) return false;
      const shared = sharedPieces(conf);
      if (!shared.chains.every(exists)) return false;
      const rules = new Map<string, RuleExpressions[]>();
      const rulesOf = (chain: string): RuleExpressions[] => rules.get(chain) ?? rules.set(chain, listRules(nl, nft, 'nat', chain)).get(chain)!;
      if (!shared.jumps.every((j) => rulesOf(j.from).some((r) => jumpTarget(r) === j.to))) return false;
      if (shared.mark !== undefined) {
        const isMark = (m: { value: number; mask: number } | undefined): boolean => m !== undefined && formatMarkMask(m) === shared.mark;
        if (!rulesOf(SETMARK_CHAIN).some((r) => isMark(setXmark(r))) || !rulesOf(MASQ_CHAIN).some((r) => isMark(markMatch(r)))) return false;
      }
      // A rule written with nft in these chains makes iptables-save show nothing of the table,
      // and DEL could not find what this ADD writes: let iptables-save say so instead.
      return [...rules.values()].every((list) => list.every(writtenByIptables));
    });
  }

  chainsPresent(family: Family, chains: readonly string[]): Promise<boolean[] | undefined> {
    return iptablesChainsPresent(family, 'nat', chains);
  }

  removeChain(family: Family, chain: string, from: readonly string[], expectJumps: number): Promise<boolean> {
    return removeIptablesChain(family, 'nat', chain, from, (jumps) => jumps.length === expectJumps);
  }

  /**
   * Run `question` over a socket in this namespace, closed before the caller writes (closing a
   * netfilter socket after a commit can wait for the kernel's cleanup of it); a refusal by the
   * kernel is a no.
   */
  private ask(question: (nl: NetlinkSocket) => boolean): boolean {
    try {
      return withNetlink(NETLINK_NETFILTER, question);
    } catch (err) {
      if (err instanceof NetlinkError) return false;
      throw err;
    }
  }
}
