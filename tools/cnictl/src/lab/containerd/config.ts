import { join } from 'node:path';
import { PAUSE_IMAGE } from './images.ts';

/** Everything one containerd owns, under one directory (nothing in /var/lib/containerd or /run/containerd). */
export interface ContainerdPaths {
  dir: string;
  root: string;
  state: string;
  socket: string;
  config: string;
  log: string;
  /** CNI plugin executables containerd runs (`loopback` first, then the conflist's). */
  binDir: string;
  /** The conflist containerd loads (the first file by name). */
  confDir: string;
  /** Sandbox and container logs. */
  podLogs: string;
}

/** The paths under dir; a node that already has its CNI dirs (the lab's) names them instead. */
export function containerdPaths(dir: string, cni: { binDir?: string; confDir?: string } = {}): ContainerdPaths {
  return {
    dir,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket: join(dir, 'containerd.sock'),
    config: join(dir, 'config.toml'),
    log: join(dir, 'containerd.log'),
    binDir: cni.binDir ?? join(dir, 'cni-bin'),
    confDir: cni.confDir ?? join(dir, 'net.d'),
    podLogs: join(dir, 'pod-logs'),
  };
}

/** libcni's result cache as containerd 1.6 uses it: the machine's, it has no setting for it. */
export const LIBCNI_CACHE = '/var/lib/cni/results';

const quote = (s: string): string => JSON.stringify(s);

/**
 * containerd 1.6's config (version 2) for a private instance: its own root, state, sockets and
 * plugin dirs; the CRI plugin's CNI dirs; the local pause image as sandbox image (never pulled);
 * network namespaces mounted under its state dir rather than /run/netns. `restrict_oom_score_adj`
 * because the machine's own OOM score may already be below the pod default (runc then fails with
 * EACCES). Snapshotters that need other filesystems or devices are disabled so start-up stays quiet.
 */
export function containerdConfig(p: ContainerdPaths): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"]';
  return [
    'version = 2',
    `root = ${quote(p.root)}`,
    `state = ${quote(p.state)}`,
    'disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]',
    '[grpc]',
    `  address = ${quote(p.socket)}`,
    '[ttrpc]',
    `  address = ${quote(`${p.socket}.ttrpc`)}`,
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${quote(join(p.dir, 'opt'))}`,
    cri,
    `  sandbox_image = ${quote(PAUSE_IMAGE)}`,
    '  restrict_oom_score_adj = true',
    '  netns_mounts_under_state_dir = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    `${cri.slice(0, -1)}.cni]`,
    `  bin_dir = ${quote(p.binDir)}`,
    `  conf_dir = ${quote(p.confDir)}`,
    '',
  ].join('\n');
}
