/**
 * lambda/core/crypto/families/ml-dsa.ts imports @noble/post-quantum lazily (mlDsaFamily.load()); a caller that uses
 * a key before load() has settled is told so by name rather than failing somewhere inside a missing level table.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test, vi } from 'vitest';
import type { KeyFamily } from '../../../../../lambda/core/crypto/families/family';
import { keySpecEntry } from '../../../../../lambda/core/crypto/key-specs';

/** ml-dsa.ts afresh, so no earlier test of this worker has loaded it yet. */
async function freshMlDsaFamily() {
  vi.resetModules();
  return (await import('../../../../../lambda/core/crypto/families/ml-dsa')).mlDsaFamily as Required<KeyFamily>;
}

describe('mlDsaFamily before load()', () => {
  test('GetPublicKey, Sign and Verify say that load() was not awaited; after it they work', async () => {
    // GIVEN a fresh module and an ML_DSA_44 seed (which needs no load)
    const mlDsaFamily = await freshMlDsaFamily();
    const entry = keySpecEntry('ML_DSA_44');
    const random = (n: number) => new Uint8Array(randomBytes(n));
    const material = await mlDsaFamily.generate(entry, random);
    const message = new Uint8Array(Buffer.from('a message'));
    const notLoaded = new Error('mlDsaFamily.load() was not awaited');
    // WHEN / THEN
    expect(() => mlDsaFamily.publicKey(entry, material)).toThrow(notLoaded);
    expect(() => mlDsaFamily.sign(entry, material, 'ML_DSA_SHAKE_256', message, 'RAW', random)).toThrow(notLoaded);
    expect(() => mlDsaFamily.verify(entry, material, 'ML_DSA_SHAKE_256', message, 'RAW', new Uint8Array(2420))).toThrow(notLoaded);
    await mlDsaFamily.load(entry);
    const signature = mlDsaFamily.sign(entry, material, 'ML_DSA_SHAKE_256', message, 'RAW', random);
    expect(mlDsaFamily.verify(entry, material, 'ML_DSA_SHAKE_256', message, 'RAW', signature)).toBe(true);
  });
});
