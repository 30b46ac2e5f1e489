import { CniError, type NetConf } from '@cni-ts/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, parseIpamConfig, parseStoreLocation, requestedIPs } from './config.ts';
import { formatIP } from '@cni-ts/core/net/ip';
import { describeSet } from './range.ts';

const conf = (ipam: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): NetConf => ({
  cniVersion: '1.1.0',
  name: 'net1',
  type: 'host-local',
  ...(ipam && { ipam: { type: 'host-local', ...ipam } }),
  ...extra,
});

const errorOf = (fn: () => unknown): CniError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CniError) return err;
    throw err;
  }
  throw new Error('expected a CniError');
};

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe('parseIpamConfig', () => {
  it('reads ranges (v4 and v6 sets), routes and defaults dataDir', () => {
    const c = parseIpamConfig(conf({ ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: 'fd00::/64' }]], routes: [{ dst: '0.0.0.0/0' }] }));
    expect(c.rangeSets.map(describeSet)).toEqual(['10.0.0.0/24', 'fd00::/64']);
    expect(c.routes).toEqual([{ dst: '0.0.0.0/0' }]);
    expect(c.dataDir).toBe(DEFAULT_DATA_DIR);
    expect(c.name).toBe('net1');
  });

  it('puts runtimeConfig.ipRanges first, then the legacy top-level range, then ranges', () => {
    const c = parseIpamConfig(
      conf({ subnet: '10.1.0.0/24', ranges: [[{ subnet: '10.2.0.0/24' }]] }, { runtimeConfig: { ipRanges: [[{ subnet: '10.3.0.0/24' }]] } }),
    );
    expect(c.rangeSets.map(describeSet)).toEqual(['10.3.0.0/24', '10.1.0.0/24', '10.2.0.0/24']);
  });

  it('reads resolvConf into dns', () => {
    tmp = mkdtempSync(join(tmpdir(), 'hl-'));
    const file = join(tmp, 'resolv.conf');
    writeFileSync(file, '# comment\nnameserver 10.0.0.53\nnameserver fd00::53\ndomain example.org\nsearch a.example b.example\noptions ndots:5 edns0\n');
    const c = parseIpamConfig(conf({ subnet: '10.1.0.0/24', resolvConf: file }));
    expect(c.dns).toEqual({ nameservers: ['10.0.0.53', 'fd00::53'], domain: 'example.org', search: ['a.example', 'b.example'], options: ['ndots:5', 'edns0'] });
  });

  it.each([
    [undefined, {}, 'ipam: missing'],
    [{}, {}, 'ipam.ranges: no IP ranges specified'],
    [{ ranges: 'x' }, {}, 'ipam.ranges: must be a list'],
    [{ ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.0.0.128/25' }]] }, {}, 'ipam.ranges: range set 1 (10.0.0.128/25) overlaps range set 0 (10.0.0.0/24)'],
    [{ ranges: [[{ subnet: '10.0.0.5/24' }]] }, {}, 'ipam.ranges[0][0].subnet: 10.0.0.5/24 has host bits set'],
    [{ subnet: '10.0.0.0/32' }, {}, 'ipam.subnet: 10.0.0.0/32 is too small'],
    [{ subnet: '10.0.0.0/24' }, { runtimeConfig: { ipRanges: [[{ subnet: 'fd00::/64' }, { subnet: '10.9.0.0/24' }]] } }, 'runtimeConfig.ipRanges[0][1].subnet: mixed address families'],
    [{ subnet: '10.0.0.0/24', routes: [{ dst: 'nope' }] }, {}, 'ipam.routes[0].dst: "nope" is not a CIDR'],
    [{ subnet: '10.0.0.0/24', routes: [{ dst: '0.0.0.0/0', gw: 'x' }] }, {}, 'ipam.routes[0].gw: "x" is not an IP address'],
    [{ subnet: '10.0.0.0/24', dataDir: 5 }, {}, 'ipam.dataDir: must be an absolute path, not 5'],
    [{ subnet: '10.0.0.0/24', dataDir: 'var/lib/cni' }, {}, 'ipam.dataDir: must be an absolute path, not "var/lib/cni"'],
    [{ subnet: '0.0.0.0/0' }, {}, 'ipam.subnet: 0.0.0.0/0 is every address of its family'],
    [{ ranges: [[{ subnet: '::/0' }]] }, {}, 'ipam.ranges[0][0].subnet: ::/0 is every address of its family'],
    [{ ranges: [{ subnet: '10.0.0.0/24' }] }, {}, 'ipam.ranges[0]: must be a list, not {"subnet":"10.0.0.0/24"}'],
    [{ ranges: [[]] }, {}, 'ipam.ranges[0]: must have at least 1 entry'],
    [{ ranges: [[{ rangeStart: '10.0.0.2' }]] }, {}, 'ipam.ranges[0][0].subnet: missing'],
    [{ subnet: 24 }, {}, 'ipam.subnet: must be a CIDR, not 24'],
    [{ ranges: Array.from({ length: 257 }, (_, i) => [{ subnet: `10.${i >> 8}.${i & 255}.0/24` }]) }, {}, 'ipam.ranges: 257 entries, at most 256'],
    [{ ranges: [Array.from({ length: 257 }, (_, i) => ({ subnet: `10.${i >> 8}.${i & 255}.0/24` }))] }, {}, 'ipam.ranges[0]: 257 entries, at most 256'],
    [{ subnet: '10.0.0.0/24', routes: Array(1025).fill({ dst: '0.0.0.0/0' }) }, {}, 'ipam.routes: 1025 entries, at most 1024'],
    [{ subnet: '10.0.0.0/24', routes: [{ gw: '10.0.0.1' }] }, {}, 'ipam.routes[0].dst: missing'],
    [{ subnet: '10.0.0.0/24', resolvConf: '/nonexistent/resolv.conf' }, {}, 'ipam.resolvConf: cannot read /nonexistent/resolv.conf'],
  ])('refuses ipam %j with code 7 naming the field', (ipam, extra, msg) => {
    const e = errorOf(() => parseIpamConfig(conf(ipam, extra)));
    expect(e.code).toBe(7);
    expect(e.message).toContain(msg);
  });
});

