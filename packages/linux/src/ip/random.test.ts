import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomHex, sha512Hex } from './random.ts';

describe('random and sha512 without node:crypto at load', () => {
  it('sha512Hex equals node:crypto', () => {
    for (const text of ['', 'mynetabc', 'x'.repeat(1000), 'ünïcode']) {
      expect(sha512Hex(text)).toBe(createHash('sha512').update(text).digest('hex'));
    }
  });

  it('randomHex gives the asked length and varies', () => {
    expect(randomHex(4)).toMatch(/^[0-9a-f]{8}$/);
    expect(new Set(Array.from({ length: 20 }, () => randomHex(8))).size).toBe(20);
  });
});
