import { defineConfig } from 'vitest/config';

// The executables in dist/bin against real namespaces: files run one at a time so that kernel
// work (veth deletion, iptables commits) of one suite does not starve another on a 2-core machine.
export default defineConfig({
  test: { include: ['**/*.test.ts'], exclude: ['node_modules/**'], testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
});
