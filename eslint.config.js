// ESLint 9 flat config: `npm run lint` (= `eslint .`), run by `npm test` before the tests.
// Rule sets: @eslint/js recommended + typescript-eslint recommended (syntax only), a few
// bug-catching core rules, and two type-aware rules (no-floating-promises, no-misused-promises)
// on the .ts files. Type info costs: the whole lint takes ~30 s on 2 cores instead of ~12 s.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'data/**', '.tmp/**', 'certs/**', 'fixtures/**', 'coverage/**', '.scratch/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // .js/.mjs are ES modules, .cjs CommonJS (ESLint's defaults); all run on Node.
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names are this code base's way of saying "unused on purpose": an argument an
      // implementation ignores, a field dropped from a rest object, `for (const _ in o)`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // An empty `catch {}` is deliberate here (best-effort cleanup, "the file may already be
      // gone", probing), each with a comment saying why. Other empty blocks stay errors.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Bugs, not style. (Left out on purpose: no-promise-executor-return, which flags the
      // `new Promise((r) => setTimeout(r, ms))` idiom used throughout test/, and
      // array-callback-return, which does not see that a `switch` over a union is exhaustive.)
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      // `for (const _ in o) { any = true; break; }` is the allocation-free "has a key" test on
      // the parse hot path (src/parse/rfc3164.ts); other loops that can only run once are bugs.
      'no-unreachable-loop': ['error', { ignore: ['ForInStatement'] }],
      'no-constructor-return': 'error',
      'no-unused-private-class-members': 'error',
      'default-case-last': 'error',
      // `const enum` stays gone: tsx/esbuild compile file by file and cannot inline one across
      // modules (nor can `isolatedModules`); use an `as const` object plus a union type.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration[const=true]',
          message: 'No `const enum` (tsx/esbuild and isolatedModules cannot inline it): use an `as const` object and a union type.',
        },
      ],
    },
  },
  {
    // Type-aware rules, .ts only (scripts/ and bench/*.mjs are plain JS in no tsconfig). The
    // project service picks each file's nearest tsconfig.json (bench/micro has its own).
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)) },
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection kills the process).
      // node:test's test()/describe()/it() return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
        },
      ],
      // An async function where a void callback is expected (an event listener, setTimeout):
      // its rejection goes nowhere.
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests read free-form JSON (stats(), /metrics, stored records) as `Record<string, any>`.
      '@typescript-eslint/no-explicit-any': 'off',
      // Tests match ANSI colour escapes (\x1b[...m) in CLI output on purpose.
      'no-control-regex': 'off',
    },
  },
);
