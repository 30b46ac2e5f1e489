import { spawnSync } from 'node:child_process';

export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run argv (no shell) and collect its output; never throws. */
export function run(argv: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): CommandOutput {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { env: opts.env ?? process.env, input: opts.input, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** Run argv and return stdout; throws with the command and its stderr when it fails. */
export function must(argv: string[], opts: Parameters<typeof run>[1] = {}): string {
  const r = run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}
