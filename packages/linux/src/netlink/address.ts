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
