import { parseCidr, parseIP, type Cidr, type IP } from '@cni-ts/core/net/ip';
import { macBytes } from './address.ts';

/**
 * The iproute2 commands that the plugins' batches use (see ip/batch.ts and the bridge's
 * planners), read into what they ask of the kernel. Anything outside this grammar is not read at
 * all (parseIpCommand answers undefined) and the whole batch goes to a real `ip` process.
 */
export type IpCommand =
  | { op: 'add-bridge'; name: string; mac?: string; mtu?: number; vlanFiltering?: boolean }
  | { op: 'add-veth'; name: string; mac?: string; mtu?: number; peer: VethPeer }
  | { op: 'set-link'; dev: string; master?: string; mac?: string; up?: boolean; promisc?: boolean; vlanFiltering?: boolean; port?: PortFlags }
  | { op: 'addr'; action: 'add' | 'replace' | 'del'; address: Cidr; dev: string; nodad: boolean }
  | { op: 'add-route'; dst: Cidr; via?: IP; dev: string; metric?: number; table?: number; scope?: number; mtu?: number; advmss?: number }
  | { op: 'show-link'; dev: string };

export interface VethPeer {
  name: string;
  mac?: string;
  mtu?: number;
  /** Path of the network namespace the peer is created in. */
  netns?: string;
}

export interface PortFlags {
  hairpin?: boolean;
  isolated?: boolean;
}

/**
 * A batch's text split into lines of words the way `ip -batch` splits it: blank lines and
 * comments skipped, double quotes group words, a backslash escapes the next character.
 */
export function splitBatch(text: string): BatchLine[] {
  const lines: BatchLine[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const words: string[] = [];
    let word = '';
    let inWord = false;
    let quoted = false;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === '\\' && i + 1 < raw.length) {
        word += raw[++i];
        inWord = true;
      } else if (c === '"') {
        quoted = !quoted;
        inWord = true;
      } else if (!quoted && c === '#' && !inWord) {
        break;
      } else if (!quoted && /\s/.test(c)) {
        if (inWord) words.push(word);
        word = '';
        inWord = false;
      } else {
        word += c;
        inWord = true;
      }
    }
    if (inWord) words.push(word);
    if (words.length > 0) lines.push({ number: index + 1, words });
  }
  return lines;
}

/** A line of a batch: its 1-based number in the text (as `ip -batch` reports failures) and its words. */
export interface BatchLine {
  number: number;
  words: string[];
}

/** One batch line, or undefined when it is outside the grammar above. */
export function parseIpCommand(words: readonly string[]): IpCommand | undefined {
  const [object, verb, ...rest] = words;
  if (object === 'link' && verb === 'add') return parseLinkAdd(rest);
  if (object === 'link' && verb === 'set') return parseLinkSet(rest);
  if (object === 'addr' && (verb === 'add' || verb === 'replace' || verb === 'del')) return parseAddr(verb, rest);
  if (object === 'addr' && verb === 'show' && rest.length === 2 && rest[0] === 'dev') return { op: 'show-link', dev: rest[1]! };
  if (object === 'route' && verb === 'add') return parseRouteAdd(rest);
  return undefined;
}

/** Reads `key value` pairs and bare keywords in any order; undefined on anything unknown. */
class Words {
  private at = 0;
  constructor(private readonly words: readonly string[]) {}
  get done(): boolean {
    return this.at >= this.words.length;
  }
  peek(): string | undefined {
    return this.words[this.at];
  }
  next(): string | undefined {
    return this.words[this.at++];
  }
}

const uint = (text: string | undefined): number | undefined => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);
const onOff = (text: string | undefined): boolean | undefined => (text === 'on' ? true : text === 'off' ? false : undefined);

/** name, address and mtu of a link being created; false when a word is not understood. */
function linkAttrs(w: Words, into: { name?: string; mac?: string; mtu?: number }, stopAt: string): boolean {
  while (!w.done && w.peek() !== stopAt) {
    const key = w.next();
    if (key === 'name') into.name = w.next();
    else if (key === 'address') {
      into.mac = w.next();
      if (!macBytes(into.mac ?? '')) return false;
    } else if (key === 'mtu') {
      into.mtu = uint(w.next());
      if (into.mtu === undefined) return false;
    } else if (into.name === undefined && key !== undefined && !['dev', 'type', 'netns'].includes(key)) into.name = key;
    else return false;
  }
  return into.name !== undefined;
}

