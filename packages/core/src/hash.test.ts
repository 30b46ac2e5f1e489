import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha512Hex } from './hash.ts';

describe('sha512Hex', () => {
  it('equals node:crypto', () => {
    for (const text of ['', 'mynetabc', 'x'.repeat(1000), 'ünïcode']) {
      expect(sha512Hex(text)).toBe(createHash('sha512').update(text).digest('hex'));
    }
  });
});
