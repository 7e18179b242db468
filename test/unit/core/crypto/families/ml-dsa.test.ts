/**
 * lambda/core/crypto/families/ml-dsa.ts imports @noble/post-quantum lazily (mlDsaFamily.load()); a caller that uses
 * a key before load() has settled is told so by name rather than failing somewhere inside a missing level table.
 */
import { describe, expect, test } from 'vitest';
import { freshFamilyKey, random } from '../../../../support/fresh-key-family';

describe('mlDsaFamily before load()', () => {
  test('GetPublicKey, Sign and Verify say that load() was not awaited; after it they work', async () => {
    // GIVEN a fresh module and an ML_DSA_44 seed (which needs no load)
    const { family: mlDsaFamily, entry, material } = await freshFamilyKey('ml-dsa', 'ML_DSA_44');
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
