import { canStart, type CommandRunner, type RunOptions, type RunResult, type StartedCommand } from './run.ts';

/**
 * Commands started before their input is known. A command that waits on other work (masquerade
 * rules wait for IPAM's addresses; portmap's rules wait for the nat table read) is spawned at
 * once, so its process start-up overlaps that work. The first run() with the same argv takes the
 * started process and sends it its input. release() ends those nobody used with empty input,
 * on which `iptables-restore` does nothing and exits 0. With an inner runner that cannot start
 * commands (the recording fake), prestart() does nothing and every run() goes through as usual.
 */
export class PrestartRunner implements CommandRunner {
  private readonly ready = new Map<string, Promise<StartedCommand>>();

  constructor(private readonly inner: CommandRunner) {}

  prestart(argv: readonly string[]): this {
    const key = keyOf(argv);
    if (canStart(this.inner) && !this.ready.has(key)) this.ready.set(key, this.inner.start(argv));
    return this;
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const key = keyOf(argv);
    const started = this.ready.get(key);
    if (!started) return this.inner.run(argv, options);
    this.ready.delete(key);
    return started.then((command) => command.finish(options.input ?? ''));
  }

  /** End the prestarted commands that were not used. */
  async release(): Promise<void> {
    const unused = [...this.ready.values()];
    this.ready.clear();
    await Promise.all(unused.map(async (started) => (await started).finish('').catch(() => undefined)));
  }
}

const keyOf = (argv: readonly string[]): string => argv.join('\0');
