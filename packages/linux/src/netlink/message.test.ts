import { describe, expect, it } from 'vitest';
import { MessageBuilder, parseAttrs, parseMessages, readString, readU32, readU8 } from './message.ts';

describe('MessageBuilder and the parsers', () => {
  it('lays out header, family header and nested attributes with 4-byte padding, and reads them back', () => {
    const bytes = new MessageBuilder(16, 0x605)
      .header(new Uint8Array(16))
      .string(3, 'veth0')
      .nest(18)
      .string(1, 'veth')
      .nest(2)
      .u8(7, 1)
      .end()
      .end()
      .u32(4, 1450)
      .bytes();
    expect(bytes.length % 4).toBe(0);
    const [m] = parseMessages(bytes);
    expect(m).toMatchObject({ type: 16, flags: 0x605 });
    expect(m!.payload.length).toBe(bytes.length - 16);
    const attrs = parseAttrs(m!.payload, 16);
    expect(readString(attrs.get(3))).toBe('veth0'); // "veth0\0" is 6 bytes, padded to 8
    expect(readU32(attrs.get(4))).toBe(1450);
    const info = parseAttrs(attrs.get(18)!);
    expect(readString(info.get(1))).toBe('veth');
    expect(readU8(parseAttrs(info.get(2)!).get(7))).toBe(1);
  });

  it('splits a datagram holding several messages and stops at a truncated one', () => {
    const a = new MessageBuilder(3, 2).header(new Uint8Array(4)).bytes();
    const b = new MessageBuilder(16, 2).header(new Uint8Array(16)).bytes();
    const both = new Uint8Array([...a, ...b, 1, 2, 3]);
    expect(parseMessages(both).map((m) => m.type)).toEqual([3, 16]);
  });

  it('refuses to finish with a nest left open', () => {
    expect(() => new MessageBuilder(16, 1).nest(18).bytes()).toThrow(/unclosed/);
  });
});
