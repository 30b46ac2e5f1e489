import { basename } from 'node:path';
import { contains, formatCidr, parseCidr } from '@cni-ts/core/net/ip';
import { showLinks, showRoutes, type LinkState } from '@cni-ts/linux/ip/query';
import type { NetworkList } from '../../conf/load.ts';
import { flannelView } from '../../state/inventory.ts';
import type { Node } from '../context.ts';
import { ok, problem, warn, type Finding } from '../finding.ts';

/** The lists with a flannel entry, each with that entry. */
export const flannelLists = (node: Node): Array<{ list: NetworkList; plugin: NetworkList['plugins'][number] }> =>
  [...node.states.keys()].flatMap((name) => {
    const list = node.entries.find((e) => e.list?.name === name)!.list!;
    const plugin = list.plugins.find((p) => p.type === 'flannel');
    return plugin ? [{ list, plugin }] : [];
  });

/**
 * flannel's part of the node: subnet.env written by flanneld; the delegate's bridge (cni0) with
 * an address inside FLANNEL_SUBNET, else every ADD fails with "already has an IP address
 * different from"; flannel.1 with FLANNEL_MTU; routes to the other nodes' subnets.
 */
export async function checkFlannel(node: Node): Promise<Finding[]> {
  const lists = flannelLists(node);
  if (lists.length === 0) return [];
  const findings: Finding[] = [];
  const links = await showLinks(node.host, '').catch(() => [] as LinkState[]);
  const routes = await showRoutes(node.host, '', 4).catch(() => []);
  for (const { list, plugin } of lists) {
    const view = flannelView(list, plugin, node.defaults);
    const conf = basename(list.file);
    if (!view.env) {
      findings.push(
        problem('flannel subnet.env', `${conf}: ${view.problem}`, `start flanneld on this node (kubectl -n kube-flannel logs the flannel pod of this node); it writes ${view.subnetFile} once it has a lease`),
      );
      continue;
    }
    const env = view.env;
    findings.push(ok('flannel subnet.env', `${view.subnetFile}: FLANNEL_SUBNET ${env.subnet ?? '-'}, FLANNEL_NETWORK ${env.networks.join(',') || '-'}, MTU ${env.mtu}`));
    const bridgeName = typeof view.delegate?.bridge === 'string' ? view.delegate.bridge : 'cni0';
    const bridge = links.find((l) => l.name === bridgeName);
    const subnet = env.subnet ? parseCidr(env.subnet) : undefined;
    const foreign = subnet ? (bridge?.addrs ?? []).filter((a) => a.family === 4 && !contains(subnet, parseCidr(`${a.local}/${a.prefixlen}`)!)) : [];
    if (foreign.length > 0) {
      const have = foreign.map((a) => `${a.local}/${a.prefixlen}`).join(', ');
      findings.push(
        problem(
          'flannel bridge',
          `${bridgeName} (the bridge of ${conf}) has ${have}, outside FLANNEL_SUBNET ${formatCidr(subnet!)}: every ADD fails with "${bridgeName} already has an IP address different from" (the node's subnet changed, e.g. after a re-join)`,
          `once no pod uses it: ip link delete ${bridgeName} (the next ADD recreates it), or ip addr del ${foreign[0]!.local}/${foreign[0]!.prefixlen} dev ${bridgeName}`,
        ),
      );
    } else if (bridge) {
      findings.push(ok('flannel bridge', `${bridgeName} (the bridge of ${conf}) is inside FLANNEL_SUBNET`));
    }
    const vxlan = links.find((l) => l.name === 'flannel.1');
    if (!vxlan) {
      findings.push(warn('flannel vxlan', 'flannel.1 does not exist: with the vxlan backend flanneld has not set up this node (with host-gw or wireguard this is expected)', 'check flanneld (its pod log) and that the vxlan kernel module loads'));
      continue;
    }
    if (vxlan.mtu !== env.mtu) {
      findings.push(problem('flannel vxlan', `flannel.1 has MTU ${vxlan.mtu}, subnet.env says FLANNEL_MTU=${env.mtu}: pods get an MTU their packets do not fit`, `restart flanneld so that it rewrites ${view.subnetFile}, or set flannel.1's MTU: ip link set flannel.1 mtu ${env.mtu}`));
    } else {
      findings.push(ok('flannel vxlan', `flannel.1 MTU ${vxlan.mtu} matches FLANNEL_MTU`));
    }
    const nets = env.networks.flatMap((n) => parseCidr(n) ?? []);
    const remote = routes.filter((r) => {
      const dst = parseCidr(r.dst);
      return dst && nets.some((n) => contains(n, dst)) && !(subnet && contains(subnet, dst));
    });
    if (remote.length === 0) {
      findings.push(warn('flannel routes', `no route to another node's pod subnet inside FLANNEL_NETWORK ${env.networks.join(',')}: pods reach no pod on other nodes`, 'check flanneld (its pod log): it adds one route per node via flannel.1; on a one-node cluster this is expected'));
    } else {
      findings.push(ok('flannel routes', `${remote.length} route(s) to other nodes' pod subnets`));
    }
  }
  return findings;
}
