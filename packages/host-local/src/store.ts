import { lstatSync, mkdirSync, readdirSync, unlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { isAtomicTemp, readFileNoFollow, writeFileAtomic, writeFileNoFollow } from '@cni-ts/linux';
import { formatIP, parseIP, type IP } from '@cni-ts/core/net/ip';

/**
 * Who holds a reserved address, as written in its file: `<containerID>\r\n<ifname>`. Files
 * written before the reference added the ifname line hold only the container ID (`ifName`
 * undefined): they match that container on any interface.
 */
export interface Owner {
  containerId: string;
  ifName?: string;
}

/**
 * What a reservation file says: an owner, or nothing usable (empty or whitespace only); or
 * `foreign`: something else sits at the address's name (a directory, a symlink, a FIFO), which
 * is never followed or removed, and whose address is never handed out.
 */
export type Reservation = { kind: 'owner'; owner: Owner } | { kind: 'empty' } | { kind: 'foreign'; what: string };

/** A reservation file (named by its address) and the owner written in it. */
export interface OwnedFile {
  name: string;
  owner: Owner;
}

const LAST_RESERVED_PREFIX = 'last_reserved_ip.';
const LOCK_FILE = 'lock';

function parseReservation(text: string): Reservation {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  const [containerId, ifName] = trimmed.split(/\r?\n/).map((s) => s.trim());
  return { kind: 'owner', owner: { containerId: containerId!, ...(ifName !== undefined && ifName !== '' && { ifName }) } };
}

const foreign = (st: Stats): Reservation => ({
  kind: 'foreign',
  what: st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : 'not a regular file',
});

const formatReservation = (owner: Owner): string => `${owner.containerId.trim()}\r\n${owner.ifName ?? ''}`;

/** True when a file's owner is this attachment (an old cid-only file matches any ifname). */
export const ownedBy = (owner: Owner, containerId: string, ifName: string): boolean =>
  owner.containerId === containerId && (owner.ifName === undefined || owner.ifName === ifName);

/**
 * The reference plugin's on-disk layout for one network, `<dataDir>/<net>/`: one file per
 * reserved address named by the address, `last_reserved_ip.<set index>`, and `lock`. The files
 * are the truth; callers hold the lock around every read-modify-write.
 */
export class NetworkDir {
  constructor(readonly path: string) {}

  get lockPath(): string {
    return join(this.path, LOCK_FILE);
  }

  /** Create the directory; a symlink planted in its place is refused, never followed. */
  ensure(): void {
    if (lstatSync(this.path, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw Object.assign(new Error(`${this.path} is a symbolic link; refusing to keep reservations through it`), { code: 'ELOOP' });
    }
    mkdirSync(this.path, { recursive: true, mode: 0o755 });
  }

  exists(): boolean {
    try {
      return lstatSync(this.path).isDirectory();
    } catch {
      return false;
    }
  }

  /** The reservation of `ip`, or undefined when the address is free. */
  read(ip: IP): Reservation | undefined {
    // A free address is the common answer here: asking without throwing avoids an ENOENT error,
    // whose first occurrence in a process costs the Bun executables ~0.8 ms.
    const st = lstatSync(join(this.path, formatIP(ip)), { throwIfNoEntry: false });
    if (!st) return undefined;
    return st.isFile() ? this.readName(formatIP(ip)) : foreign(st);
  }

  /**
   * The reservation file `name` (listed or indexed, so most likely there), read without
   * following a symlink; undefined when gone.
   */
  readName(name: string): Reservation | undefined {
    const file = join(this.path, name);
    try {
      return parseReservation(readFileNoFollow(file));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP' || code === 'EISDIR' || code === 'EAGAIN') {
        const st = lstatSync(file, { throwIfNoEntry: false });
        return st ? foreign(st) : undefined;
      }
      throw err;
    }
  }

  /** Write the reservation atomically: a crash leaves the full file or none. */
  reserve(ip: IP, owner: Owner): void {
    writeFileAtomic(join(this.path, formatIP(ip)), formatReservation(owner));
  }

  release(name: string): void {
    try {
      unlinkSync(join(this.path, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  lastReserved(setIndex: number): IP | undefined {
    try {
      return parseIP(readFileNoFollow(join(this.path, `${LAST_RESERVED_PREFIX}${setIndex}`)).trim());
    } catch {
      return undefined; // missing, unreadable or a symlink: only round-robin is lost, as in the reference
    }
  }

  /**
   * Written in place without fsync, as the reference does: it is only where round-robin resumes.
   * A torn or lost write just moves the starting point; every candidate is still checked on disk.
   * A symlink at its name is refused (a plain write would go through it to any file).
   */
  setLastReserved(setIndex: number, ip: IP): void {
    const file = join(this.path, `${LAST_RESERVED_PREFIX}${setIndex}`);
    try {
      writeFileNoFollow(file, formatIP(ip));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
      throw Object.assign(new Error(`${file} is a symbolic link; refusing to write through it`), { code: 'ELOOP' });
    }
  }

  /** Names of all reservation files (those named by an address); other files are skipped. */
  reservationNames(): { name: string; ip: IP }[] {
    const out: { name: string; ip: IP }[] = [];
    for (const name of this.list()) {
      const ip = parseIP(name);
      if (ip) out.push({ name, ip });
    }
    return out;
  }

  /**
   * Every reservation file with what it says, each read once, from one listing; a file gone since
   * the listing is skipped. Temp files left by a writer that died before its rename are removed on
   * the way: callers hold the lock, so no live writer owns one.
   */
  readReservations(): { name: string; reservation: Reservation }[] {
    const out: { name: string; reservation: Reservation }[] = [];
    for (const name of this.list()) {
      if (isAtomicTemp(name)) this.removeTemp(name);
      else if (parseIP(name)) {
        const reservation = this.readName(name);
        if (reservation) out.push({ name, reservation });
      }
    }
    return out;
  }

  private removeTemp(name: string): void {
    try {
      unlinkSync(join(this.path, name));
    } catch {
      // gone already, or not a file (a directory with a temp's name): not ours to remove
    }
  }

  private list(): string[] {
    try {
      return readdirSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
