import { existsSync, readFileSync, rmSync } from 'node:fs';

/**
 * The lines a logging wrapper appended to `log` since the last look, clearing it so the next
 * look sees only newer calls (none yet: no file).
 */
export function takeCalls(log: string): string[] {
  if (!existsSync(log)) return [];
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  rmSync(log);
  return calls;
}
