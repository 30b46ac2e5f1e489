import { spawn as nodeSpawn } from 'node:child_process';

/**
 * The project's one way to start a process: host commands (ip, iptables-restore, nft), delegated
 * plugins and the plugins a chain runs. Under Bun (the compiled executables) it uses Bun.spawn:
 * there node:child_process costs ~2.5 ms more per process and serialises concurrent spawns
 * (measured inside the executable: one `ip -batch` 4.7 vs 1.8 ms, two side by side 8.8 vs 3.0 ms).
 * Under Node (tests, the dist/js bundles) it uses node:child_process.
 *
 * argv arrays only, never a shell. The process is started synchronously, before the call returns:
 * a caller that switched this thread into another network namespace gets the child there.
 */
export interface ProcessOptions {
  /** The child's environment; the caller's when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  /** 'inherit': the child writes to our stderr as it goes (delegated plugins, SPEC §4). */
  stderr?: 'pipe' | 'inherit';
}

export interface ProcessResult {
  stdout: string;
  /** Empty when stderr was inherited. */
  stderr: string;
  /** The exit code; 128 + signal number when a signal ended it. */
  code: number;
}

/** A started process waiting for its stdin: finish() sends it whole, closes it and collects the result. */
export interface RunningProcess {
  finish(input: string): Promise<ProcessResult>;
}

/** The process could not be started (e.g. ENOENT, EACCES). */
export class SpawnError extends Error {
  override readonly name = 'SpawnError';
  constructor(
    file: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** Start `argv` now; its stdin stays open until finish(). Throws SpawnError when it cannot start. */
export function startProcess(argv: readonly string[], options: ProcessOptions = {}): RunningProcess {
  if (argv.length === 0 || !argv[0]) throw new SpawnError('', 'EINVAL', 'empty command');
  const bun = bunSpawner();
  return bun ? startWithBun(bun, argv, options) : startWithNode(argv, options);
}

/** Run `argv` with `input` on stdin until it exits. Rejects with SpawnError when it cannot start. */
export async function runProcess(argv: readonly string[], input: string, options: ProcessOptions = {}): Promise<ProcessResult> {
  return startProcess(argv, options).finish(input);
}

interface BunSubprocess {
  stdin: { write(data: string): unknown; end(): unknown };
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array> | undefined | number;
  exited: Promise<number>;
}
interface BunSpawn {
  spawn(
    argv: string[],
    options: { stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe' | 'inherit'; env?: Record<string, string | undefined> },
  ): BunSubprocess;
}

function bunSpawner(): BunSpawn | undefined {
  const bun = (globalThis as { Bun?: BunSpawn }).Bun;
  return typeof bun?.spawn === 'function' ? bun : undefined;
}

function startWithBun(bun: BunSpawn, argv: readonly string[], options: ProcessOptions): RunningProcess {
  const stderr = options.stderr ?? 'pipe';
  let child: BunSubprocess;
  try {
    child = bun.spawn([...argv], { stdin: 'pipe', stdout: 'pipe', stderr, ...(options.env && { env: { ...options.env } }) });
  } catch (err) {
    throw spawnError(argv[0]!, err);
  }
  // Read the output from the start, so a child writing much before its stdin is closed never blocks.
  const result = Promise.all([
    new Response(child.stdout).text(),
    child.stderr instanceof ReadableStream ? new Response(child.stderr).text() : Promise.resolve(''),
    child.exited,
  ]).then(([out, err, code]) => ({ stdout: out, stderr: err, code }));
  return {
    finish: (input) => {
      try {
        if (input) child.stdin.write(input);
        child.stdin.end();
      } catch {
        // the child exited without reading its stdin: its result still says what happened
      }
      return result;
    },
  };
}

function startWithNode(argv: readonly string[], options: ProcessOptions): RunningProcess {
  const [file, ...args] = argv as [string, ...string[]];
  const child = nodeSpawn(file, args, {
    stdio: ['pipe', 'pipe', options.stderr ?? 'pipe'],
    ...(options.env && { env: options.env as NodeJS.ProcessEnv }),
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  child.stdin!.on('error', () => undefined); // a child that exits without reading its stdin
  const result = new Promise<ProcessResult>((resolve, reject) => {
    child.on('error', (e) => reject(spawnError(file, e)));
    child.on('close', (code, signal) =>
      resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code: code ?? 128 + signalNumber(signal) }),
    );
  });
  return {
    finish: (input) => {
      child.stdin!.end(input);
      return result;
    },
  };
}

function spawnError(file: string, err: unknown): SpawnError {
  const e = err as NodeJS.ErrnoException;
  // Bun's message already names the file ("ENOENT: no such file or directory, posix_spawn 'ip'").
  return new SpawnError(file, e.code, e.message ?? String(err));
}

/** A signal's number, as the exit code convention needs it (0 when unknown). */
const signalNumber = (signal: NodeJS.Signals | null): number => (signal && process.getBuiltinModule('node:os').constants.signals[signal]) || 0;
