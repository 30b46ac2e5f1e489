import type { Attachment } from '@cni-ts/core';
import type { Cidr } from '@cni-ts/core/net/ip';
import type { CommandRunner } from '@cni-ts/linux/run';
import type { MasqBackend } from '../config.ts';
import { IptablesMasq } from './iptables.ts';
import { NftablesMasq } from './nftables.ts';
import { BackendUnavailable, type MasqOwner, type MasqSources } from './types.ts';

export type { MasqOwner, MasqSources } from './types.ts';

/**
 * Install masquerading with the configured backend; without one, iptables (the reference's
 * default) and nftables when iptables cannot run here. Returns the backend used.
 */
export async function setupMasq(runner: CommandRunner, backend: MasqBackend | undefined, owner: MasqOwner, ips: Cidr[]): Promise<MasqBackend> {
  if (backend === 'nftables') {
    await new NftablesMasq(runner).setup(owner, ips);
    return 'nftables';
  }
  try {
    await new IptablesMasq(runner).setup(owner, ips);
    return 'iptables';
  } catch (err) {
    if (backend !== undefined || !(err instanceof BackendUnavailable)) throw err;
    await new NftablesMasq(runner).setup(owner, ips);
    return 'nftables';
  }
}

/**
 * Remove this interface's rules from both backends: the node may have switched between them.
 * nftables rules are per interface already; on iptables, `sources` says which jumps are this
 * interface's (and reads only their families when its addresses are known).
 */
export async function teardownMasq(runner: CommandRunner, owner: MasqOwner, sources: MasqSources): Promise<void> {
  await settleAll([new IptablesMasq(runner).teardown(owner, sources), new NftablesMasq(runner).teardown(owner)]);
}

/** Undefined when the rules exist in the configured backend (either, when not configured). */
export async function checkMasq(runner: CommandRunner, backend: MasqBackend | undefined, owner: MasqOwner, ips: Cidr[]): Promise<string | undefined> {
  const ipt = (): Promise<string | undefined> => new IptablesMasq(runner).check(owner, ips);
  const nft = (): Promise<string | undefined> => new NftablesMasq(runner).check(owner, ips);
  if (backend === 'iptables') return ipt();
  if (backend === 'nftables') return nft();
  const viaIptables = await ipt().catch((err: Error) => err.message);
  return viaIptables === undefined ? undefined : (await nft()) === undefined ? undefined : viaIptables;
}

/** Remove rules of `network` whose attachment is gone, in both backends. */
export async function gcMasq(runner: CommandRunner, network: string, valid: Attachment[]): Promise<void> {
  await settleAll([new IptablesMasq(runner).gc(network, valid), new NftablesMasq(runner).gc(network, valid)]);
}

/** Wait for every task; then fail with all their errors together, if any failed. */
async function settleAll(tasks: Array<Promise<unknown>>): Promise<void> {
  const errors = (await Promise.allSettled(tasks)).flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (errors.length > 0) throw new Error(errors.join('; '));
}
