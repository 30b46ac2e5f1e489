/**
 * Reading what `nft -j list ...` prints: the chains, the rules and the verdict maps. Defensive:
 * an object of a shape not expected here (other nft versions, other object kinds) is skipped,
 * so one odd entry never hides the rest of a listing.
 */
export interface NftRule {
  chain: string;
  handle?: number;
  comment?: string;
  /** The rule's expressions as nft's JSON gives them. */
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

/** The value as a JSON object, or undefined: how nft's JSON is read, here and in a rule's expressions. */
export const jsonObject = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const keyText = (k: unknown): string => {
  const concat = jsonObject(k)?.concat;
  return Array.isArray(concat) ? concat.map(String).join(' . ') : String(k);
};

const verdictTarget = (v: unknown): string | undefined => {
  const o = jsonObject(v);
  const t = jsonObject(o?.jump)?.target ?? jsonObject(o?.goto)?.target;
  return typeof t === 'string' ? t : undefined;
};

function ruleOf(chain: string, rule: Record<string, unknown>): NftRule {
  return {
    chain,
    // nft prints every rule's expressions; one read without them still has the chain, handle and
    // comment that tell whose it is and how to delete it.
    expr: Array.isArray(rule.expr) ? rule.expr : [],
    ...(typeof rule.handle === 'number' && { handle: rule.handle }),
    ...(typeof rule.comment === 'string' && { comment: rule.comment }),
  };
}

function elementsOf(map: Record<string, unknown>): NftElement[] {
  const elems = Array.isArray(map.elem) ? map.elem : [];
  return elems.filter(Array.isArray).map(([k, v]: unknown[]) => {
    const target = verdictTarget(v);
    return { key: keyText(k), ...(target !== undefined && { target }) };
  });
}

/** Parses a listing; text that is not JSON throws, as JSON.parse does. */
export function parseNftListing(json: string): NftListing {
  const out: NftListing = { chains: [], rules: [], maps: new Map() };
  const items = jsonObject(JSON.parse(json))?.nftables;
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const o = jsonObject(item);
    const chain = jsonObject(o?.chain);
    if (chain && typeof chain.name === 'string') out.chains.push(chain.name);
    const rule = jsonObject(o?.rule);
    if (rule && typeof rule.chain === 'string') out.rules.push(ruleOf(rule.chain, rule));
    const map = jsonObject(o?.map);
    if (map && typeof map.name === 'string') out.maps.set(map.name, elementsOf(map));
  }
  return out;
}
