import { validateContainerId, validateIfName } from '@cni-ts/core';
import { capabilityArgs, cniPath, confDir, defaultContainerId, netnsPath, parsePairs, RUNTIME_OPTIONS, validAttachments } from '../cli/runtime-options.ts';
import { parseArgs } from '../cli/options.ts';
import { err, out, UsageError } from '../cli/output.ts';
import { loadNetwork, type NetworkList } from '../conf/load.ts';
import { ResultCache } from '../runtime/cache.ts';
import { ChainRunner, type Attachment } from '../runtime/chain.ts';
import { ExecInvoker, type PluginInvoker } from '../runtime/invoke.ts';
import { TimingInvoker } from '../runtime/timing.ts';

export type NetworkVerb = 'add' | 'check' | 'del' | 'gc' | 'status';
export const NETWORK_VERBS: readonly NetworkVerb[] = ['add', 'check', 'del', 'gc', 'status'];

type Env = Readonly<Record<string, string | undefined>>;

/** `cnictl add|check|del|gc|status <net> [<netns>] [options]`: run a network list like a runtime. */
export async function networkCommand(
  verb: NetworkVerb,
  argv: readonly string[],
  env: Env = process.env,
  invoker: PluginInvoker = new ExecInvoker(),
): Promise<number> {
  const a = parseArgs(argv, RUNTIME_OPTIONS, ['timings']);
  if (a.flags.has('timings')) invoker = new TimingInvoker(invoker, (type, command, ms) => err(`cnictl: ${type} ${command} ${ms.toFixed(1)} ms`));
  const perContainer = verb === 'add' || verb === 'check' || verb === 'del';
  const [net, netnsArg, ...extra] = a.positionals;
  if (!net || (perContainer && !netnsArg) || extra.length > 0 || (!perContainer && netnsArg)) {
    throw new UsageError(`usage: cnictl ${verb} <network>${perContainer ? ' <netns path or name>' : ''} [options] (see: cnictl help)`);
  }
  const list = loadNetwork(confDir(a, env), net);
  const runner = new ChainRunner(invoker, new ResultCache(a.options.get('cache-dir')), cniPath(a, env));

  if (verb === 'gc') return gc(runner, list, validAttachments(a));
  if (verb === 'status') {
    const state = await runner.status(list);
    out(state === 'ready' ? `network "${list.name}": every plugin is ready` : `network "${list.name}": version ${list.cniVersion} has no STATUS (needs 1.1.0); nothing to ask`);
    return 0;
  }

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

async function gc(runner: ChainRunner, list: NetworkList, valid: Array<{ containerID: string; ifname: string }>): Promise<number> {
  const report = await runner.gc(list, valid);
  if (report.skipped) {
    out(`network "${list.name}": GC skipped, ${report.skipped}`);
    return 0;
  }
  for (const d of report.deleted) out(`network "${list.name}": deleted stale attachment ${d.containerId}/${d.ifName}`);
  for (const e of report.errors) err(`cnictl: gc: ${e.message}`);
  if (report.errors.length > 0) return 1;
  out(`network "${list.name}": GC done (${report.deleted.length} stale attachment(s) deleted, ${valid.length} kept valid)`);
  return 0;
}
