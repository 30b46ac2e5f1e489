import { findPlugin } from '@cni-ts/core';
import { runProcess, SpawnError } from '@cni-ts/core/process/spawn';

export type ChainVerb = 'ADD' | 'CHECK' | 'DEL' | 'GC' | 'STATUS' | 'VERSION';

/** The CNI_* variables of one call (libcni's invoke.Args). */
export interface PluginEnv {
  command: ChainVerb;
  containerId?: string;
  netns?: string;
  ifName?: string;
  /** CNI_ARGS, already joined as `K=V;K2=V2`. */
  args?: string;
  path: string[];
}

export interface PluginOutput {
  stdout: string;
  exitCode: number;
}

/**
 * The one door to plugin processes, so the chain logic runs against a fake in unit tests and
 * against real executables everywhere else.
 */
export interface PluginInvoker {
  /** Where plugin `type` is in `path`; throws when it is not there. */
  locate(type: string, path: readonly string[]): string;
  invoke(type: string, env: PluginEnv, stdin: string): Promise<PluginOutput>;
}

/** A plugin's failure, kept with which plugin and which verb, and its CNI error when it printed one. */
export class PluginError extends Error {
  override readonly name = 'PluginError';
  constructor(
    readonly type: string,
    readonly verb: ChainVerb,
    readonly code: number | undefined,
    readonly msg: string,
    readonly details = '',
  ) {
    super(`plugin "${type}" failed (${verb}): ${code !== undefined ? `CNI error ${code}: ` : ''}${msg}${details ? ` (${details})` : ''}`);
  }
}

/** Turn a plugin's non-zero exit into a PluginError, reading its error JSON when there is one. */
export function failure(type: string, verb: ChainVerb, out: PluginOutput): PluginError {
  try {
    const e = JSON.parse(out.stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (typeof e.code === 'number') {
      return new PluginError(type, verb, e.code, typeof e.msg === 'string' ? e.msg : '', typeof e.details === 'string' ? e.details : '');
    }
  } catch {
    // not an error object: report the raw output below
  }
  const text = out.stdout.trim().slice(0, 300);
  return new PluginError(type, verb, undefined, `exited with code ${out.exitCode}${text ? `, printed: ${text}` : ' and printed nothing'}`);
}

/** CNI_* variables over the caller's environment, as libcni does (the plugin inherits PATH etc). */
export function pluginEnvironment(base: NodeJS.ProcessEnv, env: PluginEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    CNI_COMMAND: env.command,
    CNI_CONTAINERID: env.containerId ?? '',
    CNI_NETNS: env.netns ?? '',
    CNI_IFNAME: env.ifName ?? '',
    CNI_ARGS: env.args ?? '',
    CNI_PATH: env.path.join(':'),
  };
}

/**
 * Exec plugins as separate processes, the way a runtime does. `prefix` runs each one under
 * another command, e.g. `nsenter --net=/run/netns/node --` to keep a demo node's bridge and
 * firewall rules out of the host. The plugin's stderr goes to ours.
 */
export class ExecInvoker implements PluginInvoker {
  constructor(
    private readonly prefix: readonly string[] = [],
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  locate(type: string, path: readonly string[]): string {
    return findPlugin(type, path);
  }

  async invoke(type: string, env: PluginEnv, stdin: string): Promise<PluginOutput> {
    const file = findPlugin(type, env.path);
    try {
      const r = await runProcess([...this.prefix, file], stdin, { env: pluginEnvironment(this.baseEnv, env), stderr: 'inherit' });
      return { stdout: r.stdout, exitCode: r.code };
    } catch (err) {
      if (err instanceof SpawnError) throw new PluginError(type, env.command, undefined, `cannot run ${err.message}`);
      throw err;
    }
  }
}
