/**
 * AES-256-GCM of lambda/core/crypto/aead.ts: `open` authenticates with the whole 128-bit tag only. GCM itself would
 * accept a shortened tag (4 to 15 bytes) unless the tag length is fixed, and a shortened tag is far easier to forge.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { open, seal, TAG_LENGTH } from '../../../../lambda/core/crypto/aead';

describe('aead', () => {
  test('open returns the plaintext for the whole tag, and undefined for the same tag shortened to 12, 8 or 4 bytes', () => {
    // GIVEN
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const aad = Buffer.from('header');
    const sealed = seal(key, iv, Buffer.from('secret'), aad);
    // WHEN / THEN
    expect(sealed.tag).toHaveLength(TAG_LENGTH);
    expect(Buffer.from(open(key, iv, sealed, aad)!).toString()).toBe('secret');
    for (const length of [12, 8, 4]) {
      expect(open(key, iv, { ciphertext: sealed.ciphertext, tag: sealed.tag.subarray(0, length) }, aad), `${length}-byte tag`).toBeUndefined();
    }
  });
});
