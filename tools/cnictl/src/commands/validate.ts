import { cniPath, confDir } from '../cli/runtime-options.ts';
import { parseArgs } from '../cli/options.ts';
import { out, UsageError } from '../cli/output.ts';
import { loadAll, type NetworkList } from '../conf/load.ts';
import { ExecInvoker, type PluginInvoker } from '../runtime/invoke.ts';
import { probeVersions } from '../runtime/probe.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `cnictl validate [--conf-dir D] [--cni-path P] [net]`: every problem a user can act on, per
 * file; exit 1 when there is any. Plugins are only asked VERSION, which changes nothing.
 */
export async function validateCommand(argv: readonly string[], env: Env = process.env, invoker: PluginInvoker = new ExecInvoker()): Promise<number> {
  const a = parseArgs(argv, ['conf-dir', 'cni-path']);
  const [net, ...extra] = a.positionals;
  if (extra.length > 0) throw new UsageError('usage: cnictl validate [--conf-dir DIR] [--cni-path DIRS] [network]');
  const dir = confDir(a, env);
  const path = cniPath(a, env);
  const seen = new Map<string, string>();
  let entries = loadAll(dir);
  if (net !== undefined) entries = entries.filter((e) => e.list?.name === net || e.problem);
  if (!entries.some((e) => e.list) && net !== undefined) throw new UsageError(`no network named "${net}" in ${dir}`);
  if (entries.length === 0) {
    out(`no network lists in ${dir}`);
    return 1;
  }
  let problems = 0;
  for (const entry of entries) {
    const found = entry.list ? await listProblems(entry.list, path, invoker) : [entry.problem!];
    if (entry.list) {
      const first = seen.get(entry.list.name);
      if (first) found.push(`network name "${entry.list.name}" is also used by ${first}, which wins: this file is never used`);
      else seen.set(entry.list.name, entry.file);
    }
    problems += found.length;
    const title = entry.list ? `${entry.file} (network "${entry.list.name}", version ${entry.list.cniVersion})` : entry.file;
    out(found.length === 0 ? `ok       ${title}` : `PROBLEM  ${title}\n${found.map((p) => `         - ${p}`).join('\n')}`);
  }
  return problems === 0 ? 0 : 1;
}

async function listProblems(list: NetworkList, path: string[], invoker: PluginInvoker): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, plugin] of list.plugins.entries()) {
    const where = `plugins[${i}] "${plugin.type}"`;
    try {
      const versions = await probeVersions(invoker, plugin.type, path, list.cniVersion);
      if (!versions.includes(list.cniVersion)) {
        problems.push(`${where} does not support version ${list.cniVersion} (it supports ${versions.join(', ')})`);
      }
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
  }
  return problems;
}
