import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where `tool` is on `path`, as a process spawned with that PATH would find it; undefined when
 * nowhere. Relative entries are skipped: they would depend on the working directory.
 */
export function findOnPath(tool: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(':')) {
    if (!dir.startsWith('/')) continue;
    const candidate = join(dir, tool);
    if (existsSync(candidate)) return candidate; // existsSync follows links: a dangling one is skipped
  }
  return undefined;
}
