import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeNode, named } from './fake-node.ts';

// `doctor --active`: throwaway pods through the node's default list, real traffic between them
// (gateway, pod to pod, hostPort, hairpin), then DEL and the proof that nothing is left.
let node: FakeNode;
beforeEach(() => {
  node = new FakeNode();
});
afterEach(() => node.remove());

const list = (hairpinMode: boolean) => ({
  cniVersion: '1.1.0',
  name: 'anet',
  plugins: [
    { type: 'bridge', bridge: node.bridge, isGateway: true, ipMasq: true, hairpinMode, ipam: { type: 'host-local', ranges: [[{ subnet: '10.84.0.0/24' }]], dataDir: node.dataDir } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
});
const throwaway = (): string[] => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('cnictl-doctor-'));

describe('cnictl doctor --active', () => {
  it('gateway, pod to pod, hostPort and hairpin all pass, and after DEL nothing is left', () => {
    node.writeList('10-a.conflist', list(true));
    const before = throwaway();
    const { findings } = node.doctor(['--active']);
    const active = findings.filter((f) => f.check.startsWith('active'));
    expect(active.map((f) => [f.check, f.severity])).toEqual([
      ['active add', 'ok'],
      ['active gateway', 'ok'],
      ['active pod to pod', 'ok'],
      ['active hostPort', 'ok'],
      ['active hairpin', 'ok'],
      ['active cleanup', 'ok'],
    ]);
    expect(named(findings, 'active hostPort')[0]!.message).toMatch(/pod -> 10\.84\.0\.1:\d+ -> pod 10\.84\.0\.\d+:80/);
    expect(readdirSync(join(node.dataDir, 'anet')).filter((f) => /^\d/.test(f))).toEqual([]);
    expect(node.sh('iptables-save', '-t', 'nat')).not.toContain('cnictl-doctor-');
    expect(throwaway()).toEqual(before);
  });

  it('without hairpinMode the hairpin is named with its fix', () => {
    node.writeList('10-a.conflist', list(false));
    const { findings } = node.doctor(['--active']);
    expect(named(findings, 'active hostPort')[0]!.severity).toBe('ok');
    expect(named(findings, 'active hairpin')[0]).toMatchObject({ severity: 'warn', fix: expect.stringContaining('"hairpinMode": true') });
    expect(named(findings, 'active cleanup')[0]!.severity).toBe('ok');
  });
});
