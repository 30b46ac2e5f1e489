import type { Family } from '@cni-ts/core/net/ip';
import { jsonObject, type NftRule } from '@cni-ts/linux/netfilter/nft-listing';

// What portmap reads back from nft: the forward a DNAT rule makes, the chain an element jumps to.

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
  let dnat: Record<string, unknown> | undefined;
  for (const e of rule.expr) {
    const match = jsonObject(jsonObject(e)?.match);
    const payload = jsonObject(jsonObject(match?.left)?.payload);
    if (payload && payload.field === 'dport' && typeof match?.right === 'number') {
      protocol = String(payload.protocol);
      hostPort = match.right;
    } else if (payload && payload.field === 'daddr' && hostPort !== undefined && match?.op === '==' && typeof match.right === 'string') {
      // Only a daddr after the port match is the hostIP; conditions come before it.
      hostIP = match.right;
    }
    dnat ??= jsonObject(jsonObject(e)?.dnat);
  }
  if (!protocol || hostPort === undefined || !dnat || typeof dnat.addr !== 'string' || typeof dnat.port !== 'number') return undefined;
  return { family: dnat.family === 'ip6' ? 6 : 4, protocol, hostPort, ...(hostIP !== undefined && { hostIP }), to: dnat.addr, toPort: dnat.port };
}

/** The chain named in `nft get element` text output ("... : jump dn-abc }"). */
export function elementTarget(text: string): string | undefined {
  return /:\s*(?:jump|goto)\s+([^\s,}]+)/.exec(text)?.[1];
}
