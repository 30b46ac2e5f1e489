import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { DIST_BIN, inNetns, REFERENCE_BIN, runPlugin, type PluginCall, type PluginOutput } from '../lib/exec.ts';

export const OURS = join(DIST_BIN, 'loopback');
export const REFERENCE = join(REFERENCE_BIN, 'loopback');

/**
 * Our executable runs with nothing on PATH: were it to start `ip` or `nsenter` for any step, that
 * step would fail. Its netlink and setns work needs no process.
 */
const NO_PROGRAMS = { PATH: '/nonexistent' };

export const conf = (cniVersion: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  cniVersion,
  name: 'ctslo-net',
  type: 'loopback',
  ...extra,
});

export type Call = Omit<PluginCall, 'config'> & { config?: unknown };

/** What `ip` says about lo in a namespace: flags, state, addresses in kernel order. */
export interface LoState {
  flags: string[];
  operstate: string;
  addrs: string[];
}

/**
 * Namespaces made the way a runtime makes a pod's, lo down, named ctslo<random>-<suffix>, and
 * calls of ours and of the reference into them.
 */
export class LoopbackLab {
  private readonly fixture = new NetnsFixture('lo');

  /** A new pod namespace; its path. */
  pod(suffix: string): string {
    return this.fixture.path(this.fixture.create(suffix, { loopbackUp: false }));
  }

  /** Remove a namespace before cleanup (a pod whose netns is gone). */
  remove(path: string): void {
    const r = inNetns('', ['ip', 'netns', 'delete', path.replace('/run/netns/', '')]);
    if (r.code !== 0) throw new Error(`ip netns delete ${path}: ${r.stderr}`);
  }

  ours(call: Call): PluginOutput {
    return runPlugin(OURS, { config: conf('1.0.0'), ...call, env: { ...NO_PROGRAMS, ...call.env } });
  }

  reference(call: Call): PluginOutput {
    return runPlugin(REFERENCE, { config: conf('1.0.0'), cniPath: REFERENCE_BIN, ...call });
  }

  lo(netns: string): LoState {
    const r = inNetns(netns, ['ip', '-j', 'addr', 'show', 'dev', 'lo']);
    if (r.code !== 0) throw new Error(`ip addr show dev lo in ${netns}: ${r.stderr}`);
    const [link] = JSON.parse(r.stdout) as Array<{ flags: string[]; operstate: string; addr_info: Array<{ local: string; prefixlen: number }> }>;
    return { flags: link!.flags, operstate: link!.operstate, addrs: link!.addr_info.map((a) => `${a.local}/${a.prefixlen}`) };
  }

  /** IPv6 off in a namespace, for lo and for every interface to come (a pod on an IPv4-only node). */
  disableIpv6(netns: string): void {
    const keys = ['all', 'default', 'lo'].map((i) => `net.ipv6.conf.${i}.disable_ipv6=1`);
    const r = inNetns(netns, ['sysctl', '-q', '-w', ...keys]);
    if (r.code !== 0) throw new Error(`sysctl in ${netns}: ${r.stderr}`);
  }

  cleanup(): void {
    this.fixture.cleanup();
  }
}

/** A result with its sandbox path made comparable across namespaces, and the reference's empty "dns": {} dropped. */
export function comparable(result: Record<string, unknown> | undefined, netns: string): unknown {
  const text = JSON.stringify(result ?? null).replaceAll(JSON.stringify(netns), '"<netns>"');
  const { dns, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return dns !== undefined && Object.keys(dns as object).length > 0 ? { ...rest, dns } : rest;
}

/** One CNI error on stdout, one line, no stack trace on stdout or stderr, a non-zero exit. */
export function cniError(out: PluginOutput): { code: number; msg: string } {
  if (out.code === 0) throw new Error(`expected a failure, got success: ${out.stdout}`);
  const lines = out.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one line of JSON on stdout, got: ${out.stdout}`);
  if (/\n\s+at /.test(out.stdout + out.stderr)) throw new Error(`stack trace printed:\n${out.stdout}\n${out.stderr}`);
  const err = out.json as { code: number; msg: string };
  if (typeof err?.code !== 'number' || typeof err.msg !== 'string') throw new Error(`not a CNI error: ${out.stdout}`);
  return err;
}
