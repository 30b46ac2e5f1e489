import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { buildBusyboxRootfs, writePage } from './rootfs.ts';
import { populatePluginDir } from './plugins.ts';
import { must, run, type CommandOutput } from './sh.ts';

/** podman's default ulimits need CAP_SYS_RESOURCE when above the hard limits, which we lack. */
function hardLimit(flag: '-Hn' | '-Hu', cap: number): number {
  const raw = must(['bash', '-c', `ulimit ${flag}`]).trim();
  return raw === 'unlimited' ? cap : Math.min(Number(raw), cap);
}

export interface ContainerSpec {
  name: string;
  network: string;
  /** `-p` values, e.g. "18080:80". */
  publish?: string[];
  /** `--ip`: a fixed address instead of the next free one. */
  ip?: string;
}

/**
 * One private podman "node": its own network namespace (where the bridge, veths and firewall rules
 * land), its own storage, conflist dir and plugin dir, all under one temp dir. Every podman call
 * runs as `nsenter --net=<node netns> podman ...`: `ip netns exec` would remount /sys and hide the
 * cgroup fs, and a `rm` from another namespace would run DEL in the wrong one.
 */
export class PodmanLab {
  readonly dir: string;
  readonly netns: NetnsFixture;
  readonly node: string;
  readonly prefix: string;
  readonly rootfs: string;
  readonly confDir: string;
  readonly pluginDir: string;
  readonly plugins: string[];
  private readonly env: NodeJS.ProcessEnv;
  private containers: string[] = [];

  constructor(label: string) {
    this.netns = new NetnsFixture(label);
    this.prefix = this.netns.prefix;
    this.dir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
    this.rootfs = join(this.dir, 'rootfs');
    this.confDir = join(this.dir, 'net.d');
    this.pluginDir = join(this.dir, 'plugins');
    try {
      this.node = this.netns.create('node');
      buildBusyboxRootfs(this.rootfs);
      mkdirSync(this.confDir);
      this.plugins = populatePluginDir(this.pluginDir);
      this.env = { ...process.env, ...this.writePodmanConfig() };
    } catch (e) {
      this.cleanup();
      throw e;
    }
  }

  private writePodmanConfig(): NodeJS.ProcessEnv {
    const d = this.dir;
    for (const sub of ['storage/graph', 'storage/run', 'engine-tmp']) mkdirSync(join(d, sub), { recursive: true });
    writeFileSync(
      join(d, 'containers.conf'),
      [
        '[containers]',
        `default_ulimits = ["nofile=${hardLimit('-Hn', 32768)}:${hardLimit('-Hn', 32768)}", "nproc=${hardLimit('-Hu', 32768)}:${hardLimit('-Hu', 32768)}"]`,
        '[network]',
        'network_backend = "cni"',
        `cni_plugin_dirs = ["${this.pluginDir}"]`,
        `network_config_dir = "${this.confDir}"`,
        '[engine]',
        // crun 1.8 on these hosts fails with "cgroups in hybrid mode not supported".
        'runtime = "runc"',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "none"',
        `tmp_dir = "${join(d, 'engine-tmp')}"`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(d, 'storage.conf'),
      ['[storage]', 'driver = "vfs"', `graphroot = "${join(d, 'storage/graph')}"`, `runroot = "${join(d, 'storage/run')}"`, ''].join('\n'),
    );
    return { CONTAINERS_CONF: join(d, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(d, 'storage.conf') };
  }

  get nodePath(): string {
    return this.netns.path(this.node);
  }

  /** Run a command in the node's network namespace. */
  inNode(argv: string[], input?: string): CommandOutput {
    return run(['nsenter', `--net=${this.nodePath}`, ...argv], { env: this.env, input });
  }

  podman(args: string[], input?: string): CommandOutput {
    return this.inNode(['podman', ...args], input);
  }

  /** podman that must succeed; returns trimmed stdout. */
  mustPodman(args: string[]): string {
    const r = this.podman(args);
    if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  writeConflist(name: string, conflist: unknown): void {
    writeFileSync(join(this.confDir, `${name}.conflist`), JSON.stringify(conflist, null, 2));
  }

  /** Start a detached busybox httpd container that serves a page naming it. */
  startHttpd(spec: ContainerSpec): void {
    const www = writePage(this.rootfs, spec.name);
    this.containers.push(spec.name);
    const publish = (spec.publish ?? []).flatMap((p) => ['-p', p]);
    const ip = spec.ip ? ['--ip', spec.ip] : [];
    this.mustPodman(['run', '-d', '--name', spec.name, '--network', spec.network, ...publish, ...ip, '--rootfs', this.rootfs, '/bin/httpd', '-f', '-p', '80', '-h', www]);
  }

  /** Run one command in a fresh container on a network, then remove the container. */
  runOnce(name: string, network: string, argv: string[]): CommandOutput {
    this.containers.push(name);
    const r = this.podman(['run', '--rm', '--name', name, '--network', network, '--rootfs', this.rootfs, ...argv]);
    this.containers = this.containers.filter((n) => n !== name);
    return r;
  }

  /** Run a command inside a running container, optionally feeding it stdin. */
  exec(container: string, argv: string[], input?: string): CommandOutput {
    return input === undefined ? this.podman(['exec', container, ...argv]) : this.podman(['exec', '-i', container, ...argv], input);
  }

  /** The container's IPv4 address on a network, as podman recorded it from the CNI result. */
  ipOf(container: string, network: string): string {
    return this.mustPodman(['inspect', container, '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`]);
  }

  idOf(container: string): string {
    return this.mustPodman(['inspect', container, '--format', '{{.Id}}']);
  }

  /** `podman rm -f` without the 10 s grace period: httpd as PID 1 ignores SIGTERM. */
  remove(...names: string[]): CommandOutput {
    this.containers = this.containers.filter((n) => !names.includes(n));
    return this.podman(['rm', '-f', '-t', '0', ...names]);
  }

  /** Remove every container this lab started, then the node namespace and the private dir. */
  cleanup(): void {
    if (this.containers.length > 0) this.remove(...this.containers);
    // vfs keeps nothing mounted once its containers are gone; unmount anything left defensively so rm cannot cross into a mount.
    for (const target of run(['findmnt', '-rn', '-o', 'TARGET']).stdout.split('\n').filter((t) => t.startsWith(this.dir)).reverse()) {
      run(['umount', '-l', target]);
    }
    this.netns.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
