import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '@cni-ts/core';
import { testCallContext } from '@cni-ts/core/testing/call-context';
import { RecordingRunner, type RecordedCall, type RunResult } from '@cni-ts/linux/run';
import { add } from './add.ts';

// A file standing in for CNI_NETNS: ADD checks that the path exists before doing anything.
const netns = join(mkdtempSync(join(tmpdir(), 'bridge-add-')), 'ns');
writeFileSync(netns, '');

const ctx = (config: Record<string, unknown> = {}): CallContext =>
  testCallContext({ netns, config: { cniVersion: '1.0.0', name: 'n', type: 'bridge', bridge: 'br0', ...config }, version: '1.0.0' });

const EXISTING = JSON.stringify([{ ifindex: 3, ifname: 'br0', address: '02:00:00:00:00:99', flags: ['UP'], linkinfo: { info_kind: 'bridge' }, addr_info: [] }]);
const NO_BRIDGE = { code: 255, stderr: 'Error: argument "br0" is wrong: Device does not exist\n' };
/** The common-case host batch: create the veth, attach it, read the bridge back (JSON). */
const isAttach = (c: RecordedCall) => c.argv[0] === 'ip' && c.argv.includes('-json') && c.argv.includes('-batch') && (c.input ?? '').includes(' master ');
/** The batch that creates a missing bridge. */
const isCreate = (c: RecordedCall) => c.argv[0] === 'ip' && c.argv[1] === '-batch' && (c.input ?? '').startsWith('link add name br0');
const isContainerBatch = (c: RecordedCall) => c.argv[0] === 'nsenter' && c.argv.includes('-batch');
const lastCall = (r: RecordingRunner) => r.calls[r.calls.length - 1]!;

describe('ADD (L2 mode, recorded commands)', () => {
  it('common case: one host batch creates the veth, attaches it and reads the bridge; one batch in the container', async () => {
    const runner = new RecordingRunner((c): Partial<RunResult> => (isAttach(c) ? { stdout: EXISTING } : {}));
    const result = await add(ctx(), runner);
    expect(result.interfaces?.[0]).toEqual({ name: 'br0', mac: '02:00:00:00:00:99' });
    expect(result.interfaces?.[2]).toMatchObject({ name: 'eth0', sandbox: netns });
    const attach = runner.calls.filter(isAttach);
    expect(attach).toHaveLength(1);
    expect(attach[0]!.input).toMatch(/^link add veth[0-9a-f]{8} address .* peer name eth0 address .* netns .*\nlink set dev veth[0-9a-f]{8} master br0 up\naddr show dev br0\n$/);
    expect(runner.calls.filter(isContainerBatch).map((c) => c.input)).toEqual(['link set dev eth0 up\n']);
    expect(runner.calls.filter((c) => c.argv[0] === 'ip')).toHaveLength(1);
  });

  it('a missing bridge is created with a pinned MAC, which the result reports', async () => {
    const runner = new RecordingRunner((c): Partial<RunResult> => (isAttach(c) ? NO_BRIDGE : {}));
    const result = await add(ctx(), runner);
    const create = runner.calls.find(isCreate)!;
    const mac = /^link add name br0 address (\S+) type bridge\n/.exec(create.input!)![1];
    expect(result.interfaces?.[0]).toEqual({ name: 'br0', mac });
    expect(create.input).toMatch(/link set dev br0 up\nlink set dev veth[0-9a-f]{8} master br0 up\n$/);
  });

  it('when a concurrent ADD creates the bridge first, attaches to it and reports its MAC', async () => {
    let attaches = 0;
    const runner = new RecordingRunner((c): Partial<RunResult> => {
      if (isAttach(c)) return ++attaches === 1 ? NO_BRIDGE : { stdout: EXISTING };
      if (isCreate(c)) return { code: 1, stderr: 'RTNETLINK answers: File exists\nCommand failed -:1\n' };
      return {};
    });
    const result = await add(ctx(), runner);
    expect(result.interfaces?.[0]).toEqual({ name: 'br0', mac: '02:00:00:00:00:99' });
    expect(runner.calls.filter(isAttach)[1]!.input).not.toContain('link add'); // the veth exists already
  });

  it('a failure in the container undoes the veth and leaves the bridge alone', async () => {
    const runner = new RecordingRunner((c): Partial<RunResult> => {
      if (isAttach(c)) return { stdout: EXISTING };
      if (isContainerBatch(c)) return { code: 1, stderr: 'RTNETLINK answers: Operation not permitted\nCommand failed -:1\n' };
      return {};
    });
    await expect(add(ctx(), runner)).rejects.toThrow(/Operation not permitted/);
    const veth = /link add (veth[0-9a-f]{8}) /.exec(runner.calls.find(isAttach)!.input!)![1]!;
    expect(lastCall(runner).argv).toEqual(['ip', 'link', 'del', 'dev', veth]);
    expect(runner.calls.some((c) => c.argv.includes('br0') && c.argv.includes('del'))).toBe(false);
  });

  it('says so when the container already has an interface of that name', async () => {
    const runner = new RecordingRunner((c): Partial<RunResult> => (isAttach(c) ? { code: 1, stderr: 'RTNETLINK answers: File exists\nCommand failed -:1\n' } : {}));
    await expect(add(ctx(), runner)).rejects.toThrow(/already has an interface named "eth0"/);
  });

  it('refuses a non-bridge link of the bridge\'s name, and removes the veth again', async () => {
    const dummy = JSON.stringify([{ ifindex: 3, ifname: 'br0', address: '02:00:00:00:00:01', linkinfo: { info_kind: 'dummy' } }]);
    const runner = new RecordingRunner((c): Partial<RunResult> => {
      if (isAttach(c)) return { code: 1, stderr: 'RTNETLINK answers: Operation not supported\nCommand failed -:2\n' };
      if ((c.input ?? '').startsWith('addr show')) return { stdout: dummy }; // showLink's one-line batch
      return {};
    });
    await expect(add(ctx(), runner)).rejects.toMatchObject({ code: 7, message: expect.stringMatching(/"br0" already exists and is not a bridge \(it is a dummy\)/) });
    expect(lastCall(runner).argv).toEqual(expect.arrayContaining(['ip', 'link', 'del']));
  });

  it('the configured MAC goes on the container end', async () => {
    const runner = new RecordingRunner((c) => (isAttach(c) ? { stdout: EXISTING } : {}));
    const result = await add(ctx({ runtimeConfig: { mac: '02:12:34:56:78:9a' } }), runner);
    expect(result.interfaces?.[2]?.mac).toBe('02:12:34:56:78:9a');
    expect(runner.calls.find(isAttach)!.input).toContain('peer name eth0 address 02:12:34:56:78:9a');
  });
});
