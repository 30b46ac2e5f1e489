import { firstHost, formatCidr, parseCidr } from '@cni-ts/core/net/ip';

/**
 * The lab's topology, computed before anything is made: which namespaces, addresses, subnets
 * and VXLAN entries each simulated node gets. Pure, so it is unit-tested and printed as is.
 */
export const LAB_NETWORK = 'cbr0';
const CLUSTER_CIDR = '10.244.0.0/16';
const CLUSTER_CIDR6 = 'fd10:244::/48';
const UNDERLAY_MTU = 1500;
/** VXLAN over IPv4 costs 50 bytes of headers (IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14); over IPv6, 70. */
const VXLAN4_MTU = UNDERLAY_MTU - 50;
const VXLAN6_MTU = UNDERLAY_MTU - 70;
/** flanneld's vxlan backend defaults: VNI 1, the Linux-standard port 8472. */
export const VNI = 1;
const VXLAN_PORT = 8472;
/** The hostPort the first pod of every node publishes (container port 80, TCP). */
export const HOST_PORT = 30080;

export interface NodePlan {
  index: number;
  name: string;
  /** The node's network namespace: it plays the node's host network. */
  netns: string;
  underlay4: string;
  underlay6?: string;
  /** This node's pod subnet (what flanneld leases), e.g. 10.244.1.0/24. */
  subnet4: string;
  subnet6?: string;
  vtepMac4: string;
  vtepMac6?: string;
}

export interface LabPlan {
  prefix: string;
  dualStack: boolean;
  /** The underlay: one namespace with a bridge every node's eth0 is plugged into. */
  underlayNetns: string;
  nodes: NodePlan[];
  /** Pods per node, by node index. */
  podsPerNode: number[];
}

const mac = (kind: number, i: number): string => `0e:fe:00:00:${kind.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`;

export function planLab(prefix: string, podsPerNode: number[], dualStack: boolean): LabPlan {
  const nodes = podsPerNode.map((_, k): NodePlan => {
    const i = k + 1;
    return {
      index: i,
      name: `node${i}`,
      netns: `${prefix}-node${i}`,
      underlay4: `192.168.100.${10 + i}`,
      subnet4: `10.244.${i}.0/24`,
      vtepMac4: mac(0, i),
      ...(dualStack && { underlay6: `fd00:100::${10 + i}`, subnet6: `fd10:244:0:${i.toString(16)}::/64`, vtepMac6: mac(1, i) }),
    };
  });
  return { prefix, dualStack, underlayNetns: `${prefix}-underlay`, nodes, podsPerNode };
}

/** The first address of a subnet, as flanneld writes FLANNEL_SUBNET (10.244.1.0/24 -> 10.244.1.1/24). */
function firstHostOf(subnet: string): string {
  const net = parseCidr(subnet)!;
  return formatCidr({ ...firstHost(net), prefix: net.prefix });
}
const networkAddr = (subnet: string): string => subnet.split('/')[0]!;

/** subnet.env as flanneld's vxlan backend writes it for this node. */
export function subnetEnv(plan: LabPlan, node: NodePlan): string {
  const lines = [`FLANNEL_NETWORK=${CLUSTER_CIDR}`, `FLANNEL_SUBNET=${firstHostOf(node.subnet4)}`];
  if (node.subnet6) lines.push(`FLANNEL_IPV6_NETWORK=${CLUSTER_CIDR6}`, `FLANNEL_IPV6_SUBNET=${firstHostOf(node.subnet6)}`);
  lines.push(`FLANNEL_MTU=${plan.dualStack ? Math.min(VXLAN4_MTU, VXLAN6_MTU) : VXLAN4_MTU}`, 'FLANNEL_IPMASQ=true');
  return `${lines.join('\n')}\n`;
}

