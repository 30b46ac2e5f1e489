import type { Result } from '../spec/types.ts';
import { parseCidr, type Family } from './ip.ts';

/**
 * The address families of a result's addresses. DEL of a plugin that set up rules per family
 * (bridge masquerade, portmap) reads only these tables: ADD made rules for no other family.
 * Undefined (meaning every family) without a result or without addresses.
 */
export function resultFamilies(result: Result | undefined): Family[] | undefined {
  const families = new Set((result?.ips ?? []).flatMap((ip) => parseCidr(ip.address)?.family ?? []));
  return families.size > 0 ? [...families] : undefined;
}
