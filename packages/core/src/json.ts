import { CniError, ErrorCode } from './spec/errors.ts';

/**
 * How deep arrays and objects may nest: Go's encoding/json refuses deeper documents
 * (maxNestingDepth in its scanner), so no config the reference plugins accept is refused here,
 * and recursive work on the parsed value (cloning, printing) stays far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 10_000;

/** The deepest nesting of `[`/`{` in JSON text, counted outside strings in one pass. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return deepest;
}

/**
 * JSON.parse for input a plugin did not write: anything that cannot be decoded, including a
 * document nested deeper than MAX_JSON_DEPTH, is code 6 with `context` before the reason.
 */
export function decodeJson(text: string, context: string): unknown {
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw new CniError(ErrorCode.DecodeFailure, `${context}: cannot decode JSON nested ${depth} levels deep (at most ${MAX_JSON_DEPTH})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CniError(ErrorCode.DecodeFailure, `${context}: ${(err as Error).message}`);
  }
}
