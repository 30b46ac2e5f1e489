import { describe, expect, it } from 'vitest';
import { formatCidr } from '@cni-ts/core/net/ip';
import { configuredGateways } from './status.ts';

describe('configuredGateways', () => {
  it('takes each range\'s gateway, else its subnet\'s first host, with the subnet\'s prefix', () => {
    const gws = configuredGateways({ type: 'host-local', ranges: [[{ subnet: '10.1.2.0/24' }], [{ subnet: 'fd00::/64', gateway: 'fd00::fe' }]] });
    expect(gws.map(formatCidr)).toEqual(['10.1.2.1/24', 'fd00::fe/64']);
  });

  it('reads the older single subnet, and leaves what does not parse to ADD', () => {
    expect(configuredGateways({ type: 'host-local', subnet: '10.9.0.0/16', gateway: '10.9.0.254' }).map(formatCidr)).toEqual(['10.9.0.254/16']);
    expect(configuredGateways({ type: 'dhcp' })).toEqual([]);
    expect(configuredGateways({ ranges: [[{ subnet: 'nope' }], 'x'] })).toEqual([]);
    expect(configuredGateways(undefined)).toEqual([]);
  });
});
