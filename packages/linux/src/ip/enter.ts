import { closeSync, openSync } from 'node:fs';
import { openLibc } from '../libc.ts';

/**
 * Enter another network namespace with this thread for one synchronous moment, through setns(2)
 * from libc (bun:ffi). What happens inside lands in that namespace: /proc/sys/net writes, and
 * processes spawned there (a child starts in its parent thread's namespaces). This saves an
 * `nsenter` process per container command. Under Node there is no FFI: callers fall back to
 * `nsenter --net=PATH`.
 */
const CLONE_NEWNET = 0x40000000;

type Setns = (fd: number, nstype: number) => number;
let setns: Setns | null = null;
let loading: Promise<boolean> | undefined;

/** Load setns once; false when not running under Bun or libc cannot be opened. */
export function canEnterNetns(): Promise<boolean> {
  loading ??= openLibc<{ setns: Setns }>({ setns: { args: ['i32', 'i32'], returns: 'i32' } }).then((libc) => {
    setns = libc?.symbols.setns ?? null;
    return setns !== null;
  });
  return loading;
}

/** Why a namespace could not be entered, worded like nsenter so callers match one set of messages. */
export class NetnsEnterError extends Error {}

/**
 * Run `fn` with this thread in the network namespace at `path`, then return to the original one,
 * whatever `fn` does. `fn` must be synchronous: no other code may run while the thread is away.
 * Call canEnterNetns() first.
 */
export function withNetns<T>(path: string, fn: () => T): T {
  if (!setns) throw new Error('withNetns: setns is not available (call canEnterNetns first)');
  let target: number;
  try {
    target = openSync(path, 'r');
  } catch (err) {
    throw new NetnsEnterError(`nsenter: cannot open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message}`);
  }
  const home = openSync('/proc/thread-self/ns/net', 'r');
  try {
    if (setns(target, CLONE_NEWNET) !== 0) {
      throw new NetnsEnterError(`nsenter: reassociate to namespace 'ns/net' failed: ${path} is not a network namespace`);
    }
    try {
      return fn();
    } finally {
      if (setns(home, CLONE_NEWNET) !== 0) {
        // Never carry on in the wrong namespace: host work would land in the container.
        process.stderr.write(`fatal: cannot return to the original network namespace after entering ${path}\n`);
        process.exit(70);
      }
    }
  } finally {
    closeSync(home);
    closeSync(target);
  }
}
