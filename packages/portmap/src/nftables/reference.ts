import type { CommandRunner } from '@cni-ts/linux';
import { parseNftListing } from '@cni-ts/linux/netfilter/nft-listing';
import type { UdpPort } from '../forwarder.ts';
import { forwardOf } from './listing.ts';

/**
 * Rules the reference plugin's nftables backend made: tables `ip cni_hostport` and
 * `ip6 cni_hostport`, one rule per mapping in `hostports` / `hostip_hostports` plus masquerade
 * rules in `masquerading`, each commented with the bare container ID. A node that switches from
 * it to this plugin must still be able to delete its pods, so DEL removes those rules too. Their
 * comment names no network, so (as the reference does) that removes the container's reference
 * rules on every network.
 */
const TABLE = 'cni_hostport';
const CHAINS = new Set(['hostports', 'hostip_hostports', 'masquerading']);
const FAMILIES = [
  { nft: 'ip', family: 4 },
  { nft: 'ip6', family: 6 },
] as const;

/** The statements deleting a container's reference rules, and the UDP ports they forwarded. */
export async function referenceRuleDeletions(runner: CommandRunner, containerId: string): Promise<{ statements: string[]; udp: UdpPort[] }> {
  const out = { statements: [] as string[], udp: [] as UdpPort[] };
  const tables = await runner.run(['nft', 'list', 'tables']);
  const present = FAMILIES.filter((f) => tables.stdout.includes(`table ${f.nft} ${TABLE}\n`));
  const listings = await Promise.all(present.map((f) => runner.run(['nft', '-j', 'list', 'table', f.nft, TABLE])));
  present.forEach((f, i) => {
    if (listings[i]!.code !== 0) return;
    for (const rule of parseNftListing(listings[i]!.stdout).rules) {
      if (rule.comment !== containerId || !CHAINS.has(rule.chain) || rule.handle === undefined) continue;
      out.statements.push(`delete rule ${f.nft} ${TABLE} ${rule.chain} handle ${rule.handle}`);
      const fwd = forwardOf(rule);
      if (fwd?.protocol === 'udp') out.udp.push({ family: f.family, port: fwd.hostPort });
    }
  });
  return out;
}
