import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
/** Where a network's conflist and files go: a podman lab or a containerd node (prefix, private dir). */
export interface NetworkHost {
  prefix: string;
  dir: string;
  writeConflist(name: string, conflist: unknown): void;
}

/** What a scenario needs to know about a network it runs containers on. */
export interface NetworkUnderTest {
  name: string;
  /** First three octets of the pod /24, e.g. "10.88.7". */
  subnet24: string;
  gateway: string;
  /** host-local's data dir (reservations live in `<ipamDir>/<name>/`). */
  ipamDir: string;
  /** Per-container state files a meta plugin keeps (flannel), `<dir>/<containerID>`. */
  stateDir?: string;
}

export interface BridgeOptions {
  cniVersion: string;
  /** The list's `cniVersions` (spec 1.1): the versions a newer runtime may choose from. */
  cniVersions?: string[];
  /** Third octet of the pod /24 (10.88.<octet>.0/24). */
  octet: number;
  /** Network and bridge name suffix, to keep several networks apart in one lab. */
  suffix?: string;
  /** Pin bridge's masquerade and portmap's DNAT to one firewall tool (default: each detects). */
  firewall?: 'iptables' | 'nftables';
  /** Let podman pass `--ip` through as runtimeConfig.ips, as `podman network create` does. */
  staticIps?: boolean;
  /** Route 0.0.0.0/0 through this network's gateway (default true). */
  defaultRoute?: boolean;
}

/** Whether an address is a host address of the network's /24. */
export function inSubnet(net: NetworkUnderTest, ip: string): boolean {
  const [prefix, host] = [ip.slice(0, ip.lastIndexOf('.')), Number(ip.slice(ip.lastIndexOf('.') + 1))];
  return prefix === net.subnet24 && Number.isInteger(host) && host > 0 && host < 255;
}

/** The podman-style conflist: bridge (gateway, masquerade, hairpin) + host-local, then portmap. */
export function bridgeNetwork(lab: NetworkHost, { cniVersion, cniVersions, octet, suffix = 'br', firewall, staticIps, defaultRoute = true }: BridgeOptions): NetworkUnderTest {
  const name = `${lab.prefix}-${suffix}`;
  const ipamDir = join(lab.dir, 'ipam');
  const subnet24 = `10.88.${octet}`;
  lab.writeConflist(name, {
    cniVersion,
    ...(cniVersions && { cniVersions }),
    name,
    plugins: [
      {
        type: 'bridge',
        bridge: `${lab.prefix}${suffix}`,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ...(firewall && { ipMasqBackend: firewall }),
        ...(staticIps && { capabilities: { ips: true } }),
        ipam: { type: 'host-local', dataDir: ipamDir, ranges: [[{ subnet: `${subnet24}.0/24` }]], routes: defaultRoute ? [{ dst: '0.0.0.0/0' }] : [] },
      },
      { type: 'portmap', capabilities: { portMappings: true }, ...(firewall && { backend: firewall }) },
    ],
  });
  return { name, subnet24, gateway: `${subnet24}.1`, ipamDir };
}

/**
 * Kubernetes' flannel conflist (kube-flannel.yml's cni-conf.json): flannel delegating to bridge
 * with hairpin and a default route, then portmap; flanneld's subnet.env written by hand, as
 * flanneld would on a node whose lease is `<subnet24>.0/24`. kube-flannel ships cniVersion 0.3.1.
 */
export function flannelNetwork(lab: NetworkHost, octet: number, cniVersion = '0.3.1', cniVersions?: string[]): NetworkUnderTest {
  const name = `${lab.prefix}-fl`;
  const ipamDir = join(lab.dir, 'ipam');
  const stateDir = join(lab.dir, 'flannel');
  const subnetFile = join(lab.dir, 'run-flannel', 'subnet.env');
  const subnet24 = `10.244.${octet}`;
  mkdirSync(join(lab.dir, 'run-flannel'), { recursive: true });
  writeFileSync(subnetFile, ['FLANNEL_NETWORK=10.244.0.0/16', `FLANNEL_SUBNET=${subnet24}.1/24`, 'FLANNEL_MTU=1450', 'FLANNEL_IPMASQ=true', ''].join('\n'));
  lab.writeConflist(name, {
    cniVersion,
    ...(cniVersions && { cniVersions }),
    name,
    plugins: [
      {
        type: 'flannel',
        subnetFile,
        dataDir: stateDir,
        ipam: { dataDir: ipamDir },
        delegate: { bridge: `${lab.prefix}fl`, hairpinMode: true, isDefaultGateway: true },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  });
  return { name, subnet24, gateway: `${subnet24}.1`, ipamDir, stateDir };
}
