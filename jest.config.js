/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm run typecheck` does the type checking once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  testTimeout: 120000,
  verbose: false,
  setupFiles: ['<rootDir>/test/setup.ts'],
  // DB pools and native connections closed in afterAll can keep the loop alive a moment longer.
  forceExit: true,
};
