import { IFINFOMSG_LEN } from './constants.ts';

/** struct ifinfomsg: family 0, type 0, the link's index, its flags and which flags to change. */
export function ifinfomsg(index: number, flags = 0, change = 0): Uint8Array {
  const b = new Uint8Array(IFINFOMSG_LEN);
  const v = new DataView(b.buffer);
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  v.setUint32(12, change, true);
  return b;
}

/** struct ifaddrmsg: family, prefix length, flags, scope, the link's index. */
export function ifaddrmsg(family: number, prefixlen: number, flags: number, scope: number, index: number): Uint8Array {
  const b = Uint8Array.of(family, prefixlen, flags, scope, 0, 0, 0, 0);
  new DataView(b.buffer).setUint32(4, index, true);
  return b;
}
