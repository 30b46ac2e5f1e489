import { join } from 'node:path';
import { CniError, ErrorCode } from '@cni-ts/core';
import { lockFile } from '@cni-ts/linux/lock';
import type { StoreLocation } from './config.ts';
import { OwnerIndex } from './owner-index.ts';
import { NetworkDir, ownedBy, type OwnedFile } from './store.ts';

/** A network's state while its lock is held: the reservation files and the owner index. */
export interface Session {
  net: NetworkDir;
  index: OwnerIndex;
  /** This attachment's reservation files, each checked against the owner its file names (returned with it). */
  reservationsOf(containerId: string, ifName: string): OwnedFile[];
  /** Diagnostics for stderr (something skipped on the way). */
  log(message: string): void;
}

/**
 * What a call does with the network: `read` it; `change` it, after which the index is sealed;
 * or `rewrite` it (GC): read every reservation file itself and replace the index with what it
 * keeps. A rewrite does not open the index, since opening can mean reading every file, so
 * nothing can be looked up in it before the replacement; it is sealed afterwards.
 */
type Access = 'read' | 'change' | 'rewrite';

export const networkDir = (loc: StoreLocation): NetworkDir => new NetworkDir(join(loc.dataDir, loc.name));

/**
 * Run `fn` holding the network's lock (flock on `<dataDir>/<net>/lock`, shared with the reference
 * plugin). Unless `access` is `read`, the index is sealed afterwards, even if `fn` threw after a
 * partial change, so the next call trusts it only if it matches the directory.
 */
export async function withNetwork<T>(loc: StoreLocation, access: Access, log: (message: string) => void, fn: (s: Session) => T): Promise<T> {
  try {
    return await locked(loc, access, log, fn);
  } catch (err) {
    throw stateError(err, loc);
  }
}

/** A failing file system call (read-only dataDir, permissions, disk full) is an I/O failure (code 5). */
export function stateError(err: unknown, loc: StoreLocation): unknown {
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && !(err instanceof CniError)) {
    return new CniError(ErrorCode.IoFailure, `host-local state in ${networkDir(loc).path}: ${err.message}`);
  }
  return err;
}

async function locked<T>(loc: StoreLocation, access: Access, log: (message: string) => void, fn: (s: Session) => T): Promise<T> {
  const net = networkDir(loc);
  net.ensure();
  const lock = await lockFile(net.lockPath, { noFollow: true });
  try {
    const index = new OwnerIndex(loc.dataDir, loc.name, net);
    if (access !== 'rewrite') index.open();
    const session: Session = {
      net,
      index,
      log,
      reservationsOf: (containerId, ifName) =>
        index.lookup(containerId, ifName).flatMap((name) => {
          const r = net.readName(name);
          return r?.kind === 'owner' && ownedBy(r.owner, containerId, ifName) ? [{ name, owner: r.owner }] : [];
        }),
    };
    try {
      return fn(session);
    } finally {
      if (access !== 'read') index.seal();
    }
  } finally {
    await lock.release();
  }
}
