import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFERENCE_BIN } from '../lib/exec.ts';
import { addresses, TracerWorkspace, veths } from './helpers.ts';

// cnictl driving the Go reference plugins (and a tracer plugin that logs what it was sent)
// through real namespaces: a "node" namespace runs the chain, "pod" namespaces get the veths.
let ns: NetnsFixture;
let ws: TracerWorkspace;
let node: string;
let pod1: string;
let pod2: string;

beforeEach(() => {
  ns = new NetnsFixture('cc');
  ws = new TracerWorkspace();
  node = ns.path(ns.create('node'));
  pod1 = ns.path(ns.create('pod1'));
  pod2 = ns.path(ns.create('pod2'));
});
afterEach(() => {
  ns.cleanup(); // the node namespace takes the bridge, veths and rules with it
  ws.remove();
});

const bridge = () => ({
  type: 'bridge',
  bridge: `${ns.prefix.slice(0, 11)}br`,
  isGateway: true,
  ipam: { type: 'host-local', ranges: [[{ subnet: '10.77.0.0/24' }]], dataDir: ws.dataDir },
});
const run = (...args: string[]) => ws.cnictl(node, args, `${ws.pluginDir}:${REFERENCE_BIN}`);
const reservedIps = (net: string): string[] => readdirSync(join(ws.dataDir, net)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));

describe('cnictl with the reference plugins', () => {
  it('add, check, del: the pod gets its address, the cache is libcni\'s, DEL runs in reverse and cleans up', () => {
    ws.writeList('10-net.conflist', { cniVersion: '1.0.0', name: 'net', plugins: [bridge(), ws.tracer('a'), ws.tracer('b')] });

    const add = run('add', 'net', pod1, '--container-id', 'ctr1', '--args', 'IgnoreUnknown=1;K8S_POD_NAME=web');
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const result = JSON.parse(add.stdout) as { cniVersion: string; ips: Array<{ address: string }>; interfaces: Array<{ name: string; sandbox?: string }> };
    expect(result.cniVersion).toBe('1.0.0');
    expect(addresses(pod1, 'eth0')).toEqual([result.ips[0]!.address]);
    expect(result.interfaces.find((i) => i.sandbox)).toMatchObject({ name: 'eth0', sandbox: pod1 });
    expect(veths(node)).toHaveLength(1);

    const cacheFile = join(ws.cacheDir, 'results', 'net-ctr1-eth0');
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(ws.cacheDir, 'results')).mode & 0o777).toBe(0o700);
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, unknown>;
    expect(cached).toMatchObject({ kind: 'cniCacheV1', containerId: 'ctr1', ifName: 'eth0', networkName: 'net', netns: pod1, result });
    expect(cached.cniArgs).toEqual([['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'web']]);
    expect(Buffer.from(cached.config as string, 'base64').toString()).toBe(readFileSync(join(ws.confDir, '10-net.conflist'), 'utf8'));

    const check = run('check', 'net', pod1, '--container-id', 'ctr1');
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);

    const del = run('del', 'net', pod1, '--container-id', 'ctr1');
    expect(del.code).toBe(0);
    expect(ws.trace()).toEqual(['ADD a prev=yes', 'ADD b prev=yes', 'CHECK a prev=yes', 'CHECK b prev=yes', 'DEL b prev=yes', 'DEL a prev=yes']);
    expect(veths(node)).toEqual([]);
    expect(reservedIps('net')).toEqual([]);
    expect(readdirSync(join(ws.cacheDir, 'results'))).toEqual([]);

    const again = run('del', 'net', pod1, '--container-id', 'ctr1');
    expect(again.code).toBe(0);
  });

  it('uses cnitool\'s container id by default, and up-converts a .conf file', () => {
    ws.writeList('10-single.conf', { cniVersion: '0.4.0', name: 'single', ...bridge() });
    expect(run('add', 'single', pod1).code).toBe(0);
    const files = readdirSync(join(ws.cacheDir, 'results'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^single-cnitool-[0-9a-f]{20}-eth0$/);
    expect(run('del', 'single', pod1).code).toBe(0);
    expect(reservedIps('single')).toEqual([]);
  });

  it('passes capability args only to plugins that declare them, and reuses the cached ones on DEL', () => {
    ws.writeList('10-net.conflist', {
      cniVersion: '1.0.0',
      name: 'net',
      plugins: [bridge(), ws.tracer('caps', { capabilities: { portMappings: true } }), ws.tracer('nocaps')],
    });
    const pm = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }];
    expect(run('add', 'net', pod1, '--cap-args', JSON.stringify({ portMappings: pm, mac: 'x' })).code).toBe(0);
    expect(run('del', 'net', pod1).code).toBe(0);
    const rc = `rc=${JSON.stringify({ portMappings: pm })}`;
    expect(ws.trace()).toEqual([`ADD caps prev=yes ${rc}`, 'ADD nocaps prev=yes', 'DEL nocaps prev=yes', `DEL caps prev=yes ${rc}`]);
  });

  it('undoes a failed ADD: DEL of the plugins run so far, no veth, no IP, no cache, and says which plugin failed', () => {
    ws.writeList('10-net.conflist', { cniVersion: '1.0.0', name: 'net', plugins: [bridge(), ws.tracer('bad', { fail: ['ADD'] }), ws.tracer('never')] });
    const add = run('add', 'net', pod1);
    expect(add.code).not.toBe(0);
    expect(add.stdout).toBe('');
    expect(add.stderr).toContain('plugin "tracer" failed (ADD): CNI error 7: bad refuses ADD; undone with DEL of bridge');
    expect(ws.trace()).toEqual(['ADD bad prev=yes', 'DEL bad prev=yes']);
    expect(veths(node)).toEqual([]);
    expect(reservedIps('net')).toEqual([]);
    expect(() => readdirSync(join(ws.cacheDir, 'results'))).toThrow();
  });

  it('DEL tolerates a corrupt cache; CHECK reports it', () => {
    ws.writeList('10-net.conflist', { cniVersion: '1.0.0', name: 'net', plugins: [bridge(), ws.tracer('t')] });
    expect(run('add', 'net', pod1, '--container-id', 'c1').code).toBe(0);
    writeFileSync(join(ws.cacheDir, 'results', 'net-c1-eth0'), '{"kind":"cniCacheV1",');
    const check = run('check', 'net', pod1, '--container-id', 'c1');
    expect(check.code).not.toBe(0);
    expect(check.stderr).toMatch(/cached result .*net-c1-eth0 is not valid JSON/);
    const del = run('del', 'net', pod1, '--container-id', 'c1');
    expect(del.code).toBe(0);
    expect(del.stderr).toMatch(/ignoring unusable cache/);
    expect(ws.trace().at(-1)).toBe('DEL t prev=no');
    expect(veths(node)).toEqual([]);
    expect(reservedIps('net')).toEqual([]);
  });

  it('gc DELs the cached attachments that are not valid and keeps the valid ones', () => {
    ws.writeList('10-net.conflist', { cniVersion: '1.0.0', name: 'net', plugins: [bridge()] });
    expect(run('add', 'net', pod1, '--container-id', 'keep').code).toBe(0);
    expect(run('add', 'net', pod2, '--container-id', 'stale').code).toBe(0);
    const kept = addresses(pod1, 'eth0');
    const gc = run('gc', 'net', '--valid-attachments', JSON.stringify([{ containerID: 'keep', ifname: 'eth0' }]));
    expect(gc.stderr).toBe('');
    expect(gc.code).toBe(0);
    expect(gc.stdout).toContain('deleted stale attachment stale/eth0');
    expect(addresses(pod2, 'eth0')).toEqual([]);
    expect(addresses(pod1, 'eth0')).toEqual(kept);
    expect(reservedIps('net')).toEqual([kept[0]!.split('/')[0]]);
    expect(readdirSync(join(ws.cacheDir, 'results'))).toEqual(['net-keep-eth0']);
  });
});

