import { err, UsageError } from './cli/output.ts';
import { helpCommand, versionCommand } from './commands/help.ts';
import { installCommand } from './commands/install.ts';
import { NETWORK_VERBS, networkCommand, type NetworkVerb } from './commands/network.ts';
import { validateCommand } from './commands/validate.ts';
import { demoCommand } from './commands/demo.ts';
import { lab } from './lab/index.ts';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  ...Object.fromEntries(NETWORK_VERBS.map((v) => [v, (argv: string[]) => networkCommand(v as NetworkVerb, argv)])),
  install: installCommand,
  validate: validateCommand,
  demo: demoCommand,
  lab,
  version: versionCommand,
  help: helpCommand,
  '--help': helpCommand,
  '-h': helpCommand,
};

/** cnictl entry: returns the process exit code. Errors are printed for a person, never as a stack. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? helpCommand : commands[name];
  if (!command) {
    err(`cnictl: unknown command "${name}" (see: cnictl help)`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (e) {
    err(`cnictl ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof UsageError ? 2 : 1;
  }
}
