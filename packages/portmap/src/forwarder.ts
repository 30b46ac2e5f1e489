import type { Family } from '@cni-ts/core/net/ip';
import type { BackendName, PortmapConfig } from './config.ts';
import type { ContainerTarget } from './mappings.ts';
import type { Attachment } from './naming.ts';

/** A UDP host port whose conntrack entries must go when its mapping changes. */
export interface UdpPort {
  family: Family;
  port: number;
}

/** Everything a backend needs to set up or verify one attachment's mappings. */
export interface ForwardRequest {
  att: Attachment;
  conf: PortmapConfig;
  /** The pod's first address per family (at most one IPv4 and one IPv6). */
  targets: ContainerTarget[];
}

/**
 * One firewall backend. Each method applies its changes as one transaction per address family
 * (iptables) or one in all (nftables), and tolerates missing state where a DEL must.
 */
export interface Forwarder {
  readonly name: BackendName;
  /** Can this backend's tools read the nat table here (binary present, CAP_NET_ADMIN)? */
  usable(): Promise<boolean>;
  add(req: ForwardRequest): Promise<void>;
  /** Throws a CniError naming what is missing. */
  check(req: ForwardRequest): Promise<void>;
  /**
   * Remove the attachment's mappings, whatever they were; returns the UDP ports they held.
   * `families`: the only address families that can hold any (from prevResult); all when absent.
   * `known`: the DEL's config; where it carries the mappings, a backend may remove exactly what
   * an ADD of them wrote without reading its table first (and reads it when that fails).
   */
  remove(att: Attachment, families?: readonly Family[], known?: PortmapConfig): Promise<UdpPort[]>;
  /** Remove the mappings of every attachment of `network` not in `keep`; returns their UDP ports. */
  gc(network: string, keep: readonly Attachment[]): Promise<UdpPort[]>;
}
