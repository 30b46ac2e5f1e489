import type { Family } from '@cni-ts/core/net/ip';
import { iptablesTool } from '@cni-ts/linux/netfilter/iptables';
import { parseNftListing, type NftRule } from '@cni-ts/linux/netfilter/nft-listing';
import type { CommandRunner } from '@cni-ts/linux/run';
import { CHAIN as NFT_MASQ_CHAIN, TABLE as NFT_MASQ_TABLE } from '@cni-ts/bridge/masq/nftables';
import { TOP_DNAT_CHAIN } from '@cni-ts/portmap/iptables/rules';
import { parseNatTable, type NatTable } from '@cni-ts/portmap/iptables/save';
import { forwardOf } from '@cni-ts/portmap/nftables/listing';
import { TABLE as NFT_HOSTPORT_TABLE } from '@cni-ts/portmap/nftables/rules';
import { parseIptablesDnatComment, parseNftComment } from '@cni-ts/portmap/naming';

/** A host port one attachment's DNAT claims. */
export interface HostPort {
  protocol: string;
  port: number;
  hostIP?: string;
}

/**
 * One attachment's share of the node's firewall, found by the names and comments the plugins
 * (ours and the reference's) give their rules: a masquerade chain or rule set, or the DNATs of
 * its hostPorts.
 */
export interface RuleSet {
  kind: 'masquerade' | 'hostport';
  backend: 'iptables' | 'ip6tables' | 'nftables';
  network: string;
  containerId: string;
  /** The chain (iptables, nft hostports) or the rule handles' chain (nft masquerade). */
  chain: string;
  hostPorts: HostPort[];
}

/** What reading the firewall found (a missing tool reads as nothing). */
export interface FirewallState {
  sets: RuleSet[];
  /** Which backend the `iptables` command drives, when it is installed; whether `nft` is. */
  backends: { iptables?: 'legacy' | 'nf_tables'; nft: boolean };
}

const IPT_MASQ_CHAIN = /^CNI-[0-9a-f]{24}$/;
const IPT_MASQ_COMMENT = /^name: "(.*)" id: "(.*)"$/;
const NFT_MASQ_COMMENT = /, net: (.*), if: (.*), id: (.*)$/;

/** Masquerade chains and hostPort DNATs of one iptables family's nat table. */
export function iptablesSets(table: NatTable, family: Family): RuleSet[] {
  const backend = family === 4 ? 'iptables' : 'ip6tables';
  const sets = new Map<string, RuleSet>();
  const comment = (words: string[]): string => words[words.indexOf('--comment') + 1] ?? '';
  for (const r of table.rules) {
    if (IPT_MASQ_CHAIN.test(r.chain) && r.words.includes('--comment')) {
      const m = IPT_MASQ_COMMENT.exec(comment(r.words));
      if (m && !sets.has(r.chain)) sets.set(r.chain, { kind: 'masquerade', backend, network: m[1]!, containerId: m[2]!, chain: r.chain, hostPorts: [] });
    }
    if (r.chain === TOP_DNAT_CHAIN) {
      const owner = parseIptablesDnatComment(comment(r.words));
      const target = r.words[r.words.indexOf('-j') + 1];
      if (owner && target && !sets.has(target)) sets.set(target, { kind: 'hostport', backend, ...owner, chain: target, hostPorts: [] });
    }
  }
  for (const r of table.rules) {
    const set = sets.get(r.chain);
    if (set?.kind !== 'hostport' || !r.words.includes('DNAT')) continue;
    const at = (opt: string): string | undefined => (r.words.includes(opt) ? r.words[r.words.indexOf(opt) + 1] : undefined);
    const port = Number(at('--dport'));
    const hostIP = at('-d')?.replace(/\/(32|128)$/, '');
    if (Number.isInteger(port)) set.hostPorts.push({ protocol: at('-p') ?? 'tcp', port, ...(hostIP && { hostIP }) });
  }
  return [...sets.values()];
}

/** Masquerade rules of the nft masquerade table, grouped per attachment. */
export function nftMasqSets(rules: NftRule[]): RuleSet[] {
  const sets = new Map<string, RuleSet>();
  for (const r of rules) {
    const m = r.chain === NFT_MASQ_CHAIN ? NFT_MASQ_COMMENT.exec(r.comment ?? '') : null;
    if (!m) continue;
    const id = `${m[1]}\0${m[3]}\0${m[2]}`;
    if (!sets.has(id)) sets.set(id, { kind: 'masquerade', backend: 'nftables', network: m[1]!, containerId: m[3]!, chain: NFT_MASQ_CHAIN, hostPorts: [] });
  }
  return [...sets.values()];
}

/** Per-attachment DNAT chains (`dn-<hash>`) of portmap's nft table with the ports they forward. */
export function nftHostportSets(rules: NftRule[]): RuleSet[] {
  const sets = new Map<string, RuleSet>();
  for (const r of rules) {
    if (!r.chain.startsWith('dn-')) continue;
    const owner = parseNftComment(r.comment ?? '');
    if (!owner) continue;
    const set = sets.get(r.chain) ?? { kind: 'hostport' as const, backend: 'nftables' as const, ...owner, chain: r.chain, hostPorts: [] };
    sets.set(r.chain, set);
    const f = forwardOf(r);
    if (f) set.hostPorts.push({ protocol: f.protocol, port: f.hostPort, ...(f.hostIP && { hostIP: f.hostIP }) });
  }
  return [...sets.values()];
}

/** How many rules a saved table holds outside the built-in chains' policies. */
const ruleCount = (saved: string): number => saved.split('\n').filter((l) => l.startsWith('-A ')).length;

/**
 * Read the node's nat rules: iptables (both families) and the plugins' nft tables. Also which
 * iptables backend the `iptables` command is, and whether the other backend holds rules too (a
 * node whose tools and kube-proxy disagree sees half of its rules).
 */
export async function readFirewall(runner: CommandRunner): Promise<FirewallState> {
  const state: FirewallState = { sets: [], backends: { nft: false } };
  const [v4, v6, masq, hostports, version] = await Promise.all([
    runner.run([iptablesTool(4, 'save'), '-t', 'nat']),
    runner.run([iptablesTool(6, 'save'), '-t', 'nat']),
    runner.run(['nft', '-j', 'list', 'table', 'inet', NFT_MASQ_TABLE]),
    runner.run(['nft', '-j', 'list', 'table', 'inet', NFT_HOSTPORT_TABLE]),
    runner.run(['iptables', '--version']),
  ]);
  if (v4.code === 0) state.sets.push(...iptablesSets(parseNatTable(v4.stdout), 4));
  if (v6.code === 0) state.sets.push(...iptablesSets(parseNatTable(v6.stdout), 6));
  for (const [r, read] of [[masq, nftMasqSets], [hostports, nftHostportSets]] as const) {
    if (r.code === 127) continue;
    state.backends.nft = true;
    if (r.code === 0) state.sets.push(...read(parseNftListing(r.stdout).rules));
  }
  if (version.code === 0) state.backends.iptables = /nf_tables/.test(version.stdout) ? 'nf_tables' : 'legacy';
  return state;
}

/** Rule counts in the legacy and in the nft iptables backends (both > 0 is a mismatch). */
export async function backendRuleCounts(runner: CommandRunner): Promise<{ legacy?: number; nft?: number }> {
  const [legacy, nft] = await Promise.all([runner.run(['iptables-legacy-save']), runner.run(['iptables-nft-save'])]);
  return {
    ...(legacy.code === 0 && { legacy: ruleCount(legacy.stdout) }),
    ...(nft.code === 0 && { nft: ruleCount(nft.stdout) }),
  };
}
