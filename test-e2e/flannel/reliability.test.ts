// dist/bin/flannel under races and broken state: GC running while ADDs run, temp files of a
// killed ADD, a directory where a saved config goes, CNI_IFNAME=lo, relative paths; and
// FLANNEL_IPV6_MASQ.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIST_BIN, inNetns, startPlugin } from '../lib/exec.ts';
import { FlannelNode, V4_ENV } from './lib.ts';

let n: FlannelNode;
beforeEach(() => {
  n = new FlannelNode('rl');
  n.writeSubnetEnv(V4_ENV);
});
afterEach(() => n.cleanup());

const conf = () => n.config({ cniVersion: '1.1.0', delegate: { bridge: `${n.ns.prefix}br` } });
const noTrace = (out: { stdout: string; stderr: string }): void => expect(out.stdout + out.stderr).not.toMatch(/\n\s+at /);

describe('flannel GC while ADDs run', () => {
  // Every ADD in flight is in valid-attachments, so GC must not disturb any of them. Before the
  // fix, GC's sweep took the temp file an ADD was about to rename (~10 % of ADDs failed, code 5).
  it('never fails an ADD: 6 rounds of 6 concurrent ADDs, each with GCs running throughout', async () => {
    const ROUNDS = 6;
    const PER_ROUND = 6;
    const ids = Array.from({ length: ROUNDS * PER_ROUND }, (_, i) => `ctr${i}`);
    const valid = ids.map((containerID) => ({ containerID, ifname: 'eth0' }));
    const gcConf = { ...conf(), 'cni.dev/valid-attachments': valid };
    const run = (call: Parameters<FlannelNode['run']>[0]) =>
      startPlugin(join(DIST_BIN, 'flannel'), { ...call, netns: call.pod ? n.ns.path(call.pod) : '', inNetns: n.ns.path(n.node) }).done;
    const failures: string[] = [];
    let gcs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const batch = ids.slice(round * PER_ROUND, (round + 1) * PER_ROUND);
      const pods = batch.map((id) => n.pod(id));
      let adding = true;
      const gcLoop = (async () => {
        while (adding) {
          const gc = await run({ command: 'GC', config: gcConf, cniPath: DIST_BIN });
          gcs++;
          if (gc.code !== 0) failures.push(`GC: ${gc.stdout}`);
        }
      })();
      const adds = await Promise.all(batch.map((id, i) => run({ command: 'ADD', config: conf(), containerId: id, pod: pods[i], cniPath: DIST_BIN })));
      adding = false;
      await gcLoop;
      adds.forEach((a, i) => a.code !== 0 && failures.push(`ADD ${batch[i]}: ${a.stdout}`));
    }
    expect(failures).toEqual([]);
    expect(gcs).toBeGreaterThanOrEqual(ROUNDS);
    expect(n.savedFiles()).toEqual(ids.map((id) => `${id}:eth0`).sort());
    expect(n.reservations()).toHaveLength(ids.length);
    for (const id of ids) expect(n.run({ command: 'DEL', config: conf(), containerId: id, pod: `${n.ns.prefix}-${id}`, cniPath: DIST_BIN }).code).toBe(0);
    expect(n.savedFiles()).toEqual([]);
    expect(n.reservations()).toEqual([]);
  });
});

