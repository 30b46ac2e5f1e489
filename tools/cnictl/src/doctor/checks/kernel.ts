import type { NetworkList } from '../../conf/load.ts';
import { flannelView, ipamStore } from '../../state/inventory.ts';
import type { Node } from '../context.ts';
import { ok, problem, warn, type Finding } from '../finding.ts';

/** Does the list give pods IPv6 (a range or flannel's IPv6 subnet)? */
function dualStack(list: NetworkList, node: Node): boolean {
  return list.plugins.some((p) => {
    if (p.type === 'flannel' && flannelView(list, p, node.defaults).env?.ipv6Subnet) return true;
    return (ipamStore(list, p, node.defaults)?.rangeSets ?? []).some((set) => set[0]?.subnet.family === 6);
  });
}

/**
 * Forwarding (without it pod traffic never leaves the node) and br_netfilter (without it,
 * traffic between pods on one bridge skips iptables, so Service addresses do not work).
 */
export function checkKernel(node: Node): Finding[] {
  const list = node.defaultList;
  if (!list) return [];
  const findings: Finding[] = [];
  const sysctl = (key: string, fixText: string, severity = problem): void => {
    const v = node.sysctl(key);
    if (v === '1') findings.push(ok('sysctl', `${key} = 1`));
    else findings.push(severity('sysctl', `${key} = ${v ?? 'missing'}: ${fixText}`, `sysctl -w ${key}=1, and persist it in /etc/sysctl.d/`));
  };
  sysctl('net.ipv4.ip_forward', 'pod traffic is not forwarded off the node');
  if (dualStack(list, node)) sysctl('net.ipv6.conf.all.forwarding', `${list.name} gives pods IPv6, which is not forwarded off the node`);
  // The sysctl exists exactly when br_netfilter is there (a module, or built into the kernel).
  if (node.sysctl('net.bridge.bridge-nf-call-iptables') === undefined) {
    findings.push(warn('br_netfilter', 'the br_netfilter module is not loaded: traffic between pods on one bridge skips iptables, so Service (kube-proxy) addresses fail between them', 'modprobe br_netfilter, and persist it in /etc/modules-load.d/'));
  } else {
    sysctl('net.bridge.bridge-nf-call-iptables', 'bridged pod traffic skips iptables (Service addresses fail between pods of one node)', warn);
  }
  return findings;
}
