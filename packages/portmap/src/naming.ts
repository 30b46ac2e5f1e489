import { sha512Hex } from '@cni-ts/core/hash';
import { fitComment } from '@cni-ts/linux/netfilter/iptables';

/** Who a set of rules belongs to: one container's interface on one network. */
export interface Attachment {
  network: string;
  containerId: string;
  ifName: string;
}

/**
 * The reference plugin's per-container iptables chain: "CNI-DN-" + sha512(network + containerID),
 * cut to 28 characters. Kept identical so a DEL finds chains the Go plugin made.
 */
export const iptablesDnatChain = (network: string, containerId: string): string =>
  `CNI-DN-${sha512Hex(network + containerId)}`.slice(0, 28);

/** The SNAT chain of old reference versions; DEL still removes it. */
export const iptablesLegacySnatChain = (network: string, containerId: string): string =>
  `CNI-SN-${sha512Hex(network + containerId)}`.slice(0, 28);

/** The reference's comment on the entry rules, cut to what iptables keeps. */
export function iptablesDnatComment(network: string, containerId: string): string {
  return fitComment(`dnat name: "${network}" id: "${containerId}"`);
}

const COMMENT = /^dnat name: "(.*)" id: "(.*)"$/;

export function parseIptablesDnatComment(comment: string): { network: string; containerId: string } | undefined {
  const m = COMMENT.exec(comment);
  return m ? { network: m[1]!, containerId: m[2]! } : undefined;
}

/**
 * nftables chains of one attachment: "dn-<hash>" holds its DNAT rules, "sn-<hash>" its
 * masquerade rules. The hash covers the network, so a DEL on one network never touches the same
 * container's mappings on another (the reference's nft backend does: it matches the id alone).
 */
export function nftChains(att: Attachment): { dnat: string; snat: string } {
  const h = sha512Hex(`${att.network}\n${att.containerId}\n${att.ifName}`).slice(0, 24);
  return { dnat: `dn-${h}`, snat: `sn-${h}` };
}

/** The comment on every nft rule of an attachment; GC reads the network and container back. */
export function nftComment(att: Attachment): string {
  // Interface names may hold characters an nft string cannot; the hash in the chain name is exact.
  const ifName = att.ifName.replace(/[^A-Za-z0-9_.@-]/g, '?');
  return `net=${att.network} id=${att.containerId} if=${ifName}`;
}

const NFT_COMMENT = /^net=(\S+) id=(\S+) if=(\S+)$/;

export function parseNftComment(comment: string): { network: string; containerId: string } | undefined {
  const m = NFT_COMMENT.exec(comment);
  return m ? { network: m[1]!, containerId: m[2]! } : undefined;
}
