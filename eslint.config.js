// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const CORE_PURITY = [
  { group: ['@aws-sdk/*', '@smithy/*', '@middy/*', '@aws-lambda-powertools/*', 'aws-lambda', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'dynalite'], message: 'lambda/core is pure: no AWS SDK, middy or infrastructure imports.' },
  { group: ['node:http', 'node:https', 'http', 'https', 'node:net', 'net', 'node:fs', 'fs', 'node:fs/*', 'fs/*', 'node:process', 'process'], message: 'lambda/core does no I/O: use a port.' },
  { group: ['**/adapters/**', '**/handlers/**', '**/runtime/**', '**/local/**', '**/entry/**'], message: 'lambda/core must not depend on outer layers.' },
];

const UNBOUNDED_KEY_GENERATION = ['node:crypto', 'crypto'].map((name) => ({
  name,
  importNames: ['generateKeyPair', 'generateKeyPairSync'],
  message: 'generate key pairs with generateKeyPair from lambda/core/crypto/key-pair-generation.ts (bounded, D90).',
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'coverage/**', 'console/dist/**', '.kms-data/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Key generation is bounded process-wide (lambda/core/crypto/key-pair-generation.ts, D90).
    files: ['lambda/**/*.ts', 'bin/**/*.ts'],
    ignores: ['lambda/core/**'],
    rules: { 'no-restricted-imports': ['error', { paths: UNBOUNDED_KEY_GENERATION }] },
  },
  {
    // The domain is pure: it talks to the world only through the ports in lambda/core/ports.ts.
    files: ['lambda/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: UNBOUNDED_KEY_GENERATION,
        patterns: CORE_PURITY,
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'lambda/core reads no environment: take configuration as arguments.' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'use the Clock port' },
        { object: 'Math', property: 'random', message: 'use the RandomBytes port' },
      ],
    },
  },
  {
    // The one file that may call node:crypto's generateKeyPair (it bounds it); still pure.
    files: ['lambda/core/crypto/key-pair-generation.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: CORE_PURITY }] },
  },
);
