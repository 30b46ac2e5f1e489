import type { Result } from '../spec/types.ts';
import { parseCidr, type Cidr, type Family } from './ip.ts';

/** A result's addresses; undefined without a result or without addresses. */
export function resultAddresses(result: Result | undefined): Cidr[] | undefined {
  const addrs = (result?.ips ?? []).flatMap((ip) => parseCidr(ip.address) ?? []);
  return addrs.length > 0 ? addrs : undefined;
}

/**
 * The address families of a result's addresses. DEL of a plugin that set up rules per family
 * (bridge masquerade, portmap) reads only these tables: ADD made rules for no other family.
 * Undefined (meaning every family) without a result or without addresses.
 */
export function resultFamilies(result: Result | undefined): Family[] | undefined {
  const addrs = resultAddresses(result);
  return addrs && [...new Set(addrs.map((a) => a.family))];
}
