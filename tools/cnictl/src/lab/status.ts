import { LabHost } from './host.ts';
import type { LabState, PodState } from './state.ts';

export interface PodView extends PodState {
  /** Addresses found on the pod's interface now (not what ADD said). */
  liveIps: string[];
}

/** Each pod as it is in the kernel right now. */
export async function podViews(state: LabState, host = new LabHost()): Promise<PodView[]> {
  const cri = state.runtime === 'containerd' ? await import('./containerd/lab.ts') : undefined;
  return Promise.all(
    state.pods.map(async (pod) => {
      if (cri) return { ...pod, liveIps: await cri.criLiveIps(state, pod) };
      const r = await host.tryIn(pod.netns, ['ip', '-json', 'addr', 'show', 'dev', pod.ifName, 'scope', 'global']);
      const links = r.code === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>) : [];
      return { ...pod, liveIps: links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.local).map((a) => `${a.local}/${a.prefixlen}`)) };
    }),
  );
}

export function formatStatus(state: LabState, pods: PodView[]): string {
  const rows: string[][] = [['NODE', 'NETNS', 'UNDERLAY', 'POD SUBNETS']];
  for (const n of state.plan.nodes) rows.push([n.name, n.netns, [n.underlay4, n.underlay6].filter(Boolean).join(' '), [n.subnet4, n.subnet6].filter(Boolean).join(' ')]);
  const podRows: string[][] = [['POD', 'NODE', 'INTERFACE', 'IPS', 'HOSTPORT']];
  for (const p of pods) {
    const node = state.plan.nodes.find((n) => n.name === p.node);
    podRows.push([p.name, p.node, p.ifName, p.liveIps.join(' ') || '(none)', p.hostPort && node ? `${node.underlay4}:${p.hostPort}` : '-']);
  }
  return `${table(rows)}\n\n${table(podRows)}\nportmap: ${state.portmap ? 'chained' : 'not chained'}; ${runtimeLine(state)}state: ${state.stateDir}\n`;
}

const runtimeLine = (state: LabState): string =>
  state.runtime === 'containerd' ? `containerd: ${(state.daemons ?? []).map((d) => `${d.node} pid ${d.pid}`).join(', ')}; ` : '';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
