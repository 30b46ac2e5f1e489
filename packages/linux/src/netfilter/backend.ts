import type { CommandRunner } from '../run.ts';

export type FirewallBackend = 'iptables' | 'nftables';

/**
 * Which firewall tool works here: iptables when its nat table can be listed (the reference
 * plugins' default), else nftables when `nft` can list tables, else none. Probing by listing
 * catches both a missing binary and a missing CAP_NET_ADMIN (plugins#1280).
 */
export async function detectBackend(runner: CommandRunner, family: 4 | 6 = 4): Promise<FirewallBackend | undefined> {
  const iptables = family === 4 ? 'iptables' : 'ip6tables';
  if ((await runner.run([iptables, '-w', '-t', 'nat', '-S', 'POSTROUTING'])).code === 0) return 'iptables';
  if ((await runner.run(['nft', 'list', 'tables'])).code === 0) return 'nftables';
  return undefined;
}
