import { SpawnRunner } from '@cni-ts/linux';
import { NftProbeRunner } from '@cni-ts/linux/netfilter/nft-probe-runner';
import { procFiles } from './localnet.ts';
import { createPortmap } from './plugin.ts';

export { createPortmap, type PortmapDeps } from './plugin.ts';
// nftables objects that do not exist (the usual case on an iptables node) are found so in-process.
export const plugin = createPortmap({ runner: new NftProbeRunner(new SpawnRunner()), files: procFiles });
