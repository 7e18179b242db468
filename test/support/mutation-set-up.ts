/**
 * Set-up of every test file in a mutation run (vitest.mutation.config.ts), never of `npm test`. Stryker runs the
 * covering tests again for every mutant, and most of their time went into generating RSA key pairs (an import test
 * generates a wrapping key pair per GetParametersForImport). With MUTATION_KEY_POOL naming a folder
 * (scripts/mutation.mjs sets it), node:crypto's generateKeyPair and generateKeyPairSync (the tests' own client-side keys) draw on the pool of pairs it generated before for
 * the same arguments (test/support/key-pair-pool.ts, D122); without it nothing changes.
 */
import { vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const dir = process.env.MUTATION_KEY_POOL;
  if (!dir) return crypto;
  const { pooledKeyPairGeneration } = await import('./key-pair-pool');
  const pooled = pooledKeyPairGeneration(crypto, dir);
  // A default import (import crypto from 'node:crypto') sees the same two functions.
  return { ...crypto, ...pooled, default: { ...(crypto as typeof crypto & { default: typeof crypto }).default, ...pooled } };
});
