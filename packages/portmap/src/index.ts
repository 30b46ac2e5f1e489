import { SpawnRunner } from '@cni-ts/linux';
import { lockFile } from '@cni-ts/linux/lock';
import { NftProbeRunner } from '@cni-ts/linux/netfilter/nft-probe-runner';
import { NetlinkNatProbe } from './iptables/nat-probe.ts';
import { procFiles } from './localnet.ts';
import { createPortmap } from './plugin.ts';

export { createPortmap, type PortmapDeps } from './plugin.ts';
// nftables objects that do not exist (the usual case on an iptables node) are found so in-process,
// and so are, on iptables-nft, the shared rules an ADD needs in place.
export const plugin = createPortmap({
  runner: new NftProbeRunner(new SpawnRunner()),
  files: procFiles,
  natProbe: new NetlinkNatProbe(),
  // flock on the network namespace's own file: one lock per node namespace, and no file to create.
  natLock: () => lockFile('/proc/self/ns/net'),
});
