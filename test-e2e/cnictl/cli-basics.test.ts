import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cnictlIn } from '../lib/exec.ts';
import { Workspace } from '../lib/workspace.ts';

// The CLI a newcomer meets: usage, --help on every command, --version, completion, and the
// container id cnitool derives, so either tool deletes what the other added.
let ns: NetnsFixture;
let ws: Workspace;
let node: string;
let pod: string;

beforeAll(() => {
  ns = new NetnsFixture('op');
  ws = new Workspace('ctsop-cli-');
  node = ns.path(ns.create('node'));
  pod = ns.path(ns.create('pod'));
});
afterAll(() => {
  ns.cleanup();
  ws.remove();
});

const cnictl = (...args: string[]) => cnictlIn(undefined, args);
const COMMANDS = ['add', 'check', 'del', 'gc', 'status', 'install', 'validate', 'demo', 'lab', 'completion', 'version', 'help'];

describe('cnictl usage', () => {
  it('bare cnictl prints the overview on stderr and exits 2', () => {
    const r = cnictl();
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    for (const c of COMMANDS) expect(r.stderr).toContain(`cnictl ${c}`);
  });

  it.each(COMMANDS)('%s --help prints its own usage and an example, and runs nothing', (command) => {
    const r = cnictl(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: cnictl ${command}`));
    expect(r.stdout).toMatch(/\nExample:\n {2}cnictl|\nExample:\n {2}(ip|source)/);
    expect(cnictl('help', command).stdout).toBe(r.stdout);
  });

  it('--version, and a typo named with the command meant', () => {
    const v = cnictl('--version');
    expect(v.code).toBe(0);
    expect(v.stdout).toBe(cnictl('version').stdout);
    const typo = cnictl('stauts');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "stauts": did you mean "status"?');
  });

  it('the bash completion script completes commands and options', () => {
    const script = cnictl('completion', 'bash').stdout;
    const complete = (...words: string[]) =>
      spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _cnictl; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim().split(' ');
    expect(complete('cnictl', 'st')).toEqual(['status']);
    expect(complete('cnictl', 'gc', 'net', '--al')).toEqual(['--all-stale']);
    expect(complete('cnictl', 'lab', '')).toEqual(expect.arrayContaining(['up', 'status', 'down']));
  });
});

describe('container id', () => {
  it("is cnitool's: cnitool- and the first 10 bytes of sha512(netns path), so cnitool's cache entry is the one cnictl deletes", () => {
    ws.writeList('10-t.conflist', { cniVersion: '1.0.0', name: 't', plugins: [{ type: 'bridge', bridge: `${ns.prefix.slice(0, 11)}br`, ipam: {} }] });
    const hash = spawnSync('sha512sum', { input: pod, encoding: 'utf8' }).stdout.slice(0, 20);
    const add = ws.cnictl(node, ['add', 't', pod]);
    expect(add.code, add.stderr).toBe(0);
    expect(readdirSync(join(ws.cacheDir, 'results'))).toEqual([`t-cnitool-${hash}-eth0`]);
    // the same netns written differently is the same attachment, as filepath.Abs makes it
    const del = ws.cnictl(node, ['del', 't', pod.replace('/netns/', '/netns//')]);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stderr).not.toContain('no cached result');
    expect(readdirSync(join(ws.cacheDir, 'results'))).toEqual([]);
  });

  it('DEL warns when there is no cached result', () => {
    rmSync(join(ws.cacheDir, 'results'), { recursive: true, force: true });
    const del = ws.cnictl(node, ['del', 't', pod, '--container-id', 'never-added']);
    expect(del.code).toBe(0);
    expect(del.stderr).toMatch(/no cached result for never-added\/eth0 on network "t" in .*: DEL runs without prevResult/);
  });
});

describe('hints', () => {
  it('a missing plugin: ours is installed with cnictl, a typo is named, a foreign one is sent to its project', () => {
    const empty = join(ws.root, 'empty-bin');
    ws.writeList('20-h.conflist', { cniVersion: '1.0.0', name: 'h', plugins: [{ type: 'bridge' }, { type: 'tuning' }, { type: 'portmapp' }] });
    const r = ws.cnictl(node, ['add', 'h', pod], empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`"bridge": install it: cnictl install --dir ${empty} bridge`);
    expect(r.stderr).toContain('"tuning": "tuning" is not a cni-ts plugin');
    expect(r.stderr).toContain('"portmapp": no plugin is called "portmapp": did you mean "portmap"?');
    expect(r.stderr).not.toContain('<dir>');
  });

  it('a plugin refusing its config: nothing was made, no "undoing it failed"', () => {
    ws.writeList('30-bad.conflist', { cniVersion: '1.0.0', name: 'bad', plugins: [{ type: 'bridge', mtu: 'x' }] });
    const r = ws.cnictl(node, ['add', 'bad', pod]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plugin "bridge" failed \(ADD\): CNI error 7: .*mtu.*; nothing was made \("bridge" refused its input before changing anything\)/);
    expect(r.stderr).not.toContain('undoing it with DEL failed');
  });
});
