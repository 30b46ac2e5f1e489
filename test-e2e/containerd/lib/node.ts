import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { CriClient } from '../../../tools/cnictl/src/cri/client.ts';
import { containerdPaths, type ContainerdPaths } from '../../../tools/cnictl/src/lab/containerd/config.ts';
import { forgetAttachments, importImages, prepareContainerd, removeAllSandboxes, removeContainerdDir, startContainerd, stopContainerd } from '../../../tools/cnictl/src/lab/containerd/daemon.ts';
import { run, type CommandOutput } from '../../podman/lib/sh.ts';
import { populateBinDir } from './plugins.ts';
import { cacheFilesNamed } from './state.ts';

/** The "node" address: one end of a veth pair inside the node namespace (this kernel has no dummy module). */
export const NODE_ADDRESS = '192.0.2.1';

/**
 * One Kubernetes node as the kubelet sees it: a private network namespace (where the bridge,
 * veths and firewall rules land) running its own containerd, with only our executables in
 * containerd's CNI bin_dir, one conflist in its conf_dir, its own root, state and socket in a
 * private dir. start() after the conflist is written, so containerd loads it at start-up.
 */
export class CriNode {
  readonly netns: NetnsFixture;
  readonly prefix: string;
  readonly dir: string;
  readonly paths: ContainerdPaths;
  readonly nodePath: string;
  pid: number | undefined;
  private client: CriClient | undefined;

  constructor(label: string) {
    this.netns = new NetnsFixture(label);
    this.prefix = this.netns.prefix;
    this.dir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
    this.paths = containerdPaths(join(this.dir, 'containerd'));
    try {
      this.nodePath = this.netns.path(this.netns.create('node'));
      prepareContainerd(this.paths);
      populateBinDir(this.paths.binDir);
      this.mustInNode(['ip', 'link', 'add', 'node0', 'type', 'veth', 'peer', 'name', 'node0p']);
      this.mustInNode(['ip', 'addr', 'add', `${NODE_ADDRESS}/24`, 'dev', 'node0']);
      for (const l of ['node0', 'node0p']) this.mustInNode(['ip', 'link', 'set', l, 'up']);
    } catch (e) {
      this.netns.cleanup();
      throw e;
    }
  }

  get cri(): CriClient {
    if (!this.client) throw new Error('containerd is not running: start() first');
    return this.client;
  }

  writeConflist(name: string, conflist: unknown): void {
    writeFileSync(join(this.paths.confDir, `${name}.conflist`), JSON.stringify(conflist, null, 2));
  }

  /** Start containerd in the node namespace; the first start also imports the pause and busybox images. */
  async start(): Promise<void> {
    const first = this.pid === undefined;
    this.pid = await startContainerd(this.paths, this.nodePath);
    if (first) importImages(this.paths);
    this.client = new CriClient(this.paths.socket);
  }

  /** Stop containerd by its PID (SIGTERM, or SIGKILL as a crash); the pods' shims keep running. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<string> {
    this.client?.close();
    this.client = undefined;
    return this.pid === undefined ? 'gone' : stopContainerd(this.pid, this.paths, { signal });
  }

  inNode(argv: string[], input?: string): CommandOutput {
    return run(['nsenter', `--net=${this.nodePath}`, '--', ...argv], { input });
  }

  private mustInNode(argv: string[]): void {
    const r = this.inNode(argv);
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim()}`);
  }

  /** Remove every sandbox left, stop containerd, kill what it left, unmount, remove the dir and the namespace. */
  async cleanup(): Promise<void> {
    try {
      if (this.client) await removeAllSandboxes(this.paths).catch(() => undefined);
      await this.stop();
    } finally {
      await removeContainerdDir(this.paths);
      // What DEL would have removed had containerd been able to run it: the cache files of this
      // node's networks, and of containerd's loopback attachment of the same sandboxes.
      forgetAttachments(cacheFilesNamed(`${this.prefix}-`).flatMap((f) => /-([0-9a-f]{64})-[^-]+$/.exec(f)?.[1] ?? []));
      this.netns.cleanup();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
