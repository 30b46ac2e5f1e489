import { describe, expect, it } from 'vitest';
import { randomHex } from './random.ts';

describe('random without node:crypto at load', () => {
  it('randomHex gives the asked length and varies', () => {
    expect(randomHex(4)).toMatch(/^[0-9a-f]{8}$/);
    expect(new Set(Array.from({ length: 20 }, () => randomHex(8))).size).toBe(20);
  });
});
