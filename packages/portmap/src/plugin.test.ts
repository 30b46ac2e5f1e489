import { dispatch } from '@cni-ts/core';
import { RecordingRunner, type RecordedCall, type RunResult } from '@cni-ts/linux';
import { describe, expect, it } from 'vitest';
import type { HostFiles } from './localnet.ts';
import { nftChains } from './naming.ts';
import { createPortmap } from './plugin.ts';

const noFiles: HostFiles = { read: () => undefined, write: () => undefined };
const env = (command: string) => ({ CNI_COMMAND: command, CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/p', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' });
const prevResult = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'cni0' }, { name: 'eth0', sandbox: '/run/netns/p' }],
  ips: [{ address: '10.99.0.2/24', gateway: '10.99.0.1', interface: 1 }],
};
const config = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    cniVersion: '1.0.0',
    name: 'n1',
    type: 'portmap',
    prevResult,
    runtimeConfig: { portMappings: [{ hostPort: 5353, containerPort: 53, protocol: 'udp' }] },
    ...extra,
  });

function run(command: string, stdin: string, answer: (c: RecordedCall) => Partial<RunResult> = () => ({})) {
  const runner = new RecordingRunner(answer);
  return dispatch(createPortmap({ runner, files: noFiles }), { env: env(command), stdin }).then((out) => ({ out, runner }));
}
const argvs = (r: RecordingRunner): string[] => r.calls.map((c) => c.argv.join(' '));

describe('portmap plugin', () => {
  it('ADD without prevResult is error 7', async () => {
    const { out } = await run('ADD', JSON.stringify({ cniVersion: '1.0.0', name: 'n1', type: 'portmap' }));
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ code: 7, msg: expect.stringContaining('"prevResult" is missing') });
  });

  it('ADD with no mappings passes prevResult through and runs nothing', async () => {
    const { out, runner } = await run('ADD', config({ runtimeConfig: {} }));
    expect(JSON.parse(out.stdout)).toEqual(prevResult);
    expect(runner.calls).toHaveLength(0);
  });

  it('ADD on iptables: save, one restore, then the UDP conntrack flush; prevResult unchanged', async () => {
    const { out, runner } = await run('ADD', config());
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(prevResult);
    expect(argvs(runner)).toEqual([
      'iptables-save -t nat',
      'iptables-restore -w --noflush',
      'conntrack -D -f ipv4 -p udp --dport 5353',
    ]);
  });

  it('ADD falls back to nftables when iptables is unusable', async () => {
    const { out, runner } = await run('ADD', config(), (c) => (c.argv[0] === 'iptables-save' ? { code: 127 } : {}));
    expect(out.exitCode).toBe(0);
    expect(argvs(runner)).toContain('nft -f -');
  });

  it('a failing transaction is one error JSON, no stack on stdout', async () => {
    const { out } = await run('ADD', config({ backend: 'nftables' }), (c) => (c.argv[0] === 'nft' ? { code: 1, stderr: 'Error: permission denied' } : {}));
    expect(out.exitCode).toBe(1);
    const err = JSON.parse(out.stdout);
    expect(err.msg).toContain('permission denied');
    expect(out.stdout).not.toContain('    at ');
  });

  it('DEL without runtimeConfig, netns or prevResult looks in both backends', async () => {
    const runner = new RecordingRunner(() => ({ code: 1 }));
    const out = await dispatch(createPortmap({ runner, files: noFiles }), {
      env: { ...env('DEL'), CNI_NETNS: '' },
      stdin: JSON.stringify({ cniVersion: '1.0.0', name: 'n1', type: 'portmap' }),
    });
    expect(out.exitCode).toBe(0);
    expect(argvs(runner).sort()).toEqual([
      'ip6tables-save -t nat',
      'iptables-save -t nat',
      `nft -j list chain inet cni_ts_hostport ${nftChains({ network: 'n1', containerId: 'c1', ifName: 'eth0' }).dnat}`,
      'nft list tables',
    ]);
  });

  it("DEL with prevResult reads only the tables of its addresses' families", async () => {
    const { out, runner } = await run('DEL', config(), () => ({ code: 1 }));
    expect(out.exitCode).toBe(0);
    expect(argvs(runner).filter((a) => a.includes('tables-save'))).toEqual(['iptables-save -t nat']);
  });

  it('ADD is error 5 when neither backend works', async () => {
    const { out } = await run('ADD', config(), () => ({ code: 1 }));
    expect(JSON.parse(out.stdout)).toMatchObject({ code: 5, msg: expect.stringContaining('neither iptables nor nftables') });
  });

  it('STATUS is error 50 when neither backend works', async () => {
    const { out } = await run('STATUS', JSON.stringify({ cniVersion: '1.1.0', name: 'n1', type: 'portmap' }), () => ({ code: 1 }));
    expect(JSON.parse(out.stdout)).toMatchObject({ code: 50 });
    const ok = await run('STATUS', JSON.stringify({ cniVersion: '1.1.0', name: 'n1', type: 'portmap' }), (c) => (c.argv[0] === 'nft' ? {} : { code: 1 }));
    expect(ok.out.exitCode).toBe(0);
  });
});
