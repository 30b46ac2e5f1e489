import type { Attachment } from '@cni-ts/core';
import type { Cidr, Family } from '@cni-ts/core/net/ip';

/** Whose rules: every rule is named or commented from these, so DEL and GC find them again. */
export interface MasqOwner {
  network: string;
  containerId: string;
  ifName: string;
}

/**
 * Masquerading of a container's addresses to anything outside their subnet, with one firewall
 * transaction per call. Rules are found again by their names and comments, never by addresses
 * learned from the container (which may be gone).
 */
export interface MasqBackendOps {
  setup(owner: MasqOwner, ips: Cidr[]): Promise<void>;
  /** Remove this owner's rules (of the given families, default both); nothing to remove is success. */
  teardown(owner: MasqOwner, families?: readonly Family[]): Promise<void>;
  /** Undefined when every address has its rules, else what is missing. */
  check(owner: MasqOwner, ips: Cidr[]): Promise<string | undefined>;
  /** Remove the rules of this network whose attachment is not in `valid`. */
  gc(network: string, valid: Attachment[]): Promise<void>;
}

/** A backend that cannot run here at all (binary missing, no permission): callers may fall back. */
export class BackendUnavailable extends Error {}
