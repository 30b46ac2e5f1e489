// The linux-arm64 executable of the release, run under qemu-user on an x86_64 machine (natively
// on arm64). qemu-user passes system calls through to this kernel: the plugins' namespaces,
// links and addresses are real. Its netlink emulation carries NETLINK_ROUTE (and a few others)
// but not NETLINK_NETFILTER, so there the nftables probe cannot open its socket and the plugins
// fall back to the nft/iptables commands, as they do wherever nfnetlink is unavailable.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inNetns, REPO_ROOT, runPlugin, type PluginCall, type PluginOutput } from '../lib/exec.ts';
import { BridgeLab, V4 } from '../bridge/lab.ts';
import { aboutLine, ADD_ENV, BAD_INPUT, config, exec, parseError, SUPPORTED } from '../foundation/run.ts';
import { arm64Argv, extract, PLUGIN_NAMES, tarballOf } from './lib.ts';

let dir = '';
beforeAll(() => {
  dir = extract(tarballOf('arm64'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A plugin call of an arm64 executable (a path), as lib/exec.ts makes it for any plugin. */
const call = (exe: string, c: PluginCall): PluginOutput => {
  const [cmd, ...args] = arm64Argv(exe);
  return runPlugin(cmd, c, args);
};

describe('every program name', () => {
  for (const plugin of PLUGIN_NAMES) {
    it(`${plugin} answers VERSION and prints its about line`, () => {
      const v = exec(arm64Argv(join(dir, plugin)), { CNI_COMMAND: 'VERSION' });
      expect(v).toMatchObject({ status: 0, stderr: '' });
      expect(JSON.parse(v.stdout)).toEqual({ cniVersion: '1.1.0', supportedVersions: SUPPORTED });
      const about = exec(arm64Argv(join(dir, plugin)), { PATH: ADD_ENV.PATH });
      expect(about.stderr.split('\n')[0]).toBe(aboutLine(plugin));
    });
  }

  it('cnictl answers version', () => {
    const r = exec([...arm64Argv(join(dir, 'cnictl')), 'version'], { PATH: ADD_ENV.PATH }, '', REPO_ROOT);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cnictl \S+ \(cni-ts\); CNI versions /);
  });
});

// The matrix is the dispatcher's, the same code under every name (foundation/cli.test.ts runs it
// under each name natively); under qemu a call costs ~0.5 s of CPU, so it runs in full under one
// name and its first case under the others.
describe('the bad-input matrix', () => {
  const refused = (plugin: string, c: (typeof BAD_INPUT)[number]): void => {
    const r = exec(arm64Argv(join(dir, plugin)), { ...ADD_ENV, ...c.env }, c.stdin ?? config({ type: plugin }));
    const err = parseError(r);
    expect({ what: c.what, code: err.code }).toEqual({ what: c.what, code: c.code });
    expect(err.msg, c.what).toMatch(c.msg);
    expect(r.stderr, c.what).toBe('');
  };

  // 17 calls of ~0.5 s CPU each under qemu: minutes when the machine is busy.
  it('bridge: one JSON error with the right code for each', () => {
    for (const c of BAD_INPUT) refused('bridge', c);
  }, 300_000);

  for (const plugin of PLUGIN_NAMES.filter((p) => p !== 'bridge')) {
    it(`${plugin}: ${BAD_INPUT[0]!.what}`, () => refused(plugin, BAD_INPUT[0]!));
  }
});

describe('host-local', () => {
  it('ADD reserves an address in a private dataDir, DEL releases it', () => {
    const data = mkdtempSync(join(tmpdir(), 'cni-ts-arm64-hl-'));
    try {
      const conf = { cniVersion: '1.1.0', name: 'arm64net', type: 'host-local', ipam: { type: 'host-local', dataDir: data, ranges: [[{ subnet: '10.66.0.0/28' }]] } };
      const c = { config: conf, containerId: 'arm64-hl-1', netns: '/run/netns/cni-ts-arm64-none' };
      const add = call(join(dir, 'host-local'), { command: 'ADD', ...c });
      expect(add.code, add.stdout + add.stderr).toBe(0);
      expect(add.json).toMatchObject({ cniVersion: '1.1.0', ips: [{ address: '10.66.0.2/28', gateway: '10.66.0.1' }] });
      expect(readFileSync(join(data, 'arm64net', '10.66.0.2'), 'utf8')).toBe('arm64-hl-1\r\neth0');
      const del = call(join(dir, 'host-local'), { command: 'DEL', ...c });
      expect(del.code, del.stdout + del.stderr).toBe(0);
      expect(readdirSync(join(data, 'arm64net')).filter((f) => /^\d/.test(f))).toEqual([]);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('bridge + host-local in a private node namespace', () => {
  let lab: BridgeLab;
  beforeAll(() => {
    lab = new BridgeLab({ bridge: join(dir, 'bridge'), hostLocal: join(dir, 'host-local') });
  });
  afterAll(() => lab?.cleanup());

  it('ADD wires a pod onto the bridge, CHECK agrees, DEL takes it all away', () => {
    const pod = lab.pod('pod');
    const conf = lab.conf('1.1.0', V4, { isGateway: true });
    const o = { netns: pod, containerId: 'arm64-br-1' };
    const run = (command: PluginCall['command'], config: Record<string, unknown> = conf): PluginOutput => call(join(lab.bin, 'bridge'), lab.call(command, config, o));
    const add = run('ADD');
    expect(add.code, add.stdout + add.stderr).toBe(0);
    expect(add.json).toMatchObject({ ips: [{ address: '10.88.0.2/24', gateway: '10.88.0.1' }] });
    expect(inNetns(pod, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']).stdout).toContain('inet 10.88.0.2/24');
    expect(lab.inNode(['ip', '-4', '-o', 'addr', 'show', 'dev', lab.bridgeName])).toContain('inet 10.88.0.1/24');
    const check = run('CHECK', { ...conf, prevResult: add.json });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const del = run('DEL');
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect(inNetns(pod, ['ip', 'link', 'show', 'eth0']).code).not.toBe(0);
    expect(existsSync(join(lab.dataDir, 'e2enet', '10.88.0.2'))).toBe(false);
  });
});
