// The plugins that work inside CNI_NETNS (bridge, flannel, loopback) refuse a path that is not a network
// namespace before any side effect, and a DEL with one still succeeds.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { DIST_BIN, inNetns, runPlugin } from '../lib/exec.ts';

const ns = new NetnsFixture('rl');
let node: string;
let dir: string;
beforeAll(() => {
  node = ns.path(ns.create('node'));
  dir = mkdtempSync(join(tmpdir(), 'ctsrl-netns-'));
});
afterAll(() => {
  ns.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const ipam = () => ({ type: 'host-local', dataDir: join(dir, 'ipam'), ranges: [[{ subnet: '10.78.0.0/24' }]] });
const CONFIGS = {
  bridge: () => ({ cniVersion: '1.1.0', name: 'ctsrlnet', type: 'bridge', bridge: `${ns.prefix}br`, ipam: ipam() }),
  loopback: () => ({ cniVersion: '1.1.0', name: 'ctsrlnet', type: 'loopback' }),
  flannel: () => ({ cniVersion: '1.1.0', name: 'ctsrlnet', type: 'flannel', subnetFile: join(dir, 'subnet.env'), dataDir: join(dir, 'flannel'), ipam: { dataDir: join(dir, 'ipam') } }),
};
const leftovers = (): string[] => ['ipam', 'flannel'].flatMap((d) => (existsSync(join(dir, d)) ? readdirSync(join(dir, d), { recursive: true }).map(String) : []));

describe.each(Object.keys(CONFIGS) as (keyof typeof CONFIGS)[])('dist/bin/%s with a CNI_NETNS that is not a network namespace', (plugin) => {
  it.each([
    ['/etc/hostname', 'is not a network namespace: it is an ordinary file'],
    ['/dev/null', 'is not a network namespace: it is a character device'],
    ['/proc/self/ns/mnt', 'is not a network namespace: it is a mnt namespace'],
    ['/run/netns/ctsrl-does-not-exist', 'does not exist'],
  ])('%s: ADD and CHECK are code 8 naming the path, nothing made', (path, why) => {
    for (const command of ['ADD', 'CHECK'] as const) {
      const out = runPlugin(join(DIST_BIN, plugin), { command, config: CONFIGS[plugin](), netns: path, inNetns: node });
      expect(out.json).toEqual({ cniVersion: '1.1.0', code: 8, msg: `CNI_NETNS ${path} ${why}` });
      expect(out.stderr).toBe('');
    }
    expect(leftovers()).toEqual([]);
    expect(inNetns(node, ['ip', '-br', 'link']).stdout).not.toContain(`${ns.prefix}br`);
  });

  it('DEL with such a path succeeds, saying why it deletes as for a gone namespace', () => {
    const out = runPlugin(join(DIST_BIN, plugin), { command: 'DEL', config: CONFIGS[plugin](), netns: '/etc/hostname', inNetns: node });
    expect(out.code, out.stdout).toBe(0);
    expect(out.stderr).toContain('CNI_NETNS /etc/hostname is not a network namespace (it is an ordinary file)');
  });
});
