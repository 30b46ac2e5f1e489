import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFromContainer } from './lib/http.ts';
import { PodmanLab } from './lib/lab.ts';
import { bridgeNetwork, flannelNetwork, inSubnet, type NetworkUnderTest } from './lib/networks.ts';
import { ipamReservations, nodeVeths, savedStateOf } from './lib/node-state.ts';
import { pluginSource } from './lib/plugins.ts';

/**
 * Containers on two networks at once, the second attached and detached while they run:
 * `podman network connect` is an ADD with CNI_IFNAME=eth1, `disconnect` a DEL of that attachment
 * alone. Each plugin must keep the two attachments of one container ID apart, and an ADD that
 * fails half-way must leave nothing of itself behind.
 */
describe.skipIf(!pluginSource().ours)('podman network connect / disconnect: bridge networks and a flannel network on one container', () => {
  let lab: PodmanLab;
  let plain: NetworkUnderTest;
  let routed: NetworkUnderTest;
  let fl: NetworkUnderTest;
  let multi: string;
  let peer: string;
  let clash: string;

  beforeAll(() => {
    lab = new PodmanLab('pm');
    plain = bridgeNetwork(lab, { cniVersion: '1.0.0', octet: 11, suffix: 'pl', defaultRoute: false });
    routed = bridgeNetwork(lab, { cniVersion: '1.0.0', octet: 13, suffix: 'rt' });
    fl = flannelNetwork(lab, 12);
    multi = `${lab.prefix}-multi`;
    peer = `${lab.prefix}-peer`;
    clash = `${lab.prefix}-clash`;
    lab.startHttpd({ name: multi, network: plain.name });
    lab.startHttpd({ name: peer, network: fl.name });
    lab.startHttpd({ name: clash, network: routed.name });
  });
  afterAll(() => lab?.cleanup());

  it('connect adds a second interface from the other network, reachable there', () => {
    lab.mustPodman(['network', 'connect', fl.name, multi]);
    const onFlannel = lab.ipOf(multi, fl.name);
    expect(inSubnet(fl, onFlannel)).toBe(true);
    expect(inSubnet(plain, lab.ipOf(multi, plain.name))).toBe(true);
    expect(lab.exec(multi, ['ip', '-o', '-4', 'addr', 'show', 'eth1']).stdout).toContain(`inet ${onFlannel}/24`);
    expect(fetchFromContainer(lab, peer, onFlannel, 80)).toBe(`served by ${multi}\n`);
    expect(ipamReservations(fl.ipamDir, fl.name).get(onFlannel)).toBe(lab.idOf(multi));
    expect(savedStateOf(fl.stateDir!, lab.idOf(multi))).toHaveLength(1);
  });

  it('disconnect removes only that attachment: its address, saved state and veth', () => {
    const id = lab.idOf(multi);
    const plainIp = lab.ipOf(multi, plain.name);
    const veths = nodeVeths(lab).length;
    lab.mustPodman(['network', 'disconnect', fl.name, multi]);
    expect([...ipamReservations(fl.ipamDir, fl.name).values()]).not.toContain(id);
    expect(savedStateOf(fl.stateDir!, id)).toEqual([]);
    expect(lab.exec(multi, ['ip', 'link', 'show', 'eth1']).code).not.toBe(0);
    expect(nodeVeths(lab)).toHaveLength(veths - 1);
    expect(ipamReservations(plain.ipamDir, plain.name).get(plainIp)).toBe(id);
    expect(lab.exec(multi, ['ip', '-o', '-4', 'addr', 'show', 'eth0']).stdout).toContain(`inet ${plainIp}/24`);
  });

  it('a connect whose ADD fails half-way (a second default route) leaves no address, state or veth', () => {
    const id = lab.idOf(clash);
    const veths = nodeVeths(lab).length;
    const r = lab.podman(['network', 'connect', fl.name, clash]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/route/i);
    expect([...ipamReservations(fl.ipamDir, fl.name).values()]).not.toContain(id);
    expect(savedStateOf(fl.stateDir!, id)).toEqual([]);
    expect(nodeVeths(lab)).toHaveLength(veths);
  });

  it('rm after connect removes every attachment', () => {
    lab.mustPodman(['network', 'connect', fl.name, multi]);
    expect(lab.remove(multi, peer, clash).code).toBe(0);
    for (const net of [plain, routed, fl]) expect(ipamReservations(net.ipamDir, net.name).size).toBe(0);
    expect(savedStateOf(fl.stateDir!)).toEqual([]);
    expect(nodeVeths(lab)).toEqual([]);
  });
});
