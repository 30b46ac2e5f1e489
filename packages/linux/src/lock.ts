import { spawn } from 'node:child_process';
import { closeSync, constants, lstatSync, openSync } from 'node:fs';
import { openLibc, type Libc } from './libc.ts';

/**
 * An exclusive `flock(2)` on a file, the lock the reference plugins take (host-local locks
 * `<dataDir>/<net>/lock`), so our plugins and theirs exclude each other on one node. The kernel
 * drops a flock when its holder dies, even by SIGKILL: a crashed holder never stalls the next call.
 *
 * Two ways to call flock(2), picked at run time:
 * - under Bun (the dist/bin executables): libc's flock through bun:ffi, about 1 ms to load;
 * - under Node (dist/js, tests): Node has no flock, so a `flock(1)` child (util-linux) takes the
 *   lock and holds it until we close its stdin; if we die the pipe closes and the lock goes too.
 */
export interface FileLock {
  release(): Promise<void>;
}

const LOCK_EX = 2;
const LOCK_UN = 8;

interface LibcFlock {
  flock(fd: number, operation: number): number;
}

let loading: Promise<Libc<LibcFlock> | null> | undefined;

export interface LockOptions {
  /**
   * Refuse a symlink at `path` (ELOOP) instead of locking, or creating, whatever it points to:
   * for lock files in state directories. (/proc/self/ns/net is itself a link, so not always.)
   */
  noFollow?: boolean;
}

/** Block until this process holds an exclusive flock on `path` (created if missing). */
export async function lockFile(path: string, options: LockOptions = {}): Promise<FileLock> {
  const libc = await (loading ??= openLibc<LibcFlock>({ flock: { args: ['i32', 'i32'], returns: 'i32' } }));
  return libc ? lockWithLibc(libc.symbols, path, options) : lockWithHelper(path, options);
}

/**
 * Read-only when the file exists: flock needs no write access, and some files refuse writers (a
 * network namespace's own file, /proc/self/ns/net, locks that namespace without creating any).
 */
function openForLock(path: string, { noFollow }: LockOptions): number {
  const nofollow = noFollow ? constants.O_NOFOLLOW : 0;
  try {
    return openSync(path, constants.O_RDONLY | nofollow);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | nofollow, 0o600);
  }
}

function lockWithLibc(lib: LibcFlock, path: string, options: LockOptions): FileLock {
  const fd = openForLock(path, options);
  // flock blocks; -1 means a signal interrupted the wait (EINTR) or a real error: retry a few times.
  let attempts = 0;
  while (lib.flock(fd, LOCK_EX) !== 0) {
    if (++attempts >= 100) {
      closeSync(fd);
      throw new Error(`flock ${path} failed`);
    }
  }
  return {
    release: async () => {
      lib.flock(fd, LOCK_UN);
      closeSync(fd);
    },
  };
}

function lockWithHelper(path: string, options: LockOptions): Promise<FileLock> {
  // flock(1) follows links: check the name first (the executables use the O_NOFOLLOW open above).
  if (options.noFollow && isSymlink(path)) {
    return Promise.reject(Object.assign(new Error(`${path} is a symbolic link; refusing to lock through it`), { code: 'ELOOP' }));
  }
  return new Promise((resolve, reject) => {
    // `flock FILE cat`: cat starts only once the lock is held; it echoes our byte back to say so,
    // then waits for stdin to close.
    const child = spawn('flock', ['--exclusive', path, 'cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let held = false;
    let stderr = '';
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', (err) => reject(new Error(`cannot run flock(1) to lock ${path}: ${err.message}`)));
    child.on('close', (code) => {
      if (!held) reject(new Error(`flock ${path} failed (exit ${code}): ${stderr.trim()}`));
    });
    child.stdout.once('data', () => {
      held = true;
      resolve({
        release: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.write('\n');
  });
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