describe('cnictl GC and STATUS on a 1.1.0 list', () => {
  it('sends GC with the valid attachments to every plugin', () => {
    ws.writeList('10-t.conflist', { cniVersion: '1.1.0', name: 't', plugins: [ws.tracer('a'), ws.tracer('b')] });
    expect(run('add', 't', pod1, '--container-id', 'gone').code).toBe(0);
    ws.clearTrace();
    const valid = [{ containerID: 'other', ifname: 'eth0' }];
    expect(run('gc', 't', '--valid-attachments', JSON.stringify(valid)).code).toBe(0);
    expect(ws.trace()).toEqual(['DEL b prev=yes', 'DEL a prev=yes', `GC a prev=no valid=${JSON.stringify(valid)}`, `GC b prev=no valid=${JSON.stringify(valid)}`]);
  });

  it('skips GC with disableGC, and CHECK with disableCheck', () => {
    ws.writeList('10-t.conflist', { cniVersion: '1.1.0', name: 't', disableGC: true, disableCheck: true, plugins: [ws.tracer('a')] });
    expect(run('add', 't', pod1).code).toBe(0);
    expect(run('gc', 't').stdout).toMatch(/GC skipped, the list sets disableGC/);
    expect(run('check', 't', pod1).stdout).toMatch(/disableCheck is set/);
    expect(ws.trace()).toEqual(['ADD a prev=no']);
  });

  it('STATUS stops at the first plugin that is not ready and says which', () => {
    ws.writeList('10-t.conflist', { cniVersion: '1.1.0', name: 't', plugins: [ws.tracer('a'), ws.tracer('b', { fail: ['STATUS'] }), ws.tracer('c')] });
    const status = run('status', 't');
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('plugin "tracer" failed (STATUS): CNI error 7: b refuses STATUS');
    expect(ws.trace()).toEqual(['STATUS a prev=no', 'STATUS b prev=no']);
  });
});

describe('cnictl errors a person can act on', () => {
  it.each([
    [['add', 'nope', 'x'], /no network named "nope"/],
    [['add', 'net'], /usage: cnictl add <network> <netns/],
    [['add', 'net', 'x', '--container-id', '../evil'], /invalid --container-id "\.\.\/evil"/],
    [['add', 'net', 'x', '--cap-args', '{bad'], /--cap-args is not valid JSON/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%j', (args, message) => {
    ws.writeList('10-net.conflist', { cniVersion: '1.0.0', name: 'net', plugins: [ws.tracer('a')] });
    const r = run(...(args as string[]));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(ws.trace()).toEqual([]);
  });

  it('runs nothing when a plugin of the list is not installed', () => {
    ws.writeList('10-net.conflist', { cniVersion: '1.0.0', name: 'net', plugins: [bridge(), ws.tracer('a'), { type: 'nosuchplugin' }] });
    const r = run('add', 'net', pod1);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/plugin "nosuchplugin" not found in CNI_PATH .* \(nothing was run\)/);
    expect(ws.trace()).toEqual([]);
    expect(veths(node)).toEqual([]);
  });

  it('names the broken file', () => {
    writeFileSync(join(ws.confDir, '10-broken.conflist'), '{"name": "net", ');
    const r = run('add', 'net', pod1);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/10-broken\.conflist: not valid JSON/);
  });
});
