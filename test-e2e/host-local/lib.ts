import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_BIN, REFERENCE_BIN, REPO_ROOT, runPlugin, startPlugin, type PluginCall, type PluginOutput } from '../lib/exec.ts';

export const OURS = join(DIST_BIN, 'host-local');
export const GO = join(REFERENCE_BIN, 'host-local');

/** A private data dir for one test; never /var/lib/cni. */
export class DataDir {
  readonly path = mkdtempSync(join(tmpdir(), 'cts-hl-'));
  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
  /** Reservation files of network `net`: name -> content. */
  reservations(net: string): Record<string, string> {
    const out: Record<string, string> = {};
    let names: string[] = [];
    try {
      names = readdirSync(join(this.path, net));
    } catch {
      return out;
    }
    for (const name of names) {
      if (/^(\d+\.\d+\.\d+\.\d+|[0-9a-f:]*:[0-9a-f:]*)$/.test(name)) out[name] = readFileSync(join(this.path, net, name), 'utf8');
    }
    return out;
  }
}

export function hlConfig(dataDir: string, ipam: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { cniVersion: '1.1.0', name: 'hlnet', type: 'host-local', ipam: { type: 'host-local', dataDir, ...ipam }, ...extra };
}

/** One plugin call with a netns path that need not exist (host-local never enters it). */
export function hl(binary: string, call: Omit<PluginCall, 'netns'> & { netns?: string }): PluginOutput {
  return runPlugin(binary, { netns: '/run/netns/cts-hl-none', cniPath: binary === GO ? REFERENCE_BIN : DIST_BIN, ...call });
}

/** The Node bundle of the plugin (dist/js): `node` + this file. */
export const OURS_NODE_BUNDLE = join(REPO_ROOT, 'dist/js/host-local.cjs');

/** The same as `hl`, asynchronous, for races; `args` go to the binary (e.g. a script for node). */
export function hlAsync(binary: string, call: Omit<PluginCall, 'netns'>, args: string[] = []): { pid: number; done: Promise<PluginOutput> } {
  return startPlugin(binary, { netns: '/run/netns/cts-hl-none', cniPath: DIST_BIN, ...call }, args);
}

export const addresses = (out: PluginOutput): string[] => ((out.json?.ips ?? []) as { address: string }[]).map((i) => i.address);
