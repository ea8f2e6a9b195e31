/** Two projects: fast unit specs beside the code, and cross-process tests under test/. */
const moduleNameMapper = { '^@tributary/(.*)$': '<rootDir>/libs/$1/src/index.ts' };
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
      moduleNameMapper,
      transform,
      testEnvironment: 'node',
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e.ts'],
      moduleNameMapper,
      transform,
      testEnvironment: 'node',
    },
  ],
};
