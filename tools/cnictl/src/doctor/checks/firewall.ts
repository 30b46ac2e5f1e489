import { backendRuleCounts } from '../../state/firewall.ts';
import type { Node } from '../context.ts';
import { ok, problem, warn, type Finding } from '../finding.ts';

/** A plugin entry (or flannel's delegate) that asks for the nftables backend. */
const wantsNftables = (p: Record<string, unknown>): boolean =>
  p.ipMasqBackend === 'nftables' || p.backend === 'nftables' || (typeof p.delegate === 'object' && p.delegate !== null && wantsNftables(p.delegate as Record<string, unknown>));

/**
 * iptables rules in both the legacy and the nft backend mean two programs disagree about which
 * one the node uses (each sees half the rules); a list that asks for nftables needs `nft`.
 */
export async function checkFirewall(node: Node): Promise<Finding[]> {
  const findings: Finding[] = [];
  const counts = await backendRuleCounts(node.host);
  if ((counts.legacy ?? 0) > 0 && (counts.nft ?? 0) > 0) {
    findings.push(
      warn(
        'iptables backend',
        `rules in both iptables backends: ${counts.legacy} in iptables-legacy, ${counts.nft} in iptables-nft; \`iptables\` here is ${node.firewall.backends.iptables ?? 'missing'}, and tools on the other backend see only their half`,
        'make every tool use one backend (update-alternatives --set iptables /usr/sbin/iptables-nft on Debian), then remove the other backend\'s rules (iptables-legacy-save / iptables-nft-save show them)',
      ),
    );
  } else if (node.firewall.backends.iptables) {
    findings.push(ok('iptables backend', `iptables is ${node.firewall.backends.iptables}; no rules in the other backend`));
  }
  for (const e of node.entries) {
    if (!e.list || !e.list.plugins.some(wantsNftables)) continue;
    if (!node.firewall.backends.nft) {
      findings.push(problem('nftables', `${e.file} asks for the nftables backend, but \`nft\` is not installed: every ADD that sets up its rules fails`, 'install nftables (apt-get install nftables), or use the iptables backend'));
    }
  }
  return findings;
}
