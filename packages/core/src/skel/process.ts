import { readFileSync, writeSync } from 'node:fs';
import type { CallOutput, Plugin } from './context.ts';
import { dispatch } from './dispatch.ts';

/** Read all of stdin; an absent or closed stdin reads as empty. */
function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
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
  const out = await dispatch(plugin, { env, stdin: needsStdin ? readStdin() : '' });
  return finish(out);
}

export function finish(out: CallOutput): never {
  if (out.stderr) writeAll(2, out.stderr);
  if (out.stdout) writeAll(1, out.stdout);
  process.exit(out.exitCode);
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}
