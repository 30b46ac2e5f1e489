import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The standalone executables under test. */
export const DIST_BIN = join(REPO_ROOT, 'dist/bin');
/** Debian's containernetworking-plugins: the Go reference plugins. */
export const REFERENCE_BIN = '/usr/lib/cni';

export interface PluginCall {
  command: 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';
  config: unknown;
  containerId?: string;
  netns?: string;
  ifName?: string;
  cniArgs?: string;
  /** Directories searched for delegates; default DIST_BIN. */
  cniPath?: string;
  env?: Record<string, string>;
}

export interface ProcessOutput {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PluginOutput extends ProcessOutput {
  /** stdout parsed as JSON, or undefined when empty. */
  json: Record<string, unknown> | undefined;
}

/** Exec one plugin binary (e.g. `${DIST_BIN}/bridge`) as a runtime would. */
export function runPlugin(binary: string, call: PluginCall): PluginOutput {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.containerId ?? 'ctr1',
    CNI_NETNS: call.netns ?? '',
    CNI_IFNAME: call.ifName ?? 'eth0',
    CNI_PATH: call.cniPath ?? DIST_BIN,
    ...(call.cniArgs !== undefined && { CNI_ARGS: call.cniArgs }),
    ...call.env,
  };
  const r = spawnSync(binary, [], { env, input: JSON.stringify(call.config), encoding: 'utf8' });
  const stdout = r.stdout ?? '';
  return { code: r.status ?? -1, stdout, stderr: r.stderr ?? '', json: stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : undefined };
}

/** Run dist/bin/cnictl with arguments; env adds to (not replaces) the test's environment. */
export function cnictl(args: string[], env: Record<string, string> = {}): ProcessOutput {
  const r = spawnSync(join(DIST_BIN, 'cnictl'), args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
