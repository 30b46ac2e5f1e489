import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import type { Chain } from './runtime.ts';
import type { SnapshotPlaces } from './snapshot.ts';

/** The chains the harness kills: what a node runs, from plain masquerade to flannel with hostPorts. */
export const CHAIN_KINDS = ['bridge-masq', 'portmap-iptables', 'portmap-nftables', 'flannel-portmap'] as const;
export type ChainKind = (typeof CHAIN_KINDS)[number];

/**
 * One simulated node for one chain: a namespace the plugins run in (their bridge, veths and
 * firewall rules never touch the host), a private directory for host-local's and flannel's
 * state and flannel's subnet.env, and pods as namespaces. Every name starts with "ctsfh".
 */
export class FaultNode {
  readonly fx = new NetnsFixture('fh');
  readonly dir = mkdtempSync(join(tmpdir(), 'ctsfh-'));
  readonly node: string;
  readonly places: SnapshotPlaces;
  readonly chain: Chain;
  private pods = 0;

  constructor(readonly kind: ChainKind) {
    this.node = this.fx.path(this.fx.create('node'));
    const ipamDir = join(this.dir, 'ipam');
    const flannelDir = join(this.dir, 'flannel');
    mkdirSync(ipamDir);
    this.places = { node: this.node, ipamDir, ...(kind === 'flannel-portmap' && { flannelDir }) };
    this.chain = chainOf(kind, `b${this.fx.prefix.slice(-6)}`, ipamDir, flannelDir, this.subnetFile());
  }

  /** A new pod namespace; returns its path. */
  pod(): string {
    return this.fx.path(this.fx.create(`p${++this.pods}`));
  }

  /** Delete a pod namespace (the runtime's "netns already gone"); nothing if it is gone. */
  dropPod(path: string): void {
    this.fx.drop(path.split('/').pop()!);
  }

  cleanup(): void {
    this.fx.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** flanneld's lease for this node, with masquerading left to the delegate bridge. */
  private subnetFile(): string {
    const file = join(this.dir, 'subnet.env');
    writeFileSync(file, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.7.1/24\nFLANNEL_IPV6_NETWORK=fd10:244::/48\nFLANNEL_IPV6_SUBNET=fd10:244:0:7::1/64\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n');
    return file;
  }
}

const PORTS = { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }, { hostPort: 18053, containerPort: 53, protocol: 'udp' }] };

function chainOf(kind: ChainKind, bridge: string, ipamDir: string, flannelDir: string, subnetFile: string): Chain {
  const ipam = { type: 'host-local', dataDir: ipamDir, ranges: [[{ subnet: '10.99.0.0/24' }], [{ subnet: 'fd99::/64' }]] };
  const masq = (backend: string) => ({ type: 'bridge', bridge, isGateway: true, ipMasq: true, ipMasqBackend: backend, ipam });
  const portmap = (backend: string) => ({ type: 'portmap', backend, capabilities: { portMappings: true }, runtimeConfig: PORTS });
  const name = `ctsfh-${kind}`;
  switch (kind) {
    case 'bridge-masq':
      return { name, cniVersion: '1.1.0', plugins: [masq('iptables')] };
    case 'portmap-iptables':
      return { name, cniVersion: '1.1.0', plugins: [masq('iptables'), portmap('iptables')] };
    case 'portmap-nftables':
      return { name, cniVersion: '1.1.0', plugins: [masq('nftables'), portmap('nftables')] };
    case 'flannel-portmap':
      return {
        name,
        cniVersion: '1.1.0',
        plugins: [{ type: 'flannel', subnetFile, dataDir: flannelDir, delegate: { bridge }, ipam: { dataDir: ipamDir } }, portmap('iptables')],
      };
  }
}
