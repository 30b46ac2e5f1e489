import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cnictlIn, DIST_BIN } from '../lib/exec.ts';
import { DataDir } from './lib.ts';

// host-local as the only plugin of a list, driven by cnictl as a runtime would (result cache,
// capability args, GC with valid attachments, STATUS). host-local never enters the namespaces,
// but they are real so that cnictl sees what it would on a node.
let data: DataDir;
let ns: NetnsFixture;
beforeEach(() => {
  data = new DataDir();
  ns = new NetnsFixture('hl');
});
afterEach(() => {
  ns.cleanup();
  data.cleanup();
});

function writeList(subnet: string): void {
  const confDir = join(data.path, 'net.d');
  mkdirSync(confDir, { recursive: true });
  const list = {
    cniVersion: '1.1.0',
    name: 'hlctl',
    plugins: [{ type: 'host-local', capabilities: { ips: true, ipRanges: true }, ipam: { type: 'host-local', dataDir: join(data.path, 'ipam'), ranges: [[{ subnet }]] } }],
  };
  writeFileSync(join(confDir, 'hl.conflist'), JSON.stringify(list));
}

const run = (...args: string[]) => cnictlIn(undefined, [...args, '--conf-dir', join(data.path, 'net.d'), '--cni-path', DIST_BIN, '--cache-dir', join(data.path, 'cache')]);

describe('host-local through cnictl', () => {
  it('ADD with capability ips, CHECK, GC of attachments no longer valid (and of leaked files), DEL', () => {
    writeList('10.90.0.0/24');
    const pods = ['a', 'b', 'c'].map((n) => ns.path(ns.create(n)));
    const a = run('add', 'hlctl', pods[0]!, '--container-id', 'pod-a', '--cap-args', '{"ips":["10.90.0.42"]}');
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).ips).toEqual([{ address: '10.90.0.42/24', gateway: '10.90.0.1' }]);
    for (const [i, id] of [[1, 'pod-b'], [2, 'pod-c']] as const) expect(run('add', 'hlctl', pods[i]!, '--container-id', id).code).toBe(0);
    expect(run('check', 'hlctl', pods[0]!, '--container-id', 'pod-a').code).toBe(0);

    writeFileSync(join(data.path, 'ipam', 'hlctl', '10.90.0.200'), 'leaked-pod\r\neth0'); // a DEL that never came
    const gc = run('gc', 'hlctl', '--valid-attachments', '[{"containerID":"pod-a","ifname":"eth0"}]');
    expect(gc.code, gc.stderr).toBe(0);
    expect(data.reservations(join('ipam', 'hlctl'))).toEqual({ '10.90.0.42': 'pod-a\r\neth0' });

    expect(run('del', 'hlctl', pods[0]!, '--container-id', 'pod-a').code).toBe(0);
    expect(data.reservations(join('ipam', 'hlctl'))).toEqual({});
  });

  it('STATUS turns not-ready when the range is full', () => {
    writeList('10.91.0.0/30'); // one usable address
    expect(run('status', 'hlctl').code).toBe(0);
    expect(run('add', 'hlctl', ns.path(ns.create('a')), '--container-id', 'pod-a').code).toBe(0);
    const full = run('status', 'hlctl');
    expect(full.code).not.toBe(0);
    expect(full.stdout + full.stderr).toContain('range set 0 (10.91.0.0/30) has no free address: 1 of 1 reserved');
  });
});
