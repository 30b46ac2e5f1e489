import { parseArgs } from '../cli/options.ts';
import { out, UsageError } from '../cli/output.ts';
import { installPlugins, PLUGIN_NAMES, selfDir } from '../install/install.ts';

/** `cnictl install --dir DIR [--from DIR] [plugin...]` */
export async function installCommand(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, ['dir', 'from']);
  const dir = a.options.get('dir');
  if (!dir) throw new UsageError('usage: cnictl install --dir /opt/cni/bin [--from DIR] [plugin...]');
  const names = a.positionals.length > 0 ? a.positionals : [...PLUGIN_NAMES];
  const from = a.options.get('from') ?? selfDir();
  for (const step of installPlugins(from, dir, names)) out(`${step.name}: ${step.action} (${step.target})`);
  return 0;
}
