import { existsSync } from 'node:fs';
import { parseArgs } from '../cli/options.ts';
import { out, UsageError } from '../cli/output.ts';
import { cniPath, confDir, type Env } from '../cli/runtime-options.ts';
import { ExecInvoker, type PluginInvoker } from '../runtime/invoke.ts';
import { exitCode, formatText } from '../validate/findings.ts';
import { validate } from '../validate/run.ts';

/**
 * `cnictl validate [--conf-dir D] [--cni-path P] [--json] [FILE|DIR|net]`: the conf dir (or a
 * file, a dir, or one network of the conf dir) as a runtime loads it, judged by the plugins' own
 * parsers; exit 0 clean, 1 warnings, 2 problems. Plugins are only asked VERSION.
 */
export async function validateCommand(argv: readonly string[], env: Env = process.env, invoker: PluginInvoker = new ExecInvoker()): Promise<number> {
  const a = parseArgs(argv, ['conf-dir', 'cni-path'], ['json']);
  const [arg, ...extra] = a.positionals;
  if (extra.length > 0) throw new UsageError('usage: cnictl validate [--conf-dir DIR] [--cni-path DIRS] [--json] [FILE|DIR|network]');
  const isPath = arg !== undefined && (arg.includes('/') || existsSync(arg));
  const report = await validate(isPath ? arg : confDir(a, env), cniPath(a, env), invoker, isPath ? undefined : arg);
  out(a.flags.has('json') ? JSON.stringify(report.findings, null, 2) : formatText(report.files, report.findings));
  return exitCode(report.findings);
}
