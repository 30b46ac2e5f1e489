import type { Family } from '@cni-ts/core/net/ip';
import type { CommandRunner } from '../run.ts';

/**
 * iptables as whole-table text: one `iptables-save` to read, one `iptables-restore --noflush`
 * transaction to change. The restore is atomic: all rules land or none.
 */
/** The save or restore tool of a family's tables. */
export const iptablesTool = (family: Family, what: 'save' | 'restore'): string => `${family === 4 ? 'iptables' : 'ip6tables'}-${what}`;

/** The rules of one table in iptables-save form (`-A CHAIN ...` lines, `:CHAIN` declarations). */
export async function saveTable(runner: CommandRunner, family: Family, table: string): Promise<string> {
  const r = await runner.run([iptablesTool(family, 'save'), '-t', table]);
  if (r.code !== 0) throw new Error(`${iptablesTool(family, 'save')} -t ${table}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Apply restore text (with its `*table` and `COMMIT` lines) without flushing anything else. */
export async function restoreNoflush(runner: CommandRunner, family: Family, text: string): Promise<void> {
  const r = await runner.run([iptablesTool(family, 'restore'), '--noflush', '-w', '5'], { input: text });
  if (r.code !== 0) throw new Error(`${iptablesTool(family, 'restore')}: ${r.stderr.trim() || r.stdout.trim()}`);
}

/** The longest comment iptables keeps (XT_MAX_COMMENT_LEN, 256 bytes with its NUL). */
const COMMENT_MAX = 255;

/**
 * A rule comment iptables accepts: longer text (a very long container id) is cut and marked
 * "...", as the reference's portmap does, instead of failing with "Parameter too long".
 */
export function fitComment(text: string): string {
  if (Buffer.byteLength(text) <= COMMENT_MAX) return text;
  let cut = text.slice(0, COMMENT_MAX - 3);
  while (Buffer.byteLength(cut) > COMMENT_MAX - 3) cut = cut.slice(0, -1);
  return `${cut}...`;
}

/** The text of a rule's `--comment` as iptables-save prints it (quoted, `\"` and `\\` escaped), undefined without one. */
export function savedComment(line: string): string | undefined {
  const at = line.indexOf('--comment ');
  if (at < 0) return undefined;
  const rest = line.slice(at + '--comment '.length);
  if (!rest.startsWith('"')) return rest.split(' ')[0];
  let out = '';
  for (let i = 1; i < rest.length; i++) {
    const ch = rest[i]!;
    if (ch === '"') return out;
    if (ch === '\\' && i + 1 < rest.length) out += rest[++i];
    else out += ch;
  }
  return undefined;
}

/** Quote one argument the way iptables-save prints it, so restore reads it back as one token. */
export function quoteArg(arg: string): string {
  if (arg !== '' && !/[\s"'\\]/.test(arg)) return arg;
  return `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/** The chains declared in saved text (`:NAME POLICY [counters]`). */
export function savedChains(saved: string): Set<string> {
  const out = new Set<string>();
  for (const line of saved.split('\n')) if (line.startsWith(':')) out.add(line.slice(1).split(' ')[0]!);
  return out;
}

/** The `-A CHAIN ...` rule lines of one chain in saved text, as printed. */
export function savedRules(saved: string, chain: string): string[] {
  const prefix = `-A ${chain} `;
  return saved.split('\n').filter((l) => l.startsWith(prefix));
}
