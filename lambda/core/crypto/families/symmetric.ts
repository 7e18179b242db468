/**
 * SYMMETRIC_DEFAULT: 256-bit AES-GCM material. Encryption itself is the ciphertext-blob code of the
 * cryptography operations, because a symmetric key has several materials and its blobs name the one
 * that sealed them (crypto/ciphertext-blob.ts); this module makes and checks the material.
 */
import { IncorrectKeyMaterialException } from '../../errors';
import type { KeyFamily } from './family';

const MATERIAL_LENGTH = 32;

export const symmetricFamily: KeyFamily = {
  async generate(_entry, random) {
    return random(MATERIAL_LENGTH);
  },
  readImported(_entry, plaintext) {
    if (plaintext.length !== MATERIAL_LENGTH) {
      throw new IncorrectKeyMaterialException('The key material must be 256 bits (32 bytes) for a SYMMETRIC_DEFAULT KMS key.');
    }
    return Uint8Array.from(plaintext);
  },
  identity(_entry, material) {
    return material;
  },
};
