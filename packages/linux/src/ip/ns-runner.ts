import { canStart, runLater, SpawnRunner, type CommandRunner, type RunOptions, type RunResult, type StartedCommand, type StartingRunner } from '../run.ts';
import { canEnterNetns, NetnsEnterError, withNetns } from './enter.ts';

/**
 * The runner for plugins' host commands. Where setns is available (the Bun executables) it runs
 * `nsenter --net=PATH -- CMD...` (as built by inNetns) without the nsenter process: it spawns CMD
 * from this thread while inside the namespace. Elsewhere every command goes to the inner runner
 * unchanged.
 */
export class NetnsRunner implements StartingRunner {
  constructor(private readonly inner: CommandRunner = new SpawnRunner()) {}

  async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    const path = nsenterPath(argv);
    if (path === undefined || !(await canEnterNetns())) return this.inner.run(argv, options);
    try {
      // The child is spawned synchronously inside withNetns, so it starts in the namespace.
      return await withNetns(path, () => this.inner.run(argv.slice(3), options));
    } catch (err) {
      if (err instanceof NetnsEnterError) return { stdout: '', stderr: err.message, code: 1 };
      throw err;
    }
  }

  /** Start a command now and send its input later; without that ability, run it at finish(). */
  async start(argv: readonly string[]): Promise<StartedCommand> {
    const inner = this.inner;
    if (!canStart(inner)) return runLater(this, argv);
    const path = nsenterPath(argv);
    if (path === undefined) return inner.start(argv);
    if (!(await canEnterNetns())) return runLater(this, argv);
    try {
      return await withNetns(path, () => inner.start(argv.slice(3)));
    } catch (err) {
      if (!(err instanceof NetnsEnterError)) throw err;
      const failed: RunResult = { stdout: '', stderr: err.message, code: 1 };
      return { finish: async () => failed };
    }
  }
}

/** The namespace path of an `nsenter --net=PATH -- CMD...` argv (as inNetns builds it). */
export function nsenterPath(argv: readonly string[]): string | undefined {
  const m = argv[0] === 'nsenter' && argv[2] === '--' ? /^--net=(.+)$/.exec(argv[1] ?? '') : null;
  return m ? m[1] : undefined;
}
