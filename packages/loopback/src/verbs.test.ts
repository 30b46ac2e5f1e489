import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CniError, ErrorCode, type CallContext, type Result } from '@cni-ts/core';
import { testCallContext } from '@cni-ts/core/testing/call-context';
import { RecordingRunner, type RunResult } from '@cni-ts/linux/run';
import { add, check, del } from './verbs.ts';

// A file standing in for CNI_NETNS: the verbs look for the path before doing anything.
const dir = mkdtempSync(join(tmpdir(), 'loopback-verbs-'));
const netns = join(dir, 'ns');
writeFileSync(netns, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctx = (over: Partial<CallContext> = {}): CallContext =>
  testCallContext({ netns, config: { cniVersion: '1.1.0', name: 'lo', type: 'loopback' }, version: '1.1.0', ...over });

const link = (flags: string[], addrs: Array<{ family: string; local: string; prefixlen: number }>): string =>
  JSON.stringify([{ ifindex: 1, ifname: 'lo', address: '00:00:00:00:00:00', flags, addr_info: addrs }]);
const UP = link(['LOOPBACK', 'UP', 'LOWER_UP'], [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }, { family: 'inet6', local: '::1', prefixlen: 128 }]);
const DOWN = link(['LOOPBACK'], [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }]);
const answering = (stdout: string, extra: Partial<RunResult> = {}) => new RecordingRunner(() => ({ stdout, ...extra }));
const BATCH_ARGV = ['nsenter', `--net=${netns}`, '--', 'ip', '-d', '-json', '-batch', '-'];

describe('ADD', () => {
  it('sets lo up and reads it back in one batch in CNI_NETNS, whatever CNI_IFNAME says', async () => {
    const runner = answering(UP);
    const result = await add(ctx({ ifName: 'eth0' }), runner);
    expect(runner.calls).toEqual([{ argv: BATCH_ARGV, input: 'link set dev lo up\naddr show dev lo\n' }]);
    expect(result).toEqual({
      cniVersion: '1.1.0',
      interfaces: [{ name: 'lo', mac: '00:00:00:00:00:00', sandbox: netns }],
      ips: [{ interface: 0, address: '127.0.0.1/8' }, { interface: 0, address: '::1/128' }],
    });
  });

  it('passes a prevResult through unchanged, still setting lo up', async () => {
    const prevResult: Result = { cniVersion: '1.1.0', interfaces: [{ name: 'eth0', sandbox: netns }], ips: [{ address: '10.1.0.5/24', interface: 0 }] };
    const runner = answering(UP);
    expect(await add(ctx({ prevResult }), runner)).toBe(prevResult);
    expect(runner.calls).toHaveLength(1);
  });

  it('refuses a CNI_NETNS that does not exist (code 8) without running anything', async () => {
    const runner = answering(UP);
    await expect(add(ctx({ netns: join(dir, 'gone') }), runner)).rejects.toMatchObject({ code: ErrorCode.InvalidNetns, message: expect.stringContaining('does not exist') });
    expect(runner.calls).toEqual([]);
  });

  it('a namespace that cannot be entered is code 8 with the reason', async () => {
    const runner = answering('', { code: 1, stderr: `nsenter: reassociate to namespace 'ns/net' failed: ${netns} is not a network namespace` });
    const err = await add(ctx(), runner).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({ code: ErrorCode.InvalidNetns, message: `CNI_NETNS ${netns}: nsenter: reassociate to namespace 'ns/net' failed: ${netns} is not a network namespace` });
  });

  it('a failing line is a CNI error naming the command', async () => {
    const runner = answering('', { code: 1, stderr: 'RTNETLINK answers: Operation not permitted\nCommand failed -:1\n' });
    await expect(add(ctx(), runner)).rejects.toMatchObject({ code: ErrorCode.Internal, message: 'ip link set dev lo up: RTNETLINK answers: Operation not permitted' });
  });
});

describe('DEL', () => {
  it('sets lo down in CNI_NETNS', async () => {
    const runner = answering(DOWN);
    await del(ctx({ command: 'DEL' }), runner);
    expect(runner.calls).toEqual([{ argv: BATCH_ARGV, input: 'link set dev lo down\naddr show dev lo\n' }]);
  });

  it('does nothing and succeeds with CNI_NETNS empty or gone', async () => {
    const runner = answering(DOWN);
    await del(ctx({ command: 'DEL', netns: '' }), runner);
    await del(ctx({ command: 'DEL', netns: join(dir, 'gone') }), runner);
    expect(runner.calls).toEqual([]);
  });
});

describe('CHECK', () => {
  it('passes when lo is up, reading it without changing it', async () => {
    const runner = answering(UP);
    await check(ctx({ command: 'CHECK' }), runner);
    expect(runner.calls).toEqual([{ argv: BATCH_ARGV, input: 'addr show dev lo\n' }]);
  });

  it('fails when lo is down, as the reference says it', async () => {
    await expect(check(ctx({ command: 'CHECK' }), answering(DOWN))).rejects.toMatchObject({ code: ErrorCode.Internal, message: 'loopback interface is down' });
  });

  it('fails when CNI_NETNS is gone', async () => {
    await expect(check(ctx({ command: 'CHECK', netns: join(dir, 'gone') }), answering(UP))).rejects.toMatchObject({ code: ErrorCode.InvalidNetns });
  });
});
