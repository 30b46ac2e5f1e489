import { describe, expect, it } from 'vitest';
import { formatCidr } from '@cni-ts/core/net/ip';
import { parseConfig } from './config.ts';
import { planL3 } from './l3.ts';

const cfg = (extra: Record<string, unknown> = {}) => parseConfig({ cniVersion: '1.0.0', name: 'n', type: 'bridge', ...extra }, '');

describe('planL3', () => {
  it('marks every address as the container interface (index 2) and keeps IPAM gateways', () => {
    const p = planL3(cfg(), { cniVersion: '1.1.0', ips: [{ address: '10.0.0.5/24', gateway: '10.0.0.254' }] });
    expect(p.ips).toEqual([{ address: '10.0.0.5/24', gateway: '10.0.0.254', interface: 2 }]);
    expect(p.bridgeAddrs).toEqual([]);
    expect(p.routes).toEqual([]);
  });

  it('isGateway: gateway defaults to subnet+1 and goes on the bridge with the subnet prefix', () => {
    const p = planL3(cfg({ isGateway: true }), { cniVersion: '1.1.0', ips: [{ address: '10.0.0.5/24' }, { address: 'fd00::5/64' }] });
    expect(p.ips.map((i) => i.gateway)).toEqual(['10.0.0.1', 'fd00::1']);
    expect(p.bridgeAddrs.map(formatCidr)).toEqual(['10.0.0.1/24', 'fd00::1/64']);
  });

  it('isDefaultGateway adds a default route per family unless IPAM gave one with a gateway', () => {
    const p = planL3(cfg({ isDefaultGateway: true }), {
      cniVersion: '1.1.0',
      ips: [{ address: '10.0.0.5/24' }, { address: 'fd00::5/64' }],
      routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.9' }],
    });
    expect(p.routes).toEqual([
      { dst: '0.0.0.0/0', gw: '10.0.0.9' },
      { dst: '::/0', gw: 'fd00::1' },
    ]);
    expect(p.defaultGw).toEqual({ 4: '10.0.0.1', 6: 'fd00::1' });
  });

  it('refuses an IPAM gateway of the other family', () => {
    expect(() => planL3(cfg(), { cniVersion: '1.1.0', ips: [{ address: '10.0.0.5/24', gateway: 'fd00::1' }] })).toThrow(/another family/);
  });
});
