import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    // `npx vitest run --coverage` with @vitest/coverage-v8 installed; process.ts runs in child
    // processes (skel/process.test.ts) and types-only files hold no code, so both read as 0 %.
    coverage: { provider: 'v8', include: ['src/**/*.ts'], exclude: ['src/**/*.test.ts', 'src/**/*.fixtures.ts'] },
  },
});
