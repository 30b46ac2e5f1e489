import { defineConfig } from 'vitest/config';
import { protoText } from '../tools/cnictl/src/cri/vite-proto-text.ts';

// The executables in dist/bin against real namespaces: files run one at a time so that kernel
// work (veth deletion, iptables commits) of one suite does not starve another on a 2-core machine.
export default defineConfig({
  plugins: [protoText],
  test: { include: ['**/*.test.ts'], exclude: ['node_modules/**'], testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
});
