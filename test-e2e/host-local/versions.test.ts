import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDir, hl, hlConfig, OURS } from './lib.ts';

let data: DataDir;
beforeEach(() => (data = new DataDir()));
afterEach(() => data.cleanup());

const dual = { ranges: [[{ subnet: '10.44.0.0/24' }], [{ subnet: 'fd44::/64' }]], routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }] };

describe('dist/bin/host-local result shapes', () => {
  it.each(['1.1.0', '1.0.0'])('%s: ips without version or interface, routes', (version) => {
    const r = hl(OURS, { command: 'ADD', config: { ...hlConfig(data.path, dual), cniVersion: version } });
    expect(r.code).toBe(0);
    expect(r.json).toEqual({
      cniVersion: version,
      ips: [
        { address: '10.44.0.2/24', gateway: '10.44.0.1' },
        { address: 'fd44::2/64', gateway: 'fd44::1' },
      ],
      routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }],
    });
  });

  it.each(['0.4.0', '0.3.1', '0.3.0'])('%s: ips carry their version', (version) => {
    const r = hl(OURS, { command: 'ADD', config: { ...hlConfig(data.path, dual), cniVersion: version } });
    expect(r.json).toMatchObject({
      cniVersion: version,
      ips: [
        { version: '4', address: '10.44.0.2/24', gateway: '10.44.0.1' },
        { version: '6', address: 'fd44::2/64', gateway: 'fd44::1' },
      ],
    });
  });

  it.each(['0.2.0', '0.1.0'])('%s: ip4/ip6 objects with their routes', (version) => {
    const r = hl(OURS, { command: 'ADD', config: { ...hlConfig(data.path, dual), cniVersion: version } });
    expect(r.json).toEqual({
      cniVersion: version,
      ip4: { ip: '10.44.0.2/24', gateway: '10.44.0.1', routes: [{ dst: '0.0.0.0/0' }] },
      ip6: { ip: 'fd44::2/64', gateway: 'fd44::1', routes: [{ dst: '::/0' }] },
    });
  });

  it('IPv4 only, IPv6 only, legacy single range with bounds', () => {
    expect(hl(OURS, { command: 'ADD', containerId: 'a', config: hlConfig(data.path, { ranges: [[{ subnet: '10.45.0.0/16' }]] }) }).json?.ips).toEqual([
      { address: '10.45.0.2/16', gateway: '10.45.0.1' },
    ]);
    expect(hl(OURS, { command: 'ADD', containerId: 'b', config: { ...hlConfig(data.path, { ranges: [[{ subnet: 'fd45::/120' }]] }), name: 'v6' } }).json?.ips).toEqual([
      { address: 'fd45::2/120', gateway: 'fd45::1' },
    ]);
    const legacy = hlConfig(data.path, { subnet: '10.46.0.0/24', rangeStart: '10.46.0.100', rangeEnd: '10.46.0.101', gateway: '10.46.0.254' });
    const got = ['x', 'y'].map((cid) => hl(OURS, { command: 'ADD', containerId: cid, config: { ...legacy, name: 'legacy' } }).json?.ips);
    expect(got).toEqual([[{ address: '10.46.0.100/24', gateway: '10.46.0.254' }], [{ address: '10.46.0.101/24', gateway: '10.46.0.254' }]]);
  });

  it('runtimeConfig.ipRanges go first; requested IPs from every source', () => {
    const conf = hlConfig(data.path, dual, { runtimeConfig: { ipRanges: [[{ subnet: '10.47.0.0/24' }]], ips: ['10.47.0.9'] }, args: { cni: { ips: ['fd44::99'] } } });
    const r = hl(OURS, { command: 'ADD', config: conf, cniArgs: 'IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.44.0.77' });
    expect(r.json?.ips).toEqual([
      { address: '10.47.0.9/24', gateway: '10.47.0.1' },
      { address: '10.44.0.77/24', gateway: '10.44.0.1' },
      { address: 'fd44::99/64', gateway: 'fd44::1' },
    ]);
  });
});
