/** Jest configuration: fast unit tests, and integration tests against a real Temporal dev server and Redis. */
const tsJest = ['ts-jest', { tsconfig: { isolatedModules: true, allowJs: true }, diagnostics: false }];
// oauth4webapi and jose ship ES modules only. Node >= 20.19 require()s them natively, but jest cannot
// before Node 24.9, so jest compiles those two packages to CommonJS like the project's own sources.
const transform = { '^.+\\.ts$': tsJest, '/node_modules/(oauth4webapi|jose)/.+\\.js$': tsJest };
const transformIgnorePatterns = ['/node_modules/(?!(oauth4webapi|jose)/)'];

/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/integration-timeout.ts'],
    },
  ],
  maxWorkers: 1,
};
