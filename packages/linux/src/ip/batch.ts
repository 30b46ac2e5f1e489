import { inNetns } from '../netns.ts';
import { canStart, type CommandRunner, type RunResult } from '../run.ts';

/**
 * Many iproute2 commands sent to one `ip -batch -` process: one spawn instead of one per
 * command. The batch stops at the first failing line, and the error names that line, so a
 * caller can tell which step failed (e.g. a bridge that another call created first).
 */
export class IpBatch {
  readonly lines: string[][] = [];

  /** Append one command, e.g. add('link', 'set', 'dev', name, 'up'). */
  add(...args: string[]): this {
    this.lines.push(args);
    return this;
  }

  get empty(): boolean {
    return this.lines.length === 0;
  }

  /** The batch text: one command per line, arguments quoted where iproute2's parser needs it. */
  text(): string {
    return this.lines.map((l) => l.map(quote).join(' ')).join('\n') + '\n';
  }
}

/** A failed batch: `line` is the 0-based index of the command that failed. */
export class IpBatchError extends Error {
  constructor(
    readonly line: number,
    readonly command: string[],
    readonly stderr: string,
  ) {
    super(`ip ${command.join(' ')}: ${stderr.replace(/Command failed -:\d+\s*/g, '').trim() || 'failed'}`);
    this.name = 'IpBatchError';
  }

  /** The kernel said the object already exists (EEXIST). */
  get exists(): boolean {
    return /File exists/.test(this.stderr);
  }

  /** A device named in the failed command does not exist (ip stops the whole batch for this). */
  get noDevice(): boolean {
    return /Device ("[^"]*" )?does not exist|Cannot find device/.test(this.stderr);
  }
}

/**
 * Run a batch in the namespace at `netns` (empty: the current one). `options` go before -batch,
 * e.g. ['-d', '-json'] so that `addr show` lines in the batch print JSON; returns stdout.
 */
export async function runIpBatch(runner: CommandRunner, netns: string, batch: IpBatch, options: readonly string[] = []): Promise<string> {
  if (batch.empty) return '';
  return outcome(batch, await runner.run(ipArgv(netns, options), { input: batch.text() }));
}

/**
 * Start `ip -batch` in a namespace before its commands are known, so that its start-up overlaps
 * other work (with a runner that can start commands early; others run it when the batch is sent).
 * Exactly one of send() or cancel() must follow.
 */
export interface StartedIpBatch {
  send(batch: IpBatch): Promise<string>;
  cancel(): void;
}

export async function startIpBatch(runner: CommandRunner, netns: string): Promise<StartedIpBatch> {
  if (!canStart(runner)) return { send: (batch) => runIpBatch(runner, netns, batch), cancel: () => undefined };
  const started = await runner.start(ipArgv(netns, []));
  let used = false;
  return {
    send: async (batch) => {
      used = true;
      return outcome(batch, await started.finish(batch.text()));
    },
    // An empty batch: ip reads end-of-input and exits.
    cancel: () => {
      if (!used) started.finish('').catch(() => undefined);
      used = true;
    },
  };
}

const ipArgv = (netns: string, options: readonly string[]): string[] => inNetns(netns, ['ip', ...options, '-batch', '-']);

function outcome(batch: IpBatch, r: RunResult): string {
  if (r.code === 0) return r.stdout;
  const m = /Command failed -:(\d+)/.exec(r.stderr);
  const line = m ? Number(m[1]) - 1 : -1;
  throw new IpBatchError(line, batch.lines[line] ?? [], r.stderr || r.stdout);
}

function quote(arg: string): string {
  if (arg !== '' && !/[\s"'\\#]/.test(arg)) return arg;
  return `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}
