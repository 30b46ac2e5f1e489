import { BUILD_VERSION, SUPPORTED_VERSIONS } from '@cni-ts/core';
import { out, UsageError } from '../cli/output.ts';
import { commandHelp, COMMANDS, overview, unknownCommand } from '../cli/usage.ts';

/** `cnictl help [command]`: the overview, or one command's usage and example. */
export async function helpCommand(argv: readonly string[] = []): Promise<number> {
  const [name] = argv;
  if (name === undefined) {
    out(overview());
    return 0;
  }
  if (!COMMANDS[name]) throw new UsageError(unknownCommand(name));
  out(commandHelp(name));
  return 0;
}

export async function versionCommand(): Promise<number> {
  out(`cnictl ${BUILD_VERSION} (cni-ts); CNI versions ${SUPPORTED_VERSIONS.join(', ')}`);
  return 0;
}
