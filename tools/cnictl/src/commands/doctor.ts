import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SpawnRunner, type CommandRunner } from '@cni-ts/linux/run';
import { parseArgs, type ParsedArgs } from '../cli/options.ts';
import { out, UsageError } from '../cli/output.ts';
import { cniPath, confDir, type Env } from '../cli/runtime-options.ts';
import { COMMANDS } from '../cli/usage.ts';
import { activeChecks } from '../doctor/active.ts';
import { checkConf } from '../doctor/checks/conf.ts';
import { checkFirewall } from '../doctor/checks/firewall.ts';
import { checkFlannel } from '../doctor/checks/flannel.ts';
import { checkKernel } from '../doctor/checks/kernel.ts';
import { checkIpam, checkRules } from '../doctor/checks/owners.ts';
import { checkPlugins } from '../doctor/checks/plugins.ts';
import { loadNode, type Node } from '../doctor/context.ts';
import { exitCode, type Finding } from '../doctor/finding.ts';
import { applyFixes, dryRunFindings, planFixes } from '../doctor/fix.ts';
import { findingsJson, formatFindings } from '../doctor/report.ts';
import { selfDir } from '../install/install.ts';
import { DEFAULT_CACHE_DIR } from '../runtime/cache.ts';
import { ExecInvoker } from '../runtime/invoke.ts';
import { STATE_DEFAULTS } from '../state/inventory.ts';

const VALUED = ['conf-dir', 'bin-dir', 'cni-path', 'cache-dir', 'data-dir', 'subnet-file', 'netns'];
const FLAGS = ['json', 'fix', 'dry-run', 'active'];

/** The node as the conf, plugin, cache and state options given (doctor and sysdump) describe it. */
export function loadNodeFromArgs(a: ParsedArgs, env: Env, host: CommandRunner): Promise<Node> {
  const bin = a.options.get('bin-dir');
  return loadNode({
    confDir: confDir(a, env),
    binDirs: bin ? bin.split(':').filter(Boolean) : cniPath(a, env),
    cacheDir: a.options.get('cache-dir') ?? DEFAULT_CACHE_DIR,
    defaults: { dataDir: a.options.get('data-dir') ?? STATE_DEFAULTS.dataDir, subnetFile: a.options.get('subnet-file') ?? STATE_DEFAULTS.subnetFile },
    host,
    invoker: new ExecInvoker(),
  });
}

/** Every passive check, in the order an operator would look. */
export async function runChecks(node: Node): Promise<Finding[]> {
  return [
    ...checkConf(node),
    ...(await checkPlugins(node)),
    ...(await checkFlannel(node)),
    ...checkKernel(node),
    ...(await checkFirewall(node)),
    ...checkIpam(node),
    ...checkRules(node),
  ];
}

/**
 * `cnictl doctor`: the node checked the way an operator does by hand. `--netns` runs the whole
 * doctor inside that namespace (a private test node, or a node's namespace in a lab): sysctls,
 * links, routes and rules are per namespace, so it re-executes itself there.
 */
export async function doctorCommand(argv: readonly string[], env: Env = process.env): Promise<number> {
  const a = parseArgs(argv, VALUED, FLAGS);
  if (a.positionals.length > 0) throw new UsageError(`usage: cnictl ${COMMANDS.doctor!.usage}`);
  if (a.flags.has('dry-run') && !a.flags.has('fix')) throw new UsageError('--dry-run shows what --fix would do: give both');
  const netns = a.options.get('netns');
  if (netns) {
    const rest = argv.filter((arg, i) => arg !== '--netns' && argv[i - 1] !== '--netns' && !arg.startsWith('--netns='));
    const r = spawnSync('nsenter', [`--net=${netns}`, '--', join(selfDir(), 'cnictl'), 'doctor', ...rest], { stdio: 'inherit' });
    if (r.error) throw new UsageError(`cannot enter ${netns}: ${r.error.message}`);
    return r.status ?? 1;
  }
  const node = await loadNodeFromArgs(a, env, new SpawnRunner());
  const findings = await runChecks(node);
  if (a.flags.has('active')) findings.push(...(await activeChecks(node)));
  if (a.flags.has('fix')) {
    const plan = planFixes(node);
    findings.push(...(a.flags.has('dry-run') ? dryRunFindings(plan) : await applyFixes(node, plan)));
  }
  out(a.flags.has('json') ? findingsJson(findings) : formatFindings(findings));
  return exitCode(findings);
}
