import { statSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { readFileNoFollow, writeFileNoFollow } from '@cni-ts/linux';
import type { NetworkDir, OwnedFile, Owner } from './store.ts';

/**
 * First line of the index file; every entry line after it is `<owner key> <address> <boot>`:
 * the boot (/proc/sys/kernel/random/boot_id) in which the reservation was made, or `-` when
 * unknown (a reservation found on disk, e.g. made by the reference plugin). The format is
 * documented in the README for `cnictl doctor`, which reads it.
 */
const HEADER = '# cni-ts host-local owner index v2: <containerID>@<ifname> <address> <boot_id> per line\n';
const UNKNOWN_BOOT = '-';

/** An entry of the index: who holds which reservation file, reserved in which boot. */
export interface IndexEntry {
  key: string;
  name: string;
  boot: string;
}

/**
 * An index from owner (containerID + ifname) to reserved addresses, so that ADD's duplicate
 * check, DEL and CHECK cost about the same with 5 or 5000 reservations (the reference reads every
 * file of the network directory on each of them).
 *
 * It lives beside the network directory, which the reference never looks outside of (and a
 * network name cannot start with a dot): `<dataDir>/.<net>.cni-ts-index` holds one line per
 * reservation, read and searched in one go (a few hundred KB at 5000 reservations), and
 * `<dataDir>/.<net>.cni-ts-stamp` says which state of the network directory it describes.
 *
 * The reservation files stay the truth; the index is trusted only while the network directory
 * is exactly as we left it:
 * - after each change we set the directory's mtime to one second in the past and record that
 *   value (and the boot id) in the stamp;
 * - anyone else who adds or removes a file there (the reference plugin, an operator's `rm`)
 *   moves the mtime to the current time, which differs from the stamp;
 * - on a mismatch (or after a reboot, or a crash of ours between a change and its stamp) the
 *   index is rebuilt by reading every reservation file once;
 * - a caller that has just read every reservation file itself (GC) replaces the index with
 *   what it kept instead of opening it, which could mean reading every file again;
 * - a rebuild or replacement keeps the boot of every entry the old file had for the same owner
 *   and address, so a reboot (which forces a rebuild) does not forget which boot each came from.
 *
 * Callers hold the network lock for the whole call.
 */
export class OwnerIndex {
  readonly path: string;
  private readonly stampPath: string;
  /** The index text: HEADER, then entry lines; every entry is preceded by a newline. */
  private text = HEADER;
  /** Entry lines added since the file was last written in full (written by appending). */
  private appended = '';
  /** The file must be written in full (after a replacement or a removal). */
  private rewrite = false;
  /** The text describes the network directory: it was opened or replaced, so seal() may stamp it. */
  private known = false;

  constructor(
    dataDir: string,
    netName: string,
    private readonly net: NetworkDir,
  ) {
    this.path = join(dataDir, `.${netName}.cni-ts-index`);
    this.stampPath = join(dataDir, `.${netName}.cni-ts-stamp`);
  }

  /** Load the index, rebuilding it first when something else changed the network directory. */
  open(): void {
    if (readOr(this.stampPath, undefined) === this.currentStamp()) {
      const text = readOr(this.path, undefined);
      if (text?.startsWith(HEADER)) {
        this.text = text;
        this.known = true;
        return;
      }
    }
    this.rebuild();
    this.seal();
  }

  /** Reservation file names held by this attachment (including old cid-only files). */
  lookup(containerId: string, ifName: string): string[] {
    return [...this.entries(ownerKey({ containerId, ifName })), ...this.entries(ownerKey({ containerId }))];
  }

  /** Enter a reservation made now, in this boot. */
  add(owner: Owner, ipName: string): void {
    this.remove(owner, ipName); // a stale entry for it, of another boot
    const line = `${ownerKey(owner)} ${ipName} ${bootId()}\n`;
    this.text += line;
    this.appended += line;
  }

  remove(owner: Owner, ipName: string): void {
    const at = this.text.indexOf(`\n${ownerKey(owner)} ${ipName} `);
    if (at < 0) return;
    const end = this.text.indexOf('\n', at + 1);
    this.text = this.text.slice(0, at) + this.text.slice(end);
    this.rewrite = true;
  }

  /**
   * Write what changed, then record the network directory's state as the one this index
   * describes. Any failure leaves no stamp, so the next call rebuilds. An index never opened
   * or replaced (a GC that failed before its replacement) stamps nothing: the file on disk may
   * be stale, and the stamp left as it was still tells whether the directory changed. An index
   * opened intact and left unchanged writes nothing.
   */
  seal(): void {
    // Nothing changed (a DEL that found nothing, a read): the stamp on disk still holds.
    if (!this.known || (!this.rewrite && !this.appended)) return;
    try {
      if (this.rewrite) writeFileNoFollow(this.path, this.text);
      else if (this.appended) writeFileNoFollow(this.path, this.appended, { append: true });
      this.rewrite = false;
      this.appended = '';
      const now = Date.now() / 1000;
      utimesSync(this.net.path, now, now - 1);
      writeFileNoFollow(this.stampPath, this.currentStamp());
    } catch {
      this.invalidate();
    }
  }

  /**
   * Build the index afresh from every reservation file that holds an owner, as the caller read
   * them while holding the lock.
   */
  replace(owned: OwnedFile[]): void {
    const boots = this.bootsOnDisk();
    this.invalidate();
    let text = HEADER;
    for (const { name, owner } of owned) {
      const key = ownerKey(owner);
      text += `${key} ${name} ${boots.get(`${key} ${name}`) ?? UNKNOWN_BOOT}\n`;
    }
    this.text = text;
    this.appended = '';
    this.rewrite = true;
    this.known = true;
  }

  /** Read every reservation file once and build the index afresh (stale temp files go on the way). */
  private rebuild(): void {
    this.replace(this.net.readReservations().flatMap(({ name, reservation: r }) => (r.kind === 'owner' ? [{ name, owner: r.owner }] : [])));
  }

  /**
   * Entries made in an earlier boot than this one, as the index file on disk says (read even
   * when not trusted: a caller checks each against its reservation file before acting).
   */
  fromPreviousBoots(): IndexEntry[] {
    const now = bootId();
    return parseEntries(this.known ? this.text : readOr(this.path, '')).filter((e) => e.boot !== UNKNOWN_BOOT && e.boot !== now);
  }

  /** `<owner key> <address>` -> boot, from the index file on disk (any earlier format too). */
  private bootsOnDisk(): Map<string, string> {
    return new Map(parseEntries(readOr(this.path, '')).map((e) => [`${e.key} ${e.name}`, e.boot]));
  }

  private entries(key: string): string[] {
    const out: string[] = [];
    const needle = `\n${key} `;
    for (let at = this.text.indexOf(needle); at >= 0; at = this.text.indexOf(needle, at + 1)) {
      const start = at + needle.length;
      const lineEnd = this.text.indexOf('\n', start);
      out.push(this.text.slice(start, lineEnd).split(' ')[0]!);
    }
    return out;
  }

  private invalidate(): void {
    try {
      unlinkSync(this.stampPath);
    } catch {
      // already gone
    }
  }

  private currentStamp(): string {
    return `${bootId()}\n${statSync(this.net.path, { bigint: true }).mtimeNs}`;
  }
}

/** The file's text (never through a symlink), or `fallback` when it cannot be read. */
function readOr<T>(path: string, fallback: T): string | T {
  try {
    return readFileNoFollow(path);
  } catch {
    return fallback;
  }
}

/** Every entry line of an index text; a line of the first format (no boot) has an unknown boot. */
function parseEntries(text: string): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [key, name, boot] = line.split(' ');
    if (key && name) out.push({ key, name, boot: boot || UNKNOWN_BOOT });
  }
  return out;
}

let cachedBootId: string | undefined;

/** This boot's id: a random UUID the kernel draws at every boot. */
export function bootId(): string {
  cachedBootId ??= readOr('/proc/sys/kernel/random/boot_id', 'unknown-boot').trim();
  return cachedBootId;
}

/**
 * An owner as one token: `<cid>@<ifname>` (`<cid>@` for cid-only files), escaped so that it
 * holds no space or newline. A valid container ID never contains `@`.
 */
export function ownerKey(owner: Owner): string {
  return `${encodeURIComponent(owner.containerId)}@${encodeURIComponent(owner.ifName ?? '')}`;
}
