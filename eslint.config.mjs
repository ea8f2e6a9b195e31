// Flat config. Type information comes from tsconfig.json (which, unlike tsconfig.build.json,
// includes the tests), so promise rules see through the @tributary/* path aliases.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Libraries import strictly downward (DESIGN.md): each may name only the libs listed here, and only
// through their index (@tributary/x), never a file inside them. Cycles are checked by `npm run lint:cycles`.
const allowedLibImports = {
  protocol: [],
  log: ['protocol'],
  coordination: ['protocol'],
  client: ['protocol'],
  'native-crc32c': ['protocol'],
  'process-kit': [],
  broker: ['protocol', 'log', 'coordination', 'native-crc32c'],
  nestjs: ['protocol', 'log', 'coordination', 'broker', 'client'],
};
const layerRules = Object.entries(allowedLibImports).map(([lib, allowed]) => ({
  files: [`libs/${lib}/src/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: allowed.length ? `^@tributary/(?!(${allowed.join('|')})(/|$))` : '^@tributary/',
            message: allowed.length
              ? `libs/${lib} may import only ${allowed.map((l) => `@tributary/${l}`).join(', ')} (layers point down).`
              : `libs/${lib} imports no other lib (it is the bottom layer).`,
          },
          { regex: '^@tributary/[^/]+/', message: 'Import a lib through its index (@tributary/x), not a file inside it.' },
        ],
      },
    ],
  },
}));

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tributary/**', 'bench-results/**'] },
  {
    // the few plain CommonJS files (jest config, the bin shim) and this file: syntax-level rules only
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A floating promise is a place where an error vanishes; `void` marks the few that may.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // With type information this rule leaves imports that decorator metadata needs (Nest DI) as values.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // `return promise` inside try skips its catch and finally; `return await` outside one is noise.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // a new error code, role or state must be handled wherever a switch names its siblings
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // tsc already reports unused locals and parameters (noUnusedLocals/noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
      // Many async methods implement async interfaces without awaiting (fakes, handlers); making them
      // sync would turn their throws from rejections into synchronous exceptions at the call site.
      '@typescript-eslint/require-await': 'off',
      // Passing on a caught value (typed unknown) is rethrowing, not throwing a non-Error.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  ...layerRules,
  {
    // Redis belongs to libs/coordination's store implementations (redis-boundary.spec.ts checks
    // the same from the other side).
    files: ['libs/broker/src/**/*.ts', 'libs/nestjs/src/**/*.ts', 'apps/broker/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'ioredis', message: 'Only libs/coordination talks to Redis: ask its stores instead.' }] },
      ],
    },
  },
  {
    // Tests and test doubles may poke at untyped shapes; `any` is a boundary concern, not a test one.
    files: ['**/*.spec.ts', 'test/**/*.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
