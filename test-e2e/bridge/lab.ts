import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { DIST_BIN, inNetns, REFERENCE_BIN, runPlugin, type PluginCall, type PluginOutput } from '../lib/exec.ts';

export const OURS = { bridge: join(DIST_BIN, 'bridge'), hostLocal: join(DIST_BIN, 'host-local') };
export const GO = { bridge: join(REFERENCE_BIN, 'bridge'), hostLocal: join(REFERENCE_BIN, 'host-local') };

export interface CallOptions extends Pick<PluginCall, 'containerId' | 'netns' | 'ifName' | 'cniArgs' | 'env'> {
  /** Which bridge executable to run (default: the lab's). */
  bridge?: string;
}

/**
 * One simulated node: a "node" namespace in which the plugin itself runs (so its bridge, veths
 * and firewall rules never touch the host), pods as namespaces, and a CNI_PATH directory of
 * symlinks choosing our or the reference executables. Everything has a unique prefix and goes
 * in cleanup().
 */
export class BridgeLab {
  readonly fx: NetnsFixture;
  readonly dir = mkdtempSync(join(tmpdir(), 'bridge-e2e-'));
  readonly bin = join(this.dir, 'bin');
  readonly node: string;
  /** A bridge name unique to this lab (≤ 15 characters). */
  readonly bridgeName: string;

  /** `label`: the namespaces' prefix after "cts" (default "br"). */
  constructor(
    readonly plugins: { bridge: string; hostLocal: string } = OURS,
    label = 'br',
  ) {
    this.fx = new NetnsFixture(label);
    mkdirSync(this.bin);
    symlinkSync(plugins.bridge, join(this.bin, 'bridge'));
    symlinkSync(plugins.hostLocal, join(this.bin, 'host-local'));
    this.node = this.fx.create('node');
    this.bridgeName = `b${this.fx.prefix.slice(-6)}`;
  }

  get dataDir(): string {
    return join(this.dir, 'ipam');
  }

  pod(name: string): string {
    return this.fx.path(this.fx.create(name));
  }

  /** A bridge config with a private IPAM data dir; `ranges` as host-local takes them. */
  conf(version: string, ranges: Array<Array<{ subnet: string }>> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      cniVersion: version,
      name: 'e2enet',
      type: 'bridge',
      bridge: this.bridgeName,
      ...(ranges && { ipam: { type: 'host-local', dataDir: this.dataDir, ranges } }),
      ...extra,
    };
  }

  /** Run the bridge executable inside the node namespace, as a runtime on that node would. */
  run(command: PluginCall['command'], config: unknown, o: CallOptions = {}): PluginOutput {
    const { bridge, ...call } = o;
    return runPlugin(bridge ?? join(this.bin, 'bridge'), this.call(command, config, call));
  }

  /** The call a runtime on this node makes: the plugin runs in the node namespace, delegates from the lab's CNI_PATH. */
  call(command: PluginCall['command'], config: unknown, o: Omit<CallOptions, 'bridge'> = {}): PluginCall {
    return { command, config, ...o, cniPath: this.bin, inNetns: this.fx.path(this.node) };
  }

  /** ADD that must succeed; returns the result. */
  add(config: unknown, o: CallOptions): Record<string, unknown> {
    const r = this.run('ADD', config, o);
    if (r.code !== 0) throw new Error(`ADD failed (${r.code}): ${r.stdout} ${r.stderr}`);
    return r.json!;
  }

  /** A command run inside the node namespace. */
  inNode(argv: string[], input?: string): string {
    return execFileSync('nsenter', [`--net=${this.fx.path(this.node)}`, ...argv], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** A command run inside a pod namespace (by path). */
  inPod(netns: string, argv: string[]): string {
    return execFileSync('nsenter', [`--net=${netns}`, ...argv], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  }

  ping(from: string, to: string): boolean {
    return inNetns(from, ['ping', '-c', '1', '-W', '2', to]).code === 0;
  }

  /** Links of the node namespace, as `ip -j -d link` gives them. */
  nodeLinks(): Array<Record<string, unknown> & { ifname: string }> {
    return JSON.parse(this.inNode(['ip', '-j', '-d', 'link', 'show'])) as Array<Record<string, unknown> & { ifname: string }>;
  }

  natRules(family: 4 | 6 = 4): string {
    return this.inNode([family === 4 ? 'iptables-save' : 'ip6tables-save', '-t', 'nat']);
  }

  /** Addresses reserved in the IPAM data dir for the network (files named after an IP). */
  reserved(): string[] {
    try {
      return readdirSync(join(this.dataDir, 'e2enet')).filter((f) => /^[0-9a-f.:]+$/.test(f) && (f.includes('.') || f.includes(':')));
    } catch {
      return [];
    }
  }

  cleanup(): void {
    // Deleting the node namespace removes the bridge, the host veths and every firewall rule in it.
    this.fx.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const V4 = [[{ subnet: '10.88.0.0/24' }]];
export const V6 = [[{ subnet: 'fd88::/64' }]];
export const DUAL = [...V4, ...V6];

/** Addresses of the result (1.x/0.3.x/0.4.x shapes) without prefix. */
export function resultIps(result: Record<string, unknown>): string[] {
  const ips = (result.ips as Array<{ address: string }> | undefined) ?? [];
  return ips.map((i) => i.address.split('/')[0]!);
}

/** Bridge VLAN filtering is a kernel option (CONFIG_BRIDGE_VLAN_FILTERING); probe it in a scratch namespace. */
export function kernelHasVlanFiltering(): boolean {
  const ns = `ctsvlanprobe${process.pid}`;
  spawnSync('ip', ['netns', 'add', ns]);
  try {
    return spawnSync('ip', ['-n', ns, 'link', 'add', 'probe0', 'type', 'bridge', 'vlan_filtering', '1']).status === 0;
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
  }
}
