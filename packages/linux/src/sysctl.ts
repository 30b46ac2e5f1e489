import { writeFileSync } from 'node:fs';
import { canEnterNetns, withNetns } from './ip/enter.ts';
import { inNetns } from './netns.ts';
import type { CommandRunner } from './run.ts';

/**
 * Keys are written with slashes ("net/ipv4/conf/eth0.5/arp_notify"): a dot may be part of an
 * interface name, a slash never is.
 */

/**
 * Write a sysctl of the namespace this process runs in ("net/ipv4/ip_forward" = 1) in-process:
 * no spawn. Returns false when the key does not exist or the write is refused (e.g. no IPv6).
 */
export function writeSysctl(key: string, value: string): boolean {
  try {
    writeFileSync(`/proc/sys/${key}`, value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Write sysctls of another namespace. /proc/sys/net shows the namespace of the thread that opens
 * it: under Bun this thread enters the namespace for the writes (no process at all); otherwise
 * one `nsenter ... sysctl` writes every key. Unknown keys (e.g. IPv6 disabled) are skipped
 * rather than failing the call.
 */
export async function writeSysctlsIn(runner: CommandRunner, netns: string, settings: Record<string, string>): Promise<void> {
  const pairs = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  if (pairs.length === 0) return;
  if (await canEnterNetns()) {
    withNetns(netns, () => Object.entries(settings).forEach(([k, v]) => writeSysctl(k, v)));
    return;
  }
  const r = await runner.run(inNetns(netns, ['sysctl', '-q', '-e', '-w', ...pairs]));
  if (r.code !== 0) throw new Error(`sysctl ${pairs.join(' ')}: ${r.stderr.trim()}`);
}
