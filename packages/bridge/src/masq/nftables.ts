import type { Attachment } from '@cni-ts/core';
import { formatCidr, formatIP, networkOf, type Cidr } from '@cni-ts/core/net/ip';
import { sha512Hex } from '@cni-ts/core/hash';
import { nftApply, nftListChain, nftString } from '@cni-ts/linux/netfilter/nft';
import { nftChainHasComment } from '@cni-ts/linux/netfilter/nft-comments';
import type { NftRule } from '@cni-ts/linux/netfilter/nft-listing';
import type { CommandRunner } from '@cni-ts/linux/run';
import { BackendUnavailable, type MasqBackendOps, type MasqOwner } from './types.ts';

/**
 * The reference plugins' nftables layout: table `inet cni_plugins_masquerade`, a `postrouting`
 * nat chain that skips multicast and jumps to `masq_checks`, and one rule per container address
 * whose comment starts with hash(network)-hash(ifname:containerID), so DEL and GC find it.
 */
export const TABLE = 'cni_plugins_masquerade';
export const CHAIN = 'masq_checks';
const COMMENT_MAX = 128; // the kernel's limit on a rule comment (NFT_USERDATA_MAXLEN)

const hash16 = (text: string): string => sha512Hex(text).slice(0, 16);
export const networkHash = (network: string): string => hash16(network);
export const instanceHash = (o: MasqOwner): string => `${networkHash(o.network)}-${hash16(`${o.ifName}:${o.containerId}`)}`;

export function instanceComment(o: MasqOwner): string {
  const clean = (s: string): string => s.replace(/"/g, '');
  return `${instanceHash(o)}, net: ${clean(o.network)}, if: ${clean(o.ifName)}, id: ${clean(o.containerId)}`.slice(0, COMMENT_MAX);
}

export function setupScript(owner: MasqOwner, ips: Cidr[]): string {
  const t = `inet ${TABLE}`;
  const comment = nftString(instanceComment(owner));
  return [
    `add table ${t} { comment "Masquerading for plugins from github.com/containernetworking/plugins" ; }`,
    `add chain ${t} ${CHAIN} { comment "Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet" ; }`,
    `add chain ${t} postrouting { type nat hook postrouting priority srcnat ; }`,
    `flush chain ${t} postrouting`,
    `add rule ${t} postrouting ip daddr == 224.0.0.0/4 return`,
    `add rule ${t} postrouting ip6 daddr == ff00::/8 return`,
    `add rule ${t} postrouting goto ${CHAIN}`,
    ...ips.map((ip) => {
      const fam = ip.family === 4 ? 'ip' : 'ip6';
      return `add rule ${t} ${CHAIN} ${fam} saddr == ${formatIP(ip)} ${fam} daddr != ${formatCidr(networkOf(ip))} masquerade comment ${comment}`;
    }),
    '',
  ].join('\n');
}

export const deleteScript = (handles: number[]): string => handles.map((h) => `delete rule inet ${TABLE} ${CHAIN} handle ${h}\n`).join('');

export class NftablesMasq implements MasqBackendOps {
  constructor(private readonly runner: CommandRunner) {}

  async setup(owner: MasqOwner, ips: Cidr[]): Promise<void> {
    if (ips.length === 0) return;
    try {
      await nftApply(this.runner, setupScript(owner, ips));
    } catch (err) {
      if (/ENOENT|not found/.test((err as Error).message)) throw new BackendUnavailable((err as Error).message);
      throw err;
    }
  }

  async teardown(owner: MasqOwner): Promise<void> {
    const prefix = instanceHash(owner);
    const mine = (c: string): boolean => c.startsWith(prefix);
    // Known in-process to hold no rule of this container (most DELs on a shared table): no nft.
    if ((await nftChainHasComment('inet', TABLE, CHAIN, mine)) === false) return;
    await this.remove(mine);
  }

  async check(owner: MasqOwner, ips: Cidr[]): Promise<string | undefined> {
    const comment = instanceComment(owner);
    const found = (await this.list()).filter((r) => r.comment === comment).length;
    return found >= ips.length ? undefined : `nftables ${TABLE} has ${found} masquerade rule(s) for this container, expected ${ips.length}`;
  }

  async gc(network: string, valid: Attachment[]): Promise<void> {
    const keep = new Set(valid.map((a) => instanceComment({ network, containerId: a.containerID, ifName: a.ifname })));
    const prefix = `${networkHash(network)}-`;
    await this.remove((c) => c.startsWith(prefix) && !keep.has(c));
  }

  private async list(): Promise<NftRule[]> {
    try {
      return await nftListChain(this.runner, 'inet', TABLE, CHAIN);
    } catch (err) {
      if (/ENOENT|not found/.test((err as Error).message)) return []; // no nft here: nothing of ours either
      throw err;
    }
  }

  private async remove(match: (comment: string) => boolean): Promise<void> {
    const handles = (await this.list()).flatMap((r) => (r.handle !== undefined && r.comment !== undefined && match(r.comment) ? [r.handle] : []));
    if (handles.length > 0) await nftApply(this.runner, deleteScript(handles));
  }
}
