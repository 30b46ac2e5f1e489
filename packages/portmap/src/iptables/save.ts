/**
 * Read `iptables-save -t nat` output: which chains exist and each rule, both as printed (a rule
 * line can be fed back to iptables-restore with -A turned into -D) and split into words.
 */
export interface SavedRule {
  chain: string;
  /** The rule as printed after "-A <chain> ". */
  spec: string;
  /** The spec split into words, quotes removed. */
  words: string[];
}

export interface NatTable {
  chains: Set<string>;
  rules: SavedRule[];
}

/** Split a rule the way iptables-restore does: double quotes group words, \" is a quote. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted && i + 1 < text.length) {
      cur += text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (c === ' ' && !quoted) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

export function parseNatTable(text: string): NatTable {
  const table: NatTable = { chains: new Set(), rules: [] };
  let inNat = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) inNat = line === '*nat';
    if (!inNat) continue;
    if (line.startsWith(':')) table.chains.add(line.slice(1).split(' ')[0]!);
    else if (line.startsWith('-A ')) {
      const rest = line.slice(3);
      const sp = rest.indexOf(' ');
      const chain = sp < 0 ? rest : rest.slice(0, sp);
      const spec = sp < 0 ? '' : rest.slice(sp + 1);
      table.rules.push({ chain, spec, words: splitWords(spec) });
    }
  }
  return table;
}

/** The value after `option` in a rule's words (e.g. "--dport" -> "8080"). */
export function optionValue(words: readonly string[], option: string): string | undefined {
  const i = words.indexOf(option);
  return i >= 0 ? words[i + 1] : undefined;
}

export const jumpTarget = (rule: SavedRule): string | undefined => optionValue(rule.words, '-j');
