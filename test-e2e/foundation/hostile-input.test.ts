import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD_ENV, exec, parseError, PLUGINS, STANDALONE } from './run.ts';

/** A config whose unknown key nests arrays `depth` deep. */
const deep = (type: string, depth: number): string =>
  `{"cniVersion":"1.1.0","name":"ctscf","type":"${type}","delegate":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

describe('input no plugin may choke on: one JSON error, never a stack overflow', () => {
  for (const plugin of PLUGINS) {
    it(`${plugin}: JSON nested 100,000 deep is code 6 "cannot decode"`, () => {
      const r = exec(STANDALONE.argv(plugin), ADD_ENV, deep(plugin, 100_000));
      expect(parseError(r)).toMatchObject({ code: 6, msg: 'error parsing network configuration from stdin: cannot decode JSON nested 100002 levels deep (at most 10000)' });
      expect(r.stderr).toBe('');
    });

    it(`${plugin}: an interface name that would end an nft command (";") is code 4`, () => {
      const r = exec(STANDALONE.argv(plugin), { ...ADD_ENV, CNI_IFNAME: 'e;flush' }, JSON.stringify({ cniVersion: '1.1.0', name: 'ctscf', type: plugin }));
      expect(parseError(r)).toMatchObject({ code: 4, msg: expect.stringContaining('invalid CNI_IFNAME "e;flush": contains a character an nft or iptables-restore script treats specially') });
    });

    it(`${plugin}: a 10,000-character container id is code 4, without echoing it`, () => {
      const r = exec(STANDALONE.argv(plugin), { ...ADD_ENV, CNI_CONTAINERID: 'a'.repeat(10_000) }, JSON.stringify({ cniVersion: '1.1.0', name: 'ctscf', type: plugin }));
      expect(parseError(r)).toMatchObject({ code: 4, msg: 'invalid CNI_CONTAINERID: 10000 characters, at most 220 (it is part of state file names)' });
      expect(r.stderr).toBe('');
    });
  }
});

// Refusals that must come before anything is made: each runs ADD from a private node namespace
// into a pod namespace with a private state dir, and afterwards both namespaces hold only their
// loopback (no bridge on the node, no veth in the pod) and the dir is empty.
describe('bad config values are refused before any side effect', () => {
  const ns = new NetnsFixture('cf');
  let node: string;
  let pod: string;
  let dataDir: string;
  const linksIn = (path: string): string[] => ns.exec(path.split('/').pop()!, ['ip', '-o', 'link', 'show']).trim().split('\n');
  beforeAll(() => {
    node = ns.path(ns.create('node'));
    pod = ns.path(ns.create('pod'));
    dataDir = mkdtempSync(join(tmpdir(), 'ctscf-state-'));
  });
  afterAll(() => {
    ns.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ipam = () => ({ type: 'host-local', ranges: [[{ subnet: '10.99.0.0/24' }]], dataDir });
  const bridge = (extra: Record<string, unknown>) => ({ cniVersion: '1.1.0', name: 'ctscf', type: 'bridge', bridge: `${ns.prefix.slice(0, 11)}br`, ipam: ipam(), ...extra });
  const hostLocal = (extra: Record<string, unknown>) => ({ cniVersion: '1.1.0', name: 'ctscf', type: 'host-local', ipam: { ...ipam(), ...extra } });
  const portmap = (prevResult: unknown) => ({ cniVersion: '1.1.0', name: 'ctscf', type: 'portmap', runtimeConfig: { portMappings: [{ hostPort: 18482, containerPort: 80 }] }, prevResult });
  const cases: Array<[string, 'bridge' | 'host-local' | 'portmap', Record<string, unknown>, string, number, RegExp]> = [
    ['bridge ipMasqBackend ""', 'bridge', bridge({ ipMasq: true, ipMasqBackend: '' }), '', 7, /^ipMasqBackend: must be one of "iptables", "nftables", not ""$/],
    ['bridge ipam type ""', 'bridge', bridge({ ipam: { type: '' } }), '', 7, /^ipam\.type: must be a plugin executable name, not ""$/],
    ['bridge runtimeConfig.mac of all zeros', 'bridge', bridge({ runtimeConfig: { mac: '00:00:00:00:00:00' } }), '', 7, /^runtimeConfig\.mac: 00:00:00:00:00:00 is all zeros/],
    ['bridge runtimeConfig.mac multicast', 'bridge', bridge({ runtimeConfig: { mac: '01:00:5e:00:00:01' } }), '', 7, /^runtimeConfig\.mac: 01:00:5e:00:00:01 is a multicast address/],
    ['bridge CNI_ARGS ";;;"', 'bridge', bridge({}), ';;;', 4, /^CNI_ARGS: invalid pair ""/],
    ['host-local CNI_ARGS ";;;"', 'host-local', hostLocal({}), ';;;', 4, /^CNI_ARGS: invalid pair ""/],
    ['host-local a duplicate IP=', 'host-local', hostLocal({}), 'IP=10.99.0.5;IP=10.99.0.6', 4, /^CNI_ARGS: "IP" is given twice$/],
    ['host-local subnet 0.0.0.0/0', 'host-local', hostLocal({ ranges: [[{ subnet: '0.0.0.0/0' }]] }), '', 7, /^ipam\.ranges\[0\]\[0\]\.subnet: 0\.0\.0\.0\/0 is every address/],
    ['host-local subnet ::/0', 'host-local', hostLocal({ ranges: undefined, subnet: '::/0' }), '', 7, /^ipam\.subnet: ::\/0 is every address/],
    ['host-local 10,000 range sets', 'host-local', hostLocal({ ranges: Array.from({ length: 10_000 }, (_, i) => [{ subnet: `10.${i >> 8}.${i & 255}.0/24` }]) }), '', 7, /^ipam\.ranges: 10000 entries, at most 256$/],
    ['portmap a prevResult with a bad address', 'portmap', portmap({ cniVersion: '1.1.0', ips: [{ address: '10.99.0.300/24' }] }), '', 6, /^invalid prevResult: result\.ips\[0\]\.address: "10\.99\.0\.300\/24" is not/],
    ['portmap a prevResult of cniVersion 9.9.9', 'portmap', portmap({ cniVersion: '9.9.9', ips: [{ address: '10.99.0.3/24' }] }), '', 6, /^invalid prevResult: result\.cniVersion: "9\.9\.9"/],
    ['portmap 100,000 port mappings', 'portmap', { ...portmap({ cniVersion: '1.1.0', ips: [{ address: '10.99.0.3/24' }] }), runtimeConfig: { portMappings: Array(100_000).fill({ hostPort: 18483, containerPort: 80 }) } }, '', 7, /^runtimeConfig\.portMappings: 100000 entries, at most 4096$/],
  ];

  for (const [what, plugin, config, cniArgs, code, msg] of cases) {
    it(`${what}: code ${code} naming the field, nothing made`, () => {
      const argv: [string, ...string[]] = ['nsenter', `--net=${node}`, '--', ...STANDALONE.argv(plugin)];
      const r = exec(argv, { ...ADD_ENV, CNI_NETNS: pod, CNI_CONTAINERID: 'ctscf-1', CNI_ARGS: cniArgs }, JSON.stringify(config));
      const err = parseError(r);
      expect(err.code).toBe(code);
      expect(err.msg).toMatch(msg);
      expect(r.stderr).toBe('');
      expect(linksIn(node)).toHaveLength(1);
      expect(linksIn(pod)).toHaveLength(1);
      expect(readdirSync(dataDir)).toEqual([]);
    });
  }
});
