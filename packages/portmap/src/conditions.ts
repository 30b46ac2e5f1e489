import { invalidConfig } from '@cni-ts/core';

/**
 * `conditionsV4`/`conditionsV6` are extra *match* conditions, written into an iptables-restore
 * or `nft -f` script in front of portmap's own DNAT. Nothing in them may end the rule early, add
 * another command or rule, or decide the packet's fate: the fields' pattern already keeps out line
 * breaks, quotes, `;`, `#` and `$`; this checks the words that remain against each tool's grammar.
 */

/** iptables syntax when the first token is an option (`-s`, `! -d`), nft syntax otherwise. */
export const isIptablesSyntax = (tokens: readonly string[]): boolean => /^[-!]/.test(tokens[0] ?? '');

/** Short options that make a command, a target, or change the table: -A -C -D -I -R -L -S -F -Z -N -X -P -E -t -j -g. */
const IPTABLES_SHORT = /^-[^-]*[ACDIRLSFZNXPEhVtjg]/;
/** Long forms of the same; getopt also takes any unambiguous prefix (`--jum`) and `--opt=value`. */
const IPTABLES_LONG = ['append', 'check', 'delete', 'insert', 'replace', 'list', 'list-rules', 'flush', 'zero', 'new-chain', 'delete-chain', 'policy', 'rename-chain', 'table', 'jump', 'goto', 'help', 'version'];

/** nft words that are statements (verdicts, NAT, setting or counting) or commands, not matches. */
const NFT_STATEMENTS = new Set([
  'accept', 'drop', 'reject', 'queue', 'continue', 'return', 'jump', 'goto', 'vmap', 'map', 'counter', 'log', 'limit', 'quota',
  'dnat', 'snat', 'masquerade', 'redirect', 'notrack', 'set', 'add', 'update', 'delete', 'dup', 'fwd', 'tproxy', 'synproxy',
  'flow', 'offload', 'meter', 'comment', 'table', 'chain', 'rule', 'flush', 'insert', 'replace', 'create', 'destroy', 'include', 'define',
]);

function iptablesProblem(word: string): string | undefined {
  if (IPTABLES_SHORT.test(word)) return 'an iptables command, target or table option';
  if (word.startsWith('--')) {
    const name = word.slice(2).split('=')[0]!;
    if (name !== '' && IPTABLES_LONG.some((o) => o.startsWith(name))) return 'an iptables command, target or table option';
  }
  return undefined;
}

/**
 * Refuse conditions that are not pure matches for their syntax. iptables tokens are one argument
 * each (no whitespace inside); nft words are checked one by one and braces must pair up.
 */
export function checkConditions(key: string, tokens: readonly string[]): void {
  if (tokens.length === 0) return;
  const iptables = isIptablesSyntax(tokens);
  let depth = 0;
  tokens.forEach((token, i) => {
    const words = token.split(/\s+/).filter(Boolean);
    if (iptables && words.length !== 1) throw invalidConfig(`${key}[${i}]: ${JSON.stringify(token)}: an iptables condition is one argument per entry, without spaces`);
    for (const word of words) {
      const why = iptables ? iptablesProblem(word) : NFT_STATEMENTS.has(word.toLowerCase()) ? 'an nft statement or command, not a match' : undefined;
      if (why) throw invalidConfig(`${key}[${i}]: ${JSON.stringify(word)} is ${why}: conditions may only match packets`);
      if (!iptables) {
        for (const c of word) {
          if (c === '{') depth++;
          else if (c === '}' && --depth < 0) throw invalidConfig(`${key}[${i}]: "}" without its "{"`);
        }
      }
    }
  });
  if (depth !== 0) throw invalidConfig(`${key}: a "{" is never closed`);
}
