import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@cni-ts/linux';
import type { LabRuntime } from './options.ts';
import type { LabPlan } from './plan.ts';

export interface PodState {
  name: string;
  /** The pod's namespace under /run/netns; '' for a CRI sandbox, whose namespace containerd holds. */
  netns: string;
  node: string;
  /** The CNI container ID (a CRI pod's sandbox ID). */
  containerId: string;
  /** A CRI pod's busybox container, where commands in the pod run. */
  workload?: string;
  ifName: string;
  ips: string[];
  hostPort?: number;
}

/**
 * Everything `up` made, written after every step, so `down` removes exactly that (even after a
 * half-finished `up`) and nothing else.
 */
export interface LabState {
  /** Absent in a state written before runtimes could be chosen: namespace. */
  runtime?: LabRuntime;
  plan: LabPlan;
  stateDir: string;
  /** Where the plugins are installed (dist/bin or /opt/cni/bin). */
  binDir: string;
  /** The cnictl executable that runs each node's conflist. */
  cnictl: string;
  /** CNI_PATH for the plugins (default: binDir). */
  cniPath: string;
  portmap: boolean;
  /** The containerd each node runs (--runtime containerd), by PID, recorded as soon as it answers. */
  daemons?: { node: string; pid: number }[];
  /** Namespaces created, in creation order. */
  netns: string[];
  pods: PodState[];
}

const file = (stateDir: string): string => join(stateDir, 'lab.json');

export function saveState(state: LabState): void {
  mkdirSync(state.stateDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(file(state.stateDir), `${JSON.stringify(state, null, 2)}\n`);
}

export function loadState(stateDir: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(file(stateDir), 'utf8')) as LabState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file(stateDir)} is unreadable: ${(err as Error).message}`);
  }
}

export function removeStateDir(stateDir: string): void {
  rmSync(stateDir, { recursive: true, force: true });
}

/** Per-node files: conflist dir, subnet.env, flannel and host-local data, libcni cache. */
export function nodeDirs(stateDir: string, node: string) {
  const dir = join(stateDir, node);
  return {
    dir,
    confDir: join(dir, 'net.d'),
    subnetFile: join(dir, 'subnet.env'),
    dataDir: join(dir, 'flannel'),
    ipamDir: join(dir, 'ipam'),
    cacheDir: join(dir, 'cache'),
    /** The node's containerd: root, state, socket, config, logs (--runtime containerd). */
    containerdDir: join(dir, 'containerd'),
  };
}
