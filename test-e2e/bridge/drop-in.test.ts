// Drop-in details of bridge, through the built executables in a node namespace: two interfaces of
// one container sharing the masquerade chain, a container id too long for an iptables comment,
// iproute2's `bridge` when our `bridge` comes first on PATH, and IPv4 broadcast addresses as the
// reference sets them.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIST_BIN } from '../lib/exec.ts';
import { BridgeLab, GO, kernelHasVlanFiltering, OURS, resultIps, V4 } from './lab.ts';

const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const labs: BridgeLab[] = [];
afterEach(() => {
  for (const l of labs.splice(0)) l.cleanup();
});
const newLab = (plugins = OURS): BridgeLab => {
  const lab = new BridgeLab(plugins, 'fh');
  labs.push(lab);
  return lab;
};

const chain = (net: string, cid: string) => `CNI-${createHash('sha512').update(net + cid).digest('hex').slice(0, 24)}`;
/** The POSTROUTING jumps to `ch`, by source address. */
const jumps = (nat: string, ch: string): string[] =>
  nat
    .split('\n')
    .filter((l) => l.startsWith('-A POSTROUTING ') && l.endsWith(`-j ${ch}`))
    .map((l) => / -s (\S+)/.exec(l)![1]!)
    .sort();

describe('two interfaces of one container on one network share the masquerade chain', () => {
  it('a failed ADD of eth1 and every kind of DEL of eth1 leave what eth0 needs; the chain goes with the last jump', () => {
    const lab = newLab();
    const conf = lab.conf('1.1.0', V4, { isGateway: true, ipMasq: true });
    const pod = lab.pod('p1');
    const ch = chain('e2enet', 'c1');
    lab.add(conf, { containerId: 'c1', netns: pod, ifName: 'eth0' });
    expect(jumps(lab.natRules(), ch)).toEqual(['10.88.0.2/32']);

    // eth1 fails after its masquerade rules went in: a link of that name is already in the pod.
    lab.inPod(pod, ['ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1peer']);
    const failed = lab.run('ADD', conf, { containerId: 'c1', netns: pod, ifName: 'eth1' });
    expect(failed.code).not.toBe(0);
    expect(jumps(lab.natRules(), ch)).toEqual(['10.88.0.2/32']);
    expect(lab.natRules()).toContain(`-A ${ch} ! -d 224.0.0.0/4`);
    lab.inPod(pod, ['ip', 'link', 'del', 'eth1']);

    // DEL of eth1 with its prevResult, then (after a new ADD) without one: eth0's jump stays.
    const r1 = lab.add(conf, { containerId: 'c1', netns: pod, ifName: 'eth1' });
    expect(jumps(lab.natRules(), ch)).toEqual(['10.88.0.2/32', `${resultIps(r1)[0]}/32`].sort());
    expect(lab.run('DEL', { ...conf, prevResult: r1 }, { containerId: 'c1', netns: pod, ifName: 'eth1' }).code).toBe(0);
    expect(jumps(lab.natRules(), ch)).toEqual(['10.88.0.2/32']);
    lab.add(conf, { containerId: 'c1', netns: pod, ifName: 'eth1' });
    expect(lab.run('DEL', conf, { containerId: 'c1', netns: pod, ifName: 'eth1' }).code).toBe(0);
    expect(jumps(lab.natRules(), ch)).toEqual(['10.88.0.2/32']);
    expect(lab.natRules()).toContain(`:${ch} `);

    // The last interface's DEL takes the chain.
    expect(lab.run('DEL', conf, { containerId: 'c1', netns: pod, ifName: 'eth0' }).code).toBe(0);
    expect(lab.natRules()).not.toContain(ch);
    expect(lab.reserved()).toEqual([]);
  });

  it('with the namespace gone, DEL of one interface removes every jump of the container (both interfaces died with it)', () => {
    const lab = newLab();
    const conf = lab.conf('1.1.0', V4, { ipMasq: true });
    const pod = lab.pod('p1');
    lab.add(conf, { containerId: 'c1', netns: pod, ifName: 'eth0' });
    lab.add(conf, { containerId: 'c1', netns: pod, ifName: 'eth1' });
    execFileSync('ip', ['netns', 'delete', pod.split('/').pop()!]);
    expect(lab.run('DEL', conf, { containerId: 'c1', netns: pod, ifName: 'eth1' }).code).toBe(0);
    expect(lab.natRules()).not.toContain(chain('e2enet', 'c1'));
    expect(lab.run('DEL', conf, { containerId: 'c1', netns: pod, ifName: 'eth0' }).code).toBe(0);
    expect(lab.reserved()).toEqual([]);
  });
});

