import { bashCompletion } from '../cli/completion.ts';
import { out, UsageError } from '../cli/output.ts';
import { COMMANDS } from '../cli/usage.ts';

/** `cnictl completion bash`: the completion script on stdout. */
export async function completionCommand(argv: readonly string[]): Promise<number> {
  if (argv.length !== 1 || argv[0] !== 'bash') throw new UsageError(`usage: cnictl ${COMMANDS.completion!.usage}`);
  out(bashCompletion());
  return 0;
}
