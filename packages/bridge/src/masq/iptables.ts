import type { Attachment } from '@cni-ts/core';
import { formatCidr, formatIP, type Cidr, type Family } from '@cni-ts/core/net/ip';
import { sha512Hex } from '@cni-ts/core/hash';
import { iptablesChainsAbsent } from '@cni-ts/linux/netfilter/iptables-chains';
import { quoteArg, restoreNoflush, saveTable, savedChains, savedRules } from '@cni-ts/linux/netfilter/iptables';
import type { CommandRunner } from '@cni-ts/linux/run';
import { BackendUnavailable, type MasqBackendOps, type MasqOwner } from './types.ts';

/**
 * The reference plugins' iptables layout, kept name for name so a node can switch binaries:
 * nat chain `CNI-` + sha512(network + containerID) (28 characters), holding
 * `-d <subnet> -j ACCEPT` and `! -d <multicast> -j MASQUERADE`, jumped to from POSTROUTING by
 * `-s <ip>`; every rule carries the comment `name: "<net>" id: "<cid>"`.
 */
export const chainName = (network: string, containerId: string): string =>
  `CNI-${sha512Hex(network + containerId).slice(0, 24)}`;

export const ruleComment = (network: string, containerId: string): string => `name: "${network}" id: "${containerId}"`;

const MULTICAST: Record<Family, string> = { 4: '224.0.0.0/4', 6: 'ff00::/8' };
const COMMENT_RE = /--comment "name: \\"([^"\\]*)\\" id: \\"([^"\\]*)\\""/;

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

/** Restore text removing the given chains and every POSTROUTING jump to them; '' if nothing to do. */
export function teardownText(saved: string, chains: Set<string>): string {
  const declared = savedChains(saved);
  const present = [...chains].filter((ch) => declared.has(ch));
  const jumps = savedRules(saved, 'POSTROUTING').filter((l) => present.some((ch) => l.endsWith(` -j ${ch}`) || l.includes(` -j ${ch} `)));
  if (present.length === 0 && jumps.length === 0) return '';
  return [
    '*nat',
    ...jumps.map((l) => `-D ${l.slice(3)}`),
    ...present.map((ch) => `-F ${ch}`),
    ...present.map((ch) => `-X ${ch}`),
    'COMMIT',
    '',
  ].join('\n');
}

/** Chains of `network` (found by their rules' comments) whose container is not in `keep`. */
export function staleChains(saved: string, network: string, keep: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const line of saved.split('\n')) {
    const m = /^-A (CNI-[0-9a-f]{24}) /.exec(line);
    const c = m && COMMENT_RE.exec(line);
    if (m && c && c[1] === network && !keep.has(c[2]!)) out.add(m[1]!);
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

  async teardown(owner: MasqOwner, families: readonly Family[] = [4, 6]): Promise<void> {
    const chain = chainName(owner.network, owner.containerId);
    // A family known in-process not to hold the chain (a repeated DEL, most often) costs no iptables-save.
    const absent = await Promise.all(families.map((f) => iptablesChainsAbsent(f, 'nat', [chain])));
    await this.eachFamily((saved) => teardownText(saved, new Set([chain])), families.filter((_, i) => !absent[i]));
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
  private async eachFamily(plan: (saved: string) => string, families: readonly Family[] = [4, 6]): Promise<void> {
    await Promise.all(
      families.map(async (family) => {
        let saved: string;
        try {
          saved = await saveTable(this.runner, family, 'nat');
        } catch (err) {
          if (unavailableOr(err) instanceof BackendUnavailable) return; // no iptables here: nothing of ours either
          throw err;
        }
        const text = plan(saved);
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
