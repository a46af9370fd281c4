import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Module boundaries encode STYLE.md: only connectors speak a network's SDK, only libs/db touches
// Prisma, the pipeline engine and plugin SDK stay framework-free, apps depend on libs and not on
// each other.
const frameworks = [
  '@nestjs/*',
  '@prisma/*',
  'bullmq',
  'ioredis',
  'pg',
  '@electric-sql/*',
  '@atproto/*',
  'masto',
];
const networkSdks = ['@atproto/*', 'masto'];
const database = ['@prisma/*', 'pg', '@electric-sql/*', 'pglite-prisma-adapter'];

export default [
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      'data',
      'tmp',
      '.toolchain',
      'generated',
      '.nx',
      'coverage',
      // Written by GraphQL codegen from the schema (apps/web/codegen.ts); a unit test checks it is current.
      'apps/web/src/gql',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    // Nest injects by constructor parameter types: with decorator metadata those imports are values,
    // and the type-import rule must know it.
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: frameworks,
            },
            {
              sourceTag: 'type:engine',
              onlyDependOnLibsWithTags: ['type:domain', 'type:engine'],
              bannedExternalImports: frameworks,
            },
            {
              sourceTag: 'type:plugin',
              onlyDependOnLibsWithTags: ['type:engine', 'type:domain'],
              bannedExternalImports: frameworks,
            },
            {
              sourceTag: 'type:config',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: frameworks.filter((f) => f !== '@nestjs/*'),
            },
            {
              sourceTag: 'type:data',
              onlyDependOnLibsWithTags: ['type:domain', 'type:config'],
              bannedExternalImports: networkSdks,
            },
            {
              sourceTag: 'type:queue',
              onlyDependOnLibsWithTags: ['type:domain', 'type:config'],
              bannedExternalImports: [...networkSdks, ...database],
            },
            {
              sourceTag: 'type:connector',
              onlyDependOnLibsWithTags: ['type:domain', 'type:config'],
              bannedExternalImports: [...database, '@nestjs/*', 'bullmq'],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: [
                'type:domain',
                'type:config',
                'type:data',
                'type:queue',
                'type:connector',
                'type:engine',
              ],
              bannedExternalImports: [...networkSdks, ...database],
            },
            { sourceTag: 'type:testing', notDependOnLibsWithTags: ['type:app', 'type:launcher'] },
            {
              sourceTag: 'type:app',
              notDependOnLibsWithTags: ['type:app', 'type:launcher'],
              bannedExternalImports: [...networkSdks, ...database],
            },
            { sourceTag: 'type:launcher', bannedExternalImports: [...networkSdks, ...database] },
          ],
        },
      ],
    },
  },
  {
    // Tests and their support code (apps/*/test) may reach across projects; shipped code may not.
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      'apps/*/test/**/*.ts',
      'tools/**/*.ts',
      'libs/testing/**/*.ts',
    ],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
  // The web app runs in the browser (built by Vite).
  { files: ['apps/web/src/**/*.{ts,tsx}'], languageOptions: { globals: globals.browser } },
  prettier,
];
