import { chmodSync, closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncFile } from '@cni-ts/linux/fs';
import { UsageError } from '../cli/output.ts';
import { missingSourceText } from '../runtime/shipped.ts';

/** What `install` puts in place when no names are given: the plugins a runtime execs. */
export const PLUGIN_NAMES = ['bridge', 'host-local', 'portmap', 'flannel', 'loopback'] as const;

export interface InstallStep {
  name: string;
  target: string;
  action: 'hard-linked' | 'copied' | 'up to date';
}

/**
 * Where the executables are: beside the running one (dist/bin/cnictl is a hard link of the
 * multi-call executable), or, when run by node as dist/js/cnictl.cjs, the dist/bin beside it.
 */
export function selfDir(): string {
  if (!basename(process.execPath).startsWith('node')) return dirname(process.execPath);
  return resolve(dirname(process.argv[1] ?? '.'), '..', 'bin');
}

/**
 * Put each named executable from `from` into `dir`. Never writes into an existing file: a runtime
 * may be executing it right now (and the kernel refuses with ETXTBSY, or worse, a copy would tear
 * it). Every new file is made beside its target and renamed over it, so a running plugin keeps
 * its old inode. Same filesystem: a hard link, no bytes copied. Otherwise one copy per distinct
 * source file (the multi-call executable is one file under many names), hard-linked to the rest.
 */
export function installPlugins(from: string, dir: string, names: readonly string[]): InstallStep[] {
  const sources = names.map((name) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`"${name}" is not a plugin name`);
    const src = join(from, name);
    let st: Stats;
    try {
      st = statSync(src);
    } catch {
      throw new UsageError(missingSourceText(name, from));
    }
    if (!st.isFile()) throw new UsageError(`${src} is not a file`);
    return { name, src, st };
  });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const copies = new Map<string, string>(); // source inode -> a copy already made in dir
  return sources.map(({ name, src, st }) => {
    const target = join(dir, name);
    const inode = `${st.dev}:${st.ino}`;
    const existing = statOrUndefined(target);
    if (existing && existing.dev === st.dev && existing.ino === st.ino) return { name, target, action: 'up to date' };
    if (tryLink(src, target)) return { name, target, action: 'hard-linked' };
    const copy = copies.get(inode);
    if (copy) {
      const c = statSync(copy);
      if (existing && existing.dev === c.dev && existing.ino === c.ino) return { name, target, action: 'up to date' };
      if (tryLink(copy, target)) return { name, target, action: 'hard-linked' };
    }
    if (existing && sameContent(src, target, st, existing)) {
      copies.set(inode, target);
      return { name, target, action: 'up to date' };
    }
    replaceWithCopy(src, target);
    copies.set(inode, target);
    return { name, target, action: 'copied' };
  });
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

const tempBeside = (target: string): string => join(dirname(target), `.${basename(target)}.cnictl-${process.pid}`);

/** Hard-link `src` over `target` atomically; false when linking is impossible (other filesystem). */
function tryLink(src: string, target: string): boolean {
  const tmp = tempBeside(target);
  rmSync(tmp, { force: true });
  try {
    linkSync(src, tmp);
  } catch {
    return false;
  }
  renameSync(tmp, target);
  return true;
}

function replaceWithCopy(src: string, target: string): void {
  const tmp = tempBeside(target);
  rmSync(tmp, { force: true });
  try {
    copyFileSync(src, tmp);
    chmodSync(tmp, 0o755);
    fsyncFile(tmp);
    renameSync(tmp, target);
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { force: true });
  }
}

/** Byte-for-byte equal (and executable): an earlier copy needs no replacing. */
function sameContent(a: string, b: string, sa: Stats, sb: Stats): boolean {
  if (sa.size !== sb.size || (sb.mode & 0o111) === 0) return false;
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  try {
    const ba = Buffer.alloc(1 << 20);
    const bb = Buffer.alloc(1 << 20);
    for (;;) {
      const na = readSync(fa, ba, 0, ba.length, null);
      const nb = readSync(fb, bb, 0, bb.length, null);
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
      if (na === 0) return true;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}
