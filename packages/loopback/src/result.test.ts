import { describe, expect, it } from 'vitest';
import { CniError } from '@cni-ts/core';
import { parseIP } from '@cni-ts/core/net/ip';
import type { LinkState } from '@cni-ts/linux/ip/query';
import { isLoopbackAddress, loopbackResult } from './result.ts';

const lo = (addrs: LinkState['addrs']): LinkState => ({
  ifindex: 1, name: 'lo', kind: undefined, mac: '00:00:00:00:00:00', mtu: 65536, flags: ['LOOPBACK', 'UP'],
  promisc: false, master: undefined, linkIndex: undefined, operstate: 'UNKNOWN', vlanFiltering: false, addrs,
});
const V4 = { family: 4, local: '127.0.0.1', prefixlen: 8, scope: 'host' } as const;
const V6 = { family: 6, local: '::1', prefixlen: 128, scope: 'host' } as const;

describe('loopbackResult', () => {
  it('reports lo in its sandbox with 127.0.0.1/8 and ::1/128, IPv4 first', () => {
    expect(loopbackResult(lo([V6, V4]), '/run/netns/x')).toEqual({
      cniVersion: '1.1.0',
      interfaces: [{ name: 'lo', mac: '00:00:00:00:00:00', sandbox: '/run/netns/x' }],
      ips: [{ interface: 0, address: '127.0.0.1/8' }, { interface: 0, address: '::1/128' }],
    });
  });

  it('has no ::1 where the namespace has no IPv6, and no ips when lo has no address', () => {
    expect(loopbackResult(lo([V4]), '/n').ips).toEqual([{ interface: 0, address: '127.0.0.1/8' }]);
    expect(loopbackResult(lo([]), '/n').ips).toBeUndefined();
  });

  it('reports only the first address of each family', () => {
    const extra = { family: 4, local: '127.0.0.2', prefixlen: 32, scope: 'host' } as const;
    expect(loopbackResult(lo([V4, extra]), '/n').ips).toEqual([{ interface: 0, address: '127.0.0.1/8' }]);
  });

  it('refuses a lo that carries a non-loopback address', () => {
    const bad = { family: 4, local: '10.1.2.3', prefixlen: 24, scope: 'global' } as const;
    expect(() => loopbackResult(lo([V4, bad]), '/n')).toThrow(CniError);
    expect(() => loopbackResult(lo([V4, bad]), '/n')).toThrow('loopback interface found with non-loopback address "10.1.2.3"');
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true], ['127.255.0.9', true], ['128.0.0.1', false], ['10.0.0.1', false],
    ['::1', true], ['::2', false], ['fe80::1', false], ['::ffff:127.0.0.1', true], ['::ffff:10.0.0.1', false],
  ])('%s: %s', (text, loopback) => {
    expect(isLoopbackAddress(parseIP(text))).toBe(loopback);
  });

  it('an unreadable address is not loopback', () => {
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});
