import { UsageError } from './output.ts';

/** Options every network command understands; each maps to one libcni RuntimeConf field. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/**
 * Parse `--key value`, `--key=value` and boolean `--flag`s. `valued` lists the options that take
 * a value; anything else starting with `--` must be in `booleans`, so a typo is an error rather
 * than a silently ignored option.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq === -1 ? undefined : eq);
    if (valued.includes(key)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`option --${key} needs a value`);
      parsed.options.set(key, value);
    } else if (booleans.includes(key) && eq === -1) {
      parsed.flags.add(key);
    } else {
      throw new UsageError(`unknown option --${key} (see: cnictl help)`);
    }
  }
  return parsed;
}

/** Parse a JSON option value, naming the option when it is not valid JSON. */
export function jsonOption(name: string, raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch (e) {
    throw new UsageError(`--${name} is not valid JSON: ${(e as Error).message}`);
  }
}
