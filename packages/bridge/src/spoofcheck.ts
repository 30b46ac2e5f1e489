import { nftApply, nftString } from '@cni-ts/linux/netfilter/nft';
import { parseNftListing } from '@cni-ts/linux/netfilter/nft-listing';
import type { CommandRunner } from '@cni-ts/linux/run';

/**
 * macspoofchk: frames entering the bridge from the container's port must carry the container's
 * MAC. Same layout as the reference (table `bridge nat`, base chain PREROUTING at priority -300,
 * per-attachment chains `cni-br-iface-<cid>-<ifname>` and `...-mac`, comments
 * `macspoofchk-<cid>-<ifname>`), so either binary can tear down what the other set up.
 */
const TABLE = 'bridge nat';
const refId = (containerId: string, ifName: string): string => `${containerId}-${ifName}`;
const ifaceChain = (id: string): string => `cni-br-iface-${id}`;
const comment = (id: string): string => nftString(`macspoofchk-${id}`);

export function spoofCheckScript(hostVeth: string, mac: string, containerId: string, ifName: string): string {
  const id = refId(containerId, ifName);
  const iface = ifaceChain(id);
  const macChain = `${iface}-mac`;
  return [
    `add table ${TABLE}`,
    `add chain ${TABLE} PREROUTING { type filter hook prerouting priority -300 ; policy accept ; }`,
    `add chain ${TABLE} ${iface}`,
    `add chain ${TABLE} ${macChain}`,
    `flush chain ${TABLE} ${iface}`,
    `flush chain ${TABLE} ${macChain}`,
    `add rule ${TABLE} PREROUTING iifname ${nftString(hostVeth)} jump ${iface} comment ${comment(id)}`,
    `add rule ${TABLE} ${iface} jump ${macChain} comment ${comment(id)}`,
    `add rule ${TABLE} ${macChain} ether saddr ${mac} return comment ${comment(id)}`,
    `add rule ${TABLE} ${macChain} drop comment ${comment(id)}`,
    '',
  ].join('\n');
}

export async function setupSpoofCheck(runner: CommandRunner, hostVeth: string, mac: string, containerId: string, ifName: string): Promise<void> {
  await nftApply(runner, spoofCheckScript(hostVeth, mac, containerId, ifName));
}

/** Script removing what setup made, given the table as `nft -j list table` shows it; '' if nothing. */
export function spoofTeardownScript(listing: string, containerId: string, ifName: string): string {
  const id = refId(containerId, ifName);
  const iface = ifaceChain(id);
  const table = parseNftListing(listing || '{}');
  const chains = new Set(table.chains);
  const jumps = table.rules.flatMap((r) => (r.chain === 'PREROUTING' && r.comment === `macspoofchk-${id}` && r.handle !== undefined ? [r.handle] : []));
  const mine = [iface, `${iface}-mac`].filter((c) => chains.has(c));
  const lines = [
    ...jumps.map((h) => `delete rule ${TABLE} PREROUTING handle ${h}`),
    ...mine.map((c) => `flush chain ${TABLE} ${c}`),
    ...mine.map((c) => `delete chain ${TABLE} ${c}`),
  ];
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

export async function teardownSpoofCheck(runner: CommandRunner, containerId: string, ifName: string): Promise<void> {
  const r = await runner.run(['nft', '-j', 'list', 'table', 'bridge', 'nat']);
  if (r.code !== 0) return; // no table (or no nft): nothing of ours to remove
  const script = spoofTeardownScript(r.stdout, containerId, ifName);
  if (script) await nftApply(runner, script);
}
