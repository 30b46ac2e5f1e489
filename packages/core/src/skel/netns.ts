import { closeSync, constants, openSync, readlinkSync, statSync } from 'node:fs';
import { isSameFile } from '../invoke/find.ts';

/**
 * True when `path` names the network namespace this process runs in. A runtime that passes the
 * host's own namespace as CNI_NETNS would have ADD build, or DEL tear down, links on the host.
 * A path that cannot be read is not ours: DEL must still succeed when the namespace is gone.
 */
export const isOwnNetns = (path: string): boolean => isSameFile(path, '/proc/self/ns/net');

/** CNI_NETNS_OVERRIDE=1/true (any case) lets a caller run a plugin on its own namespace on purpose. */
export const netnsOverride = (value: string | undefined): boolean => value === '1' || value?.toLowerCase() === 'true';

/** What a CNI_NETNS path names: a network namespace, nothing, or something else (said in words). */
export type NetnsKind = { kind: 'netns' } | { kind: 'missing' } | { kind: 'other'; what: string };

/**
 * Whether `path` is a network namespace, found without side effects: only a file of the
 * kernel's namespace file system (the one /proc/self/ns/net lives on) is opened, so a device
 * or a FIFO named by mistake is never opened. The namespace type is the kernel's name for the
 * opened file (`net:[4026531840]`, `mnt:[...]`) where it gives one (/proc/<pid>/ns/*); a bind
 * mount (/run/netns/<name>, /var/run/netns/cni-...) reads back as its own path, and is taken
 * for the network namespace the runtimes mount there.
 */
export function netnsKind(path: string): NetnsKind {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'other', what: `cannot be inspected (${(err as Error).message})` };
  }
  if (!st.isFile()) return { kind: 'other', what: `it is ${fileType(st)}` };
  if (st.dev !== statSync('/proc/self/ns/net').dev) return { kind: 'other', what: 'it is an ordinary file' };
  const fd = openSync(path, constants.O_RDONLY);
  try {
    const type = /^(\w+):\[\d+\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    return type === undefined || type === 'net' ? { kind: 'netns' } : { kind: 'other', what: `it is a ${type} namespace` };
  } finally {
    closeSync(fd);
  }
}

function fileType(st: ReturnType<typeof statSync> & object): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}
