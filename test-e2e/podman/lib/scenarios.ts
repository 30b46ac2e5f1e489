import { afterAll, beforeAll, expect, it } from 'vitest';
import { fetchFromContainer, fetchFromNode, pingFromContainer } from './http.ts';
import { PodmanLab } from './lab.ts';
import { inSubnet, type NetworkUnderTest } from './networks.ts';
import { firewallLinesMentioning, ipamReservations, nodeFirewall, nodeIptables, nodeNftables, nodeVeths, savedStateOf } from './node-state.ts';

const HOST_PORT = 18080;

/**
 * The life of two httpd containers on one network, driven by the real podman CLI: addressing,
 * traffic between them, a published port from the node and by hairpin, `network reload`, and
 * `rm` leaving nothing behind. The steps run in order on the same containers.
 */
export function podmanLifecycle(label: string, makeNetwork: (lab: PodmanLab) => NetworkUnderTest, opts: { nftablesOnly?: boolean } = {}): void {
  let lab: PodmanLab;
  let net: NetworkUnderTest;
  let a: string;
  let b: string;
  const served = (name: string): string => `served by ${name}\n`;
  const ips = (): { a: string; b: string } => ({ a: lab.ipOf(a, net.name), b: lab.ipOf(b, net.name) });

  beforeAll(() => {
    lab = new PodmanLab(label);
    net = makeNetwork(lab);
    a = `${lab.prefix}-a`;
    b = `${lab.prefix}-b`;
    lab.startHttpd({ name: a, network: net.name, publish: [`${HOST_PORT}:80`] });
    lab.startHttpd({ name: b, network: net.name });
  });
  afterAll(() => lab?.cleanup());

  it('gives the two containers distinct IPs in the subnet, each reserved for its container', () => {
    const { a: ipA, b: ipB } = ips();
    expect([ipA, ipB].map((ip) => inSubnet(net, ip))).toEqual([true, true]);
    expect(ipA).not.toBe(ipB);
    expect(ipA).not.toBe(net.gateway);
    const reserved = ipamReservations(net.ipamDir, net.name);
    expect(Object.fromEntries(reserved)).toEqual({ [ipA]: lab.idOf(a), [ipB]: lab.idOf(b) });
    if (net.stateDir) for (const c of [a, b]) expect(savedStateOf(net.stateDir, lab.idOf(c))).toHaveLength(1);
  });

  it('lets the containers ping each other and fetch HTTP from each other', () => {
    const { a: ipA, b: ipB } = ips();
    expect(pingFromContainer(lab, a, ipB)).toBe(true);
    expect(pingFromContainer(lab, b, ipA)).toBe(true);
    expect(fetchFromContainer(lab, a, ipB, 80)).toBe(served(b));
    expect(fetchFromContainer(lab, b, ipA, 80)).toBe(served(a));
  });

  it('reaches the published port from the node on 127.0.0.1 and on the gateway address', () => {
    expect(fetchFromNode(lab, '127.0.0.1', HOST_PORT)).toBe(served(a));
    expect(fetchFromNode(lab, net.gateway, HOST_PORT)).toBe(served(a));
  });

  if (opts.nftablesOnly) {
    it('keeps the per-container rules out of iptables: they are in nftables tables only', () => {
      const ip = lab.ipOf(a, net.name);
      expect(firewallLinesMentioning(nodeIptables(lab), [ip])).toEqual([]);
      expect(firewallLinesMentioning(nodeNftables(lab), [ip])).not.toEqual([]);
    });
  }

  it('reaches the published port by hairpin, from another container and from the container itself', () => {
    expect(fetchFromContainer(lab, b, net.gateway, HOST_PORT)).toBe(served(a));
    expect(fetchFromContainer(lab, a, net.gateway, HOST_PORT)).toBe(served(a));
  });

  it('keeps the mapping working across `podman network reload` (DEL then ADD), without leaking', () => {
    const before = ips();
    lab.mustPodman(['network', 'reload', a, b]);
    const after = ips();
    expect(fetchFromNode(lab, '127.0.0.1', HOST_PORT)).toBe(served(a));
    expect(fetchFromContainer(lab, b, net.gateway, HOST_PORT)).toBe(served(a));
    expect(fetchFromContainer(lab, a, after.b, 80)).toBe(served(b));
    expect([...ipamReservations(net.ipamDir, net.name).keys()].sort()).toEqual([after.a, after.b].sort());
    const released = [before.a, before.b].filter((ip) => ip !== after.a && ip !== after.b);
    expect(firewallLinesMentioning(nodeFirewall(lab), released)).toEqual([]);
    expect(nodeVeths(lab)).toHaveLength(2);
  });

  it('`podman rm -f` releases the IPs and removes the veths and the rules: nothing left', () => {
    const { a: ipA, b: ipB } = ips();
    const ids = [lab.idOf(a), lab.idOf(b)];
    expect(firewallLinesMentioning(nodeFirewall(lab), [ipA])).not.toEqual([]);
    expect(nodeVeths(lab)).toHaveLength(2);

    const rm = lab.remove(a, b);
    expect(rm.code, rm.stderr).toBe(0);

    expect(ipamReservations(net.ipamDir, net.name).size).toBe(0);
    expect(nodeVeths(lab)).toEqual([]);
    expect(firewallLinesMentioning(nodeFirewall(lab), [ipA, ipB, ...ids])).toEqual([]);
    if (net.stateDir) for (const id of ids) expect(savedStateOf(net.stateDir, id)).toEqual([]);
    expect(fetchFromNode(lab, '127.0.0.1', HOST_PORT)).toMatch(/^curl exited/);
  });
}
