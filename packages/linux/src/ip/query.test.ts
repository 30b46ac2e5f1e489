import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../run.ts';
import { parseLinks, showLink } from './query.ts';

const BRIDGE = JSON.stringify([
  {
    ifindex: 6, ifname: 'cni0', flags: ['BROADCAST', 'MULTICAST', 'UP'], mtu: 1500, operstate: 'UP', address: '02:11:22:33:44:55', promiscuity: 1,
    linkinfo: { info_kind: 'bridge', info_data: { vlan_filtering: 1 } },
    addr_info: [{ family: 'inet', local: '10.22.0.1', prefixlen: 16, scope: 'global' }, { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' }],
  },
]);

describe('link queries', () => {
  it('reads kind, MAC, flags, VLAN filtering and addresses from ip -d -json addr show', () => {
    const [l] = parseLinks(BRIDGE);
    expect(l).toMatchObject({ name: 'cni0', kind: 'bridge', mac: '02:11:22:33:44:55', promisc: true, vlanFiltering: true, mtu: 1500 });
    expect(l!.addrs).toEqual([
      { family: 4, local: '10.22.0.1', prefixlen: 16, scope: 'global' },
      { family: 6, local: 'fe80::1', prefixlen: 64, scope: 'link' },
    ]);
  });

  it('answers undefined for a link that does not exist, and throws on other failures', async () => {
    const missing = new RecordingRunner(() => ({ code: 1, stderr: 'Device "nope" does not exist.\n' }));
    expect(await showLink(missing, '', 'nope')).toBeUndefined();
    const broken = new RecordingRunner(() => ({ code: 255, stderr: 'Cannot open netlink socket: Permission denied\n' }));
    await expect(showLink(broken, '', 'x')).rejects.toThrow(/Permission denied/);
  });
});
