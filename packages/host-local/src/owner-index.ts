import { mkdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkDir, Owner } from './store.ts';

/**
 * An index from owner (containerID + ifname) to reserved addresses, so that ADD's duplicate
 * check, DEL and CHECK cost the same with 5 or 5000 reservations (the reference reads every file
 * of the network directory on each of them).
 *
 * It lives beside the network directory, in `<dataDir>/.<net>.cni-ts-index/` (the reference
 * only ever reads `<dataDir>/<net>/`, and a network name cannot start with a dot): one small file
 * per owner listing its addresses, and a `stamp`. The reservation files stay the truth; the
 * index is trusted only while the network directory is exactly as we left it:
 *
 * - after each change we set the directory's mtime to one second in the past and record that
 *   value (and the boot id) in `stamp`;
 * - anyone else who adds or removes a file there (the reference plugin, an operator's `rm`)
 *   moves the mtime to the current time, which differs from the stamp;
 * - on a mismatch (or after a reboot, or a crash of ours between a change and its stamp) the
 *   index is rebuilt by reading every reservation file once.
 *
 * Callers hold the network lock for the whole call.
 */
export class OwnerIndex {
  readonly dir: string;
  /** After a rebuild: the full index in memory (also the fallback when it cannot be written). */
  private memory: Map<string, string[]> | undefined;
  private writable = true;

  constructor(
    dataDir: string,
    netName: string,
    private readonly net: NetworkDir,
  ) {
    this.dir = join(dataDir, `.${netName}.cni-ts-index`);
  }

  /** Make the index describe the network directory, rebuilding it when something else changed it. */
  open(): void {
    if (this.readStamp() === this.currentStamp()) return;
    this.rebuild();
    this.seal();
  }

  /** Reservation file names held by this attachment (including old cid-only files). */
  lookup(containerId: string, ifName: string): string[] {
    const exact = this.entry(ownerKey({ containerId, ifName }));
    const legacy = this.entry(ownerKey({ containerId }));
    return [...exact, ...legacy];
  }

  add(owner: Owner, ipName: string): void {
    const key = ownerKey(owner);
    this.put(key, [...this.entry(key).filter((n) => n !== ipName), ipName]);
  }

  remove(owner: Owner, ipName: string): void {
    const key = ownerKey(owner);
    this.put(key, this.entry(key).filter((n) => n !== ipName));
  }

  /** Record the network directory's state as the one this index describes. */
  seal(): void {
    if (!this.writable) return this.invalidate();
    try {
      const now = Date.now() / 1000;
      utimesSync(this.net.path, now, now - 1);
      writeFileSync(join(this.dir, 'stamp'), this.currentStamp());
    } catch {
      this.invalidate();
    }
  }

  /** Read every reservation file once and write the index afresh. */
  rebuild(): void {
    this.invalidate();
    this.net.removeStaleTemps();
    const memory = new Map<string, string[]>();
    for (const { name } of this.net.reservationNames()) {
      const reservation = this.net.readName(name);
      if (reservation?.kind !== 'owner') continue;
      const key = ownerKey(reservation.owner);
      memory.set(key, [...(memory.get(key) ?? []), name]);
    }
    this.memory = memory;
    this.writable = true;
    try {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      for (const [key, names] of memory) writeFileSync(join(this.dir, key), names.join('\n'));
    } catch {
      this.writable = false; // serve this call from memory; the next one tries again
    }
  }

  private entry(key: string): string[] {
    if (this.memory) return this.memory.get(key) ?? [];
    try {
      return readFileSync(join(this.dir, key), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  private put(key: string, names: string[]): void {
    if (this.memory) names.length > 0 ? this.memory.set(key, names) : this.memory.delete(key);
    if (!this.writable) return;
    try {
      if (names.length > 0) writeFileSync(join(this.dir, key), names.join('\n'));
      else unlinkSync(join(this.dir, key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.writable = false;
    }
  }

  private invalidate(): void {
    try {
      unlinkSync(join(this.dir, 'stamp'));
    } catch {
      // already gone
    }
  }

  private readStamp(): string | undefined {
    try {
      return readFileSync(join(this.dir, 'stamp'), 'utf8');
    } catch {
      return undefined;
    }
  }

  private currentStamp(): string {
    return `${bootId()}\n${statSync(this.net.path, { bigint: true }).mtimeNs}`;
  }
}

let cachedBootId: string | undefined;

function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = 'unknown-boot';
    }
  }
  return cachedBootId;
}

/**
 * A file name for an owner: `<cid>@<ifname>` (`<cid>@` for cid-only files), escaped; a name too
 * long for the file system is hashed instead. A valid container ID never contains `@`.
 */
export function ownerKey(owner: Owner): string {
  const key = `${encodeURIComponent(owner.containerId)}@${encodeURIComponent(owner.ifName ?? '')}`;
  return key.length <= 200 && key !== 'stamp' ? key : `#${fnv1a64(key)}`;
}

/**
 * FNV-1a, 64 bits: enough to spread long keys. A collision only puts two owners in one file,
 * and every caller checks the reservation file's owner before acting on an entry.
 */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16);
}
