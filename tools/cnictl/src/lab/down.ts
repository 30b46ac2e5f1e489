import { LabHost } from './host.ts';
import { detachPod } from './pods.ts';
import { loadState, removeStateDir, saveState } from './state.ts';

/**
 * Remove what `up` recorded: DEL every pod through its node's chain (so IPs and rules are
 * released the way a runtime would; with containerd, StopPodSandbox + RemovePodSandbox, then each
 * node's containerd stopped by its PID), then the namespaces (which take the bridges, veths, VXLAN
 * devices and firewall rules inside them along), then the state dir. Returns what could not be
 * removed; keeps going past errors so one stuck pod does not strand the rest.
 */
export async function labDown(stateDir: string, say: (line: string) => void, host = new LabHost()): Promise<string[]> {
  const state = loadState(stateDir);
  if (!state) {
    say(`no lab state in ${stateDir}: nothing to remove`);
    return [];
  }
  const problems: string[] = [];
  const cri = state.runtime === 'containerd' ? await import('./containerd/lab.ts') : undefined;
  for (const pod of [...state.pods].reverse()) {
    try {
      await (cri ? cri.detachCriPod(state, pod) : detachPod(host, state, pod));
      state.pods = state.pods.filter((p) => p !== pod);
      state.netns = state.netns.filter((n) => n !== pod.netns);
      saveState(state);
    } catch (err) {
      problems.push(`${pod.name}: ${(err as Error).message}`);
    }
  }
  if (cri) problems.push(...(await cri.stopNodeRuntimes(state, () => saveState(state))));
  for (const ns of [...state.netns].reverse()) {
    try {
      await host.deleteNetns(ns);
      state.netns = state.netns.filter((n) => n !== ns);
    } catch (err) {
      problems.push(`${ns}: ${(err as Error).message}`);
    }
  }
  if (problems.length === 0) {
    removeStateDir(stateDir);
    say(`lab ${state.plan.prefix} removed`);
  } else {
    saveState(state);
  }
  return problems;
}
