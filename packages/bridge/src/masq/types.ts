import type { Attachment } from '@cni-ts/core';
import { sameIP, type Cidr, type IP } from '@cni-ts/core/net/ip';

/** Whose rules: every rule is named or commented from these, so DEL and GC find them again. */
export interface MasqOwner {
  network: string;
  containerId: string;
  ifName: string;
}

/**
 * Which of an owner's rules a teardown removes, for backends that share rules between the
 * interfaces of one container (iptables: one chain per network + container id).
 */
export interface MasqSources {
  /** This interface's addresses (rollback, DEL with prevResult): only their rules go. */
  mine?: IP[];
  /**
   * Without `mine`: the addresses the container's other interfaces still hold (asked only when
   * needed); the rules of every other address go. Neither: everything of the owner goes (the
   * network namespace is gone, and every interface with it).
   */
  heldByOthers?: () => Promise<IP[]>;
}

/** Is `source` one of `addrs`? */
export const dropsSource = (addrs: readonly IP[], source: IP | undefined): boolean => source !== undefined && addrs.some((a) => sameIP(a, source));

/**
 * Masquerading of a container's addresses to anything outside their subnet, with one firewall
 * transaction per call. Rules are found again by their names and comments, never by addresses
 * learned from the container (which may be gone).
 */
export interface MasqBackendOps {
  setup(owner: MasqOwner, ips: Cidr[]): Promise<void>;
  /** Remove this owner's rules (those of `sources`); nothing to remove is success. */
  teardown(owner: MasqOwner, sources?: MasqSources): Promise<void>;
  /** Undefined when every address has its rules, else what is missing. */
  check(owner: MasqOwner, ips: Cidr[]): Promise<string | undefined>;
  /** Remove the rules of this network whose attachment is not in `valid`. */
  gc(network: string, valid: Attachment[]): Promise<void>;
}

/** A backend that cannot run here at all (binary missing, no permission): callers may fall back. */
export class BackendUnavailable extends Error {}
