import { describe, expect, it } from 'vitest';
import { containerTargets, mappingsFor } from './mappings.ts';

describe('containerTargets', () => {
  it('takes the first IPv4 and IPv6 address of the sandbox interface named CNI_IFNAME', () => {
    const prev = {
      cniVersion: '1.1.0',
      interfaces: [{ name: 'cni0' }, { name: 'veth1' }, { name: 'eth0', sandbox: '/run/netns/p' }, { name: 'net1', sandbox: '/run/netns/p' }],
      ips: [
        { address: '10.1.0.1/24', interface: 0 },
        { address: '10.2.0.5/16', interface: 3 },
        { address: '10.22.3.4/16', interface: 2 },
        { address: '10.22.9.9/16', interface: 2 },
        { address: 'fd00:0:0::7/64', interface: 2 },
      ],
    };
    expect(containerTargets(prev, 'eth0')).toEqual([
      { family: 4, ip: '10.22.3.4', subnet: '10.22.0.0/16' },
      { family: 6, ip: 'fd00::7', subnet: 'fd00::/64' },
    ]);
  });

  it('accepts addresses without an interface index (IPAM-style results)', () => {
    expect(containerTargets({ cniVersion: '1.1.0', ips: [{ address: '192.168.5.9/24' }] }, 'eth0')).toEqual([
      { family: 4, ip: '192.168.5.9', subnet: '192.168.5.0/24' },
    ]);
  });
});

describe('mappingsFor', () => {
  it('skips mappings whose hostIP is of the other family', () => {
    const m = [
      { hostPort: 1, containerPort: 1, protocol: 'tcp' as const },
      { hostPort: 2, containerPort: 2, protocol: 'tcp' as const, hostFamily: 6 as const, hostIP: 'fd00::1' },
      { hostPort: 3, containerPort: 3, protocol: 'tcp' as const, hostFamily: 4 as const },
    ];
    expect(mappingsFor(4, m).map((x) => x.hostPort)).toEqual([1, 3]);
    expect(mappingsFor(6, m).map((x) => x.hostPort)).toEqual([1, 2]);
  });
});
