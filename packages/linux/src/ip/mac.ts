import { randomBytes } from './random.ts';

/** A random unicast, locally administered MAC (02:xx:...): never collides with vendor MACs. */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfc) | 0x02;
  return formatMac(b);
}

/** "aa:bb:cc:dd:ee:ff" to its 6 bytes; undefined when it is not a MAC. */
export function macBytes(text: string): Uint8Array | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** A link-layer address as iproute2 prints it (lowercase hex pairs). */
export const formatMac = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** Normalise "AA-BB-..." or "aa:bb:..." to lower-case colon form; undefined when not a MAC. */
export function normalizeMac(text: string): string | undefined {
  const m = /^([0-9a-fA-F]{2})([:-])([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})$/.exec(text);
  if (!m) return undefined;
  return [m[1], m[3], m[4], m[5], m[6], m[7]].join(':').toLowerCase();
}

export const isZeroMac = (mac: string): boolean => /^(00:){5}00$/.test(mac);
export const isMulticastMac = (mac: string): boolean => (parseInt(mac.slice(0, 2), 16) & 1) === 1;
