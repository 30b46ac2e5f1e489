import { join } from 'node:path';
import { LabHost, netnsPath } from './host.ts';
import { HOST_PORT, LAB_NETWORK, type NodePlan } from './plan.ts';
import { nodeDirs, type LabState, type PodState } from './state.ts';

/**
 * cnictl runs the node's conflist like the node's runtime would: inside the node's namespace
 * (where cni0, the veths and the portmap rules belong), with the node's own conf, cache and
 * CNI_PATH.
 */
function cnictlArgs(state: LabState, node: NodePlan, verb: 'add' | 'del', pod: PodState): string[] {
  const d = nodeDirs(state.stateDir, node.name);
  return [
    state.cnictl, verb, LAB_NETWORK, netnsPath(pod.netns),
    '--conf-dir', d.confDir, '--cache-dir', d.cacheDir, '--cni-path', state.cniPath,
    '--container-id', pod.containerId, '--ifname', pod.ifName,
  ];
}

/** Create the pod's namespace and attach it; the first pod of a node publishes HOST_PORT. */
export async function attachPod(host: LabHost, state: LabState, node: NodePlan, podIndex: number, record: (pod: PodState) => void): Promise<PodState> {
  const name = `${node.name}-pod${podIndex}`;
  const pod: PodState = { name, netns: `${state.plan.prefix}-${name}`, node: node.name, containerId: `${state.plan.prefix}-${name}`, ifName: 'eth0', ips: [] };
  if (state.portmap && podIndex === 1) pod.hostPort = HOST_PORT;
  await host.addNetns(pod.netns);
  record(pod);
  const argv = cnictlArgs(state, node, 'add', pod);
  if (pod.hostPort) argv.push('--cap-args', JSON.stringify({ portMappings: [{ hostPort: pod.hostPort, containerPort: 80, protocol: 'tcp' }] }));
  const result = JSON.parse(await host.in(node.netns, argv)) as { ips?: Array<{ address: string }> };
  pod.ips = (result.ips ?? []).map((ip) => ip.address);
  record(pod);
  return pod;
}

/** DEL through the chain (releases the IP, removes the rules), then the namespace goes. */
export async function detachPod(host: LabHost, state: LabState, pod: PodState): Promise<void> {
  const node = state.plan.nodes.find((n) => n.name === pod.node);
  if (node && state.netns.includes(node.netns)) await host.in(node.netns, cnictlArgs(state, node, 'del', pod));
  await host.deleteNetns(pod.netns);
}

/**
 * Can this portmap be chained? A DEL without port mappings must succeed for any working
 * portmap (it has nothing to remove); a plugin that cannot do that cannot run the chain.
 */
export async function portmapWorks(host: LabHost, node: NodePlan, cniPath: string): Promise<boolean> {
  const candidates = cniPath.split(':').map((d) => join(d, 'portmap'));
  for (const f of candidates) {
    const r = await host.tryIn(node.netns, [
      'env', 'CNI_COMMAND=DEL', 'CNI_CONTAINERID=lab-probe', 'CNI_IFNAME=eth0', 'CNI_NETNS=', `CNI_PATH=${cniPath}`, f,
    ], JSON.stringify({ cniVersion: '1.0.0', name: LAB_NETWORK, type: 'portmap' }));
    if (r.code !== 127) return r.code === 0;
  }
  return false;
}
