// One jest run covers every package. @swc/jest strips types without checking them:
// `pnpm typecheck` does that once for the whole workspace, so tests don't pay for it twice.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages'],
  testMatch: ['**/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/packages/[^/]+/dist/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    '^@reelwatch/([^/]+)$': '<rootDir>/packages/$1/src',
  },
  testTimeout: 120_000,
  reporters: ['default', '<rootDir>/packages/testkit/bin/summary-reporter.js'],
};
