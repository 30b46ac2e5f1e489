/**
 * `cnictl lab --runtime containerd`: every lab node runs its own containerd (in the node's
 * namespace, its CRI reading the node's 10-flannel.conflist from the node's conf dir, the
 * plugins from the lab's bin dir), and pods are CRI sandboxes with a busybox container, attached
 * by containerd's CNI calls as on a Kubernetes node. Loaded only when that runtime is chosen.
 */
import { CriClient } from '../../cri/client.ts';
import { netnsPath } from '../host.ts';
import type { NodePlan } from '../plan.ts';
import { nodeDirs, type LabState, type PodState } from '../state.ts';
import { containerdPaths, type ContainerdPaths } from './config.ts';
import { forgetAttachments, importImages, prepareContainerd, removeAllSandboxes, removeContainerdDir, startContainerd, stopContainerd } from './daemon.ts';
import { removePod, runPod } from './pod.ts';

/** kube-flannel's conflist version; containerd 1.6's libcni reads results up to 1.0.0 only. */
export const CONTAINERD_CNI_VERSION = '0.3.1';

function pathsOf(state: LabState, node: string): ContainerdPaths {
  const d = nodeDirs(state.stateDir, node);
  return containerdPaths(d.containerdDir, { binDir: state.binDir, confDir: d.confDir });
}

async function withCri<T>(state: LabState, node: string, use: (cri: CriClient, paths: ContainerdPaths) => Promise<T>): Promise<T> {
  const paths = pathsOf(state, node);
  const cri = new CriClient(paths.socket);
  try {
    return await use(cri, paths);
  } finally {
    cri.close();
  }
}

/** Start the node's containerd (recorded by PID at once, so `down` can stop it) and give it the pause and busybox images. */
export async function startNodeRuntime(state: LabState, node: NodePlan, record: () => void): Promise<void> {
  const paths = pathsOf(state, node.name);
  prepareContainerd(paths);
  const pid = await startContainerd(paths, netnsPath(node.netns));
  (state.daemons ??= []).push({ node: node.name, pid });
  record();
  importImages(paths);
}

/** A pod as the kubelet makes it: RunPodSandbox (with the node's hostPort on its first pod), then a busybox httpd. */
export async function attachCriPod(state: LabState, node: NodePlan, podIndex: number, hostPort: number | undefined): Promise<PodState> {
  const name = `${node.name}-pod${podIndex}`;
  return withCri(state, node.name, async (cri, paths) => {
    const pod = await runPod(cri, { name, namespace: 'lab', hostPort }, paths.podLogs);
    return { name, netns: '', node: node.name, containerId: pod.sandboxId, workload: pod.containerId, ifName: 'eth0', ips: pod.ips, ...(hostPort && { hostPort }) };
  });
}

/** StopPodSandbox then RemovePodSandbox: containerd runs the chain's DEL (twice, as on a node). */
export async function detachCriPod(state: LabState, pod: PodState): Promise<void> {
  await withCri(state, pod.node, async (cri) => {
    if ((await cri.listPodSandbox()).some((s) => s.id === pod.containerId)) await removePod(cri, pod.containerId);
  });
}

/**
 * Stop every node's containerd by the PID `up` recorded, after removing any sandbox it still
 * runs; then unmount and remove its dir. Returns what could not be done.
 */
export async function stopNodeRuntimes(state: LabState, record: () => void): Promise<string[]> {
  const problems: string[] = [];
  for (const daemon of [...(state.daemons ?? [])].reverse()) {
    const paths = pathsOf(state, daemon.node);
    try {
      const removed = await removeAllSandboxes(paths).catch((e: Error) => ({ problems: [`${daemon.node}: ${e.message}`], stuck: [] }));
      problems.push(...removed.problems);
      await stopContainerd(daemon.pid, paths);
      await removeContainerdDir(paths);
      forgetAttachments([...removed.stuck, ...state.pods.filter((p) => p.node === daemon.node).map((p) => p.containerId)]);
      state.daemons = state.daemons!.filter((d) => d !== daemon);
      record();
    } catch (e) {
      problems.push(`${daemon.node} containerd ${daemon.pid}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** The addresses on the pod's eth0 now, as the pod itself sees them (a command in its container). */
export async function criLiveIps(state: LabState, pod: PodState): Promise<string[]> {
  if (!pod.workload) return [];
  return withCri(state, pod.node, async (cri) => {
    const r = await cri.execSync(pod.workload!, ['ip', '-o', 'addr', 'show', 'dev', pod.ifName, 'scope', 'global'], 5).catch(() => undefined);
    return [...(r?.stdout ?? '').matchAll(/inet6? (\S+)/g)].map((m) => m[1]!);
  });
}
