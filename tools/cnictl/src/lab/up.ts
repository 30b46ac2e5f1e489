import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabHost } from './host.ts';
import type { LabOptions } from './options.ts';
import { conflist, HOST_PORT, nodeBatch, nodeFdbBatch, planLab, subnetEnv, underlayBatch } from './plan.ts';
import { attachPod, portmapWorks } from './pods.ts';
import { loadState, nodeDirs, saveState, type LabState, type PodState } from './state.ts';

export interface UpOptions extends LabOptions {
  /** Progress lines for a person. */
  say(line: string): void;
}

/**
 * Build the lab: underlay, nodes with flanneld's VXLAN programming and subnet.env, then pods
 * attached through each node's conflist. Every namespace is recorded before it is used, so a
 * failure half-way leaves a state that `down` fully removes.
 */
export async function labUp(o: UpOptions, host = new LabHost()): Promise<LabState> {
  if (loadState(o.stateDir)) throw new Error(`a lab is already up with state in ${o.stateDir}: run "cnictl lab down" first`);
  const plan = planLab(o.prefix, o.podsPerNode, o.dualStack);
  // containerd and the CRI client (grpc) are loaded only for the containerd runtime.
  const cri = o.runtime === 'containerd' ? await import('./containerd/lab.ts') : undefined;
  const state: LabState = { runtime: o.runtime, plan, stateDir: o.stateDir, binDir: o.binDir, cnictl: o.cnictl, cniPath: o.cniPath, portmap: false, netns: [], pods: [] };
  saveState(state);
  const created = async (ns: string): Promise<void> => {
    await host.addNetns(ns);
    state.netns.push(ns);
    saveState(state);
  };

  await created(plan.underlayNetns);
  for (const node of plan.nodes) {
    await created(node.netns);
    await host.cable(plan.underlayNetns, node.name, node.netns, 'eth0');
  }
  await host.in(plan.underlayNetns, ['ip', '-batch', '-'], underlayBatch(plan));
  for (const node of plan.nodes) {
    await host.in(node.netns, ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    await host.in(node.netns, ['ip', '-batch', '-'], nodeBatch(plan, node));
    const fdb = nodeFdbBatch(plan, node);
    if (fdb) await host.bridgeBatch(node.netns, fdb);
  }
  o.say(`underlay ${plan.underlayNetns}; nodes ${plan.nodes.map((n) => `${n.name} (${n.netns}, ${n.underlay4}, pods ${n.subnet4}${n.subnet6 ? ` ${n.subnet6}` : ''})`).join(', ')}`);

  state.portmap = await portmapWorks(host, plan.nodes[0]!, o.cniPath);
  if (!state.portmap) o.say('portmap: none in CNI_PATH that runs (a DEL without mappings failed); chaining flannel alone, pods get no hostPort');
  saveState(state);
  for (const node of plan.nodes) {
    const d = nodeDirs(o.stateDir, node.name);
    mkdirSync(d.confDir, { recursive: true });
    writeFileSync(d.subnetFile, subnetEnv(plan, node));
    writeFileSync(join(d.confDir, '10-flannel.conflist'), `${JSON.stringify(conflist(d, state.portmap, cri?.CONTAINERD_CNI_VERSION), null, 2)}\n`);
  }
  if (cri) {
    for (const node of plan.nodes) await cri.startNodeRuntime(state, node, () => saveState(state));
    o.say(`containerd: one per node (${state.daemons!.map((d) => `${d.node} pid ${d.pid}`).join(', ')}), CNI from ${o.binDir}`);
  }

  for (const [k, node] of plan.nodes.entries()) {
    for (let p = 1; p <= o.podsPerNode[k]!; p++) {
      const record = (pod: PodState): void => {
        if (!state.pods.includes(pod)) state.pods.push(pod);
        if (pod.netns && !state.netns.includes(pod.netns)) state.netns.push(pod.netns);
        saveState(state);
      };
      const pod = cri
        ? await cri.attachCriPod(state, node, p, state.portmap && p === 1 ? HOST_PORT : undefined).then((pod) => (record(pod), pod))
        : await attachPod(host, state, node, p, record);
      o.say(`${pod.name}: ${pod.ips.join(' ')}${pod.hostPort ? ` (hostPort ${node.underlay4}:${pod.hostPort} -> :80)` : ''}`);
    }
  }
  return state;
}
