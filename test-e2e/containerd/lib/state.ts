import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkUnderTest } from '../../podman/lib/networks.ts';
import { firewallLinesMentioning, ipamReservations, nodeFirewall, nodeVeths, savedStateOf } from '../../podman/lib/node-state.ts';
import { LIBCNI_CACHE } from '../../../tools/cnictl/src/lab/containerd/config.ts';
import type { CriNode } from './node.ts';

// libcni's cache is the machine's (containerd 1.6 has no setting for it): a test reads only the
// files of its own networks and sandboxes.

/** What libcni recorded for an attachment at ADD: the arguments it sent and the result it got. */
export interface CachedAttachment {
  containerId: string;
  ifName: string;
  networkName: string;
  cniArgs?: [string, string][];
  capabilityArgs?: { portMappings?: Record<string, unknown>[] };
  result: { cniVersion: string; ips?: { address: string }[] };
}

export function cachedAttachment(network: string, sandboxId: string, ifName = 'eth0'): CachedAttachment | undefined {
  const file = join(LIBCNI_CACHE, `${network}-${sandboxId}-${ifName}`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CachedAttachment) : undefined;
}

const cacheFiles = (): string[] => (existsSync(LIBCNI_CACHE) ? readdirSync(LIBCNI_CACHE) : []);

/** Cache files of these sandboxes, whatever the network (containerd's own loopback attachment included). */
export const cacheFilesOf = (sandboxIds: string[]): string[] => cacheFiles().filter((f) => sandboxIds.some((id) => f.includes(id)));

/** Cache files of the networks whose names start with a prefix. */
export const cacheFilesNamed = (prefix: string): string[] => cacheFiles().filter((f) => f.startsWith(prefix));

/** Pod veths on the node (the node's own address pair is not one). */
export const podVeths = (node: CriNode): string[] => nodeVeths(node).filter((l) => !l.startsWith('node0'));

/** Network namespaces containerd still holds for sandboxes (mounted under its state dir). */
export function sandboxNetns(node: CriNode): string[] {
  const dir = join(node.paths.state, 'io.containerd.grpc.v1.cri', 'netns');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/**
 * Everything a pod's attachment leaves on a node, for these sandboxes and IPs: reservations,
 * veths, firewall lines (iptables and nft), flannel's saved configs, libcni cache, netns mounts.
 * All empty once the sandboxes are removed.
 */
export function leftovers(node: CriNode, net: NetworkUnderTest, sandboxIds: string[], ips: string[]) {
  return {
    reservations: [...ipamReservations(net.ipamDir, net.name).keys()],
    veths: podVeths(node),
    firewall: firewallLinesMentioning(nodeFirewall(node), [...ips, ...sandboxIds]),
    flannelSaved: net.stateDir ? savedStateOf(net.stateDir) : [],
    libcniCache: cacheFilesOf(sandboxIds),
    netns: sandboxNetns(node),
  };
}

export const NOTHING_LEFT = { reservations: [], veths: [], firewall: [], flannelSaved: [], libcniCache: [], netns: [] };
