import { validateContainerId, validateIfName } from '@cni-ts/core';
import { SpawnRunner, type CommandRunner } from '@cni-ts/linux/run';
import { capabilityArgs, cniPath, confDir, defaultContainerId, netnsPath, parsePairs, RUNTIME_OPTIONS, type Env } from '../cli/runtime-options.ts';
import { COMMANDS } from '../cli/usage.ts';
import { GC_FLAGS, gcCommand } from './gc.ts';
import { parseArgs } from '../cli/options.ts';
import { err, out, UsageError } from '../cli/output.ts';
import { loadNetwork, type NetworkList } from '../conf/load.ts';
import { ResultCache } from '../runtime/cache.ts';
import { ChainRunner, type Attachment } from '../runtime/chain.ts';
import { ExecInvoker, type PluginInvoker } from '../runtime/invoke.ts';
import { TimingInvoker } from '../runtime/timing.ts';

export type NetworkVerb = 'add' | 'check' | 'del' | 'gc' | 'status';
export const NETWORK_VERBS: readonly NetworkVerb[] = ['add', 'check', 'del', 'gc', 'status'];

/** `cnictl add|check|del|gc|status <net> [<netns>] [options]`: run a network list like a runtime. */
export async function networkCommand(
  verb: NetworkVerb,
  argv: readonly string[],
  env: Env = process.env,
  invoker: PluginInvoker = new ExecInvoker(),
  host: CommandRunner = new SpawnRunner(),
): Promise<number> {
  const a = parseArgs(argv, RUNTIME_OPTIONS, ['timings', ...(verb === 'gc' ? GC_FLAGS : [])]);
  if (a.flags.has('timings')) invoker = new TimingInvoker(invoker, (type, command, ms) => err(`cnictl: ${type} ${command} ${ms.toFixed(1)} ms`));
  const perContainer = verb === 'add' || verb === 'check' || verb === 'del';
  const [net, netnsArg, ...extra] = a.positionals;
  if (!net || (perContainer && !netnsArg) || extra.length > 0 || (!perContainer && netnsArg)) {
    throw new UsageError(`usage: cnictl ${COMMANDS[verb]!.usage} (see: cnictl ${verb} --help)`);
  }
  const list = loadNetwork(confDir(a, env), net);
  const cache = new ResultCache(a.options.get('cache-dir'));
  const runner = new ChainRunner(invoker, cache, cniPath(a, env));

  if (verb === 'gc') return gcCommand(a, list, runner, cache, host);
  if (verb === 'status') return status(runner, list);

  const netns = netnsPath(netnsArg!);
  const att: Attachment = {
    containerId: a.options.get('container-id') ?? defaultContainerId(netns),
    netns,
    ifName: a.options.get('ifname') ?? (env.CNI_IFNAME || 'eth0'),
    cniArgs: parsePairs(a.options.get('args') ?? env.CNI_ARGS),
    capabilityArgs: capabilityArgs(a, env),
  };
  checkAttachment(att);
  if (verb === 'add') {
    out(JSON.stringify(await runner.add(list, att), null, 2));
    return 0;
  }
  withCachedArgs(att, a.options, runner, list, env);
  if (verb === 'check') {
    const state = await runner.check(list, att);
    out(state === 'checked' ? `network "${list.name}": ${att.containerId}/${att.ifName} checks out` : `network "${list.name}": disableCheck is set; not checked`);
    return 0;
  }
  await runner.del(list, att, (m) => err(`cnictl: ${m}`));
  out(`network "${list.name}": deleted ${att.containerId}/${att.ifName}`);
  return 0;
}

/** Say what is wrong with an id or interface name before any plugin sees it. */
function checkAttachment(att: Attachment): void {
  try {
    validateContainerId(att.containerId);
    validateIfName(att.ifName);
  } catch (e) {
    throw new UsageError((e as Error).message.replace('CNI_CONTAINERID', '--container-id').replace('CNI_IFNAME', '--ifname'));
  }
}

/**
 * CHECK and DEL without --args/--cap-args reuse what ADD was given (from the cache), as runtimes
 * do with libcni's cached config: portmap's DEL, for one, needs the port mappings again.
 */
function withCachedArgs(att: Attachment, options: Map<string, string>, runner: ChainRunner, list: NetworkList, env: Env): void {
  const cached = runner.cached(list, att);
  if (!cached) return;
  if (!options.has('args') && !env.CNI_ARGS) att.cniArgs = cached.cniArgs;
  if (!options.has('cap-args') && !env.CAP_ARGS) att.capabilityArgs = cached.capabilityArgs;
}

/**
 * STATUS as a runtime asks it. A list below 1.1.0 is never asked by any runtime, so saying it is
 * fine would be a guess: that is reported as a configuration matter (exit 2), with the fix.
 */
async function status(runner: ChainRunner, list: NetworkList): Promise<number> {
  if ((await runner.status(list)) === 'unsupported') {
    err(
      `cnictl status: network "${list.name}" (${list.file}) is version ${list.cniVersion}: runtimes never send STATUS or GC to a list below 1.1.0, ` +
        'so no plugin was asked and its readiness is unknown. To have runtimes ask, set "cniVersion": "1.1.0" (or add it to "cniVersions")',
    );
    return 2;
  }
  out(`network "${list.name}": every plugin is ready`);
  return 0;
}