/** The node's 10-flannel.conflist, as kube-flannel ships it, with the node's private paths. */
export function conflist(node: { subnetFile: string; dataDir: string; ipamDir: string }, withPortmap: boolean, cniVersion = '1.0.0'): Record<string, unknown> {
  return {
    name: LAB_NETWORK,
    cniVersion,
    plugins: [
      {
        type: 'flannel',
        subnetFile: node.subnetFile,
        dataDir: node.dataDir,
        ipam: { dataDir: node.ipamDir },
        delegate: { hairpinMode: true, isDefaultGateway: true },
      },
      ...(withPortmap ? [{ type: 'portmap', capabilities: { portMappings: true } }] : []),
    ],
  };
}

/** `ip -batch` lines for the underlay namespace: one bridge, every node's cable plugged in. */
export function underlayBatch(plan: LabPlan): string {
  const lines = ['link set lo up', 'link add br0 type bridge', 'link set br0 up'];
  for (const n of plan.nodes) lines.push(`link set ${n.name} master br0`, `link set ${n.name} up`);
  return `${lines.join('\n')}\n`;
}

/**
 * `ip -batch` lines for one node: its underlay address, the VXLAN device(s) flanneld creates,
 * and for every other node the route, neighbour (ARP/NDP) entry flanneld programs.
 */
export function nodeBatch(plan: LabPlan, node: NodePlan): string {
  const l = ['link set lo up', `addr add ${node.underlay4}/24 dev eth0`];
  if (node.underlay6) l.push(`addr add ${node.underlay6}/64 dev eth0 nodad`);
  l.push('link set eth0 up');
  l.push(
    `link add flannel.${VNI} type vxlan id ${VNI} local ${node.underlay4} dev eth0 dstport ${VXLAN_PORT} nolearning`,
    `link set flannel.${VNI} address ${node.vtepMac4} mtu ${VXLAN4_MTU}`,
    `addr add ${networkAddr(node.subnet4)}/32 dev flannel.${VNI}`,
    `link set flannel.${VNI} up`,
  );
  if (node.underlay6 && node.subnet6 && node.vtepMac6) {
    l.push(
      `link add flannel-v6.${VNI} type vxlan id ${VNI} local ${node.underlay6} dev eth0 dstport ${VXLAN_PORT} nolearning`,
      `link set flannel-v6.${VNI} address ${node.vtepMac6} mtu ${VXLAN6_MTU}`,
      `addr add ${networkAddr(node.subnet6)}/128 dev flannel-v6.${VNI} nodad`,
      `link set flannel-v6.${VNI} up`,
    );
  }
  for (const r of plan.nodes.filter((n) => n !== node)) {
    const gw4 = networkAddr(r.subnet4);
    l.push(`neigh replace ${gw4} lladdr ${r.vtepMac4} dev flannel.${VNI} nud permanent`, `route replace ${r.subnet4} via ${gw4} dev flannel.${VNI} onlink`);
    if (r.subnet6 && r.vtepMac6 && node.underlay6) {
      const gw6 = networkAddr(r.subnet6);
      l.push(`neigh replace ${gw6} lladdr ${r.vtepMac6} dev flannel-v6.${VNI} nud permanent`, `route replace ${r.subnet6} via ${gw6} dev flannel-v6.${VNI} onlink`);
    }
  }
  return `${l.join('\n')}\n`;
}

/** `bridge -batch` lines for one node: where each remote VTEP's MAC lives on the underlay (FDB). */
export function nodeFdbBatch(plan: LabPlan, node: NodePlan): string {
  const l: string[] = [];
  for (const r of plan.nodes.filter((n) => n !== node)) {
    l.push(`fdb append ${r.vtepMac4} dev flannel.${VNI} dst ${r.underlay4} self permanent`);
    if (r.vtepMac6 && r.underlay6 && node.underlay6) l.push(`fdb append ${r.vtepMac6} dev flannel-v6.${VNI} dst ${r.underlay6} self permanent`);
  }
  return l.length ? `${l.join('\n')}\n` : '';
}
