import type { PluginEnv, PluginInvoker, PluginOutput } from '../runtime/invoke.ts';

export interface FakeCall {
  type: string;
  env: PluginEnv;
  config: Record<string, unknown>;
}

/** Answers plugin calls from a handler and records them: for the chain logic, not for plugins. */
export class FakeInvoker implements PluginInvoker {
  readonly calls: FakeCall[] = [];
  /** Plugin types that `locate` does not find. */
  readonly missing = new Set<string>();
  constructor(private readonly answer: (call: FakeCall) => Partial<PluginOutput> = () => ({})) {}

  locate(type: string, path: readonly string[]): string {
    if (this.missing.has(type)) throw new Error(`no ${type}`);
    return `${path[0] ?? ''}/${type}`;
  }

  async invoke(type: string, env: PluginEnv, stdin: string): Promise<PluginOutput> {
    const call = { type, env, config: JSON.parse(stdin) as Record<string, unknown> };
    this.calls.push(call);
    return { stdout: '', exitCode: 0, ...this.answer(call) };
  }

  /** "TYPE VERB" of every call, in order. */
  get trace(): string[] {
    return this.calls.map((c) => `${c.type} ${c.env.command}`);
  }
}

/** An ADD answer: the prevResult the plugin got plus one interface named after it. */
export function chainingAnswer(call: FakeCall): Partial<PluginOutput> {
  if (call.env.command !== 'ADD') return {};
  const prev = (call.config.prevResult ?? { ips: [] }) as { interfaces?: unknown[]; ips?: unknown[] };
  const interfaces = [...(prev.interfaces ?? []), { name: `if-${call.type}` }];
  const ips = prev.ips?.length ? prev.ips : [{ address: '10.1.0.2/24', gateway: '10.1.0.1' }];
  return { stdout: JSON.stringify({ cniVersion: call.config.cniVersion, interfaces, ips }) };
}
