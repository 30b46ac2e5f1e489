import { formatIP, type Family, type IP } from '@cni-ts/core/net/ip';

/** An address as the kernel carries it: 4 or 16 bytes, network order. */
export function ipBytes(ip: IP): Uint8Array {
  const out = new Uint8Array(ip.family === 4 ? 4 : 16);
  let v = ip.value;
  for (let i = out.length - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** The text of an address the kernel sent (4 or 16 bytes). */
export function formatIPBytes(family: Family, bytes: Uint8Array): string {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return formatIP({ family, value });
}

/** "aa:bb:cc:dd:ee:ff" to its 6 bytes; undefined when it is not a MAC. */
export function macBytes(text: string): Uint8Array | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** A link-layer address as iproute2 prints it (lowercase hex pairs). */
export const formatMac = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
