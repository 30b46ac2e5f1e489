import { describe, expect, it } from 'vitest';
import { IpBatch } from '@cni-ts/linux/ip/batch';
import { parseCidr } from '@cni-ts/core/net/ip';
import { parseLinks, type LinkState } from '@cni-ts/linux/ip/query';
import { parseConfig } from './config.ts';
import { planContainerLink, planRoutes } from './container.ts';
import { conflictingAddrs, planBridgeFixes, planGateways, planNewBridge, planPortVlans, planVethAttach, planVethCreate } from './host.ts';

const cfg = (extra: Record<string, unknown> = {}) => parseConfig({ cniVersion: '1.0.0', name: 'n', type: 'bridge', bridge: 'br0', ...extra }, '');
const bridge = (addrs: Array<[string, number]>, more: Record<string, unknown> = {}): LinkState =>
  parseLinks(
    JSON.stringify([
      {
        ifindex: 3, ifname: 'br0', address: '02:00:00:00:00:01', flags: ['UP'], linkinfo: { info_kind: 'bridge' },
        addr_info: addrs.map(([local, prefixlen]) => ({ family: local.includes(':') ? 'inet6' : 'inet', local, prefixlen })),
        ...more,
      },
    ]),
  )[0]!;
const gw = (s: string) => parseCidr(s)!;
const lines = (b: IpBatch) => b.lines.map((l) => l.join(' '));

describe('host plan', () => {
  it('creates a missing bridge with a pinned MAC, MTU and VLAN filtering; then adds the gateways', () => {
    const b = new IpBatch();
    planNewBridge(b, cfg({ mtu: 1400, vlan: 10 }), '02:aa:00:00:00:01');
    expect(lines(b)).toEqual(['link add name br0 address 02:aa:00:00:00:01 mtu 1400 type bridge vlan_filtering 1', 'link set dev br0 up']);
    const g = new IpBatch();
    planGateways(g, cfg(), undefined, [], [gw('10.0.0.1/24'), gw('fd00::1/64')]);
    expect(lines(g)).toEqual(['addr replace 10.0.0.1/24 dev br0 broadcast 10.0.0.255', 'addr replace fd00::1/64 dev br0 nodad']);
  });

  it('reuses an existing bridge and repairs an all-zero MAC left by a failed reference ADD', () => {
    const b = new IpBatch();
    planBridgeFixes(b, cfg({ promiscMode: true }), bridge([], { address: '00:00:00:00:00:00' }), '02:aa:00:00:00:01');
    expect(lines(b)).toEqual(['link set dev br0 address 02:aa:00:00:00:01', 'link set dev br0 promisc on']);
    const none = new IpBatch();
    planBridgeFixes(none, cfg(), bridge([]), '02:aa:00:00:00:01');
    expect(none.empty).toBe(true);
  });

  it('adds only missing gateways, after removing conflicting addresses', () => {
    const g = new IpBatch();
    const br = bridge([['10.0.0.1', 24], ['10.9.0.1', 16]]);
    planGateways(g, cfg(), br, [gw('10.9.0.1/16')], [gw('10.0.0.1/24'), gw('fd00::1/64')]);
    expect(lines(g)).toEqual(['addr del 10.9.0.1/16 dev br0', 'addr replace fd00::1/64 dev br0 nodad']);
    const none = new IpBatch();
    planGateways(none, cfg(), bridge([['10.0.0.1', 24]]), [], [gw('10.0.0.1/24')]);
    expect(none.empty).toBe(true);
  });

  it('an existing different IPv4 address is an error that says what to do, or is replaced with forceAddress', () => {
    const br = bridge([['10.9.0.1', 16], ['fe80::1', 64]]);
    expect(() => conflictingAddrs(cfg(), br, [gw('10.0.0.1/24')])).toThrow(
      /bridge "br0" already has an IP address different from 10\.0\.0\.1\/24: it has 10\.9\.0\.1\/16.*"forceAddress": true.*ip addr del 10\.9\.0\.1\/16 dev br0/,
    );
    expect(conflictingAddrs(cfg({ forceAddress: true }), br, [gw('10.0.0.1/24')]).map((c) => `${c.prefix}`)).toEqual(['16']);
    expect(conflictingAddrs(cfg(), br, [gw('10.9.0.1/16')])).toEqual([]);
  });

  it('IPv6: only an overlapping address conflicts (link-local and other subnets stay)', () => {
    const br = bridge([['fe80::1', 64], ['fd01::1', 64], ['fd00::9', 48]]);
    expect(() => conflictingAddrs(cfg(), br, [gw('fd00::1/64')])).toThrow(/fd00::9\/48/);
    expect(conflictingAddrs(cfg(), bridge([['fe80::1', 64], ['fd01::1', 64]]), [gw('fd00::1/64')])).toEqual([]);
  });

  it('creates the veth with its peer straight in the container namespace and sets port flags', () => {
    const b = new IpBatch();
    const v = { host: 'veth01', hostMac: '02:00:00:00:00:0a', container: 'eth0', containerMac: '02:00:00:00:00:0b', netns: '/run/netns/p' };
    planVethCreate(b, cfg({ mtu: 9000 }), v);
    planVethAttach(b, cfg({ hairpinMode: true, portIsolation: true }), v);
    expect(lines(b)).toEqual([
      'link add veth01 address 02:00:00:00:00:0a mtu 9000 type veth peer name eth0 address 02:00:00:00:00:0b mtu 9000 netns /run/netns/p',
      'link set dev veth01 master br0 up',
      'link set dev veth01 type bridge_slave hairpin on isolated on',
    ]);
  });

  it('VLANs: access port untagged PVID, trunk ranges compacted, VLAN 1 removed unless preserved', () => {
    expect(planPortVlans(cfg({ vlan: 10, vlanTrunk: [{ id: 20 }, { minID: 30, maxID: 32 }] }), 'v')).toBe(
      'vlan del dev v vid 1\nvlan add dev v vid 10 pvid untagged\nvlan add dev v vid 20\nvlan add dev v vid 30-32\n',
    );
    expect(planPortVlans(cfg({ vlan: 10, preserveDefaultVlan: true }), 'v')).toBe('vlan add dev v vid 10 pvid untagged\n');
    expect(planPortVlans(cfg(), 'v')).toBe('');
  });

  it('container: addresses, link up, routes through the family gateway with their attributes', () => {
    const b = new IpBatch();
    planContainerLink(b, cfg(), 'eth0', [gw('10.0.0.5/24')]);
    planRoutes(b, 'eth0', [{ dst: '0.0.0.0/0' }, { dst: '192.168.7.9/16', gw: '10.0.0.7', priority: 5, table: 100, mtu: 1300 }], { 4: '10.0.0.1' });
    expect(lines(b)).toEqual([
      'addr add 10.0.0.5/24 dev eth0 broadcast 10.0.0.255',
      'link set dev eth0 up',
      'route add 0.0.0.0/0 via 10.0.0.1 dev eth0',
      'route add 192.168.0.0/16 via 10.0.0.7 dev eth0 metric 5 table 100 mtu 1300',
    ]);
    const down = new IpBatch();
    planContainerLink(down, cfg({ disableContainerInterface: true }), 'eth0', []);
    expect(lines(down)).toEqual([]);
  });
});
