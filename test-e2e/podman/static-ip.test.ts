import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFromContainer } from './lib/http.ts';
import { PodmanLab } from './lib/lab.ts';
import { bridgeNetwork, inSubnet, type NetworkUnderTest } from './lib/networks.ts';
import { ipamReservations, nodeVeths } from './lib/node-state.ts';

/**
 * `podman run --ip`: on a conflist whose bridge declares the `ips` capability (as the ones
 * `podman network create` writes do), podman passes the address as runtimeConfig.ips and
 * host-local must reserve exactly that one.
 */
describe('podman --ip (runtimeConfig.ips through bridge to host-local)', () => {
  let lab: PodmanLab;
  let net: NetworkUnderTest;
  let fixed: string;
  let other: string;

  beforeAll(() => {
    lab = new PodmanLab('ps');
    net = bridgeNetwork(lab, { cniVersion: '1.0.0', octet: 9, staticIps: true });
    fixed = `${lab.prefix}-fixed`;
    other = `${lab.prefix}-other`;
    lab.startHttpd({ name: fixed, network: net.name, ip: `${net.subnet24}.77` });
    lab.startHttpd({ name: other, network: net.name });
  });
  afterAll(() => lab?.cleanup());

  it('gives the container the requested address, reserved for it; the next container gets another', () => {
    expect(lab.ipOf(fixed, net.name)).toBe(`${net.subnet24}.77`);
    const otherIp = lab.ipOf(other, net.name);
    expect(inSubnet(net, otherIp)).toBe(true);
    expect(otherIp).not.toBe(`${net.subnet24}.77`);
    const reserved = ipamReservations(net.ipamDir, net.name);
    expect(Object.fromEntries(reserved)).toEqual({ [`${net.subnet24}.77`]: lab.idOf(fixed), [otherIp]: lab.idOf(other) });
    expect(fetchFromContainer(lab, other, `${net.subnet24}.77`, 80)).toBe(`served by ${fixed}\n`);
  });

  it('refuses a second container on an address already in use, leaving no reservation or link behind', () => {
    const dup = `${lab.prefix}-dup`;
    const r = lab.podman(['run', '--rm', '--name', dup, '--network', net.name, '--ip', `${net.subnet24}.77`, '--rootfs', lab.rootfs, '/bin/true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/77/);
    expect([...ipamReservations(net.ipamDir, net.name).keys()].sort()).toEqual([lab.ipOf(other, net.name), `${net.subnet24}.77`].sort());
    expect(nodeVeths(lab)).toHaveLength(2);
  });

  it('releases the requested address on rm', () => {
    expect(lab.remove(fixed).code).toBe(0);
    expect([...ipamReservations(net.ipamDir, net.name).keys()]).toEqual([lab.ipOf(other, net.name)]);
  });
});
