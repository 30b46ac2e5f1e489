import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrorCode } from '../spec/errors.ts';

/** The first executable named `type` in the CNI_PATH directories. */
export function findPlugin(type: string, path: readonly string[]): string {
  if (type.includes('/') || type === '.' || type === '..') {
    throw new CniError(ErrorCode.InvalidConfig, `invalid plugin type "${type}": must be a plain executable name`);
  }
  for (const dir of path) {
    const candidate = join(dir, type);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory: try the next one
    }
  }
  throw new CniError(
    ErrorCode.InvalidEnvironment,
    `failed to find plugin "${type}" in CNI_PATH [${path.join(':')}]: install it into one of those directories`,
  );
}

/** True when two paths name the same file (hard links included). */
export function isSameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
