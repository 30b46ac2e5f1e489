import { readSync, writeSync } from 'node:fs';
import { CniError, ErrorCode } from '../spec/errors.ts';
import type { CallOutput, Plugin } from './context.ts';
import { dispatch } from './dispatch.ts';

/** A cell to sleep on with Atomics.wait: a blocking pause without a busy loop. */
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Read all of stdin. A runtime may hand over a non-blocking pipe (EAGAIN: wait for more), and a
 * closed stdin reads as empty; any other failure is the spec's I/O error.
 */
function readStdin(): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1); // the writer has not caught up: wait a millisecond
        continue;
      }
      if (code === 'EOF' || code === 'EBADF') break;
      throw new CniError(ErrorCode.IoFailure, `error reading from stdin: ${(err as Error).message}`);
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Run `plugin` as this process: the real environment and stdin in, the dispatcher's output out.
 * Output goes through fs.writeSync: creating Node-style stdout streams costs start-up time, and
 * nothing but the final JSON may reach stdout.
 */
export async function runPluginProcess(plugin: Plugin): Promise<never> {
  const env = process.env;
  // VERSION and the about line need no config: do not block on a terminal's stdin for them.
  const needsStdin = env.CNI_COMMAND !== undefined && env.CNI_COMMAND !== '' && env.CNI_COMMAND !== 'VERSION';
  let stdin = '';
  try {
    if (needsStdin) stdin = readStdin();
  } catch (err) {
    return finish({ stdout: JSON.stringify(CniError.from(err).toJSON()), stderr: '', exitCode: 1 });
  }
  return finish(await dispatch(plugin, { env, stdin }));
}

/** Write a call's output (diagnostics first, then the one JSON answer) and exit with its code. */
export function finish(out: CallOutput): never {
  if (out.stderr) writeAll(2, out.stderr);
  if (out.stdout) writeAll(1, out.stdout);
  process.exit(out.exitCode);
}

/** Write all of `text` to `fd` with fs.writeSync (no Node-style streams at start-up), waiting out a full non-blocking pipe. */
export function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      // A non-blocking pipe that is full: wait for the reader. Anything else (EPIPE): it has gone.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
