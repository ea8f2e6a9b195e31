/**
 * Two projects: fast unit specs beside the code, and cross-process tests under test/.
 * ts-jest only transpiles: `npm test` type-checks every test in one `tsc --noEmit` pass
 * first (`npm run typecheck`). Turning ts-jest diagnostics on would not do it: with
 * `isolatedModules` in tsconfig.json ts-jest transpiles file by file and reports no type
 * errors at all (checked: a `const n: number = 'x'` in a spec still passed).
 */
const moduleNameMapper = { '^@tributary/(.*)$': '<rootDir>/libs/$1/src/index.ts' };
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
// the package templates and their laid-out copies repeat package names jest's module map must not see twice
const modulePathIgnorePatterns = ['<rootDir>/dist/', '<rootDir>/packages/'];
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
      moduleNameMapper,
      modulePathIgnorePatterns,
      transform,
      testEnvironment: 'node',
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e.ts'],
      moduleNameMapper,
      modulePathIgnorePatterns,
      transform,
      testEnvironment: 'node',
    },
  ],
};
