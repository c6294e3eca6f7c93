/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm run typecheck` does the type checking once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // ccxt's CommonJS build require()s @noble/* and @scure/*, which are ESM-only; jest (unlike Node 20.19+)
    // cannot require ESM, so those packages are compiled to CommonJS on the fly.
    '^.+/node_modules/(@noble|@scure)/.+\\.js$': [
      'ts-jest',
      { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@noble|@scure)/)'],
  testTimeout: 120000,
  verbose: false,
  setupFiles: ['<rootDir>/test/setup.ts'],
  // DB pools and native connections closed in afterAll can keep the loop alive a moment longer.
  forceExit: true,
};