describe('a container id too long for an iptables comment', () => {
  it('ADD cuts the comment to 255 bytes as portmap does, the chain keeps the reference name, DEL and GC find it', () => {
    const lab = newLab();
    // Container ids go up to 220 characters: with this network name the comment would be 269 bytes.
    const net = 'e2e-network-with-a-long-name-0123';
    const id = `c${'0123456789abcdef'.repeat(14)}`.slice(0, 220);
    const conf = lab.conf('1.1.0', V4, { name: net, ipMasq: true });
    const pod = lab.pod('p1');
    const add = lab.run('ADD', conf, { containerId: id, netns: pod });
    expect(add.code, add.stdout + add.stderr).toBe(0);
    const nat = lab.natRules();
    const ch = chain(net, id);
    expect(jumps(nat, ch)).toEqual(['10.88.0.2/32']);
    const comment = /--comment "((?:[^"\\]|\\.)*)"/.exec(nat.split('\n').find((l) => l.includes(`-j ${ch}`))!)![1]!.replace(/\\"/g, '"');
    expect(comment).toHaveLength(255);
    expect(comment).toBe(`name: "${net}" id: "${id}`.slice(0, 252) + '...');

    // GC with the attachment still valid keeps it; without, removes it; DEL after is clean.
    const gc = (valid: Array<{ containerID: string; ifname: string }>) => lab.run('GC', { ...conf, 'cni.dev/valid-attachments': valid });
    expect(gc([{ containerID: id, ifname: 'eth0' }]).code).toBe(0);
    expect(lab.natRules()).toContain(ch);
    expect(gc([]).code).toBe(0);
    expect(lab.natRules()).not.toContain(ch);
    expect(lab.run('DEL', conf, { containerId: id, netns: pod }).code).toBe(0);
  });
});

describe("iproute2's `bridge` is never a CNI plugin found first on PATH", () => {
  it('the lab programs its VXLAN forwarding (`bridge fdb`) with dist/bin first on PATH', () => {
    const prefix = `ctsfh${randomBytes(3).toString('hex')}`;
    const stateDir = mkdtempSync(join(tmpdir(), 'ctsfh-lab-'));
    const cnictl = (args: string[]) =>
      spawnSync(join(DIST_BIN, 'cnictl'), ['lab', ...args, '--state-dir', stateDir], { encoding: 'utf8', env: { ...process.env, PATH: `${DIST_BIN}:${SYSTEM_PATH}` } });
    try {
      const up = cnictl(['up', '--nodes', '2', '--pods-per-node', '1', '--prefix', prefix]);
      expect(up.status, up.stderr).toBe(0);
      const fdb = execFileSync('ip', ['netns', 'exec', `${prefix}-node1`, 'bridge', 'fdb', 'show', 'dev', 'flannel.1'], { encoding: 'utf8' });
      expect(fdb).toMatch(/ dst 192\.168\.100\.12 self permanent/);
    } finally {
      cnictl(['down']);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!kernelHasVlanFiltering())("bridge's VLAN ports are programmed with the plugin directory first on PATH", () => {
    const lab = newLab();
    const conf = lab.conf('1.1.0', V4, { vlan: 10 });
    const pod = lab.pod('p1');
    const r = lab.run('ADD', conf, { containerId: 'c1', netns: pod, env: { PATH: `${lab.bin}:${SYSTEM_PATH}` } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const hostVeth = (r.json!.interfaces as Array<{ name: string }>)[1]!.name;
    const vlans = JSON.parse(lab.inNode(['bridge', '-json', 'vlan', 'show', 'dev', hostVeth])) as Array<{ vlans: Array<{ vlan: number; flags?: string[] }> }>;
    expect(vlans[0]!.vlans).toEqual([{ vlan: 10, flags: ['PVID', 'Egress Untagged'] }]);
  });
});

describe('IPv4 broadcast addresses, as the reference sets them', () => {
  it('the pod and the bridge get the same `brd` from ours as from the reference', () => {
    const brd = (plugins: typeof OURS) => {
      const lab = newLab(plugins);
      const pod = lab.pod('p1');
      lab.add(lab.conf('1.0.0', [[{ subnet: '10.88.0.0/22' }]], { isGateway: true }), { containerId: 'c1', netns: pod });
      const v4 = (json: string) =>
        (JSON.parse(json) as Array<{ addr_info: Array<{ family: string; local: string; prefixlen: number; broadcast?: string }> }>)[0]!.addr_info
          .filter((a) => a.family === 'inet')
          .map(({ local, prefixlen, broadcast }) => ({ local, prefixlen, broadcast }));
      return {
        pod: v4(lab.inPod(pod, ['ip', '-json', 'addr', 'show', 'dev', 'eth0'])),
        bridge: v4(lab.inNode(['ip', '-json', 'addr', 'show', 'dev', lab.bridgeName])),
      };
    };
    const ours = brd(OURS);
    expect(ours).toEqual(brd(GO));
    expect(ours.pod[0]).toMatchObject({ local: '10.88.0.2', broadcast: '10.88.3.255' });
    expect(ours.bridge[0]).toMatchObject({ local: '10.88.0.1', broadcast: '10.88.3.255' });
  });
});

