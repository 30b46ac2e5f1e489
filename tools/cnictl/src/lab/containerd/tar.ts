/**
 * A ustar archive writer for the few entry kinds an image needs: directories, regular files and
 * symbolic links, all owned by root. Names must fit ustar's 100-byte name field (an image's
 * paths here are short); nothing is compressed.
 */
export type TarEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string };

const BLOCK = 512;
/** A fixed mtime keeps the archive, and so every digest of it, reproducible. */
const MTIME = 0;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(entry: TarEntry, size: number): Uint8Array {
  const name = entry.kind === 'dir' ? `${entry.path.replace(/\/$/, '')}/` : entry.path;
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: path too long for ustar: ${name}`);
  const h = Buffer.alloc(BLOCK);
  const put = (offset: number, text: string): void => void h.write(text, offset, 'utf8');
  const mode = entry.kind === 'symlink' ? 0o777 : (entry.mode ?? (entry.kind === 'dir' ? 0o755 : 0o644));
  put(0, name);
  put(100, octal(mode, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(MTIME, 12));
  put(148, '        '); // the checksum is computed with its own field as spaces
  put(156, entry.kind === 'dir' ? '5' : entry.kind === 'symlink' ? '2' : '0');
  if (entry.kind === 'symlink') put(157, entry.target);
  put(257, 'ustar\0');
  put(263, '00');
  put(265, 'root');
  put(297, 'root');
  let sum = 0;
  for (const byte of h) sum += byte;
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** The archive's bytes: each entry's header and padded data, then two zero blocks. */
export function tar(entries: readonly TarEntry[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const data = e.kind === 'file' ? e.data : new Uint8Array(0);
    parts.push(header(e, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return Buffer.concat(parts);
}
