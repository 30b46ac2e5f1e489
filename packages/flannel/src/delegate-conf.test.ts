import { describe, expect, it } from 'vitest';
import type { NetConf } from '@cni-ts/core';
import { parseFlannelConf } from './config.ts';
import { buildDelegateConf, canonicalJson } from './delegate-conf.ts';
import { parseSubnetEnv } from './subnet-env.ts';

// Inputs and expected JSON of the reference's flannel_linux_test.go (flannel-io/cni-plugin).
const V4 = 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n';
const V6 = 'FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00::1/64\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n';
const DUAL = 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00::1/64\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n';
const V4_TWO_NETS = 'FLANNEL_NETWORK=10.1.0.0/16,192.168.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n';

/** The reference test's config: no cniVersion, so the delegate gets none. */
const input = (extra: Record<string, unknown> = {}): NetConf =>
  ({ name: 'cni-flannel', type: 'flannel', subnetFile: '/x/subnet.env', dataDir: '/x/data', ...extra }) as unknown as NetConf;
const build = (env: string, extra?: Record<string, unknown>) => buildDelegateConf(parseFlannelConf(input(extra)), parseSubnetEnv(env, 'subnet.env'));

const expected = (ranges: unknown[], routes: unknown[]) => ({
  ipMasq: false,
  ipam: { routes, ranges, type: 'host-local' },
  isGateway: true,
  mtu: 1472,
  name: 'cni-flannel',
  type: 'bridge',
});

describe('buildDelegateConf matches the reference', () => {
  it('IPv4', () => {
    expect(build(V4)).toStrictEqual(expected([[{ subnet: '10.1.17.0/24' }]], [{ dst: '10.1.0.0/16' }]));
  });
  it('IPv4 with two networks', () => {
    expect(build(V4_TWO_NETS)).toStrictEqual(expected([[{ subnet: '10.1.17.0/24' }]], [{ dst: '10.1.0.0/16' }, { dst: '192.168.0.0/16' }]));
  });
  it('IPv6', () => {
    expect(build(V6)).toStrictEqual(expected([[{ subnet: 'fc00::/64' }]], [{ dst: 'fc00::/48' }]));
  });
  it('dual stack', () => {
    expect(build(DUAL)).toStrictEqual(
      expected([[{ subnet: '10.1.17.0/24' }], [{ subnet: 'fc00::/64' }]], [{ dst: '10.1.0.0/16' }, { dst: 'fc00::/48' }]),
    );
  });

  const inputIpam = (type?: string) => ({
    ...(type && { type }),
    'unknown-param': 'unknown-value',
    routes: [{ dst: '10.96.0.0/12' }, { dst: '192.168.244.0/24', gw: '10.1.17.20' }],
  });
  it.each([
    ['my-ipam', V4, [[{ subnet: '10.1.17.0/24' }]], [{ dst: '10.1.0.0/16' }]],
    ['my-ipam', V6, [[{ subnet: 'fc00::/64' }]], [{ dst: 'fc00::/48' }]],
    ['my-ipam', DUAL, [[{ subnet: '10.1.17.0/24' }], [{ subnet: 'fc00::/64' }]], [{ dst: '10.1.0.0/16' }, { dst: 'fc00::/48' }]],
    [undefined, V4, [[{ subnet: '10.1.17.0/24' }]], [{ dst: '10.1.0.0/16' }]],
    [undefined, DUAL, [[{ subnet: '10.1.17.0/24' }], [{ subnet: 'fc00::/64' }]], [{ dst: '10.1.0.0/16' }, { dst: 'fc00::/48' }]],
  ])('input ipam of type %s is the base: user routes first, unknown keys kept', (type, env, ranges, netRoutes) => {
    const ipam = build(env, { ipam: inputIpam(type) }).ipam;
    expect(ipam).toStrictEqual({
      type: type ?? 'host-local',
      'unknown-param': 'unknown-value',
      routes: [...inputIpam().routes, ...netRoutes],
      ranges,
    });
  });
});

