import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NetworkList } from '../conf/load.ts';
import { chainingAnswer, FakeInvoker, type FakeCall } from '../testing/fake-invoker.ts';
import { ResultCache } from './cache.ts';
import { AddError, ChainRunner, type Attachment } from './chain.ts';

let dir: string;
let cache: ResultCache;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnictl-chain-'));
  cache = new ResultCache(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const PATH = ['/opt/x', '/opt/y'];
const network = (over: Partial<NetworkList> = {}): NetworkList => ({
  name: 'net',
  cniVersion: '1.1.0',
  disableCheck: false,
  disableGC: false,
  plugins: [{ type: 'bridge', bridge: 'br0' }, { type: 'tuning' }, { type: 'portmap', capabilities: { portMappings: true } }],
  bytes: Buffer.from('{"list":true}'),
  file: '/etc/cni/net.d/net.conflist',
  ...over,
});
const att = (over: Partial<Attachment> = {}): Attachment => ({
  containerId: 'c1',
  netns: '/run/netns/p1',
  ifName: 'eth0',
  cniArgs: [['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'p']],
  capabilityArgs: { portMappings: [{ hostPort: 80, containerPort: 8080, protocol: 'tcp' }], mac: 'x' },
  ...over,
});
const failing = (type: string, verb: string, code = 7) => (call: FakeCall) =>
  call.type === type && call.env.command === verb ? { exitCode: 1, stdout: JSON.stringify({ code, msg: `${type} says no` }) } : chainingAnswer(call);

describe('ADD', () => {
  it("runs the plugins in order, each with the previous result, and caches the last", async () => {
    const fake = new FakeInvoker(chainingAnswer);
    const result = await new ChainRunner(fake, cache, PATH).add(network(), att());
    expect(fake.trace).toEqual(['bridge ADD', 'tuning ADD', 'portmap ADD']);
    expect(fake.calls[0]!.config.prevResult).toBeUndefined();
    expect((fake.calls[1]!.config.prevResult as { interfaces: unknown[] }).interfaces).toEqual([{ name: 'if-bridge' }]);
    expect(fake.calls[2]!.config.runtimeConfig).toEqual({ portMappings: att().capabilityArgs.portMappings });
    expect(fake.calls[0]!.config.runtimeConfig).toBeUndefined();
    expect(fake.calls[0]!.env).toEqual({ command: 'ADD', containerId: 'c1', netns: '/run/netns/p1', ifName: 'eth0', args: 'IgnoreUnknown=1;K8S_POD_NAME=p', path: PATH });
    expect(result.interfaces).toEqual([{ name: 'if-bridge' }, { name: 'if-tuning' }, { name: 'if-portmap' }]);
    const cached = cache.read({ network: 'net', containerId: 'c1', ifName: 'eth0' });
    expect(cached).toMatchObject({ result, netns: '/run/netns/p1', cniArgs: att().cniArgs, config: Buffer.from('{"list":true}') });
  });

  it("brings every result to the list's version (a plugin answering 0.3.1 in a 1.0.0 list)", async () => {
    const fake = new FakeInvoker((call) =>
      call.type === 'bridge' ? { stdout: JSON.stringify({ cniVersion: '0.3.1', ips: [{ version: '4', address: '10.0.0.2/24' }] }) } : chainingAnswer(call),
    );
    await new ChainRunner(fake, cache, PATH).add(network({ cniVersion: '1.0.0' }), att());
    expect(fake.calls[1]!.config.prevResult).toEqual({ cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] });
  });

  it('on failure, DELs the plugins started so far in reverse order, caches nothing, and names plugin and verb', async () => {
    const fake = new FakeInvoker(failing('tuning', 'ADD'));
    const err = await new ChainRunner(fake, cache, PATH).add(network(), att()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AddError);
    expect((err as Error).message).toBe('plugin "tuning" failed (ADD): CNI error 7: tuning says no; undone with DEL of bridge');
    expect(fake.trace).toEqual(['bridge ADD', 'tuning ADD', 'tuning DEL', 'bridge DEL']);
    expect((fake.calls[2]!.config.prevResult as { interfaces: unknown[] }).interfaces).toEqual([{ name: 'if-bridge' }]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says nothing was made when the first plugin refused its input, even if its DEL refuses it too', async () => {
    const fake = new FakeInvoker((call) => (call.type === 'bridge' ? { exitCode: 1, stdout: '{"code":7,"msg":"bad mtu"}' } : chainingAnswer(call)));
    const err = (await new ChainRunner(fake, cache, PATH).add(network(), att()).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('plugin "bridge" failed (ADD): CNI error 7: bad mtu; nothing was made ("bridge" refused its input before changing anything)');
    expect(fake.trace).toEqual(['bridge ADD', 'bridge DEL']);
  });

  it('names the fix for plugins missing from CNI_PATH and runs nothing', async () => {
    const fake = new FakeInvoker();
    fake.missing.add('tuning');
    const runner = new ChainRunner(fake, cache, PATH, (type, path) => `fix ${type} in ${path.join(':')}`);
    await expect(runner.add(network(), att())).rejects.toThrow(`plugin "tuning" not found in CNI_PATH ${PATH.join(':')} (nothing was run). "tuning": fix tuning in ${PATH.join(':')}`);
    expect(fake.calls).toEqual([]);
  });

  it('reports a failing undo too', async () => {
    const fake = new FakeInvoker((call) => (call.env.command === 'ADD' && call.type === 'portmap') || call.env.command === 'DEL' ? { exitCode: 1, stdout: 'garbage' } : chainingAnswer(call));
    await expect(new ChainRunner(fake, cache, PATH).add(network(), att())).rejects.toThrow(
      /portmap" failed \(ADD\): exited with code 1, printed: garbage; undoing it with DEL failed too: plugin "portmap" failed \(DEL\).*plugin "tuning" failed \(DEL\)/,
    );
  });

  it('undoes the whole chain when the result cannot be cached', async () => {
    writeFileSync(join(dir, 'not-a-dir'), '');
    const fake = new FakeInvoker(chainingAnswer);
    await expect(new ChainRunner(fake, new ResultCache(join(dir, 'not-a-dir')), PATH).add(network(), att())).rejects.toThrow(
      /^the chain succeeded but its result could not be cached: .*; undone with DEL of portmap, tuning, bridge$/,
    );
    expect(fake.trace).toEqual(['bridge ADD', 'tuning ADD', 'portmap ADD', 'portmap DEL', 'tuning DEL', 'bridge DEL']);
  });

  it('runs nothing when a plugin is not installed', async () => {
    const fake = new FakeInvoker(chainingAnswer);
    fake.missing.add('tuning').add('portmap');
    await expect(new ChainRunner(fake, cache, PATH).add(network(), att())).rejects.toThrow(
      'plugins "tuning", "portmap" not found in CNI_PATH /opt/x:/opt/y (nothing was run)',
    );
    expect(fake.calls).toEqual([]);
  });

  it('refuses a result that is not JSON', async () => {
    const fake = new FakeInvoker((call) => (call.env.command === 'ADD' ? { stdout: 'hello' } : {}));
    await expect(new ChainRunner(fake, cache, PATH).add(network(), att())).rejects.toThrow(/plugin "bridge" failed \(ADD\): printed a result that cannot be used/);
  });
});

async function added(list = network()): Promise<Record<string, unknown>> {
  return new ChainRunner(new FakeInvoker(chainingAnswer), cache, PATH).add(list, att());
}

describe('CHECK', () => {
  it('runs every plugin in order with the cached result', async () => {
    const result = await added();
    const fake = new FakeInvoker();
    expect(await new ChainRunner(fake, cache, PATH).check(network(), att())).toBe('checked');
    expect(fake.trace).toEqual(['bridge CHECK', 'tuning CHECK', 'portmap CHECK']);
    for (const call of fake.calls) expect(call.config.prevResult).toEqual(result);
  });

  it('is skipped with disableCheck and refused below 0.4.0', async () => {
    const fake = new FakeInvoker();
    const runner = new ChainRunner(fake, cache, PATH);
    expect(await runner.check(network({ disableCheck: true }), att())).toBe('disabled');
    await expect(runner.check(network({ cniVersion: '0.3.1' }), att())).rejects.toThrow(/does not support the CHECK command/);
    expect(fake.calls).toEqual([]);
  });

  it('is an error with a corrupt or missing cache', async () => {
    const runner = new ChainRunner(new FakeInvoker(), cache, PATH);
    await expect(runner.check(network(), att())).rejects.toThrow(/no cached result for c1\/eth0 on network "net"/);
    await added();
    writeFileSync(cache.path({ network: 'net', containerId: 'c1', ifName: 'eth0' }), '{');
    await expect(runner.check(network(), att())).rejects.toThrow(/not valid JSON/);
  });

  it('stops at the first failing plugin', async () => {
    await added();
    const fake = new FakeInvoker(failing('tuning', 'CHECK', 5));
    await expect(new ChainRunner(fake, cache, PATH).check(network(), att())).rejects.toThrow('plugin "tuning" failed (CHECK): CNI error 5: tuning says no');
    expect(fake.trace).toEqual(['bridge CHECK', 'tuning CHECK']);
  });
});

describe('DEL', () => {
  it('runs the plugins in reverse order with the cached result, then drops the cache', async () => {
    const result = await added();
    const fake = new FakeInvoker();
    await new ChainRunner(fake, cache, PATH).del(network(), att());
    expect(fake.trace).toEqual(['portmap DEL', 'tuning DEL', 'bridge DEL']);
    for (const call of fake.calls) expect(call.config.prevResult).toEqual(result);
    expect(readdirSync(join(dir, 'results'))).toEqual([]);
  });

  it('sends no prevResult below 0.4.0', async () => {
    await added(network({ cniVersion: '0.3.1' }));
    const fake = new FakeInvoker();
    await new ChainRunner(fake, cache, PATH).del(network({ cniVersion: '0.3.1' }), att());
    expect(fake.calls.map((c) => c.config.prevResult)).toEqual([undefined, undefined, undefined]);
  });

  it('tolerates a corrupt cache (warns, deletes without prevResult) and a missing one', async () => {
    await added();
    writeFileSync(cache.path({ network: 'net', containerId: 'c1', ifName: 'eth0' }), 'junk');
    const warnings: string[] = [];
    const fake = new FakeInvoker();
    const runner = new ChainRunner(fake, cache, PATH);
    await runner.del(network(), att(), (m) => warnings.push(m));
    expect(warnings[0]).toMatch(/ignoring unusable cache/);
    expect(fake.calls.every((c) => c.config.prevResult === undefined)).toBe(true);
    await runner.del(network(), att());
    expect(fake.calls).toHaveLength(6);
  });

  it('keeps the cache when a plugin fails, so a retry has the result again', async () => {
    await added();
    const fake = new FakeInvoker(failing('tuning', 'DEL'));
    await expect(new ChainRunner(fake, cache, PATH).del(network(), att())).rejects.toThrow('plugin "tuning" failed (DEL)');
    expect(fake.trace).toEqual(['portmap DEL', 'tuning DEL']);
    expect(cache.read({ network: 'net', containerId: 'c1', ifName: 'eth0' })).toBeDefined();
  });
});

describe('GC', () => {
  it('DELs stale cached attachments with their own netns and args, then GCs every plugin with the valid set', async () => {
    const runner = new ChainRunner(new FakeInvoker(chainingAnswer), cache, PATH);
    await runner.add(network(), att({ containerId: 'keep' }));
    await runner.add(network(), att({ containerId: 'stale', netns: '/run/netns/gone', cniArgs: [['A', 'b']] }));
    const fake = new FakeInvoker();
    const valid = [{ containerID: 'keep', ifname: 'eth0' }];
    const report = await new ChainRunner(fake, cache, PATH).gc(network(), valid);
    expect(report).toEqual({ deleted: [{ network: 'net', containerId: 'stale', ifName: 'eth0' }], errors: [] });
    expect(fake.trace).toEqual(['portmap DEL', 'tuning DEL', 'bridge DEL', 'bridge GC', 'tuning GC', 'portmap GC']);
    expect(fake.calls[0]!.env).toMatchObject({ containerId: 'stale', netns: '/run/netns/gone', args: 'A=b' });
    expect(fake.calls[3]!.env).toEqual({ command: 'GC', path: PATH });
    expect(fake.calls[3]!.config).toEqual({ type: 'bridge', bridge: 'br0', name: 'net', cniVersion: '1.1.0', 'cni.dev/valid-attachments': valid });
    expect(cache.list('net').map((e) => e.containerId)).toEqual(['keep']);
  });

  it('keeps going after errors and reports them all', async () => {
    const runner = new ChainRunner(new FakeInvoker(chainingAnswer), cache, PATH);
    await runner.add(network(), att({ containerId: 's1' }));
    const fake = new FakeInvoker((c) => (c.type === 'bridge' ? { exitCode: 1, stdout: '{"code":11,"msg":"busy"}' } : {}));
    const report = await new ChainRunner(fake, cache, PATH).gc(network(), []);
    expect(report.errors.map((e) => e.message)).toEqual([
      'stale attachment s1/eth0: plugin "bridge" failed (DEL): CNI error 11: busy',
      'plugin "bridge" failed (GC): CNI error 11: busy',
    ]);
    expect(fake.trace.filter((t) => t.endsWith('GC'))).toEqual(['bridge GC', 'tuning GC', 'portmap GC']);
  });

  it('sends no GC below 1.1.0 but still DELs stale attachments; does nothing with disableGC', async () => {
    const list = network({ cniVersion: '1.0.0' });
    await added(list);
    const fake = new FakeInvoker();
    expect((await new ChainRunner(fake, cache, PATH).gc(network({ disableGC: true }), [])).skipped).toMatch(/disableGC/);
    expect(fake.calls).toEqual([]);
    await new ChainRunner(fake, cache, PATH).gc(list, []);
    expect(fake.trace).toEqual(['portmap DEL', 'tuning DEL', 'bridge DEL']);
  });
});

describe('STATUS', () => {
  it('asks each plugin and stops at the first that is not ready', async () => {
    const fake = new FakeInvoker((c) => (c.type === 'tuning' ? { exitCode: 1, stdout: '{"code":50,"msg":"no IPs left"}' } : {}));
    await expect(new ChainRunner(fake, cache, PATH).status(network())).rejects.toThrow('plugin "tuning" failed (STATUS): CNI error 50: no IPs left');
    expect(fake.trace).toEqual(['bridge STATUS', 'tuning STATUS']);
  });

  it('asks nothing below 1.1.0', async () => {
    const fake = new FakeInvoker();
    expect(await new ChainRunner(fake, cache, PATH).status(network({ cniVersion: '1.0.0' }))).toBe('unsupported');
    expect(fake.calls).toEqual([]);
  });
});
