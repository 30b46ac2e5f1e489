import { writeAll } from '@cni-ts/core';

// Output goes through core's writeAll (fs.writeSync): in the compiled executable, creating
// Node-style stdout streams costs start-up time, and writes must be complete before process.exit.

export const out = (text: string): void => writeAll(1, text.endsWith('\n') ? text : `${text}\n`);
export const err = (text: string): void => writeAll(2, text.endsWith('\n') ? text : `${text}\n`);

/** An error meant for a person: its message is printed as is, without a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
