import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { DIST_BIN, runPlugin, type PluginOutput } from '../lib/exec.ts';

export const V4_ENV = 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n';
export const V6_ENV = 'FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00::1/64\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n';
export const DUAL_ENV = V4_ENV + 'FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00::1/64\n';

export interface Call {
  command: 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC';
  config: Record<string, unknown>;
  containerId?: string;
  ifName?: string;
  /** A pod namespace name; DEL may pass none. */
  pod?: string;
  cniPath: string;
}

/**
 * One simulated node (a netns the plugin runs in, so the bridge and its veths never touch the
 * host) with private subnet.env, flannel dataDir and host-local dataDir under a temp dir.
 */
export class FlannelNode {
  readonly ns: NetnsFixture;
  readonly dir: string;
  readonly node: string;
  readonly subnetFile: string;
  readonly dataDir: string;
  readonly ipamDir: string;

  /** `label` goes into every namespace and temp dir name (`cts<label>...`). */
  constructor(label = 'fl') {
    this.ns = new NetnsFixture(label);
    this.dir = mkdtempSync(join(tmpdir(), `cts${label}-`));
    this.subnetFile = join(this.dir, 'subnet.env');
    this.dataDir = join(this.dir, 'flannel');
    this.ipamDir = join(this.dir, 'ipam');
    this.node = this.ns.create('node');
  }

  pod(suffix: string): string {
    return this.ns.create(suffix);
  }

  writeSubnetEnv(text: string): void {
    writeFileSync(this.subnetFile, text);
  }

  /** The flannel config the tests use: our private paths, a bridge name unique to the node. */
  config(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      cniVersion: '1.0.0',
      name: 'cni-flannel',
      type: 'flannel',
      subnetFile: this.subnetFile,
      dataDir: this.dataDir,
      ipam: { dataDir: this.ipamDir },
      ...extra,
    };
  }

  /** Exec dist/bin/flannel (or `binary`) inside the node namespace, as a runtime on that node would. */
  run(call: Call, binary = join(DIST_BIN, 'flannel')): PluginOutput {
    const { pod, ...rest } = call;
    return runPlugin(binary, { ...rest, netns: pod ? this.ns.path(pod) : '', inNetns: this.ns.path(this.node) });
  }

  /** `ip -json` of a namespace (node or pod). */
  ipJson(ns: string, args: string[]): Array<Record<string, unknown>> {
    const out = execFileSync('ip', ['-n', ns, '-json', ...args], { encoding: 'utf8' });
    return out.trim() ? (JSON.parse(out) as Array<Record<string, unknown>>) : [];
  }

  linkNames(ns: string): string[] {
    return this.ipJson(ns, ['link', 'show']).map((l) => l.ifname as string);
  }

  /** host-local's reservation files (one per IP) for the flannel network. */
  reservations(network = 'cni-flannel'): string[] {
    const dir = join(this.ipamDir, network);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip')) : [];
  }

  savedFiles(): string[] {
    return existsSync(this.dataDir) ? readdirSync(this.dataDir).sort() : [];
  }

  cleanup(): void {
    this.ns.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
