import { parseCidr, parseIP, type Cidr, type IP } from '@cni-ts/core/net/ip';
import { macBytes } from '../ip/mac.ts';

/**
 * The iproute2 commands that the plugins' batches use (see ip/batch.ts and the bridge's
 * planners), read into what they ask of the kernel. Anything outside this grammar is not read at
 * all (parseIpCommand answers undefined) and the whole batch goes to a real `ip` process.
 */
export type IpCommand =
  | { op: 'add-bridge'; name: string; mac?: string; mtu?: number; vlanFiltering?: boolean }
  | { op: 'add-veth'; name: string; mac?: string; mtu?: number; peer: VethPeer }
  | { op: 'del-link'; dev: string }
  | { op: 'set-link'; dev: string; master?: string; mac?: string; up?: boolean; promisc?: boolean; vlanFiltering?: boolean; port?: PortFlags }
  | { op: 'addr'; action: 'add' | 'replace' | 'del'; address: Cidr; dev: string; nodad: boolean; broadcast?: IP }
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
  if (object === 'link' && verb === 'del' && rest.length === 2 && rest[0] === 'dev') return { op: 'del-link', dev: rest[1]! };
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

interface LinkSpec {
  name?: string;
  mac?: string;
  mtu?: number;
  netns?: string;
}

/** One `name|address|mtu|netns VALUE` of a link being created; false for another key or a bad value. */
function linkSetting(w: Words, into: LinkSpec, keys: readonly string[]): boolean {
  const key = w.next();
  const value = w.next();
  if (key === undefined || !keys.includes(key) || value === undefined) return false;
  if (key === 'address') into.mac = macBytes(value) ? value : undefined;
  else if (key === 'mtu') into.mtu = uint(value);
  else if (key === 'name') into.name = value;
  else into.netns = value;
  return (key !== 'address' || into.mac !== undefined) && (key !== 'mtu' || into.mtu !== undefined);
}

/** `vlan_filtering 0|1`; undefined when the words are not that. */
function vlanFiltering(w: Words): boolean | undefined {
  if (w.next() !== 'vlan_filtering') return undefined;
  const v = w.next();
  return v === '1' ? true : v === '0' ? false : undefined;
}

const opt = (l: LinkSpec): { mac?: string; mtu?: number } => ({
  ...(l.mac !== undefined && { mac: l.mac }),
  ...(l.mtu !== undefined && { mtu: l.mtu }),
});

function parseLinkAdd(rest: readonly string[]): IpCommand | undefined {
  // `link add NAME ...` or `link add name NAME ...`
  const w = new Words(rest[0] === undefined || ['name', 'address', 'mtu', 'type'].includes(rest[0]) ? rest : ['name', ...rest]);
  const link: LinkSpec = {};
  while (!w.done && w.peek() !== 'type') if (!linkSetting(w, link, ['name', 'address', 'mtu'])) return undefined;
  if (!link.name || w.next() !== 'type') return undefined;
  const kind = w.next();
  if (kind === 'bridge') {
    let filtering: boolean | undefined;
    if (!w.done) {
      filtering = vlanFiltering(w);
      if (filtering === undefined || !w.done) return undefined;
    }
    return { op: 'add-bridge', name: link.name, ...opt(link), ...(filtering !== undefined && { vlanFiltering: filtering }) };
  }
  if (kind !== 'veth' || w.next() !== 'peer') return undefined;
  const peer: LinkSpec = {};
  while (!w.done) if (!linkSetting(w, peer, ['name', 'address', 'mtu', 'netns'])) return undefined;
  if (!peer.name) return undefined;
  return { op: 'add-veth', name: link.name, ...opt(link), peer: { name: peer.name, ...opt(peer), ...(peer.netns !== undefined && { netns: peer.netns }) } };
}

function parseLinkSet(rest: readonly string[]): IpCommand | undefined {
  const w = new Words(rest);
  if (w.next() !== 'dev') return undefined;
  const dev = w.next();
  if (!dev) return undefined;
  const cmd: Extract<IpCommand, { op: 'set-link' }> = { op: 'set-link', dev };
  while (!w.done) {
    const key = w.next();
    if (key === 'up' || key === 'down') cmd.up = key === 'up';
    else if (key === 'master' || key === 'address') {
      const value = w.next();
      if (!value || (key === 'address' && !macBytes(value))) return undefined;
      if (key === 'master') cmd.master = value;
      else cmd.mac = value;
    } else if (key === 'promisc') {
      cmd.promisc = onOff(w.next());
      if (cmd.promisc === undefined) return undefined;
    } else if (key === 'type' && w.peek() === 'bridge') {
      w.next();
      cmd.vlanFiltering = vlanFiltering(w);
      if (cmd.vlanFiltering === undefined) return undefined;
    } else if (key === 'type' && w.peek() === 'bridge_slave') {
      w.next();
      const port: PortFlags = {};
      while (!w.done) {
        const flag = w.next();
        const value = onOff(w.next());
        if (value === undefined || (flag !== 'hairpin' && flag !== 'isolated')) return undefined;
        port[flag] = value;
      }
      cmd.port = port;
    } else return undefined;
  }
  return cmd;
}

function parseAddr(action: 'add' | 'replace' | 'del', rest: readonly string[]): IpCommand | undefined {
  const address = parseCidr(rest[0] ?? '');
  if (!address || rest[1] !== 'dev' || !rest[2]) return undefined;
  const cmd: Extract<IpCommand, { op: 'addr' }> = { op: 'addr', action, address, dev: rest[2], nodad: false };
  const w = new Words(rest.slice(3));
  while (!w.done) {
    const key = w.next();
    if (key === 'nodad' && !cmd.nodad) cmd.nodad = true;
    else if (key === 'broadcast' && !cmd.broadcast && address.family === 4) {
      const brd = parseIP(w.next() ?? '');
      if (brd?.family !== 4) return undefined;
      cmd.broadcast = brd;
    } else return undefined;
  }
  return cmd;
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
