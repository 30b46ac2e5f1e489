import { statSync } from 'node:fs';
import { parseArgs } from '../cli/options.ts';
import { out, UsageError } from '../cli/output.ts';
import { installPlugins, PLUGIN_NAMES, selfDir } from '../install/install.ts';
import { unpackRelease } from '../install/release-tarball.ts';

/** `cnictl install --dir DIR [--from DIR|TARBALL] [plugin...]` */
export async function installCommand(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, ['dir', 'from']);
  const dir = a.options.get('dir');
  if (!dir) throw new UsageError('usage: cnictl install --dir /opt/cni/bin [--from DIR|cni-ts-linux-<arch>-v<version>.tgz] [plugin...]');
  const names = a.positionals.length > 0 ? a.positionals : [...PLUGIN_NAMES];
  const from = a.options.get('from') ?? selfDir();
  // A file is a release tarball: verified against its checksum file and unpacked first.
  const release = isFile(from) ? unpackRelease(from) : undefined;
  try {
    for (const step of installPlugins(release?.dir ?? from, dir, names)) out(`${step.name}: ${step.action} (${step.target})`);
  } finally {
    release?.remove();
  }
  return 0;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
