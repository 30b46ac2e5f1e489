import { describe, expect, it } from 'vitest';
import { decodeJson, MAX_JSON_DEPTH } from './json.ts';
import { ErrorCode } from './spec/errors.ts';

const nested = (depth: number): string => `{"x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('decodeJson', () => {
  it('reads JSON, brackets inside strings and escaped quotes included', () => {
    expect(decodeJson('{"a":"[[{\\"]]","b":[1,{"c":[]}]}', 'ctx')).toEqual({ a: '[[{"]]', b: [1, { c: [] }] });
  });

  it('reads a document as deep as Go\'s encoding/json allows', () => {
    expect(() => decodeJson(nested(MAX_JSON_DEPTH), 'ctx')).not.toThrow();
  });

  it('refuses deeper nesting with code 6, before parsing (no stack overflow later)', () => {
    expect(() => decodeJson(nested(100_000), 'ctx')).toThrowError(
      expect.objectContaining({ code: ErrorCode.DecodeFailure, message: 'ctx: cannot decode JSON nested 100000 levels deep (at most 10000)' }),
    );
  });

  it('refuses text that is not JSON with code 6 after the context', () => {
    expect(() => decodeJson('{"a":', 'ctx')).toThrowError(expect.objectContaining({ code: ErrorCode.DecodeFailure, message: expect.stringMatching(/^ctx: /) }));
  });
});
