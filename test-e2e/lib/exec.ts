import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The standalone executables under test. */
export const DIST_BIN = join(REPO_ROOT, 'dist/bin');
/** Debian's containernetworking-plugins: the Go reference plugins. */
export const REFERENCE_BIN = '/usr/lib/cni';
/** The Bun that builds the executables (the host's runtime package). */
export const BUN = ((await import(join(REPO_ROOT, 'tools/build/options.mjs'))) as { bunBinary: string }).bunBinary;

const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface PluginCall {
  command: 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';
  config: unknown;
  containerId?: string;
  netns?: string;
  ifName?: string;
  cniArgs?: string;
  /** Directories searched for delegates; default DIST_BIN. */
  cniPath?: string;
  /** More variables. */
  env?: Record<string, string>;
  /**
   * The namespace (a path) the plugin itself runs in: a simulated node's host network, so that
   * its bridge, veths and firewall rules never touch the real host.
   */
  inNetns?: string;
  timeoutMs?: number;
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

/** The environment a runtime passes to a plugin for this call. */
function pluginEnv(call: PluginCall): Record<string, string> {
  return {
    PATH: process.env.PATH ?? DEFAULT_PATH,
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.containerId ?? 'ctr1',
    CNI_NETNS: call.netns ?? '',
    CNI_IFNAME: call.ifName ?? 'eth0',
    CNI_PATH: call.cniPath ?? DIST_BIN,
    ...(call.cniArgs !== undefined && { CNI_ARGS: call.cniArgs }),
    ...call.env,
  };
}

/** argv that runs `argv` inside `netns` (a path), or as is. */
const inNetnsArgv = (netns: string | undefined, argv: string[]): string[] => (netns ? ['nsenter', `--net=${netns}`, '--', ...argv] : argv);

function pluginOutput(call: PluginCall, out: ProcessOutput): PluginOutput {
  let json: Record<string, unknown> | undefined;
  try {
    json = out.stdout.trim() ? (JSON.parse(out.stdout) as Record<string, unknown>) : undefined;
  } catch {
    throw new Error(`${call.command} printed non-JSON on stdout: ${out.stdout}\nstderr: ${out.stderr}`);
  }
  return { ...out, json };
}

/** Exec one plugin binary (e.g. `${DIST_BIN}/bridge`) as a runtime would, and wait for it. */
export function runPlugin(binary: string, call: PluginCall, args: string[] = []): PluginOutput {
  const [cmd, ...rest] = inNetnsArgv(call.inNetns, [binary, ...args]);
  const r = spawnSync(cmd!, rest, { env: pluginEnv(call), input: JSON.stringify(call.config), encoding: 'utf8', timeout: call.timeoutMs });
  return pluginOutput(call, { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' });
}

/**
 * runPlugin without waiting: for calls that must run at the same time. `pid` is the plugin's
 * own process (nsenter execs it in place), so a test may kill exactly it.
 */
export function startPlugin(binary: string, call: PluginCall, args: string[] = []): { pid: number; done: Promise<PluginOutput> } {
  const [cmd, ...rest] = inNetnsArgv(call.inNetns, [binary, ...args]);
  const child = spawn(cmd!, rest, { env: pluginEnv(call), stdio: ['pipe', 'pipe', 'pipe'], timeout: call.timeoutMs });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin.on('error', () => undefined); // a plugin killed early closes its stdin
  child.stdin.end(JSON.stringify(call.config));
  const done = new Promise<PluginOutput>((resolve, reject) =>
    child.on('close', (code, signal) => {
      try {
        resolve(pluginOutput(call, { code: code ?? (signal ? 128 : -1), stdout, stderr }));
      } catch (err) {
        reject(err as Error);
      }
    }),
  );
  return { pid: child.pid!, done };
}

/**
 * Run dist/bin/cnictl inside `netns` when given (a node namespace, so the chain's bridge, veths
 * and rules stay in the test's own namespace), with none of the runtime's variables inherited:
 * the test passes its conf dir, CNI_PATH and cache as flags.
 */
export function cnictlIn(netns: string | undefined, args: string[], timeoutMs?: number): ProcessOutput {
  const [cmd, ...rest] = inNetnsArgv(netns, [join(DIST_BIN, 'cnictl'), ...args]);
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NETCONFPATH: '', CNI_PATH: '', CNI_ARGS: '', CAP_ARGS: '' } });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Run a command inside a namespace (by path); never throws. */
export function inNetns(netns: string, argv: string[], options: { input?: string; timeoutMs?: number } = {}): ProcessOutput {
  const [cmd, ...rest] = inNetnsArgv(netns, argv);
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', input: options.input, timeout: options.timeoutMs ?? 10_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
