import type { Attachment } from '@cni-ts/core';
import { formatCidr, formatIP, parseCidr, type Cidr, type Family, type IP } from '@cni-ts/core/net/ip';
import { sha512Hex } from '@cni-ts/core/hash';
import { iptablesChainsPresent, removeIptablesChain } from '@cni-ts/linux/netfilter/iptables-chains';
import { sourceAddress } from '@cni-ts/linux/netfilter/iptables-nft';
import { ipBytes } from '@cni-ts/linux/netlink/address';
import type { RuleExpressions } from '@cni-ts/linux/netlink/nftables';
import { fitComment, quoteArg, restoreNoflush, saveTable, savedChains, savedComment, savedRules } from '@cni-ts/linux/netfilter/iptables';
import type { CommandRunner } from '@cni-ts/linux/run';
import { BackendUnavailable, dropsSource, type MasqBackendOps, type MasqOwner, type MasqSources } from './types.ts';

/**
 * The reference plugins' iptables layout, kept name for name so a node can switch binaries:
 * nat chain `CNI-` + sha512(network + containerID) (28 characters), holding
 * `-d <subnet> -j ACCEPT` and `! -d <multicast> -j MASQUERADE`, jumped to from POSTROUTING by
 * `-s <ip>`; every rule carries the comment `name: "<net>" id: "<cid>"` (cut to iptables' limit).
 * Two interfaces of one container on one network share the chain: each has its own jumps, and
 * the chain goes with the last jump to it.
 */
export const chainName = (network: string, containerId: string): string =>
  `CNI-${sha512Hex(network + containerId).slice(0, 24)}`;

export const ruleComment = (network: string, containerId: string): string => fitComment(`name: "${network}" id: "${containerId}"`);

const MULTICAST: Record<Family, string> = { 4: '224.0.0.0/4', 6: 'ff00::/8' };

/** Restore text that (re)creates the chain for the addresses of one family. */
export function setupText(owner: MasqOwner, family: Family, ips: Cidr[]): string {
  const chain = chainName(owner.network, owner.containerId);
  const c = `-m comment --comment ${quoteArg(ruleComment(owner.network, owner.containerId))}`;
  const accepts = [...new Set(ips.map((ip) => formatCidr(ip)))].map((net) => `-A ${chain} -d ${net} -j ACCEPT ${c}`);
  return [
    '*nat',
    // Declaring an existing chain under --noflush empties it: a repeated ADD does not duplicate.
    `:${chain} - [0:0]`,
    ...accepts,
    `-A ${chain} ! -d ${MULTICAST[family]} -j MASQUERADE ${c}`,
    ...ips.map((ip) => `-A POSTROUTING -s ${formatIP(ip)} -j ${chain} ${c}`),
    'COMMIT',
    '',
  ].join('\n');
}

/** Does this saved rule line jump to `chain`? */
const jumpsTo = (line: string, chain: string): boolean => line.endsWith(` -j ${chain}`) || line.includes(` -j ${chain} `);

/** The source address of a saved POSTROUTING jump (`-s 10.1.0.5/32`). */
const jumpSource = (line: string): Cidr | undefined => parseCidr(/ -s (\S+)/.exec(line)?.[1] ?? '');

/**
 * Restore text removing the POSTROUTING jumps to the given chains whose source `drop` picks
 * (default: all), and each chain left without a jump; '' if nothing to do.
 */
export function teardownText(saved: string, chains: Set<string>, drop: (source: Cidr | undefined) => boolean = () => true): string {
  const declared = savedChains(saved);
  const jumps = savedRules(saved, 'POSTROUTING').filter((l) => [...chains].some((ch) => jumpsTo(l, ch)));
  const removed = jumps.filter((l) => drop(jumpSource(l)));
  const unused = [...chains].filter((ch) => declared.has(ch) && !jumps.some((l) => jumpsTo(l, ch) && !removed.includes(l)));
  if (unused.length === 0 && removed.length === 0) return '';
  return [
    '*nat',
    ...removed.map((l) => `-D ${l.slice(3)}`),
    ...unused.map((ch) => `-F ${ch}`),
    ...unused.map((ch) => `-X ${ch}`),
    'COMMIT',
    '',
  ].join('\n');
}

/**
 * Chains of `network` (found by their rules' comments, possibly cut) whose container is not in
 * `keep`.
 */
export function staleChains(saved: string, network: string, keep: Set<string>): Set<string> {
  const kept = new Set([...keep].map((id) => ruleComment(network, id)));
  const prefix = `name: "${network}" id: "`;
  const ofNetwork = (c: string): boolean => c.startsWith(prefix) || (c.endsWith('...') && prefix.startsWith(c.slice(0, -3)));
  const out = new Set<string>();
  for (const line of saved.split('\n')) {
    const chain = /^-A (CNI-[0-9a-f]{24}) /.exec(line)?.[1];
    const comment = chain && savedComment(line);
    if (chain && comment && ofNetwork(comment) && !kept.has(comment)) out.add(chain);
  }
  return out;
}

