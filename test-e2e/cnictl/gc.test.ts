import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inNetns } from '../lib/exec.ts';
import { Workspace } from '../lib/workspace.ts';
import { addresses } from './helpers.ts';

// A safe GC: it refuses to guess which pods are live, shows first what would go, and counts what
// the plugins released, including state leaked with no cached attachment left to DEL.
let ns: NetnsFixture;
let ws: Workspace;
let node: string;
let pods: string[];

beforeEach(() => {
  ns = new NetnsFixture('op');
  ws = new Workspace('ctsop-gc-');
  node = ns.path(ns.create('node'));
  pods = ['a', 'b', 'c'].map((p) => ns.path(ns.create(p)));
});
afterEach(() => {
  ns.cleanup();
  ws.remove();
});

const list = {
  cniVersion: '1.1.0',
  name: 'gcnet',
  plugins: [
    { type: 'bridge', bridge: 'ctsopbr0', isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.79.0.0/24' }]] } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
};
const run = (...args: string[]) => ws.cnictl(node, args);
const reserved = (): string[] => readdirSync(join(ws.dataDir, 'gcnet')).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
const natRules = (): string => inNetns(node, ['iptables-save', '-t', 'nat']).stdout;
const ports = (port: number) => JSON.stringify({ portMappings: [{ hostPort: port, containerPort: 80, protocol: 'tcp' }] });

describe('cnictl gc', () => {
  it('refuses without a valid set, dry-runs, then counts the IPs, rule sets and cached results released', () => {
    const l = { ...list, plugins: [{ ...list.plugins[0], ipam: { ...list.plugins[0]!.ipam, dataDir: ws.dataDir } }, list.plugins[1]] };
    ws.writeList('10-gc.conflist', l);
    pods.forEach((pod, i) => expect(run('add', 'gcnet', pod, '--container-id', `pod${i}`, '--cap-args', ports(18000 + i)).code).toBe(0));
    // pod2's cache entry is lost (as after a runtime's state loss): its IP and rules leak
    rmSync(join(ws.cacheDir, 'results', 'gcnet-pod2-eth0'));

    const refused = run('gc', 'gcnet');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/without a valid set it would DEL all 2 cached attachment\(s\) of network "gcnet", running pods included/);
    expect(refused.stderr).toContain('--all-stale');
    expect(reserved()).toHaveLength(3);

    const valid = JSON.stringify([{ containerID: 'pod0', ifname: 'eth0' }]);
    const dry = run('gc', 'gcnet', '--dry-run', '--valid-attachments', valid);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would DEL pod1/eth0');
    expect(dry.stdout).toMatch(/would release IP 10\.79\.0\.\d+ \(pod2\/eth0\)/);
    expect(dry.stdout).toMatch(/would remove masquerade rules iptables CNI-[0-9a-f]{24} \(pod2\)/);
    expect(dry.stdout).toMatch(/would remove hostport rules iptables CNI-DN-\w+ \(pod2\)/);
    expect(dry.stdout).toContain('dry run, nothing changed: GC would release 2 IP(s), 4 rule set(s), 0 saved config(s), 1 cached result(s); 1 kept valid');
    expect(reserved()).toHaveLength(3);
    expect(addresses(pods[1]!, 'eth0')).toHaveLength(1);

    const gc = run('gc', 'gcnet', '--valid-attachments', valid);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toContain('deleted stale attachment pod1/eth0');
    expect(gc.stdout).toContain('GC done: 1 stale attachment(s) deleted; released 2 IP(s), 4 rule set(s), 0 saved config(s), 1 cached result(s); 1 kept valid');
    expect(reserved()).toHaveLength(1);
    expect(natRules()).toContain('id: \\"pod0\\"');
    expect(natRules()).not.toMatch(/id: \\"pod[12]\\"/);

    const all = run('gc', 'gcnet', '--all-stale');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('GC done: 1 stale attachment(s) deleted; released 1 IP(s), 2 rule set(s), 0 saved config(s), 1 cached result(s); 0 kept valid');
    expect(reserved()).toEqual([]);
  });

  it('refuses --all-stale together with a valid set', () => {
    ws.writeList('10-gc.conflist', list);
    const r = run('gc', 'gcnet', '--all-stale', '--valid-attachments', '[]');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give --valid-attachments or --all-stale, not both');
  });
});
