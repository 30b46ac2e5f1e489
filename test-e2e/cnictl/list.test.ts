import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../lib/workspace.ts';

// `cnictl list`: the result cache and host-local's reservations side by side, so a leaked
// address (reserved, nothing cached) and a stale attachment (its netns gone) stand out.
let ns: NetnsFixture;
let ws: Workspace;
let node: string;

beforeAll(() => {
  ns = new NetnsFixture('op');
  ws = new Workspace('ctsop-list-');
  node = ns.path(ns.create('node'));
  const pods = ['a', 'b', 'c'].map((p) => ns.path(ns.create(p)));
  ws.writeList('10-l.conflist', {
    cniVersion: '1.1.0',
    name: 'lnet',
    plugins: [{ type: 'bridge', bridge: 'ctsopbr1', isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.81.0.0/29' }]], dataDir: ws.dataDir } }],
  });
  pods.forEach((pod, i) => expect(ws.cnictl(node, ['add', 'lnet', pod, '--container-id', `pod${i}`]).code).toBe(0));
  rmSync(join(ws.cacheDir, 'results', 'lnet-pod1-eth0')); // leaked: reserved, not cached
  execFileSync('ip', ['netns', 'delete', basename(pods[2]!)]); // stale: cached, its netns gone
});
afterAll(() => {
  ns.cleanup();
  ws.remove();
});

interface Listed {
  network: string;
  ranges: Array<{ ranges: string; used: number; free: number }>;
  attachments: Array<{ containerId: string; ifName?: string; cached: boolean; netnsExists?: boolean; ips: string[]; reserved: string[]; ruleSets: number }>;
}

describe('cnictl list', () => {
  it('--json: one entry per attachment with what the cache and the store each hold', () => {
    const r = ws.cnictl(node, ['list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [net] = JSON.parse(r.stdout) as Listed[];
    expect(net!.network).toBe('lnet');
    expect(net!.ranges).toEqual([{ ranges: '10.81.0.0/29', used: 3, free: 2 }]);
    const by = Object.fromEntries(net!.attachments.map((a) => [a.containerId, a]));
    expect(by.pod0).toMatchObject({ ifName: 'eth0', cached: true, netnsExists: true, ruleSets: 1 });
    expect(by.pod0!.ips.map((ip) => ip.split('/')[0])).toEqual(by.pod0!.reserved);
    expect(by.pod1).toMatchObject({ cached: false, ips: [], ruleSets: 1 });
    expect(by.pod1!.reserved).toHaveLength(1);
    expect(by.pod2).toMatchObject({ cached: true, netnsExists: false });
  });

  it('as a table, naming the leaked and the stale, without colour into a pipe', () => {
    const r = ws.cnictl(node, ['list', 'lnet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('range 10.81.0.0/29: 3 used, 2 free');
    expect(r.stdout).toMatch(/pod1 +eth0 +- +- +10\.81\.0\.\d +1 +leaked: no cached attachment/);
    expect(r.stdout).toMatch(/pod2 +eth0 +\/run\/netns\/\S+ +10\.81\.0\.\d\/29 .*stale: netns gone/);
    expect(r.stdout).not.toContain('\x1b[');
    expect(ws.cnictl(node, ['list', 'nope']).stderr).toContain('no network named "nope"');
  });
});