describe('buildDelegateConf options', () => {
  it('delegate keys override the defaults; runtimeConfig and cniVersion are passed on', () => {
    const d = build(V4, {
      cniVersion: '1.0.0',
      delegate: { hairpinMode: true, isDefaultGateway: true, ipMasq: true, mtu: 1400, isGateway: false },
      runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
    });
    expect(d).toMatchObject({
      cniVersion: '1.0.0',
      hairpinMode: true,
      isDefaultGateway: true,
      ipMasq: true,
      mtu: 1400,
      isGateway: false,
      runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
    });
  });

  it('a non-bridge delegate gets no isGateway', () => {
    const d = build(V4, { delegate: { type: 'ipvlan', master: 'eth0' } });
    expect(d).toMatchObject({ type: 'ipvlan', master: 'eth0', ipMasq: false, mtu: 1472 });
    expect(d).not.toHaveProperty('isGateway');
  });

  it('FLANNEL_IPMASQ=false makes the delegate masquerade', () => {
    expect(build(V4.replace('IPMASQ=true', 'IPMASQ=false')).ipMasq).toBe(true);
  });

  it.each([
    ['IPv6 only, flanneld masquerades IPv6', V6 + 'FLANNEL_IPV6_MASQ=true\n', false],
    ['IPv6 only, flanneld masquerades IPv4 only', V6 + 'FLANNEL_IPV6_MASQ=false\n', true],
    ['IPv4 only: FLANNEL_IPV6_MASQ does not matter', V4 + 'FLANNEL_IPV6_MASQ=false\n', false],
    ['dual stack, flanneld masquerades neither', DUAL.replace('IPMASQ=true', 'IPMASQ=false') + 'FLANNEL_IPV6_MASQ=false\n', true],
    ['dual stack, flanneld masquerades both', DUAL + 'FLANNEL_IPV6_MASQ=true\n', false],
    ['dual stack, flanneld masquerades IPv4 only (no double masquerade)', DUAL + 'FLANNEL_IPV6_MASQ=false\n', false],
    ['dual stack, flanneld masquerades IPv6 only (no double masquerade)', DUAL.replace('IPMASQ=true', 'IPMASQ=false') + 'FLANNEL_IPV6_MASQ=true\n', false],
    ['dual stack without FLANNEL_IPV6_MASQ: the reference rule', DUAL.replace('IPMASQ=true', 'IPMASQ=false'), true],
  ])('FLANNEL_IPV6_MASQ, %s: delegate ipMasq %s', (_what, env, ipMasq) => {
    expect(build(env).ipMasq).toBe(ipMasq);
  });

  it.each([
    [{ delegate: { name: 'x' } }, "must not have 'name'"],
    [{ delegate: { ipam: {} } }, "must not have 'ipam'"],
    [{ delegate: { type: 3 } }, 'delegate.type: must be a plugin executable name, not 3'],
    [{ delegate: { type: '' } }, 'delegate.type: must be a plugin executable name, not ""'],
    [{ delegate: [] }, 'delegate: must be a JSON object, not []'],
    [{ subnetFile: 7 }, 'subnetFile: must be an absolute path, not 7'],
    [{ dataDir: {} }, 'dataDir: must be an absolute path'],
    [{ dataDir: 'var/lib/cni/flannel' }, 'dataDir: must be an absolute path, not "var/lib/cni/flannel"'],
    [{ subnetFile: './subnet.env' }, 'subnetFile: must be an absolute path, not "./subnet.env"'],
    [{ ipam: { routes: [{ gw: '1.2.3.4' }] } }, 'ipam.routes[0].dst: missing'],
    [{ ipam: { routes: Array(1025).fill({ dst: '0.0.0.0/0' }) } }, 'ipam.routes: 1025 entries, at most 1024'],
  ])('rejects %j with code 7', (extra, message) => {
    expect(() => parseFlannelConf(input(extra))).toThrow(expect.objectContaining({ code: 7, message: expect.stringContaining(message) }));
  });

  it('defaults subnetFile and dataDir to the reference paths', () => {
    const c = parseFlannelConf({ name: 'cni-flannel', type: 'flannel' } as unknown as NetConf);
    expect([c.subnetFile, c.dataDir]).toEqual(['/run/flannel/subnet.env', '/var/lib/cni/flannel']);
  });

  it('canonicalJson sorts keys at every level, like the reference saved file', () => {
    expect(canonicalJson(build(V4))).toBe(
      '{"ipMasq":false,"ipam":{"ranges":[[{"subnet":"10.1.17.0/24"}]],"routes":[{"dst":"10.1.0.0/16"}],"type":"host-local"},"isGateway":true,"mtu":1472,"name":"cni-flannel","type":"bridge"}',
    );
  });
});
