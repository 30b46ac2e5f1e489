import type { Family } from '@cni-ts/core/net/ip';

/** Reading `nft -j list ...` output: the chains, the rules (with comment) and the verdict maps. */
export interface NftRule {
  chain: string;
  handle?: number;
  comment?: string;
  expr: unknown[];
}

export interface NftElement {
  /** The key in nft syntax ("tcp . 8080", "10.0.0.1 . udp . 53", "10.0.0.2"). */
  key: string;
  /** The chain a jump/goto verdict points to. */
  target?: string;
}

export interface NftListing {
  chains: string[];
  rules: NftRule[];
  maps: Map<string, NftElement[]>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

const keyText = (k: unknown): string => {
  const concat = obj(k)?.concat;
  return Array.isArray(concat) ? concat.map(String).join(' . ') : String(k);
};

const verdictTarget = (v: unknown): string | undefined => {
  const o = obj(v);
  const t = obj(o?.jump)?.target ?? obj(o?.goto)?.target;
  return typeof t === 'string' ? t : undefined;
};

export function parseListing(json: string): NftListing {
  const out: NftListing = { chains: [], rules: [], maps: new Map() };
  const items = obj(JSON.parse(json))?.nftables;
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const o = obj(item);
    const chain = obj(o?.chain);
    if (chain && typeof chain.name === 'string') out.chains.push(chain.name);
    const rule = obj(o?.rule);
    if (rule && typeof rule.chain === 'string' && Array.isArray(rule.expr)) {
      out.rules.push({
        chain: rule.chain,
        expr: rule.expr,
        ...(typeof rule.handle === 'number' && { handle: rule.handle }),
        ...(typeof rule.comment === 'string' && { comment: rule.comment }),
      });
    }
    const map = obj(o?.map);
    if (map && typeof map.name === 'string') {
      const elems = Array.isArray(map.elem) ? map.elem : [];
      out.maps.set(
        map.name,
        elems.filter(Array.isArray).map(([k, v]: unknown[]) => {
          const target = verdictTarget(v);
          return { key: keyText(k), ...(target !== undefined && { target }) };
        }),
      );
    }
  }
  return out;
}

/** What one DNAT rule forwards, read back from its expressions. */
export interface Forward {
  family: Family;
  protocol: string;
  hostPort: number;
  hostIP?: string;
  to: string;
  toPort: number;
}

export function forwardOf(rule: NftRule): Forward | undefined {
  let protocol: string | undefined;
  let hostPort: number | undefined;
  let hostIP: string | undefined;
  let dnat: Obj | undefined;
  for (const e of rule.expr) {
    const match = obj(obj(e)?.match);
    const payload = obj(obj(match?.left)?.payload);
    if (payload && payload.field === 'dport' && typeof match?.right === 'number') {
      protocol = String(payload.protocol);
      hostPort = match.right;
    } else if (payload && payload.field === 'daddr' && hostPort !== undefined && match?.op === '==' && typeof match.right === 'string') {
      // Only a daddr after the port match is the hostIP; conditions come before it.
      hostIP = match.right;
    }
    dnat ??= obj(obj(e)?.dnat);
  }
  if (!protocol || hostPort === undefined || !dnat || typeof dnat.addr !== 'string' || typeof dnat.port !== 'number') return undefined;
  return { family: dnat.family === 'ip6' ? 6 : 4, protocol, hostPort, ...(hostIP !== undefined && { hostIP }), to: dnat.addr, toPort: dnat.port };
}

/** The chain named in `nft get element` text output ("... : jump dn-abc }"). */
export function elementTarget(text: string): string | undefined {
  return /:\s*(?:jump|goto)\s+([^\s,}]+)/.exec(text)?.[1];
}
