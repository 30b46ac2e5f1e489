import type { PluginEnv, PluginInvoker, PluginOutput } from './invoke.ts';

/** Wraps an invoker to report how long each plugin process took (`--timings`). */
export class TimingInvoker implements PluginInvoker {
  constructor(
    private readonly inner: PluginInvoker,
    private readonly report: (type: string, verb: string, ms: number) => void,
  ) {}

  locate(type: string, path: readonly string[]): string {
    return this.inner.locate(type, path);
  }

  async invoke(type: string, env: PluginEnv, stdin: string): Promise<PluginOutput> {
    const start = performance.now();
    try {
      return await this.inner.invoke(type, env, stdin);
    } finally {
      this.report(type, env.command, performance.now() - start);
    }
  }
}