it('reads the most range sets it allows, and finds an overlap between any two of them', () => {
  const sets = Array.from({ length: 256 }, (_, i) => [{ subnet: `10.${i}.0.0/16` }]);
  expect(parseIpamConfig(conf({ ranges: sets })).rangeSets).toHaveLength(256);
  const overlapping = [...sets.slice(0, 200), [{ subnet: '10.7.128.0/24' }]];
  expect(errorOf(() => parseIpamConfig(conf({ ranges: overlapping }))).message).toBe('ipam.ranges: range set 200 (10.7.128.0/24) overlaps range set 7 (10.7.0.0/16)');
});

describe('parseStoreLocation', () => {
  it('needs no ipam section (DEL with a missing ipam key uses the defaults)', () => {
    expect(parseStoreLocation(conf(undefined))).toEqual({ name: 'net1', dataDir: DEFAULT_DATA_DIR });
    expect(parseStoreLocation(conf({ dataDir: '/x' }))).toEqual({ name: 'net1', dataDir: '/x' });
  });
});

describe('requestedIPs', () => {
  it('combines CNI_ARGS IP (comma list), args.cni.ips and runtimeConfig.ips, without duplicates', () => {
    const ctx = {
      cniArgs: 'IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.0.0.5,fd00::5',
      config: conf({ subnet: '10.0.0.0/24' }, { args: { cni: { ips: ['10.0.0.5/24', '10.0.0.6'] } }, runtimeConfig: { ips: ['10.0.0.7'] } }),
    };
    expect(requestedIPs(ctx).map((r) => [formatIP(r.ip), r.source])).toEqual([
      ['10.0.0.5', 'CNI_ARGS IP'],
      ['fd00::5', 'CNI_ARGS IP'],
      ['10.0.0.6', 'args.cni.ips[1]'],
      ['10.0.0.7', 'runtimeConfig.ips[0]'],
    ]);
  });

  it('names the source of a malformed address', () => {
    expect(errorOf(() => requestedIPs({ cniArgs: 'IP=10.0.0.300', config: conf({}) }))).toMatchObject({ code: 4 });
    expect(errorOf(() => requestedIPs({ cniArgs: '', config: conf({}, { runtimeConfig: { ips: ['x'] } }) })).message).toContain('runtimeConfig.ips[0]: "x"');
    expect(errorOf(() => requestedIPs({ cniArgs: '', config: conf({}, { args: { cni: { ips: 'x' } } }) })).message).toContain('args.cni.ips: must be a list');
  });
});
