import { NLMSG_HDRLEN } from './constants.ts';

const encoder = new TextEncoder();

/**
 * Builds one netlink message: the 16-byte header, a fixed family header (ifinfomsg, ifaddrmsg,
 * rtmsg) and attributes, nested where needed. Host byte order (little-endian on every target we
 * build for), attributes padded to 4 bytes as the kernel requires.
 */
export class MessageBuilder {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = NLMSG_HDRLEN;
  private readonly open: number[] = [];

  constructor(type: number, flags: number) {
    this.view.setUint16(4, type, true);
    this.view.setUint16(6, flags, true);
  }

  /** Raw bytes of the fixed family header (already laid out by the caller). */
  header(bytes: Uint8Array): this {
    this.put(bytes);
    return this;
  }

  attr(type: number, payload: Uint8Array): this {
    this.align();
    this.reserve(4 + payload.length);
    this.view.setUint16(this.len, 4 + payload.length, true);
    this.view.setUint16(this.len + 2, type, true);
    this.len += 4;
    this.put(payload);
    return this;
  }

  u8(type: number, value: number): this {
    return this.attr(type, Uint8Array.of(value));
  }

  u32(type: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.attr(type, b);
  }

  /** A NUL-terminated string, as the kernel expects names and kinds. */
  string(type: number, value: string): this {
    const text = encoder.encode(value);
    const b = new Uint8Array(text.length + 1);
    b.set(text);
    return this.attr(type, b);
  }

  /** Open a nested attribute; close it with end(). */
  nest(type: number): this {
    this.align();
    this.reserve(4);
    this.open.push(this.len);
    this.view.setUint16(this.len + 2, type, true);
    this.len += 4;
    return this;
  }

  end(): this {
    const start = this.open.pop();
    if (start === undefined) throw new Error('MessageBuilder: end() without nest()');
    this.view.setUint16(start, this.len - start, true);
    return this;
  }

  /** The finished message; the transport writes the sequence number. */
  bytes(): Uint8Array {
    if (this.open.length > 0) throw new Error('MessageBuilder: unclosed nest()');
    this.align();
    this.view.setUint32(0, this.len, true);
    return this.buf.slice(0, this.len);
  }

  private put(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private align(): void {
    const padded = (this.len + 3) & ~3;
    this.reserve(padded - this.len);
    this.len = padded;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    bigger.set(this.buf);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }
}

/** A received message: its header fields and payload (family header + attributes). */
export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  payload: Uint8Array;
}

/** Split a datagram from the kernel into its messages. */
export function parseMessages(data: Uint8Array): NetlinkMessage[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: NetlinkMessage[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= data.length) {
    const len = view.getUint32(at, true);
    if (len < NLMSG_HDRLEN || at + len > data.length) break;
    out.push({
      type: view.getUint16(at + 4, true),
      flags: view.getUint16(at + 6, true),
      seq: view.getUint32(at + 8, true),
      payload: data.subarray(at + NLMSG_HDRLEN, at + len),
    });
    at += (len + 3) & ~3;
  }
  return out;
}

/** Attributes from `offset` on, by type (the nested and byte-order flag bits masked off). */
export function parseAttrs(data: Uint8Array, offset = 0): Map<number, Uint8Array> {
  return new Map(parseAttrList(data, offset).map((a) => [a.type, a.value]));
}

/** Attributes from `offset` on, in order, repeats kept (a list such as nftables' expressions), flag bits masked off. */
export function parseAttrList(data: Uint8Array, offset = 0): Array<{ type: number; value: Uint8Array }> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const list: Array<{ type: number; value: Uint8Array }> = [];
  let at = offset;
  while (at + 4 <= data.length) {
    const len = view.getUint16(at, true);
    if (len < 4 || at + len > data.length) break;
    list.push({ type: view.getUint16(at + 2, true) & 0x3fff, value: data.subarray(at + 4, at + len) });
    at += (len + 3) & ~3;
  }
  return list;
}

export const readU8 = (b: Uint8Array | undefined): number | undefined => (b && b.length >= 1 ? b[0] : undefined);

export function readU32(b: Uint8Array | undefined): number | undefined {
  return b && b.length >= 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : undefined;
}

export function readI32(b: Uint8Array, offset = 0): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(offset, true);
}

const utf8 = new TextDecoder();

/** A NUL-terminated string attribute. */
export function readString(b: Uint8Array | undefined): string | undefined {
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return utf8.decode(nul >= 0 ? b.subarray(0, nul) : b);
}