export class IptablesMasq implements MasqBackendOps {
  constructor(private readonly runner: CommandRunner) {}

  async setup(owner: MasqOwner, ips: Cidr[]): Promise<void> {
    await Promise.all(
      ([4, 6] as const).map(async (family) => {
        const mine = ips.filter((ip) => ip.family === family);
        if (mine.length === 0) return;
        try {
          await restoreNoflush(this.runner, family, setupText(owner, family, mine));
        } catch (err) {
          throw unavailableOr(err);
        }
      }),
    );
  }

  async teardown(owner: MasqOwner, sources: MasqSources = {}): Promise<void> {
    const chain = chainName(owner.network, owner.containerId);
    const known: readonly Family[] = sources.mine ? [...new Set(sources.mine.map((ip) => ip.family))] : [4, 6];
    // A family known in-process not to hold the chain (a repeated DEL, most often) costs no iptables-save.
    const present = await Promise.all(known.map((f) => iptablesChainsPresent(f, 'nat', [chain])));
    // Where the chain is there and its jumps are exactly this interface's addresses, the jumps
    // and the chain go in one transaction over nfnetlink, no process; otherwise (another
    // interface's jump, a refusal) that family's table is read.
    const removed = await Promise.all(
      known.map((family, i) => {
        const mine = sources.mine?.filter((ip) => ip.family === family) ?? [];
        if (!present[i]?.[0] || mine.length === 0) return false;
        const ours = mine.map((ip) => ipBytes(ip).join('.'));
        const exactlyMine = (jumps: RuleExpressions[]): boolean =>
          jumps.length === ours.length && jumps.every((j) => ours.includes(sourceAddress(j)?.join('.') ?? ''));
        return removeIptablesChain(family, 'nat', chain, ['POSTROUTING'], exactlyMine);
      }),
    );
    const families = known.filter((_, i) => present[i]?.[0] !== false && !removed[i]);
    // The addresses other interfaces hold are asked for only when some jump is not this one's.
    let held: Promise<IP[]> | undefined;
    await this.eachFamily(async (saved) => {
      if (sources.mine) return teardownText(saved, new Set([chain]), (src) => dropsSource(sources.mine!, src));
      const everyJump = teardownText(saved, new Set([chain]));
      if (!everyJump || !sources.heldByOthers) return everyJump;
      const others = await (held ??= sources.heldByOthers());
      return teardownText(saved, new Set([chain]), (src) => !dropsSource(others, src));
    }, families);
  }

  async check(owner: MasqOwner, ips: Cidr[]): Promise<string | undefined> {
    const chain = chainName(owner.network, owner.containerId);
    for (const family of [4, 6] as const) {
      const mine = ips.filter((ip) => ip.family === family);
      if (mine.length === 0) continue;
      const saved = await saveTable(this.runner, family, 'nat');
      if (!savedChains(saved).has(chain)) return `masquerade chain ${chain} is missing (IPv${family})`;
      const jumps = savedRules(saved, 'POSTROUTING').filter((l) => l.includes(`-j ${chain}`));
      for (const ip of mine) {
        const src = formatIP(ip);
        if (!jumps.some((l) => l.includes(`-s ${src}/`))) return `POSTROUTING has no masquerade jump for ${src}`;
      }
    }
    return undefined;
  }

  async gc(network: string, valid: Attachment[]): Promise<void> {
    const keep = new Set(valid.map((a) => a.containerID));
    await this.eachFamily((saved) => teardownText(saved, staleChains(saved, network, keep)));
  }

  /** Read the nat table of each family and apply what `plan` derives from it. */
  private async eachFamily(plan: (saved: string) => string | Promise<string>, families: readonly Family[] = [4, 6]): Promise<void> {
    await Promise.all(
      families.map(async (family) => {
        let saved: string;
        try {
          saved = await saveTable(this.runner, family, 'nat');
        } catch (err) {
          if (unavailableOr(err) instanceof BackendUnavailable) return; // no iptables here: nothing of ours either
          throw err;
        }
        const text = await plan(saved);
        if (text) await restoreNoflush(this.runner, family, text);
      }),
    );
  }
}

function unavailableOr(err: unknown): Error {
  const msg = (err as Error).message;
  if (/ENOENT|not found|Permission denied|can't initialize|Could not fetch rule set|Table does not exist/i.test(msg)) {
    return new BackendUnavailable(msg);
  }
  return err as Error;
}
