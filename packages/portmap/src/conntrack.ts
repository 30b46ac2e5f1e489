import type { CommandRunner } from '@cni-ts/linux';
import type { UdpPort } from './forwarder.ts';

/**
 * Drop UDP conntrack entries for host ports whose mapping changed. UDP "connections" live as long
 * as packets keep coming, so an entry made before the DNAT rule existed (or while it pointed at
 * a dead pod) would keep black-holing the flow (plugins#123, #1190). Failures are only logged:
 * the mapping itself is in place either way.
 */
export async function flushUdpConntrack(runner: CommandRunner, ports: readonly UdpPort[], log: (m: string) => void): Promise<void> {
  const unique = ports.filter((p, i) => ports.findIndex((q) => q.family === p.family && q.port === p.port) === i);
  await Promise.all(
    unique.map(async ({ family, port }) => {
      const argv = ['conntrack', '-D', '-f', family === 6 ? 'ipv6' : 'ipv4', '-p', 'udp', '--dport', String(port)];
      const r = await runner.run(argv);
      // conntrack exits 1 when no entry matched: nothing to flush is success.
      if (r.code !== 0 && !/0 flow entries have been deleted/.test(r.stderr)) {
        log(`portmap: ${argv.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
      }
    }),
  );
}
