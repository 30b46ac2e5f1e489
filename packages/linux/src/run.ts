import { startProcess, SpawnError, type ProcessResult, type RunningProcess } from '@cni-ts/core/process/spawn';

/** What a command printed and its exit code: core's ProcessResult. */
export type RunResult = ProcessResult;

export interface RunOptions {
  /** Written to the command's stdin (batches: `ip -batch -`, `iptables-restore`, `nft -f -`). */
  input?: string;
}

/**
 * The one door to host commands. argv arrays only: config values reach commands as arguments,
 * never through a shell.
 */
export interface CommandRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** A command already running, waiting for its input: finish() sends it and collects the result (core's RunningProcess). */
export type StartedCommand = RunningProcess;

/** A runner that can start a command before its input is known (its start-up then overlaps other work). */
export interface StartingRunner extends CommandRunner {
  start(argv: readonly string[]): Promise<StartedCommand>;
}

export const canStart = (runner: CommandRunner): runner is StartingRunner => typeof (runner as Partial<StartingRunner>).start === 'function';

/** A "started" command that really runs only when finish() brings its input. */
export const runLater = (runner: CommandRunner, argv: readonly string[]): StartedCommand => ({ finish: (input) => runner.run(argv, { input }) });

/** Start the command now where the runner can, else run it when finish() brings its input. */
export const startOrRunLater = (runner: CommandRunner, argv: readonly string[]): Promise<StartedCommand> =>
  canStart(runner) ? runner.start(argv) : Promise.resolve(runLater(runner, argv));

/**
 * Host commands as real processes (core's startProcess: Bun.spawn in the executables). The child
 * is started synchronously, before the first await, so a caller inside another network namespace
 * for that moment gets the child there. A command that cannot start answers code 127 with the
 * reason (e.g. "ENOENT") in stderr, like a shell.
 */
export class SpawnRunner implements StartingRunner {
  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return this.launch(argv).finish(options.input ?? '');
  }

  start(argv: readonly string[]): Promise<StartedCommand> {
    return Promise.resolve(this.launch(argv));
  }

  private launch(argv: readonly string[]): RunningProcess {
    try {
      const child = startProcess(argv);
      return { finish: (input) => child.finish(input).catch(notStarted) };
    } catch (err) {
      const failed = notStarted(err);
      return { finish: () => failed };
    }
  }
}

/** A command that could not start, as a shell reports it. */
function notStarted(err: unknown): Promise<RunResult> {
  if (!(err instanceof SpawnError)) return Promise.reject(err);
  return Promise.resolve({ stdout: '', stderr: err.message, code: 127 });
}

export interface RecordedCall {
  argv: string[];
  input?: string;
}

/** A fake for unit tests: records every call and answers from a handler (default: success). */
export class RecordingRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];
  constructor(private readonly answer: (call: RecordedCall) => Partial<RunResult> = () => ({})) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const call: RecordedCall = { argv: [...argv], ...(options.input !== undefined && { input: options.input }) };
    this.calls.push(call);
    return { stdout: '', stderr: '', code: 0, ...this.answer(call) };
  }
}

/** Run and throw with the command's own words when it fails. */
export async function runChecked(runner: CommandRunner, argv: readonly string[], options?: RunOptions): Promise<string> {
  return checkedOutput(argv, await runner.run(argv, options));
}

/** The output of a command that ran; throws, naming the command and its error, when it failed. */
export function checkedOutput(argv: readonly string[], r: RunResult): string {
  if (r.code !== 0) {
    throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

