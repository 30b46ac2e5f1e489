import { SpawnRunner, type CommandRunner, type RunOptions, type RunResult } from '../run.ts';
import { BunSpawnRunner, bunSpawner } from './bun-spawn.ts';
import { canEnterNetns, NetnsEnterError, withNetns } from './enter.ts';

/**
 * The runner for plugins' host commands. Under Bun it spawns with Bun.spawn, and runs
 * `nsenter --net=PATH -- CMD...` (as built by inNetns) without the nsenter process: it spawns CMD
 * from this thread while inside the namespace. Under Node everything goes to SpawnRunner unchanged.
 */
export class NetnsRunner implements CommandRunner {
  constructor(private readonly inner: CommandRunner = defaultRunner()) {}

  async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    const m = argv[0] === 'nsenter' && argv[2] === '--' ? /^--net=(.+)$/.exec(argv[1] ?? '') : null;
    if (!m || !(await canEnterNetns())) return this.inner.run(argv, options);
    try {
      // The child is spawned synchronously inside withNetns, so it starts in the namespace.
      return await withNetns(m[1]!, () => this.inner.run(argv.slice(3), options));
    } catch (err) {
      if (err instanceof NetnsEnterError) return { stdout: '', stderr: err.message, code: 1 };
      throw err;
    }
  }
}

function defaultRunner(): CommandRunner {
  const bun = bunSpawner();
  return bun ? new BunSpawnRunner(bun) : new SpawnRunner();
}