function parseLinkAdd(rest: readonly string[]): IpCommand | undefined {
  const w = new Words(rest);
  const link: { name?: string; mac?: string; mtu?: number } = {};
  if (!linkAttrs(w, link, 'type') || w.next() !== 'type') return undefined;
  const kind = w.next();
  if (kind === 'bridge') {
    let vlanFiltering: boolean | undefined;
    while (!w.done) {
      if (w.next() !== 'vlan_filtering') return undefined;
      const v = w.next();
      if (v !== '0' && v !== '1') return undefined;
      vlanFiltering = v === '1';
    }
    return { op: 'add-bridge', name: link.name!, ...opt(link), ...(vlanFiltering !== undefined && { vlanFiltering }) };
  }
  if (kind === 'veth') {
    if (w.next() !== 'peer') return undefined;
    const peer: { name?: string; mac?: string; mtu?: number; netns?: string } = {};
    while (!w.done) {
      const key = w.next();
      if (key === 'name') peer.name = w.next();
      else if (key === 'address') {
        peer.mac = w.next();
        if (!macBytes(peer.mac ?? '')) return undefined;
      } else if (key === 'mtu') peer.mtu = uint(w.next());
      else if (key === 'netns') peer.netns = w.next();
      else return undefined;
      if (key === 'mtu' && peer.mtu === undefined) return undefined;
    }
    if (!peer.name) return undefined;
    return { op: 'add-veth', name: link.name!, ...opt(link), peer: { name: peer.name, ...opt(peer), ...(peer.netns !== undefined && { netns: peer.netns }) } };
  }
  return undefined;
}

const opt = (l: { mac?: string; mtu?: number }): { mac?: string; mtu?: number } => ({
  ...(l.mac !== undefined && { mac: l.mac }),
  ...(l.mtu !== undefined && { mtu: l.mtu }),
});

function parseLinkSet(rest: readonly string[]): IpCommand | undefined {
  const w = new Words(rest);
  if (w.next() !== 'dev') return undefined;
  const dev = w.next();
  if (!dev) return undefined;
  const cmd: Extract<IpCommand, { op: 'set-link' }> = { op: 'set-link', dev };
  while (!w.done) {
    const key = w.next();
    if (key === 'up' || key === 'down') cmd.up = key === 'up';
    else if (key === 'master') {
      cmd.master = w.next();
      if (!cmd.master) return undefined;
    }
    else if (key === 'address') {
      cmd.mac = w.next();
      if (!macBytes(cmd.mac ?? '')) return undefined;
    } else if (key === 'promisc') {
      cmd.promisc = onOff(w.next());
      if (cmd.promisc === undefined) return undefined;
    } else if (key === 'type') {
      const kind = w.next();
      if (kind === 'bridge') {
        if (w.next() !== 'vlan_filtering') return undefined;
        const v = w.next();
        if (v !== '0' && v !== '1') return undefined;
        cmd.vlanFiltering = v === '1';
      } else if (kind === 'bridge_slave') {
        const port: PortFlags = {};
        while (!w.done) {
          const flag = w.next();
          const value = onOff(w.next());
          if (value === undefined) return undefined;
          if (flag === 'hairpin') port.hairpin = value;
          else if (flag === 'isolated') port.isolated = value;
          else return undefined;
        }
        cmd.port = port;
      } else return undefined;
    } else return undefined;
  }
  return cmd;
}

function parseAddr(action: 'add' | 'replace' | 'del', rest: readonly string[]): IpCommand | undefined {
  const address = parseCidr(rest[0] ?? '');
  if (!address || rest[1] !== 'dev' || !rest[2]) return undefined;
  const extra = rest.slice(3);
  if (extra.length > 1 || (extra.length === 1 && extra[0] !== 'nodad')) return undefined;
  return { op: 'addr', action, address, dev: rest[2], nodad: extra[0] === 'nodad' };
}

function parseRouteAdd(rest: readonly string[]): IpCommand | undefined {
  const dst = parseCidr(rest[0] ?? '');
  if (!dst) return undefined;
  const w = new Words(rest.slice(1));
  let dev: string | undefined;
  let via: IP | undefined;
  const numbers: { metric?: number; table?: number; scope?: number; mtu?: number; advmss?: number } = {};
  while (!w.done) {
    const key = w.next()!;
    const value = w.next();
    if (key === 'dev') dev = value;
    else if (key === 'via') {
      via = parseIP(value ?? '');
      if (!via || via.family !== dst.family) return undefined;
    } else if (key === 'metric' || key === 'table' || key === 'scope' || key === 'mtu' || key === 'advmss') {
      const n = uint(value);
      if (n === undefined) return undefined;
      numbers[key] = n;
    } else return undefined;
  }
  if (!dev) return undefined;
  return { op: 'add-route', dst, dev, ...(via && { via }), ...numbers };
}
