import { readFileSync } from 'node:fs';

/**
 * Vitest's loader for `import text from './x.proto' with { type: 'text' }`, which esbuild
 * bundles natively: the file's text as the default export.
 */
export const protoText = {
  name: 'proto-text',
  enforce: 'pre' as const,
  load(id: string): string | undefined {
    return id.endsWith('.proto') ? `export default ${JSON.stringify(readFileSync(id, 'utf8'))};` : undefined;
  },
};