describe('flannel temp files and odd saved files', () => {
  it("DEL removes the temp files a killed ADD left for that attachment (and only those)", () => {
    mkdirSync(n.dataDir, { recursive: true });
    for (const f of ['ctr1:eth0.tmp-4242-abc123', 'ctr1:eth0.tmp-77-zz9', 'ctr2:eth0.tmp-1-a']) writeFileSync(join(n.dataDir, f), '{"type":"bri');
    // No saved file at all (killed before the rename): DEL still takes the temps.
    expect(n.run({ command: 'DEL', config: conf(), cniPath: DIST_BIN }).code).toBe(0);
    expect(n.savedFiles()).toEqual(['ctr2:eth0.tmp-1-a']);
    // With a saved file too.
    const pod = n.pod('p2');
    expect(n.run({ command: 'ADD', config: conf(), containerId: 'ctr2', pod, cniPath: DIST_BIN }).code).toBe(0);
    expect(n.run({ command: 'DEL', config: conf(), containerId: 'ctr2', pod, cniPath: DIST_BIN }).code).toBe(0);
    expect(n.savedFiles()).toEqual([]);
    expect(n.reservations()).toEqual([]);
  });

  it('ADD whose saved config cannot be renamed into place (a directory there) is code 5 and leaves nothing, not even a temp', () => {
    mkdirSync(join(n.dataDir, 'ctr1:eth0'), { recursive: true });
    writeFileSync(join(n.dataDir, 'ctr1:eth0', 'x'), '');
    const pod = n.pod('p1');
    const add = n.run({ command: 'ADD', config: conf(), pod, cniPath: DIST_BIN });
    expect(add.json).toMatchObject({ code: 5, msg: expect.stringContaining(n.dataDir) });
    noTrace(add);
    expect(n.savedFiles()).toEqual(['ctr1:eth0']);
    expect(n.reservations()).toEqual([]);
    expect(n.linkNames(pod)).toEqual(['lo']);
  });

  it.each([
    ['an empty directory', false],
    ['a directory with files in it', true],
  ])('DEL with %s where the saved config should be succeeds and releases the IP', (_what, withFile) => {
    const pod = n.pod('p1');
    expect(n.run({ command: 'ADD', config: conf(), pod, cniPath: DIST_BIN }).code).toBe(0);
    rmSync(join(n.dataDir, 'ctr1:eth0'));
    mkdirSync(join(n.dataDir, 'ctr1:eth0'));
    if (withFile) writeFileSync(join(n.dataDir, 'ctr1:eth0', 'x'), '');
    const del = n.run({ command: 'DEL', config: conf(), pod, cniPath: DIST_BIN });
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect(del.stderr).toContain('is a directory');
    noTrace(del);
    expect(n.reservations()).toEqual([]);
    expect(n.linkNames(pod)).not.toContain('eth0');
    expect(n.savedFiles()).toEqual(withFile ? ['ctr1:eth0'] : []);
    expect(n.run({ command: 'DEL', config: conf(), pod, cniPath: DIST_BIN }).code).toBe(0);
  });

  it('CNI_IFNAME=lo is code 4 before anything is saved or reserved; DEL of it succeeds', () => {
    const pod = n.pod('p1');
    const add = n.run({ command: 'ADD', config: conf(), pod, ifName: 'lo', cniPath: DIST_BIN });
    expect(add.json).toMatchObject({ code: 4, msg: expect.stringContaining('CNI_IFNAME "lo"') });
    expect(add.stderr).toBe('');
    expect(n.savedFiles()).toEqual([]);
    expect(n.reservations()).toEqual([]);
    const del = n.run({ command: 'DEL', config: conf(), pod, ifName: 'lo', cniPath: DIST_BIN });
    expect([del.code, del.stderr]).toEqual([0, '']);
  });

  it.each(['dataDir', 'subnetFile'])('a relative %s is code 7 naming it', (key) => {
    const add = n.run({ command: 'ADD', config: { ...conf(), [key]: 'relative/path' }, pod: n.pod('p1'), cniPath: DIST_BIN });
    expect(add.json).toMatchObject({ code: 7, msg: expect.stringContaining(`${key}: must be an absolute path, not "relative/path"`) });
  });
});

describe('flannel FLANNEL_IPV6_MASQ', () => {
  const V6_ONLY = 'FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00::1/64\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n';
  const saved = (): Record<string, unknown> => JSON.parse(readFileSync(join(n.dataDir, 'ctr1:eth0'), 'utf8')) as Record<string, unknown>;
  const ip6Masquerade = (): boolean => inNetns(n.ns.path(n.node), ['ip6tables-save', '-t', 'nat']).stdout.includes('-j MASQUERADE');

  it.each([
    ['true: flanneld masquerades IPv6, the delegate does not', 'true', false],
    ['false: the delegate masquerades IPv6 itself, although FLANNEL_IPMASQ=true', 'false', true],
  ])('FLANNEL_IPV6_MASQ=%s', (_what, value, delegateMasq) => {
    n.writeSubnetEnv(`${V6_ONLY}FLANNEL_IPV6_MASQ=${value}\n`);
    const pod = n.pod('p1');
    const add = n.run({ command: 'ADD', config: conf(), pod, cniPath: DIST_BIN });
    expect(add.code, add.stdout + add.stderr).toBe(0);
    expect(saved().ipMasq).toBe(delegateMasq);
    expect(ip6Masquerade()).toBe(delegateMasq);
    expect(n.run({ command: 'DEL', config: conf(), pod, cniPath: DIST_BIN }).code).toBe(0);
    expect(ip6Masquerade()).toBe(false);
  });
});
