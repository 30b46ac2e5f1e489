import { writeSync } from 'node:fs';

/**
 * Output goes through fs.writeSync: in the compiled executable, creating Node-style stdout
 * streams costs start-up time, and writes must be complete before process.exit.
 */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

export const out = (text: string): void => writeAll(1, text.endsWith('\n') ? text : `${text}\n`);
export const err = (text: string): void => writeAll(2, text.endsWith('\n') ? text : `${text}\n`);

/** An error meant for a person: its message is printed as is, without a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
