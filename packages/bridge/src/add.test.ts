import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '@cni-ts/core';
import { RecordingRunner, type RecordedCall, type RunResult } from '@cni-ts/linux/run';
import { add } from './add.ts';

// A file standing in for CNI_NETNS: ADD checks that the path exists before doing anything.
const netns = join(mkdtempSync(join(tmpdir(), 'bridge-add-')), 'ns');
writeFileSync(netns, '');

const ctx = (config: Record<string, unknown> = {}): CallContext => ({
  command: 'ADD',
  env: {},
  containerId: 'c1',
  netns,
  ifName: 'eth0',
  path: [],
  cniArgs: '',
  config: { cniVersion: '1.0.0', name: 'n', type: 'bridge', bridge: 'br0', ...config },
  version: '1.0.0',
  log: () => undefined,
});

const EXISTING = JSON.stringify([{ ifindex: 3, ifname: 'br0', address: '02:00:00:00:00:99', flags: ['UP'], linkinfo: { info_kind: 'bridge' }, addr_info: [] }]);
const isQuery = (c: RecordedCall) => c.argv.includes('-json');
const isHostBatch = (c: RecordedCall) => c.argv[0] === 'ip' && c.argv[1] === '-batch';
const isContainerBatch = (c: RecordedCall) => c.argv[0] === 'nsenter' && c.argv.includes('-batch');

describe('ADD (L2 mode, recorded commands)', () => {
  it('retries when a concurrent ADD created the bridge between query and batch, and reports its MAC', async () => {
    let queries = 0;
    let batches = 0;
    const runner = new RecordingRunner((c): Partial<RunResult> => {
      if (isQuery(c)) return ++queries === 1 ? { code: 1, stderr: 'Device "br0" does not exist.' } : { stdout: EXISTING };
      if (isHostBatch(c) && ++batches === 1) return { code: 1, stderr: 'RTNETLINK answers: File exists\nCommand failed -:1\n' };
      return {};
    });
    const result = await add(ctx(), runner);
    expect(result.interfaces?.[0]).toEqual({ name: 'br0', mac: '02:00:00:00:00:99' });
    expect(result.interfaces?.[2]).toMatchObject({ name: 'eth0', sandbox: netns });
    const hostBatches = runner.calls.filter(isHostBatch);
    expect(hostBatches[0]!.input).toMatch(/^link add name br0 address/);
    expect(hostBatches[1]!.input).not.toContain('type bridge');
    expect(runner.calls.filter(isContainerBatch)[0]!.input).toBe('link set dev eth0 up\n');
  });

  it('a failure in the container undoes the veth and leaves the bridge alone', async () => {
    const runner = new RecordingRunner((c): Partial<RunResult> => {
      if (isQuery(c)) return { stdout: EXISTING };
      if (isContainerBatch(c)) return { code: 1, stderr: 'RTNETLINK answers: Operation not permitted\nCommand failed -:1\n' };
      return {};
    });
    await expect(add(ctx(), runner)).rejects.toThrow(/Operation not permitted/);
    const veth = /link add (veth[0-9a-f]{8}) /.exec(runner.calls.find(isHostBatch)!.input!)![1]!;
    const last = runner.calls[runner.calls.length - 1]!;
    expect(last.argv).toEqual(['ip', 'link', 'del', 'dev', veth]);
    expect(runner.calls.some((c) => c.argv.includes('br0') && c.argv.includes('del'))).toBe(false);
  });

  it('says so when the container already has an interface of that name', async () => {
    const runner = new RecordingRunner((c): Partial<RunResult> => {
      if (isQuery(c)) return { stdout: EXISTING };
      if (isHostBatch(c)) return { code: 1, stderr: 'RTNETLINK answers: File exists\nCommand failed -:1\n' };
      return {};
    });
    await expect(add(ctx(), runner)).rejects.toThrow(/already has an interface named "eth0"/);
  });

  it('refuses a non-bridge link of the bridge\'s name before changing anything', async () => {
    const dummy = JSON.stringify([{ ifindex: 3, ifname: 'br0', address: '02:00:00:00:00:01', linkinfo: { info_kind: 'dummy' } }]);
    const runner = new RecordingRunner((c) => (isQuery(c) ? { stdout: dummy } : {}));
    await expect(add(ctx(), runner)).rejects.toMatchObject({ code: 7, message: expect.stringMatching(/"br0" already exists and is not a bridge \(it is a dummy\)/) });
    expect(runner.calls.filter(isHostBatch)).toEqual([]);
  });

  it('the configured MAC goes on the container end', async () => {
    const runner = new RecordingRunner((c) => (isQuery(c) ? { stdout: EXISTING } : {}));
    const result = await add(ctx({ runtimeConfig: { mac: '02:12:34:56:78:9a' } }), runner);
    expect(result.interfaces?.[2]?.mac).toBe('02:12:34:56:78:9a');
    expect(runner.calls.find(isHostBatch)!.input).toContain('peer name eth0 address 02:12:34:56:78:9a');
  });
});
