/**
 * libc functions through bun:ffi, for the few system calls Node-style APIs lack (flock, setns,
 * netlink sockets). Only the Bun executables have bun:ffi; under Node (dist/js, unit tests) this
 * answers null and callers use a process instead.
 */
export type Signatures = Record<string, { args: string[]; returns: string }>;

export interface Libc<T> {
  symbols: T;
  /** Read an int at a pointer a libc function returned (e.g. errno's). */
  readI32(pointer: unknown): number;
}

/**
 * Open libc with these functions. Callers keep the promise (`loading ??= openLibc(...)`) so that
 * a caller arriving while it loads waits for it instead of being told it is unavailable.
 */
export async function openLibc<T>(signatures: Signatures): Promise<Libc<T> | null> {
  if (typeof (globalThis as { Bun?: unknown }).Bun === 'undefined') return null;
  try {
    const specifier = 'bun:ffi'; // computed: bundlers leave it alone, and it resolves only under Bun
    const ffi = (await import(specifier)) as {
      dlopen(path: string, symbols: Signatures): { symbols: T };
      read: { i32(pointer: unknown, offset?: number): number };
    };
    return { symbols: ffi.dlopen('libc.so.6', signatures).symbols, readI32: (p) => ffi.read.i32(p) };
  } catch {
    return null;
  }
}
