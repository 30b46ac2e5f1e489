import { defineConfig } from 'vitest/config';
import { protoText } from './src/cri/vite-proto-text.ts';

export default defineConfig({ plugins: [protoText], test: { include: ['src/**/*.test.ts'], testTimeout: 30_000 } });
