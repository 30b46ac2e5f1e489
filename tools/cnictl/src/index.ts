import { err, UsageError } from './cli/output.ts';
import { COMMANDS, overview, unknownCommand } from './cli/usage.ts';
import { completionCommand } from './commands/completion.ts';
import { demoCommand } from './commands/demo.ts';
import { helpCommand, versionCommand } from './commands/help.ts';
import { doctorCommand } from './commands/doctor.ts';
import { sysdumpCommand } from './commands/sysdump.ts';
import { listCommand } from './commands/list.ts';
import { installCommand } from './commands/install.ts';
import { NETWORK_VERBS, networkCommand, type NetworkVerb } from './commands/network.ts';
import { validateCommand } from './commands/validate.ts';
import { lab } from './lab/index.ts';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  ...Object.fromEntries(NETWORK_VERBS.map((v) => [v, (argv: string[]) => networkCommand(v as NetworkVerb, argv)])),
  list: listCommand,
  doctor: doctorCommand,
  sysdump: sysdumpCommand,
  install: installCommand,
  validate: validateCommand,
  demo: demoCommand,
  lab,
  completion: completionCommand,
  version: versionCommand,
  help: helpCommand,
};

const HELP_FLAGS = new Set(['--help', '-h']);
const VERSION_FLAGS = new Set(['--version', '-V']);

/**
 * cnictl entry: returns the process exit code. Errors are printed for a person, never as a stack.
 * Bare `cnictl` is a usage error (the overview on stderr, exit 2); `--help` anywhere after a
 * command prints that command's usage instead of running it.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    err(overview());
    return 2;
  }
  if (HELP_FLAGS.has(name)) return helpCommand(rest.slice(0, 1));
  if (VERSION_FLAGS.has(name)) return versionCommand();
  const command = commands[name];
  if (!command) {
    err(`cnictl: ${unknownCommand(name)}`);
    return 2;
  }
  if (rest.some((a) => HELP_FLAGS.has(a)) && COMMANDS[name]) {
    return helpCommand([name]);
  }
  try {
    return await command(rest);
  } catch (e) {
    err(`cnictl ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

