import { spawn } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

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

export class SpawnRunner implements CommandRunner {
  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (!file) return Promise.reject(new Error('empty command'));
    return new Promise((resolve) => {
      const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => resolve({ stdout: '', stderr: `${file}: ${e.message}`, code: 127 }));
      child.on('close', (code) =>
        resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code: code ?? 1 }),
      );
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
  }
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
  const r = await runner.run(argv, options);
  if (r.code !== 0) {
    throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}
